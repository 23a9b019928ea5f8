import { mkdir, open, readdir, rename, rm, statfs } from "node:fs/promises";
import { isAbsolute, join, normalize, relative, sep } from "node:path";
import type { SecretReference } from "@rampart/core";

/**
 * Where an agent keeps the secrets its tasks read: `<root>/<task-id>/<target>`, with the
 * reference's uid, gid and mode. Only memory-backed storage is accepted, as Swarm's
 * workers mount a tmpfs per container; everything is removed at start and at stop, so
 * no secret outlives the agent on this machine.
 */
export interface SecretStore {
  /** Checks the storage and removes anything a previous run left. */
  open(): Promise<void>;
  has(taskId: string, target: string): boolean;
  write(taskId: string, ref: SecretReference, data: Buffer): Promise<void>;
  /** Removes every task's secrets except those of `keep`; returns the task IDs removed. */
  retain(keep: ReadonlySet<string>): Promise<string[]>;
  /** Removes everything. */
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

export function tmpfsSecretStore(root: string, options: { allowDisk?: boolean } = {}): SecretStore {
  const written = new Map<string, Set<string>>();

  async function wipe(): Promise<void> {
    for (const entry of await readdir(root).catch(() => [] as string[])) await rm(join(root, entry), { recursive: true, force: true });
    written.clear();
  }

  return {
    async open() {
      await mkdir(root, { recursive: true, mode: 0o700 });
      const fs = await statfs(root);
      if (!MEMORY_FS.has(Number(fs.type)) && !options.allowDisk) {
        throw new SecretStoreError(
          `${root} is not on tmpfs (file system type 0x${Number(fs.type).toString(16)}): secrets are only written to memory-backed storage. ` +
            "Give --secrets-root a directory on a tmpfs mount (e.g. under /dev/shm), or --allow-secrets-on-disk for development only",
        );
      }
      await wipe();
    },

    has: (taskId, target) => written.get(taskId)?.has(target) ?? false,

    async write(taskId, ref, data) {
      const path = secretPath(root, taskId, ref.target);
      const dir = join(root, taskId);
      await mkdir(join(path, ".."), { recursive: true, mode: 0o700 });
      // Written under a temporary name with owner-only access, then given its owner and
      // mode, then renamed into place: no reader ever sees a partial or over-open file.
      const temporary = join(dir, `.${process.pid}.${Date.now()}.tmp`);
      const handle = await open(temporary, "wx", 0o600);
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
      (written.get(taskId) ?? written.set(taskId, new Set()).get(taskId)!).add(ref.target);
    },

    async retain(keep) {
      const removed: string[] = [];
      for (const entry of await readdir(root).catch(() => [] as string[])) {
        if (keep.has(entry)) continue;
        await rm(join(root, entry), { recursive: true, force: true });
        written.delete(entry);
        removed.push(entry);
      }
      return removed;
    },

    close: wipe,
  };
}

/** Secrets kept in this process's memory only (`agent simulate`). */
export function memorySecretStore(): SecretStore & { get(taskId: string, target: string): Buffer | undefined } {
  const held = new Map<string, Map<string, Buffer>>();
  return {
    async open() {},
    has: (taskId, target) => held.get(taskId)?.has(target) ?? false,
    get: (taskId, target) => held.get(taskId)?.get(target),
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
