#!/usr/bin/env node
/**
 * `pnpm bench`: runs every *.bench.ts in the workspace, one at a time (the machines are
 * small and noisy; benches must not compete), and prints each figure on its own line as
 * `<name>: <number> <unit>`. A bench's other output goes to stderr.
 */
import { spawn } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const tsx = join(root, "tooling", "node_modules", ".bin", "tsx");
const FIGURE = /^[A-Za-z0-9_.-]+: -?\d+(\.\d+)? \S+$/;
const only = process.argv.slice(2);

function benches() {
  const found = [];
  for (const group of ["packages", "apps"]) {
    for (const pkg of readdirSync(join(root, group))) {
      const src = join(root, group, pkg, "src");
      if (!existsSync(src)) continue;
      const entries = readdirSync(src, { recursive: true, withFileTypes: true });
      for (const e of entries) {
        if (e.isFile() && e.name.endsWith(".bench.ts")) found.push({ pkg: join(root, group, pkg), file: join(e.parentPath, e.name) });
      }
    }
  }
  return found.filter((b) => only.length === 0 || only.some((o) => b.file.includes(o))).sort((a, b) => a.file.localeCompare(b.file));
}

function run({ pkg, file }) {
  return new Promise((resolve) => {
    process.stderr.write(`\n# ${relative(root, file)}\n`);
    const child = spawn(tsx, [file], { cwd: pkg, stdio: ["ignore", "pipe", "inherit"], env: process.env });
    let buffered = "";
    child.stdout.on("data", (chunk) => {
      buffered += chunk;
      let newline;
      while ((newline = buffered.indexOf("\n")) !== -1) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        (FIGURE.test(line) ? process.stdout : process.stderr).write(`${line}\n`);
      }
    });
    child.on("close", (code) => {
      if (buffered) (FIGURE.test(buffered) ? process.stdout : process.stderr).write(`${buffered}\n`);
      resolve(code ?? 1);
    });
  });
}

let failed = 0;
for (const bench of benches()) if ((await run(bench)) !== 0) failed++;
if (failed > 0) {
  process.stderr.write(`${failed} bench file(s) failed\n`);
  process.exit(1);
}
