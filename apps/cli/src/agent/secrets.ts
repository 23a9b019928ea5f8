import { randomBytes } from "node:crypto";
import { constants } from "node:fs";
import { lstat, mkdir, mkdtemp, open, readdir, readFile, realpath, rename, rmdir, statfs, unlink } from "node:fs/promises";
import type { Stats } from "node:fs";
import { basename, dirname, isAbsolute, join, normalize, relative, sep } from "node:path";
import type { SecretReference } from "@rampart/core";
import { writeAtomic } from "../server/identity.js";

/**
 * Where an agent keeps the secrets its tasks read: `<root>/<task-id>/<target>`, with the
 * reference's uid, gid and mode. Only memory-backed storage is accepted, as Swarm's
 * workers mount a tmpfs per container; everything is removed at start and at stop, so
 * no secret outlives the agent on this machine.
 *
 * The agent runs as root on a machine other users share, so the root is trusted only
 * when it is a real directory this process owns, mode 0700, on tmpfs, under parents
 * nobody else can change; it is checked again (and must still be the same directory)
 * every time it is used, and nothing under it is followed if it is a symbolic link
 * (ADR 0013).
 */
export interface SecretStore {
  /** Checks the storage and removes anything a previous run left. */
  open(): Promise<void>;
  has(taskId: string, target: string): boolean;
  write(taskId: string, ref: SecretReference, data: Buffer): Promise<void>;
  /** Where a written secret's file is on this node (for a container's bind), or undefined when it lives in memory only. */
  pathOf(taskId: string, target: string): string | undefined;
  /** Removes one task's secrets (its container is gone). */
  removeTask(taskId: string): Promise<void>;
  /** Removes every task's secrets except those of `keep`; returns the task IDs removed. */
  retain(keep: ReadonlySet<string>): Promise<string[]>;
  /** Removes everything (and the root itself when the store made it). */
  close(): Promise<void>;
}

/** statfs f_type of tmpfs and ramfs (linux/magic.h): memory-backed file systems. */
const MEMORY_FS = new Set([0x01021994, 0x858458f6]);

export class SecretStoreError extends Error {}

/** The file a reference names inside its task's directory; a target that escapes it is refused. */
export function secretPath(root: string, taskId: string, target: string): string {
  if (!/^[0-9a-z]{1,64}$/.test(taskId)) throw new SecretStoreError(`task ID ${JSON.stringify(taskId)} is not a task ID`);
  const dir = join(root, taskId);
  const path = normalize(join(dir, target));
  const inside = relative(dir, path);
  if (target === "" || isAbsolute(target) || inside === "" || inside.startsWith(`..${sep}`) || inside === "..") {
    throw new SecretStoreError(`secret target ${JSON.stringify(target)} escapes the task's directory`);
  }
  return path;
}

const octal = (mode: number) => `0${(mode & 0o7777).toString(8)}`;
const isErrno = (error: unknown, code: string) => (error as NodeJS.ErrnoException | null)?.code === code;

/** This process's user: the only owner a directory holding secrets may have. */
function agentUid(): number {
  return process.getuid?.() ?? 0;
}

/**
 * Why the directory `st` describes may not hold secrets, or undefined when it may: a
 * real directory (a link is never followed), owned by this process, mode 0700.
 */
function unsafeDirectory(st: Stats): string | undefined {
  if (st.isSymbolicLink()) return "is a symbolic link: refusing to follow it";
  if (!st.isDirectory()) return "is not a directory";
  if (st.uid !== agentUid()) return `is owned by uid ${st.uid}, not by this agent's user (uid ${agentUid()})`;
  if ((st.mode & 0o7777) !== 0o700) return `has mode ${octal(st.mode)}; it must be 0700 (only this agent's user may enter it)`;
  return undefined;
}

/** lstat, with a missing path as undefined. */
async function lstatIfAny(path: string): Promise<Stats | undefined> {
  try {
    return await lstat(path);
  } catch (error) {
    if (isErrno(error, "ENOENT")) return undefined;
    throw error;
  }
}

/**
 * `dir`'s real path, checked from `/` down: every directory on it is owned by root or
 * by this agent's user, and one that others may write to is sticky (as /dev/shm and
 * /tmp are), so nobody else can swap what the agent makes in it for something else.
 */
async function trustedDirectory(dir: string, root: string): Promise<string> {
  let real: string;
  try {
    real = await realpath(dir);
  } catch (error) {
    if (isErrno(error, "ENOENT")) throw new SecretStoreError(`cannot use secrets root ${root}: ${dir} does not exist`);
    throw error;
  }
  for (let at = real; ; at = dirname(at)) {
    const st = await lstat(at);
    if (st.uid !== 0 && st.uid !== agentUid()) {
      throw new SecretStoreError(`cannot use secrets root ${root}: ${at} is owned by uid ${st.uid}, who could replace what is in it`);
    }
    if (st.mode & 0o022 && !(st.mode & 0o1000)) {
      throw new SecretStoreError(`cannot use secrets root ${root}: ${at} (mode ${octal(st.mode)}) is writable by other users and not sticky`);
    }
    if (at === dirname(at)) return real;
  }
}

/** Removes `path` and, if it is a real directory, everything in it; a link is removed, never what it points to. */
async function removeTree(path: string): Promise<void> {
  const st = await lstatIfAny(path);
  if (!st) return;
  try {
    if (st.isDirectory()) {
      for (const entry of await readdir(path)) await removeTree(join(path, entry));
      await rmdir(path);
    } else {
      await unlink(path);
    }
  } catch (error) {
    // Removed meanwhile (a task's container went while its secrets were being withdrawn): gone is gone.
    if (!isErrno(error, "ENOENT")) throw error;
  }
}

/**
 * A new secrets root under `parent` with an unpredictable name (mkdtemp: mode 0700,
 * made by this process), written to `record` so that the next start removes what a
 * crash left. A recorded root is removed only if it still is a directory this agent's
 * user owns with mode 0700; anything else found there is left alone.
 */
export async function freshSecretsRoot(parent: string, record: string): Promise<string> {
  const base = await trustedDirectory(parent, join(parent, "rampart-*"));
  const previous = await readFile(record, "utf8").catch((error: unknown) => {
    if (isErrno(error, "ENOENT")) return undefined;
    throw error;
  });
  if (previous !== undefined && dirname(previous) === base && basename(previous).startsWith("rampart-")) {
    const st = await lstatIfAny(previous);
    if (st && unsafeDirectory(st) === undefined) await removeTree(previous);
  }
  const root = await mkdtemp(join(base, "rampart-"));
  await mkdir(dirname(record), { recursive: true, mode: 0o700 });
  writeAtomic(record, root, 0o600);
  return root;
}

export function tmpfsSecretStore(root: string, options: { allowDisk?: boolean; removeRoot?: boolean } = {}): SecretStore {
  const written = new Map<string, Set<string>>();
  let trusted: { path: string; dev: number; ino: number } | undefined;

  /**
   * The root, checked again: still the very directory open() checked (same device and
   * inode), still a real directory of this agent's user with mode 0700.
   */
  async function verified(): Promise<string> {
    if (!trusted) throw new SecretStoreError(`secrets root ${root} is not open`);
    const st = await lstatIfAny(trusted.path);
    if (!st) throw new SecretStoreError(`secrets root ${trusted.path} has gone`);
    const problem = unsafeDirectory(st);
    if (problem) throw new SecretStoreError(`secrets root ${trusted.path} ${problem}`);
    if (st.dev !== trusted.dev || st.ino !== trusted.ino) {
      throw new SecretStoreError(`secrets root ${trusted.path} was replaced by another directory since the agent checked it`);
    }
    return trusted.path;
  }

  /** `dir` under the root, made if missing, and then checked as the root is: never a link. */
  async function ensureDirectory(dir: string): Promise<void> {
    await mkdir(dir, { mode: 0o700 }).catch((error: unknown) => {
      if (!isErrno(error, "EEXIST")) throw error;
    });
    const problem = unsafeDirectory(await lstat(dir));
    if (problem) throw new SecretStoreError(`${dir} ${problem}`);
  }

  async function wipe(): Promise<void> {
    const base = await verified();
    for (const entry of await readdir(base)) await removeTree(join(base, entry));
    written.clear();
  }

  return {
    async open() {
      const path = join(await trustedDirectory(dirname(root), root), basename(root));
      await mkdir(path, { mode: 0o700 }).catch((error: unknown) => {
        if (!isErrno(error, "EEXIST")) throw error;
      });
      const st = await lstat(path);
      const problem = unsafeDirectory(st);
      if (problem) throw new SecretStoreError(`secrets root ${path} ${problem}`);
      const fs = await statfs(path);
      if (!MEMORY_FS.has(Number(fs.type)) && !options.allowDisk) {
        throw new SecretStoreError(
          `${root} is not on tmpfs (file system type 0x${Number(fs.type).toString(16)}): secrets are only written to memory-backed storage. ` +
            "Give --secrets-root a directory on a tmpfs mount (e.g. under /dev/shm), or --allow-secrets-on-disk for development only",
        );
      }
      trusted = { path, dev: st.dev, ino: st.ino };
      await wipe();
    },

    has: (taskId, target) => written.get(taskId)?.has(target) ?? false,

    pathOf: (taskId, target) => (trusted && written.get(taskId)?.has(target) ? secretPath(trusted.path, taskId, target) : undefined),

    async removeTask(taskId) {
      const base = await verified();
      secretPath(base, taskId, "x"); // refuses anything that is not a task ID
      await removeTree(join(base, taskId));
      written.delete(taskId);
    },

    async write(taskId, ref, data) {
      const base = await verified();
      const path = secretPath(base, taskId, ref.target);
      // Each directory from the task's down to the file's, made or found, and never a link.
      let dir = base;
      for (const part of relative(base, dirname(path)).split(sep)) {
        dir = join(dir, part);
        await ensureDirectory(dir);
      }
      // Written under a new, unguessable name (O_EXCL | O_NOFOLLOW: never through a link),
      // with owner-only access, then given its owner and mode, then renamed into place:
      // no reader ever sees a partial or over-open file, and a link at the final name is
      // replaced, not followed.
      const temporary = join(dir, `.${randomBytes(12).toString("hex")}.tmp`);
      const handle = await open(temporary, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
      try {
        try {
          await handle.writeFile(data);
          await handle.chown(Number(ref.uid), Number(ref.gid)).catch((error: NodeJS.ErrnoException) => {
            // Only root may give a file away; an unprivileged agent keeps its own ownership.
            if (error.code !== "EPERM") throw error;
          });
          await handle.chmod(ref.mode);
        } finally {
          await handle.close();
        }
        await rename(temporary, path);
      } catch (error) {
        await unlink(temporary).catch(() => undefined);
        throw error;
      }
      (written.get(taskId) ?? written.set(taskId, new Set()).get(taskId)!).add(ref.target);
    },

    async retain(keep) {
      const base = await verified();
      const removed: string[] = [];
      for (const entry of await readdir(base)) {
        if (keep.has(entry)) continue;
        await removeTree(join(base, entry));
        written.delete(entry);
        removed.push(entry);
      }
      return removed;
    },

    async close() {
      if (!trusted) return;
      await wipe();
      if (options.removeRoot) await rmdir(await verified());
      trusted = undefined;
    },
  };
}

/** Secrets kept in this process's memory only (`agent simulate`). */
export function memorySecretStore(): SecretStore & { get(taskId: string, target: string): Buffer | undefined } {
  const held = new Map<string, Map<string, Buffer>>();
  return {
    async open() {},
    has: (taskId, target) => held.get(taskId)?.has(target) ?? false,
    get: (taskId, target) => held.get(taskId)?.get(target),
    pathOf: () => undefined,
    async removeTask(taskId) {
      for (const data of held.get(taskId)?.values() ?? []) data.fill(0);
      held.delete(taskId);
    },
    async write(taskId, ref, data) {
      (held.get(taskId) ?? held.set(taskId, new Map()).get(taskId)!).set(ref.target, Buffer.from(data));
    },
    async retain(keep) {
      const removed = [...held.keys()].filter((id) => !keep.has(id));
      for (const id of removed) {
        for (const data of held.get(id)!.values()) data.fill(0);
        held.delete(id);
      }
      return removed;
    },
    async close() {
      await this.retain(new Set());
    },
  };
}
