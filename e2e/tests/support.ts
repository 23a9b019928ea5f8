import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { readdir, readFile, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { expect, type APIRequestContext, type Page } from "@playwright/test";

export const ADMIN = { username: "admin", password: "correct horse battery staple" };
export const CLI = new URL("../../apps/cli/dist/main.js", import.meta.url).pathname;

/** Creates the administrator through the API if no spec has done it yet. */
export async function ensureSetUp(request: APIRequestContext): Promise<void> {
  const status = await request.get("/api/trpc/auth.setupStatus");
  const body = (await status.json()) as { result: { data: { json: { setupNeeded: boolean } } } };
  if (!body.result.data.json.setupNeeded) return;
  const response = await request.post("/api/trpc/auth.setup", {
    headers: { "content-type": "application/json", origin: process.env.RAMPART_E2E_URL! },
    data: { json: { code: process.env.RAMPART_E2E_SETUP_CODE, ...ADMIN } },
  });
  expect(response.status()).toBe(200);
}

export async function signIn(page: Page): Promise<void> {
  await ensureSetUp(page.request);
  await page.goto("/login");
  await page.getByLabel("Username").fill(ADMIN.username);
  await page.getByLabel("Password").fill(ADMIN.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { name: "Overview" })).toBeVisible();
}

type TrpcEnvelope<T> = { result: { data: { json: T } } };

/** A tRPC mutation as the signed-in browser (its cookies), with the origin the server checks. */
export async function trpcMutation<T>(request: APIRequestContext, path: string, input: unknown): Promise<T> {
  const response = await request.post(`/api/trpc/${path}`, {
    headers: { "content-type": "application/json", origin: process.env.RAMPART_E2E_URL! },
    data: { json: input },
  });
  expect(response.status(), await response.text()).toBe(200);
  return ((await response.json()) as TrpcEnvelope<T>).result.data.json;
}

export async function trpcQuery<T>(request: APIRequestContext, path: string, input?: unknown): Promise<T> {
  const query = input === undefined ? "" : `?input=${encodeURIComponent(JSON.stringify({ json: input }))}`;
  const response = await request.get(`/api/trpc/${path}${query}`);
  expect(response.status(), await response.text()).toBe(200);
  return ((await response.json()) as TrpcEnvelope<T>).result.data.json;
}

/** The worker join token and the manager's node address, through the audited reveal. */
export async function workerJoin(request: APIRequestContext): Promise<{ token: string; address: string }> {
  const { token, command } = await trpcMutation<{ token: string; command: string }>(request, "swarm.revealToken", { role: "worker" });
  return { token, address: command.trim().split(/\s+/).at(-1)! };
}

export interface RunningAgent {
  hostname: string;
  process: ChildProcess;
  output: string;
  exited: Promise<number | null>;
  /** Where it writes its tasks' secrets: `<secretsRoot>/<task-id>/<target>`, on tmpfs. */
  secretsRoot: string;
}

/**
 * A real `rampart agent join` process with its own state directory and its own secrets
 * root on /dev/shm (tmpfs, as the agent requires); stop it with stopAgents, which
 * removes both.
 */
export function startAgent(swarm: { token: string; address: string }, hostname: string, labels: Record<string, string> = {}): RunningAgent {
  const stateDir = join(mkdtempSync(join(tmpdir(), "rampart-e2e-agent-")), "state");
  const secretsRoot = mkdtempSync("/dev/shm/rampart-e2e-secrets-");
  const labelArgs = Object.entries(labels).flatMap(([k, v]) => ["--label", `${k}=${v}`]);
  const args = [CLI, "agent", "join", "--token", swarm.token, "--state-dir", stateDir, "--hostname", hostname, "--secrets-root", secretsRoot, ...labelArgs, swarm.address];
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
  const agent: RunningAgent = { hostname, process: child, output: "", exited: new Promise((resolve) => child.once("exit", resolve)), secretsRoot };
  child.stdout!.on("data", (c: Buffer) => (agent.output += c.toString()));
  child.stderr!.on("data", (c: Buffer) => (agent.output += c.toString()));
  return agent;
}

export async function stopAgents(agents: readonly RunningAgent[]): Promise<void> {
  for (const agent of agents) if (agent.process.exitCode === null) agent.process.kill("SIGTERM");
  await Promise.all(agents.map((a) => a.exited));
  for (const agent of agents) rmSync(agent.secretsRoot, { recursive: true, force: true });
}

export interface SecretFile {
  /** `<task-id>/<target>`, relative to the secrets root. */
  path: string;
  /** Permission bits, e.g. 0o400. */
  mode: number;
  content: string;
}

/** Every file under a secrets root, sorted by path; none if the root is gone. */
export async function secretFiles(root: string): Promise<SecretFile[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch(() => []);
  const files: SecretFile[] = [];
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const full = join(entry.parentPath, entry.name);
    const [info, content] = await Promise.all([stat(full), readFile(full, "utf8")]).catch(() => [null, ""] as const);
    if (info) files.push({ path: relative(root, full), mode: info.mode & 0o777, content });
  }
  return files.sort((a, b) => a.path.localeCompare(b.path));
}
