import { randomBytes, type KeyObject } from "node:crypto";
import { closeSync, constants, fsyncSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from "node:fs";
import { dirname, join } from "node:path";
import { RampartError, SEAL_KEY_BYTES } from "@rampart/core";

/**
 * Where the key-encryption key comes from: `RAMPART_KEK_FILE` (replicas share one), or
 * `<data-dir>/kek`, created on first start with mode 0600.
 */
export interface KekSource {
  path: string;
  /** Only the data-directory default is created; a named file must already exist. */
  createIfMissing: boolean;
}

export function kekSource(dataDir: string, kekFile: string | undefined): KekSource {
  return kekFile ? { path: kekFile, createIfMissing: false } : { path: join(dataDir, "kek"), createIfMissing: true };
}

/** Creates `path` (mode 0600, refusing one that exists) with `content`, synced to the disk. */
function writeNew(path: string, content: Uint8Array): void {
  const fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  try {
    writeSync(fd, content);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Syncs the directory that holds `path`, so a created, renamed or removed entry is on the disk. */
function syncDir(path: string): void {
  const dir = openSync(dirname(path), constants.O_RDONLY);
  try {
    fsyncSync(dir);
  } finally {
    closeSync(dir);
  }
}

/** Reads a KEK file: 32 raw bytes, or 64 hex characters, or 44 base64 characters. */
function decodeKek(content: Buffer): Buffer | undefined {
  if (content.length === SEAL_KEY_BYTES) return content;
  const text = content.toString("latin1").trim();
  if (/^[0-9a-fA-F]{64}$/.test(text)) return Buffer.from(text, "hex");
  if (/^[A-Za-z0-9+/]{43}=$/.test(text)) return Buffer.from(text, "base64");
  return undefined;
}

export interface LoadedKek {
  key: Buffer;
  created: boolean;
}

/**
 * Reads the KEK, refusing a file others can read (like ssh refuses a loose key).
 * `mayCreate` is false once the store holds data keys: a missing KEK then means the
 * wrong directory or a lost key, and making a new one would only hide that.
 */
export function loadKek(source: KekSource, mayCreate: boolean): LoadedKek {
  let stat;
  try {
    stat = statSync(source.path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    if (!source.createIfMissing || !mayCreate) {
      throw new RampartError(
        "key_mismatch",
        `the key-encryption key file ${source.path} does not exist, but the store holds data sealed with one`,
      );
    }
    const key = randomBytes(SEAL_KEY_BYTES);
    writeNew(source.path, key);
    // The directory entry must reach the disk too, before anything is sealed under it.
    syncDir(source.path);
    return { key, created: true };
  }
  if ((stat.mode & 0o077) !== 0) {
    throw new RampartError(
      "failed_precondition",
      `the key-encryption key file ${source.path} is readable by other users; run: chmod 600 ${source.path}`,
    );
  }
  const key = decodeKek(readFileSync(source.path));
  if (!key) {
    throw new RampartError(
      "failed_precondition",
      `the key-encryption key file ${source.path} must hold 32 bytes (raw, 64 hex characters or base64)`,
    );
  }
  return { key, created: false };
}

/**
 * Puts the KEK back in its file when autolock is turned off (ADR 0022): written beside
 * it, synced, then renamed over it, so a crash leaves the old file or the new one,
 * never half a key. Only the data-directory default is written; a named file is the
 * operator's, and autolock is refused while one is in use.
 */
export function writeKekFile(source: KekSource, kek: KeyObject): void {
  if (!source.createIfMissing) throw new RampartError("failed_precondition", `the key-encryption key file ${source.path} is named by RAMPART_KEK_FILE; Rampart does not write it`);
  const key = kek.export();
  const temp = `${source.path}.${process.pid}.tmp`;
  try {
    unlinkSync(temp);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  try {
    writeNew(temp, key);
  } finally {
    key.fill(0);
  }
  renameSync(temp, source.path);
  syncDir(source.path);
}

/**
 * Removes the KEK's file when autolock is turned on: from then on only the store's copy,
 * wrapped under the unlock key, opens the data keys. Returns whether there was one.
 */
export function removeKekFile(source: KekSource): boolean {
  if (!source.createIfMissing) throw new RampartError("failed_precondition", `the key-encryption key file ${source.path} is named by RAMPART_KEK_FILE; Rampart does not remove it`);
  try {
    unlinkSync(source.path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw error;
  }
  syncDir(source.path);
  return true;
}

/** Whether the KEK's file is there (autolock leaves none behind; a crash may). */
export function kekFileExists(source: KekSource): boolean {
  try {
    statSync(source.path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw error;
  }
}
