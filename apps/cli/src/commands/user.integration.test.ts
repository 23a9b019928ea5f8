import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { testStoreKinds } from "@rampart/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, runCliWith } from "../test-support/cli.js";
import { mutate, query, sessionCookieFrom, startTestServer, type TestServer } from "../test-support/server.js";

/**
 * `rampart user unlock` and `rampart user reset-password` as an administrator on the
 * server runs them: the built CLI in its own process, over the real admin socket, against
 * a server whose sign-in was locked through real HTTP.
 */
const MAIN = fileURLToPath(new URL("../../dist/main.js", import.meta.url));
const PASSWORD = "correct horse battery";

describe.each(testStoreKinds())("rampart user against a server on %s", (kind) => {
  let s: TestServer;
  const login = (password: string) => mutate(s.server.url, "auth.login", { username: "admin", password });
  const events = (action: string) => s.server.runtime.manager.audit.list({ action: action as "user.unlock", limit: 10 });

  /**
   * The CLI on a real terminal (Python's pty module gives it a pseudo-terminal and only
   * copies bytes; util-linux `script` echoes piped input itself): each answer is typed
   * once its prompt has appeared, as a person would. Everything the terminal showed
   * comes back, so a password the terminal echoed would be seen.
   */
  function onTerminal(args: string[], answers: string[]): Promise<{ code: number; screen: string }> {
    const ptySpawn = "import pty, sys; sys.exit(pty.spawn(sys.argv[1:]) >> 8)";
    return new Promise((resolve) => {
      const child = spawn("python3", ["-c", ptySpawn, process.execPath, MAIN, ...args, "--data-dir", s.dataDir], {
        env: { ...process.env, DATABASE_URL: "", RAMPART_HOST: undefined, RAMPART_TOKEN: undefined },
      });
      let screen = "";
      const prompts = ["New password: ", "Retype new password: "];
      child.stdout.on("data", (c: Buffer) => {
        screen += c.toString();
        while (prompts.length > 0 && answers.length > 0 && screen.includes(prompts[0]!)) {
          prompts.shift();
          child.stdin.write(`${answers.shift()}\r`);
        }
      });
      child.on("close", (code) => resolve({ code: code ?? 1, screen }));
    });
  }

  beforeAll(async () => {
    s = await startTestServer(kind);
    expect((await mutate(s.server.url, "auth.setup", { code: s.setupCode, username: "admin", password: PASSWORD })).status).toBe(200);
  });
  afterAll(async () => {
    await s?.dispose();
  });

  it("ok/unlock lets a locked-out address sign in again, and is audited", async () => {
    for (let i = 0; i < 5; i++) expect((await login("wrong password!")).status).toBe(401);
    const locked = await login(PASSWORD);
    expect(locked.status).toBe(429);
    expect(await runCli(s.dataDir, "user", "unlock", "admin")).toEqual({ code: 0, stdout: "admin is unlocked.\n", stderr: "" });
    expect((await login(PASSWORD)).status).toBe(200);
    expect(await events("user.unlock")).toEqual([expect.objectContaining({ actorType: "local", targetName: "admin", outcome: "success" })]);
    const lockouts = await events("auth.lockout");
    expect(lockouts.filter((e) => e.contextName === "127.0.0.1")).toHaveLength(1);
  });

  it("ok/reset-password reads standard input, ends the user's sessions, and the new password signs in", async () => {
    const cookie = sessionCookieFrom(await login(PASSWORD));
    expect((await query(s.server.url, "system.status", cookie)).status).toBe(200);
    const run = await runCliWith({ input: "a brand new passphrase\n" }, s.dataDir, "user", "reset-password", "admin");
    // The two sign-ins in these tests, and the session setup made.
    expect(run).toEqual({ code: 0, stdout: "Password of admin changed; 3 sessions ended.\n", stderr: "" });
    expect((await query(s.server.url, "system.status", cookie)).status).toBe(401);
    expect((await login(PASSWORD)).status).toBe(401);
    expect((await login("a brand new passphrase")).status).toBe(200);
    expect(await events("user.reset-password")).toHaveLength(1);
    expect(s.logs.join("")).not.toContain("a brand new passphrase");
  });

  it("ok/at a terminal the password is asked for twice and never echoed", async () => {
    const run = await onTerminal(["user", "reset-password", "admin"], ["typed at the terminal", "typed at the terminal"]);
    expect(run.screen).toContain("New password: ");
    expect(run.screen).toContain("Password of admin changed;");
    expect(run.screen).not.toContain("typed at the terminal");
    expect(run.code).toBe(0);
    expect((await login("typed at the terminal")).status).toBe(200);
  });

  it("fail/at a terminal, two different answers change nothing", async () => {
    const run = await onTerminal(["user", "reset-password", "admin"], ["first answer here", "second answer here"]);
    expect(run.code).toBe(1);
    expect(run.screen).toContain("Error: the passwords do not match; nothing was changed");
    expect(run.screen).not.toContain("answer here");
    expect((await login("typed at the terminal")).status).toBe(200);
  });

  it.each([
    [["user", "reset-password", "admin"], "short\n", 1, "Error: password must be at least 12 characters\n"],
    [["user", "reset-password", "admin"], "", 1, "Error: no password on standard input; nothing was changed\n"],
    [["user", "reset-password", "nobody"], "a brand new passphrase\n", 1, "Error: user nobody does not exist\n"],
    [["user", "unlock", "nobody"], "", 1, "Error: user nobody does not exist\n"],
    [["user", "unlock"], "", 2, `rampart: "rampart user unlock" requires exactly 1 argument.\nSee 'rampart user --help'\n`],
    [["user", "reset-password", "admin", "a brand new passphrase"], "", 2, `rampart: "rampart user reset-password" requires exactly 1 argument.\nSee 'rampart user --help'\n`],
    [
      ["user", "unlock", "admin", "--host", "https://rampart.example", "--token", "x"],
      "",
      2,
      "rampart: rampart user runs only on the server, over its admin socket: --host and RAMPART_HOST cannot be used\nSee 'rampart user --help'\n",
    ],
  ])("fail/%j is refused with a clear message", async (args, input, code, stderr) => {
    const before = (await events("user.reset-password")).length;
    expect(await runCliWith({ input }, s.dataDir, ...args)).toEqual({ code, stdout: "", stderr });
    expect(await events("user.reset-password")).toHaveLength(before);
  });
});
