import { checkNewPassword } from "@rampart/core";
import { promptHidden } from "./prompt.js";
import type { AdminClient } from "../client/index.js";
import { UsageError } from "./cli.js";
import type { Out } from "./swarm.js";

/**
 * `rampart user …`: account recovery on the server's admin socket (ADR 0014). A new
 * password never comes from the command line, where `ps` and shell history would keep
 * it: it is typed twice at a terminal with echo off, or read from standard input.
 */

/** Where a new password comes from: a terminal that can prompt without echo, or a pipe. */
export interface PasswordSource {
  /** True when standard input is a terminal. */
  isTty: boolean;
  /** Shows `prompt` and reads one line without echoing it. */
  prompt(prompt: string): Promise<string>;
  /** All of standard input. */
  readStdin(): Promise<string>;
}

/** The one name the commands take, docker's way: `"rampart user unlock" requires exactly 1 argument.` */
export function oneUsername(command: string, positionals: string[]): string {
  if (positionals.length !== 1) throw new UsageError(`"rampart user ${command}" requires exactly 1 argument.`);
  return positionals[0]!;
}

/** The new password: typed twice at a terminal, or the first line of standard input; checked before it is sent. */
export async function readNewPassword(source: PasswordSource, username: string): Promise<string> {
  let password: string;
  if (source.isTty) {
    password = await source.prompt("New password: ");
    const again = await source.prompt("Retype new password: ");
    if (password !== again) throw new Error("the passwords do not match; nothing was changed");
  } else {
    const text = await source.readStdin();
    password = /^[^\r\n]*/.exec(text)![0];
    if (password === "" && text.trim() === "") throw new Error("no password on standard input; nothing was changed");
  }
  checkNewPassword(password, username.trim().toLowerCase());
  return password;
}

export async function userUnlock(client: AdminClient, out: Out, username: string): Promise<number> {
  const result = await client.user.unlock.mutate({ username });
  out(result.cleared === 0 ? `${result.username} was not locked out.` : `${result.username} is unlocked.`);
  return 0;
}

export async function userResetPassword(client: AdminClient, out: Out, username: string, source: PasswordSource): Promise<number> {
  const password = await readNewPassword(source, username);
  const result = await client.user.resetPassword.mutate({ username, password });
  const sessions = result.sessionsEnded === 1 ? "1 session" : `${result.sessionsEnded} sessions`;
  out(`Password of ${result.username} changed; ${sessions} ended.`);
  return 0;
}

export const processPasswordSource: PasswordSource = {
  isTty: process.stdin.isTTY === true,
  prompt: (text) => promptHidden(text, "no password given; nothing was changed"),
  async readStdin() {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer));
    return Buffer.concat(chunks).toString("utf8");
  },
};
