import { execFileSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import type { SecretReference } from "@rampart/core";
import { runCli } from "../test-support/cli.js";
import { freshSecretsRoot, SecretStoreError, tmpfsSecretStore } from "./secrets.js";

/**
 * The secrets root against another local user (ADR 0013). The agent runs as root; the
 * attacker is `nobody`, acting through real processes (setpriv), planting links and
 * directories where the agent would keep secrets. Each attack aims at a victim
 * directory of root's whose file must survive.
 */

const TASK = "abcdefghijklmnopqrstuvwxy";
const ref = (target: string): SecretReference => ({ secretId: "s", secretName: "s", target, uid: "0", gid: "0", mode: 0o400 });
const made: string[] = [];

/** A fresh name under /dev/shm, removed after the test. */
function shmPath(label: string): string {
  const path = `/dev/shm/rampart-test-${label}-${randomBytes(6).toString("hex")}`;
  made.push(path);
  return path;
}

/** A directory of root's holding `precious`: what an attacker wants emptied or overwritten. */
function victim(): { dir: string; file: string } {
  const dir = mkdtempSync("/dev/shm/rampart-test-victim-");
  made.push(dir);
  const file = join(dir, "precious");
  writeFileSync(file, "keep me");
  return { dir, file };
}

/** Runs a command as `nobody`, an unprivileged local user. */
function asNobody(...command: string[]): void {
  execFileSync("setpriv", ["--reuid=nobody", "--regid=nogroup", "--clear-groups", ...command]);
}

/** What `promise` rejected with. */
async function refusal(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, "the store did not refuse").toBeInstanceOf(SecretStoreError);
  return error as Error;
}

afterEach(() => {
  for (const path of made.splice(0)) rmSync(path, { recursive: true, force: true });
});

describe("a secrets root another user prepared", () => {
  it("fail/a symbolic link planted by nobody at the root is refused, and its target is not emptied", async () => {
    const { dir, file } = victim();
    const root = shmPath("planted-link");
    asNobody("ln", "-s", dir, root);
    const error = await refusal(tmpfsSecretStore(root).open());
    expect(error.message).toBe(`secrets root ${root} is a symbolic link: refusing to follow it`);
    expect(readFileSync(file, "utf8")).toBe("keep me");
  });

  it("fail/a directory nobody made first (mode 0777) is refused, and what nobody put in it stays", async () => {
    const root = shmPath("planted-dir");
    asNobody("mkdir", "-m", "0777", root);
    asNobody("sh", "-c", `echo mine > ${root}/nobodys-file`);
    const error = await refusal(tmpfsSecretStore(root).open());
    expect(error.message).toBe(`secrets root ${root} is owned by uid 65534, not by this agent's user (uid 0)`);
    expect(readdirSync(root)).toEqual(["nobodys-file"]);
  });

  it("fail/a root under a directory nobody owns is refused: nobody could swap it for a link at any time", async () => {
    const { dir, file } = victim();
    const home = shmPath("nobody-home");
    asNobody("mkdir", "-m", "0755", home);
    asNobody("ln", "-s", dir, join(home, "secrets"));
    const error = await refusal(tmpfsSecretStore(join(home, "secrets")).open());
    expect(error.message).toBe(`cannot use secrets root ${home}/secrets: ${home} is owned by uid 65534, who could replace what is in it`);
    expect(readFileSync(file, "utf8")).toBe("keep me");
  });

  it("fail/a root under a directory others may write to that is not sticky is refused", async () => {
    const open = shmPath("open-parent");
    mkdirSync(open);
    chmodSync(open, 0o777);
    const error = await refusal(tmpfsSecretStore(join(open, "secrets")).open());
    expect(error.message).toBe(`cannot use secrets root ${open}/secrets: ${open} (mode 0777) is writable by other users and not sticky`);
  });

  it("fail/a root of the agent's own that others may enter (mode 0755) is refused", async () => {
    const root = shmPath("wide");
    mkdirSync(root);
    chmodSync(root, 0o755);
    const error = await refusal(tmpfsSecretStore(root).open());
    expect(error.message).toBe(`secrets root ${root} has mode 0755; it must be 0700 (only this agent's user may enter it)`);
  });

  it("fail/`rampart agent join` refuses a planted root before contacting anyone: exit 1, the path and the reason", async () => {
    const { dir, file } = victim();
    const root = shmPath("cli-link");
    asNobody("ln", "-s", dir, root);
    const state = shmPath("cli-state");
    const run = await runCli(state, "agent", "join", "--token", "SWMTKN-1-x", "--state-dir", state, "--secrets-root", root, "127.0.0.1:9");
    expect(run).toMatchObject({ code: 1, stdout: "" });
    expect(run.stderr).toBe(`Error: secrets root ${root} is a symbolic link: refusing to follow it\n`);
    expect(readFileSync(file, "utf8")).toBe("keep me");
  });
});

describe("inside a checked root", () => {
  async function opened() {
    const root = mkdtempSync("/dev/shm/rampart-test-root-");
    made.push(root);
    const store = tmpfsSecretStore(root);
    await store.open();
    return { root, store };
  }

  it("fail/a task directory that is a symbolic link is not written through; the wipe removes the link, not the target's files", async () => {
    const { dir, file } = victim();
    const { root, store } = await opened();
    symlinkSync(dir, join(root, TASK));
    const error = await refusal(store.write(TASK, ref("precious"), Buffer.from("secret")));
    expect(error.message).toBe(`${root}/${TASK} is a symbolic link: refusing to follow it`);
    expect(readdirSync(dir)).toEqual(["precious"]);
    expect(await store.retain(new Set())).toEqual([TASK]);
    expect(readdirSync(root)).toEqual([]);
    expect(readFileSync(file, "utf8")).toBe("keep me");
  });

  it("fail/a link in a target's subdirectory is not followed either", async () => {
    const { dir } = victim();
    const { root, store } = await opened();
    mkdirSync(join(root, TASK), { mode: 0o700 });
    symlinkSync(dir, join(root, TASK, "sub"));
    const error = await refusal(store.write(TASK, ref("sub/x"), Buffer.from("secret")));
    expect(error.message).toBe(`${root}/${TASK}/sub is a symbolic link: refusing to follow it`);
    expect(readdirSync(dir)).toEqual(["precious"]);
  });

  it("ok/a link at the secret's own name is replaced by the file, and its target keeps its content", async () => {
    const { file } = victim();
    const { root, store } = await opened();
    mkdirSync(join(root, TASK), { mode: 0o700 });
    symlinkSync(file, join(root, TASK, "db_password"));
    await store.write(TASK, ref("db_password"), Buffer.from("secret"));
    const written = join(root, TASK, "db_password");
    expect(lstatSync(written).isFile()).toBe(true);
    expect(readFileSync(written, "utf8")).toBe("secret");
    expect(readFileSync(file, "utf8")).toBe("keep me");
  });

  it("fail/a root swapped for a link after it was opened is refused at the next write, poll and stop; the target survives", async () => {
    const { dir, file } = victim();
    const { root, store } = await opened();
    await store.write(TASK, ref("db_password"), Buffer.from("secret"));
    renameSync(root, `${root}.moved`);
    made.push(`${root}.moved`);
    symlinkSync(dir, root);
    const message = `secrets root ${root} is a symbolic link: refusing to follow it`;
    expect((await refusal(store.write("other", ref("x"), Buffer.from("secret")))).message).toBe(message);
    expect((await refusal(store.retain(new Set()))).message).toBe(message);
    expect((await refusal(store.close())).message).toBe(message);
    expect(readdirSync(dir)).toEqual(["precious"]);
    expect(readFileSync(file, "utf8")).toBe("keep me");
  });

  it("fail/a root swapped for another directory of the agent's (same owner and mode) is refused too", async () => {
    const { root, store } = await opened();
    renameSync(root, `${root}.moved`);
    made.push(`${root}.moved`);
    mkdirSync(root, { mode: 0o700 });
    writeFileSync(join(root, "keep"), "x");
    const error = await refusal(store.retain(new Set()));
    expect(error.message).toBe(`secrets root ${root} was replaced by another directory since the agent checked it`);
    expect(readdirSync(root)).toEqual(["keep"]);
  });
});

describe("the default root", () => {
  let parent: string;
  afterAll(() => rmSync(parent, { recursive: true, force: true }));

  it("ok/each start makes a new, unpredictable directory (mode 0700) and removes the one a crashed run left", async () => {
    parent = mkdtempSync("/dev/shm/rampart-test-parent-");
    chmodSync(parent, 0o1777);
    const state = join(parent, "state");
    const first = await freshSecretsRoot(parent, join(state, "secrets-root"));
    const store = tmpfsSecretStore(first, { removeRoot: true });
    await store.open();
    await store.write(TASK, ref("db_password"), Buffer.from("secret"));
    expect(readFileSync(join(state, "secrets-root"), "utf8")).toBe(first);
    expect(statSync(first).mode & 0o7777).toBe(0o700);
    // The process died without closing: the next start removes it.
    const second = await freshSecretsRoot(parent, join(state, "secrets-root"));
    expect(second).not.toBe(first);
    expect(existsSync(first)).toBe(false);
    const next = tmpfsSecretStore(second, { removeRoot: true });
    await next.open();
    await next.close();
    expect(existsSync(second)).toBe(false);
  });

  it("fail/a link nobody planted at the recorded path is left alone, and its target survives", async () => {
    const { dir, file } = victim();
    const state = join(parent, "state");
    const recorded = join(parent, "rampart-planted");
    writeFileSync(join(state, "secrets-root"), recorded);
    asNobody("ln", "-s", dir, recorded);
    const root = await freshSecretsRoot(parent, join(state, "secrets-root"));
    expect(root).not.toBe(recorded);
    expect(lstatSync(recorded).isSymbolicLink()).toBe(true);
    expect(readFileSync(file, "utf8")).toBe("keep me");
  });

  it("ok/`rampart agent join` ignores a link planted at the old predictable name, and leaves no root of its own behind", async () => {
    const { dir, file } = victim();
    const state = shmPath("cli-default-state");
    const predictable = `/dev/shm/rampart-${createHash("sha256").update(state).digest("hex").slice(0, 12)}`;
    made.push(predictable);
    asNobody("ln", "-s", dir, predictable);
    // A malformed token fails the join after the store was opened, so it is also closed.
    const run = await runCli(state, "agent", "join", "--token", "SWMTKN-1-x", "--state-dir", state, "127.0.0.1:9");
    expect(run.code).toBe(1);
    const root = readFileSync(join(state, "secrets-root"), "utf8");
    expect(root).toMatch(/^\/dev\/shm\/rampart-[A-Za-z0-9]{6}$/);
    expect(existsSync(root)).toBe(false);
    expect(readdirSync(dir)).toEqual(["precious"]);
    expect(readFileSync(file, "utf8")).toBe("keep me");
  });
});
