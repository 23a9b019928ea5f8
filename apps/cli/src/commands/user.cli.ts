import type { Env } from "../env.js";
import { command, UsageError, type Group } from "./cli.js";
import { oneUsername, processPasswordSource, userResetPassword, userUnlock } from "./user.js";

const USER_USAGE = `Usage:  rampart user COMMAND

Recover a user's account. These run only on the server, over its admin socket.

Commands:
  unlock           Lift the sign-in locks on an account:  unlock NAME
  reset-password   Set a new password and end the user's sessions:  reset-password NAME
                   (typed twice at a terminal, or the first line of standard input)

Run 'rampart user COMMAND --help' for more information on a command.`;

/** Account recovery needs the socket: a remote server would refuse it, so say so before asking. */
function onTheSocket(call: { values: { host?: string | undefined }; env: Env }): void {
  if (call.values.host !== undefined || call.env.RAMPART_HOST !== undefined) {
    throw new UsageError("rampart user runs only on the server, over its admin socket: --host and RAMPART_HOST cannot be used");
  }
}

/** `rampart user …`: account recovery for an administrator who has the server's shell. */
export const user: Group = {
  name: "user",
  summary: "Recover a user's account: unlock, reset-password",
  usage: USER_USAGE,
  commands: [
    command({
      name: "unlock",
      usage: `Usage:  rampart user unlock NAME

Lift every sign-in lock and slowdown on the account NAME, from every address. Audited.`,
      options: {},
      positionals: true,
      run: (call) => {
        onTheSocket(call);
        const username = oneUsername("unlock", call.positionals);
        return call.admin((client, out) => userUnlock(client, out, username));
      },
    }),
    command({
      name: "reset-password",
      usage: `Usage:  rampart user reset-password NAME

Set a new password for NAME, end all of NAME's sessions and lift the account's sign-in
locks. At a terminal the password is asked for twice, without echo; otherwise it is the
first line of standard input (never an argument). Audited.

  printf '%s\\n' "$NEW_PASSWORD" | rampart user reset-password admin`,
      options: {},
      positionals: true,
      run: (call) => {
        onTheSocket(call);
        const username = oneUsername("reset-password", call.positionals);
        return call.admin((client, out) => userResetPassword(client, out, username, processPasswordSource));
      },
    }),
  ],
};
