import { chmodSync, lstatSync, mkdirSync, readdirSync, statSync, type Stats } from "node:fs";
import { dirname, join } from "node:path";

/**
 * The server's files are its user's alone: keys, certificates, the store's pages and the
 * admin socket. The umask is set before the first file is made, so everything the
 * server or PGlite creates is 0600 or 0700, whatever mode the creating code asked for.
 */
export const PRIVATE_UMASK = 0o077;

/** The user this process runs as, or undefined where there are no POSIX users. */
function ownUid(): number | undefined {
  return process.getuid?.();
}

/** Who besides the owner may write, as a chmod would say it, or undefined if nobody. */
function writableByOthers(stats: Stats): string | undefined {
  const group = (stats.mode & 0o020) !== 0;
  const other = (stats.mode & 0o002) !== 0;
  if (!group && !other) return undefined;
  return group && other ? "its group and all users" : group ? "its group" : "all users";
}

const mode = (stats: Stats) => (stats.mode & 0o7777).toString(8).padStart(4, "0");

/**
 * Why a directory cannot be trusted to hold the server's files, or undefined. It must be
 * a directory owned by this user that nobody else may write to: anyone who can write
 * there can replace the admin socket, the key-encryption key or the store.
 */
export function directoryProblem(what: string, dir: string, stats: Stats): string | undefined {
  const uid = ownUid();
  if (!stats.isDirectory()) return `${what} ${dir} is not a directory`;
  if (uid !== undefined && stats.uid !== uid) {
    return `${what} ${dir} belongs to uid ${stats.uid}, not to this user (uid ${uid}): run rampart as its owner`;
  }
  const others = writableByOthers(stats);
  if (others) return `${what} ${dir} is writable by ${others} (mode ${mode(stats)}): run chmod go-w ${dir}`;
  return undefined;
}

/**
 * Creates the data directory (0700) if it is missing, and refuses one that another user
 * owns or that its group or all users may write to.
 */
export function prepareDataDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const problem = directoryProblem("the data directory", dir, statSync(dir));
  if (problem) throw new Error(problem);
}

/**
 * Takes group and other access away from everything under `dir`. The umask covers what
 * is created from now on, but PGlite lays out a new store with explicit 0666 modes (its
 * file system sets a file's mode by chmod, past the umask), and a store made by an older
 * version kept them. Run once the store is open; later starts find nothing to change.
 */
export function restrictTree(dir: string): void {
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isSymbolicLink()) continue;
    const path = join(entry.parentPath, entry.name);
    try {
      const stats = lstatSync(path);
      if ((stats.mode & 0o077) !== 0) chmodSync(path, stats.mode & 0o7700);
    } catch (error) {
      // A temporary file the store removed meanwhile has nothing left to protect.
      if ((error as { code?: unknown }).code !== "ENOENT") throw error;
    }
  }
}

/**
 * Why the CLI must not send anything to the admin socket at `path`, or undefined.
 * Node cannot ask a Unix socket for its peer's credentials (SO_PEERCRED), so the file
 * system stands in for it (ADR 0012): the socket must be a socket, not a link to one,
 * owned by this user, in a directory owned by this user that nobody else may write to.
 * Only the owner of the directory could have bound it there, and nobody else can swap
 * it between this check and the connect.
 */
export function adminSocketProblem(path: string): string | undefined {
  let socket: Stats;
  let dir: Stats;
  try {
    socket = lstatSync(path);
    dir = statSync(dirname(path));
  } catch {
    return undefined; // Nothing there: connecting fails, and says the server is not running.
  }
  const uid = ownUid();
  const refuse = (why: string) => `refusing to use ${path}: ${why}`;
  if (socket.isSymbolicLink()) return refuse("it is a symbolic link, not the server's socket");
  if (!socket.isSocket()) return refuse("it is not a socket");
  if (uid !== undefined && socket.uid !== uid) {
    return refuse(`it belongs to uid ${socket.uid}, not to this user (uid ${uid}); run rampart as the user that runs rampart server`);
  }
  const problem = directoryProblem("its directory", dirname(path), dir);
  return problem ? refuse(problem) : undefined;
}
