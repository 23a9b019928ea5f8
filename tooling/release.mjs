#!/usr/bin/env node
/**
 * `pnpm release` (which builds first, through turbo) packs the build into one file,
 * dist-release/rampart-<version>.tgz. `npm install -g ./rampart-<version>.tgz` turns it
 * into a working `rampart` (server with the web UI, admin CLI, agent) on a machine with
 * Node 20 and nothing else: every runtime dependency, native and wasm pieces included,
 * rides inside as a bundled dependency, so installing never asks a registry.
 *
 * The code finds its files relative to itself (import.meta.url), so the package keeps
 * the repository's paths wherever the code computes one:
 *
 *   apps/cli/{package.json,bin,dist}    the command. Its version is read from
 *                                       apps/cli/package.json, and `rampart server` looks
 *                                       for the UI at ../../../web from dist/commands.
 *   apps/web/{package.json,next.config.mjs,.next}
 *                                       the built UI, served by Next from this folder.
 *   node_modules/@rampart/<p>/packages/<p>/dist
 *                                       each workspace package's build output, at its
 *                                       repository path inside the package, so that the
 *   node_modules/@rampart/db/prisma/migrations
 *                                       migrator's ../../../prisma/migrations is here.
 *   node_modules/…                      the rest, laid out the way Node looks modules up,
 *                                       copied from the workspace's own install (the
 *                                       lockfile's versions, the copies the tests ran).
 *
 * Left out: source maps, type declarations, tests and test helpers, and the packages in
 * LEAVE_OUT. The native pieces are this machine's, so the package declares the
 * platforms they run on (os, cpu, libc) and npm refuses it anywhere else.
 *
 * Usage: node tooling/release.mjs [--out DIR]   (default DIR: dist-release)
 */
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import ts from "typescript";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const { values: flags } = parseArgs({ options: { out: { type: "string" } } });
const outDir = resolve(flags.out ?? join(root, "dist-release"));

/**
 * Packages something names that the running command never loads. Each would add
 * megabytes, and SWC would also be the only reason for Next to try a download.
 */
const LEAVE_OUT = [
  [/^@next\/swc-/, "Next's compiler: `next build` and a next.config.ts need it; the package carries next.config.mjs and the built .next"],
  [/^(sharp|@img\/.+)$/, "next/image's optimiser; the UI has no next/image"],
  [/^cpu-features$/, "ssh2's optional CPU probe, a native build (never built here); ssh2 works without it"],
];

/**
 * Install scripts of bundled packages that do nothing the command needs. They are taken
 * out of the bundled manifests, so that installing runs nothing and reaches nothing.
 */
const SCRIPTS_NOT_NEEDED = new Map([
  ["ssh2", ["install", "it tries to build an optional native crypto binding with node-gyp and carries on without it (dockerode reaches ssh:// engines in plain JS)"]],
  ["protobufjs", ["postinstall", "it only warns when a dependent names its version with another range scheme"]],
]);

/** Files no running program reads: source maps and type declarations. */
const NOT_RUN = /\.(map|d\.ts|d\.mts|d\.cts)$/;

/**
 * What `next build` leaves in .next for the build itself (cache, postcss, typegen, traces),
 * and what a running server writes there (`server/route-cache`: responses it cached, which
 * a server makes again as it needs them).
 */
const NEXT_BUILD_ONLY = new Set(["cache", "build", "diagnostics", "types", "trace", "trace-build", "tsconfig.tsbuildinfo", join("server", "route-cache")]);

const readJson = (file) => JSON.parse(readFileSync(file, "utf8"));
const writeJson = (file, value) => writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);

/** A reason the release cannot be made, printed as one line (the staging folder is removed first). */
class ReleaseError extends Error {}
const fail = (message) => {
  throw new ReleaseError(message);
};

/** The workspace packages by real directory: name, manifest and repository path. */
function workspacePackages() {
  const found = new Map();
  for (const group of ["apps", "packages"]) {
    for (const entry of readdirSync(join(root, group))) {
      const dir = join(root, group, entry);
      if (!existsSync(join(dir, "package.json"))) continue;
      const manifest = readJson(join(dir, "package.json"));
      found.set(realpathSync(dir), { name: manifest.name, manifest, path: `${group}/${entry}` });
    }
  }
  return found;
}

/**
 * Where Node would find package `name` from real directory `dir` of the workspace's
 * install: its real path, or undefined. Only the repository's own node_modules count.
 */
function locate(dir, name) {
  for (let d = dir; d.startsWith(root); d = dirname(d)) {
    if (basename(d) === "node_modules") continue;
    const candidate = join(d, "node_modules", name);
    if (existsSync(join(candidate, "package.json"))) return realpathSync(candidate);
  }
  return undefined;
}

/** The packages a manifest needs at run time: dependencies and optional ones. */
function needs(manifest) {
  const optional = manifest.optionalDependencies ?? {};
  const names = new Set([...Object.keys(manifest.dependencies ?? {}), ...Object.keys(optional)]);
  return [...names].map((name) => ({ name, optional: name in optional }));
}

/** The lookup folders Node tries from a package at `location` (relative to the package root), nearest first. */
function lookupFolders(location) {
  const folders = [];
  for (let d = location; ; d = dirname(d)) {
    if (basename(d) !== "node_modules") folders.push(d === "." ? "node_modules" : join(d, "node_modules"));
    if (d === ".") return folders;
  }
}

/**
 * Lays the command's dependency graph out as one node_modules tree, as npm's hoisting
 * would: each package as high as it can go, nested under its dependent only where
 * another version of the same name is already on the dependent's lookup path. Walked
 * breadth first, and every edge of a package is placed before any of its children's,
 * so a later placement never changes what an earlier lookup found.
 *
 * Returns the placements, location → real directory, and what was left out.
 */
function layOut(cliDir) {
  const placed = new Map();
  const leftOut = new Map();
  const queue = [{ location: ".", real: cliDir }];
  for (let next = queue.shift(); next; next = queue.shift()) {
    const manifest = readJson(join(next.real, "package.json"));
    for (const { name, optional } of needs(manifest)) {
      const reason = LEAVE_OUT.find(([pattern]) => pattern.test(name))?.[1];
      if (reason) {
        if (locate(next.real, name)) leftOut.set(name, reason);
        continue;
      }
      const real = locate(next.real, name);
      if (!real) {
        if (optional) continue; // another platform's optional piece
        fail(`${manifest.name} needs ${name}, which the workspace has not installed; run pnpm install`);
      }
      let location;
      for (const folder of lookupFolders(next.location)) {
        const there = placed.get(join(folder, name));
        if (there === undefined) continue;
        location = there === real ? null : join(next.location === "." ? "" : next.location, "node_modules", name);
        break;
      }
      if (location === null) continue; // the same copy is already on the lookup path
      location ??= join("node_modules", name);
      placed.set(location, real);
      queue.push({ location, real });
    }
  }
  return { placed, leftOut };
}

/**
 * Prisma's client ships a query compiler for every database; the generated client names
 * the one it loads (for PostgreSQL, query_compiler_fast_bg.postgresql.*). The others go.
 */
function prismaCompilerFilter(dbDist) {
  const used = new Set();
  for (const entry of readdirSync(dbDist, { recursive: true })) {
    if (!String(entry).endsWith(".js")) continue;
    for (const m of readFileSync(join(dbDist, String(entry)), "utf8").matchAll(/query_compiler_(\w+?_bg\.\w+)\./g)) used.add(m[1]);
  }
  return (file) => {
    const m = /^query_compiler_(\w+?_bg\.\w+)\./.exec(basename(file));
    return !m || used.size === 0 || used.has(m[1]);
  };
}

/** Copies a third-party package without what never runs (and without any node_modules of its own). */
function copyPackage(real, target, keep = () => true) {
  cpSync(real, target, {
    recursive: true,
    dereference: true,
    filter: (source) => {
      const rel = relative(real, source);
      return rel === "" || (rel !== "node_modules" && !NOT_RUN.test(source) && keep(source));
    },
  });
}

/** `exports` with every target moved under `prefix`, without type conditions or test helpers. */
function relocateExports(exports, prefix) {
  if (typeof exports === "string") return exports.startsWith("./") ? `./${prefix}/${exports.slice(2)}` : exports;
  if (!exports || typeof exports !== "object") return exports;
  const moved = {};
  for (const [key, value] of Object.entries(exports)) {
    if (key === "types" || key.includes("testing")) continue;
    moved[key] = relocateExports(value, prefix);
  }
  return moved;
}

/**
 * A workspace package as it runs: its dist (no tests or test helpers) at its repository
 * path, and a manifest whose exports point there and whose dependencies name the
 * versions bundled beside it (npm does not know `workspace:`).
 */
function copyWorkspacePackage(ws, target) {
  const source = join(root, ws.path);
  if (!existsSync(join(source, "dist"))) fail(`${ws.path}/dist is missing; run pnpm build (pnpm release builds first)`);
  mkdirSync(target, { recursive: true });
  cpSync(join(source, "dist"), join(target, ws.path, "dist"), {
    recursive: true,
    filter: (file) => !NOT_RUN.test(file) && relative(join(source, "dist"), file).split(sep)[0] !== "testing",
  });
  const { name, version, type, exports } = ws.manifest;
  writeJson(join(target, "package.json"), {
    name,
    version,
    private: true,
    type,
    exports: relocateExports(exports, ws.path),
    dependencies: Object.fromEntries(
      Object.keys(ws.manifest.dependencies ?? {}).map((dep) => {
        const real = locate(source, dep) ?? fail(`${name} needs ${dep}, which the workspace has not installed; run pnpm install`);
        return [dep, readJson(join(real, "package.json")).version];
      }),
    ),
  });
}

/** The web UI as Next serves it: .next without build leftovers, and the config as plain JS. */
function copyWeb(target) {
  const web = join(root, "apps", "web");
  if (!existsSync(join(web, ".next", "BUILD_ID"))) fail("apps/web/.next is not built; run pnpm build (pnpm release builds first)");
  mkdirSync(target, { recursive: true });
  cpSync(join(web, ".next"), join(target, ".next"), {
    recursive: true,
    filter: (file) => {
      const rel = relative(join(web, ".next"), file);
      return !NEXT_BUILD_ONLY.has(rel) && !rel.endsWith(".nft.json") && !NOT_RUN.test(file);
    },
  });
  if (existsSync(join(web, "public"))) cpSync(join(web, "public"), join(target, "public"), { recursive: true });
  // On Node 20 Next compiles a next.config.ts with SWC at every start; plain JS needs nothing.
  const config = ts.transpileModule(readFileSync(join(web, "next.config.ts"), "utf8"), {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true },
  });
  writeFileSync(join(target, "next.config.mjs"), config.outputText);
  const { name, version, type } = readJson(join(web, "package.json"));
  writeJson(join(target, "package.json"), { name, version, private: true, type });
}

/** The command itself: bin and dist, and a manifest with its version (which `rampart version` reads). */
function copyCli(target) {
  const cli = join(root, "apps", "cli");
  if (!existsSync(join(cli, "dist", "main.js"))) fail("apps/cli/dist is missing; run pnpm build (pnpm release builds first)");
  cpSync(join(cli, "bin"), join(target, "bin"), { recursive: true });
  cpSync(join(cli, "dist"), join(target, "dist"), { recursive: true, filter: (file) => !NOT_RUN.test(file) });
  const { name, version, type } = readJson(join(cli, "package.json"));
  writeJson(join(target, "package.json"), { name, version, private: true, type });
}

/**
 * The platforms every bundled package runs on: the intersection of their os, cpu and
 * libc fields (only native packages set them), for npm to check before installing.
 */
function platforms(manifests) {
  const result = {};
  for (const field of ["os", "cpu", "libc"]) {
    let allowed;
    for (const manifest of manifests) {
      const list = manifest[field];
      if (!Array.isArray(list) || list.some((v) => v.startsWith("!"))) continue;
      allowed = allowed ? allowed.filter((v) => list.includes(v)) : [...list];
    }
    if (allowed) {
      if (allowed.length === 0) fail(`the bundled native packages share no ${field}`);
      result[field] = allowed;
    }
  }
  return result;
}

/** Scripts npm would run while installing; a bundled package must need none (they could reach the network). */
function installScripts(manifest, dir) {
  const scripts = ["preinstall", "install", "postinstall"].filter((s) => manifest.scripts?.[s]);
  if (existsSync(join(dir, "binding.gyp")) && !manifest.scripts?.install) scripts.push("node-gyp rebuild");
  return scripts;
}

/** Stages the package in a temporary folder, packs it into outDir, and says where and how big. */
function release() {
  const started = Date.now();
  const workspace = workspacePackages();
  const cliDir = realpathSync(join(root, "apps", "cli"));
  const version = workspace.get(cliDir).manifest.version;
  const dbDist = join(root, "packages", "db", "dist");
  if (!existsSync(dbDist)) fail("packages/db/dist is missing; run pnpm build (pnpm release builds first)");
  const { placed, leftOut } = layOut(cliDir);

  const stage = mkdtempSync(join(tmpdir(), "rampart-release-"));
  try {
    const pkg = join(stage, "package");
    copyCli(join(pkg, "apps", "cli"));
    copyWeb(join(pkg, "apps", "web"));
    const prismaKeeps = prismaCompilerFilter(dbDist);
    const manifests = [];
    for (const [location, real] of placed) {
      const target = join(pkg, location);
      const ws = workspace.get(real);
      if (ws) {
        copyWorkspacePackage(ws, target);
        if (ws.name === "@rampart/db") cpSync(join(root, "prisma", "migrations"), join(target, "prisma", "migrations"), { recursive: true });
        continue;
      }
      const manifest = readJson(join(real, "package.json"));
      const dropped = SCRIPTS_NOT_NEEDED.get(manifest.name)?.[0];
      const scripts = installScripts(manifest, real).filter((script) => script !== dropped);
      if (scripts.length > 0) fail(`${manifest.name} would run ${scripts.join(", ")} on install`);
      manifests.push(manifest);
      const runtime = join(real, "runtime") + sep;
      copyPackage(real, target, manifest.name === "@prisma/client" ? (file) => !file.startsWith(runtime) || prismaKeeps(file) : undefined);
      if (dropped) {
        const bundled = readJson(join(target, "package.json"));
        delete bundled.scripts[dropped];
        writeJson(join(target, "package.json"), bundled);
      }
    }

    // Everything at the top of node_modules is a dependency of the package, and bundled.
    const top = [...placed.keys()].map((l) => l.slice("node_modules/".length)).filter((name) => !name.includes("node_modules"));
    const dependencies = Object.fromEntries(
      top.sort().map((name) => {
        const manifest = readJson(join(pkg, "node_modules", name, "package.json"));
        return [name, manifest.name === name ? manifest.version : `npm:${manifest.name}@${manifest.version}`];
      }),
    );
    writeJson(join(pkg, "package.json"), {
      name: "rampart",
      version,
      description: "Rampart: a security control plane for container clusters (server with web UI, CLI, agent)",
      type: "module",
      bin: { rampart: "apps/cli/bin/rampart.mjs" },
      engines: { node: readJson(join(root, "package.json")).engines.node },
      ...platforms(manifests),
      files: ["apps/"],
      dependencies,
      bundleDependencies: Object.keys(dependencies),
    });

    mkdirSync(outDir, { recursive: true });
    const [packed] = JSON.parse(
      execFileSync("npm", ["pack", "--json", "--loglevel=error", "--pack-destination", outDir], { cwd: pkg, encoding: "utf8", maxBuffer: 512 * 1024 * 1024 }),
    );
    const file = join(outDir, packed.filename);
    const mb = (bytes) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
    for (const [name, reason] of leftOut) process.stderr.write(`left out ${name}: ${reason}\n`);
    process.stderr.write(`${packed.entryCount} files, ${mb(packed.unpackedSize)} unpacked, in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    process.stdout.write(`${relative(process.cwd(), file)} ${mb(statSync(file).size)}\n`);
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

try {
  release();
} catch (error) {
  if (!(error instanceof ReleaseError)) throw error;
  process.stderr.write(`release: ${error.message}\n`);
  process.exitCode = 1;
}
