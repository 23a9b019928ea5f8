import type { AdminClient } from "../client/index.js";
import { promptHidden } from "./prompt.js";
import type { Out } from "./swarm.js";

/**
 * Autolock's commands (swarm-semantics.md §5, §8.2; ADR 0022): `swarm update
 * --autolock`, `swarm unlock` and `swarm unlock-key [-q] [--rotate]`, printed as the
 * docker CLI prints them, with rampart's command where docker names its own.
 */

/** docker's printUnlockCommand (cli/command/swarm/unlock_key.go), with rampart's command. */
export function unlockText(key: string): string {
  return (
    "To unlock a swarm manager after it restarts, run the `rampart swarm unlock`\n" +
    `command and provide the following key:\n\n    ${key}\n\n` +
    "Remember to store this key in a password manager, since without it you\n" +
    "will not be able to restart the manager."
  );
}

/**
 * `--autolock=true|false` at the settings' version as they are now. What docker prints
 * after `Swarm updated.` comes back: the unlock text when this turned autolock on. The
 * PKI procedures serve both kinds of environment: this server's own autolock, or a
 * connected swarm's through Docker's API (`--env`).
 */
export async function updateAutolock(client: AdminClient, autolock: boolean): Promise<string | undefined> {
  const { version } = await client.pki.status.query();
  const result = await client.pki.setAutolock.mutate({ version, autolock });
  return result.unlockKey === null ? undefined : unlockText(result.unlockKey);
}

/** `rampart swarm unlock-key [-q] [--rotate]`: the key, shown (audited) or made anew; `no unlock key is set` with none. */
export async function swarmUnlockKey(client: AdminClient, out: Out, quiet: boolean, rotate: boolean): Promise<number> {
  let key: string;
  if (rotate) {
    if (!(await client.pki.status.query()).autolock.enabled) throw new Error("cannot rotate because autolock is not turned on");
    key = (await client.pki.rotateUnlockKey.mutate()).unlockKey;
    if (!quiet) out("Successfully rotated manager unlock key.\n");
  } else {
    key = (await client.pki.revealUnlockKey.mutate()).unlockKey;
  }
  out(quiet ? key : unlockText(key));
  return 0;
}

/** Where `swarm unlock` reads the key: never from its arguments, where any user of the machine could read it. */
export interface KeySource {
  isTty: boolean;
  /** A terminal: the prompt, and one line with echo off. */
  prompt(prompt: string): Promise<string>;
  /** Anything else: its first line. */
  readLine(): Promise<string>;
}

/**
 * `rampart swarm unlock`: the lock's state first (`swarm is not locked`, before anything
 * is asked), then the key from the terminal with no echo, or the first line of standard
 * input, trimmed; then Swarm's unlock. It prints nothing when it worked, as docker's.
 */
export async function swarmUnlock(client: AdminClient, source: KeySource): Promise<number> {
  if (!(await client.autolock.status.query()).locked) throw new Error("swarm is not locked");
  const key = source.isTty ? await source.prompt("Enter unlock key: ") : await source.readLine();
  await client.autolock.unlock.mutate({ unlockKey: key.trim() });
  return 0;
}

/** The most of standard input read for one key: far more than a key, far less than a flood. */
const MAX_LINE_BYTES = 64 * 1024;

/** The first line of standard input (docker's bufio ReadString('\n')), or all of it when it has no newline. */
async function firstLine(): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin) {
    const bytes = typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer);
    const newline = bytes.indexOf(0x0a);
    chunks.push(newline === -1 ? bytes : bytes.subarray(0, newline));
    size += bytes.length;
    if (newline !== -1 || size > MAX_LINE_BYTES) break;
  }
  return Buffer.concat(chunks).toString("utf8");
}

export const processKeySource: KeySource = {
  isTty: process.stdin.isTTY === true,
  prompt: (text) => promptHidden(text, "no unlock key given; the server is still locked"),
  readLine: firstLine,
};
