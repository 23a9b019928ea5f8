import { createHash, randomBytes } from "node:crypto";
import { startEngines, TEST_IMAGE, type TestEngine } from "../../apps/cli/src/test-support/engines.js";
import { expect, test } from "./playwright-utils.js";
import { signIn } from "./support/admin.js";
import { workerJoin } from "./support/nodes.js";
import { fillServiceForm, openServiceForm } from "./support/services.js";
import { type Trpc } from "./support/trpc.js";

/**
 * A service created in the UI runs as real containers (ADR 0019): two agents, each
 * driving its own private dockerd, join a real server (whose own node has no engine).
 * The form sets the container (entrypoint and command, a non-root user, a read-only
 * root) and grants a secret with uid, gid and mode; the containers run on exactly the
 * nodes the scheduler chose, read the secret at /run/secrets/<target> with that owner
 * and mode, hold the value nowhere else, and the service page's log view shows their
 * lines as they come.
 */
const NO_ENGINE = "unix:///nonexistent/rampart-e2e-no-engine.sock";
test.use({ serverEnv: { DOCKER_HOST: NO_ENGINE } });

const SERVICE = "e2e-engine-web";
const SECRET = "e2e_engine_secret";
const VALUE = `engine-${randomBytes(12).toString("hex")}`;
const HOSTS = ["e2e-engine-1", "e2e-engine-2"];

interface Task {
  id: string;
  nodeId: string | null;
  state: string;
  desiredState: string;
  containerId: string | null;
}

let engines: TestEngine[] = [];
test.beforeAll(async () => {
  test.setTimeout(120_000);
  engines = await startEngines(HOSTS);
});
test.afterAll(async () => {
  for (const engine of engines) await engine.stop();
});

async function running(trpc: Trpc): Promise<Task[]> {
  const service = await trpc.query<{ tasks: Task[] }>("service.get", { ref: SERVICE });
  return service.tasks.filter((t) => t.state === "running" && t.desiredState === "running");
}

test("a service created in the UI runs hardened containers on the scheduler's nodes, reading its secret", async ({ page, admin, trpc, agents }) => {
  test.setTimeout(300_000);
  await signIn(page, admin);
  const swarm = await workerJoin(trpc);
  const engineOf = new Map<string, TestEngine>();
  for (const [i, hostname] of HOSTS.entries()) {
    const agent = agents.start(swarm, hostname, {}, { dockerHost: engines[i]!.host });
    await expect.poll(() => agent.output, { timeout: 30_000 }).toContain("This node joined a swarm as a worker.");
    await expect.poll(async () => (await trpc.query<{ state: string }>("node.get", { ref: hostname })).state, { timeout: 30_000 }).toBe("ready");
    const node = await trpc.query<{ id: string; runtime: { kind: string } }>("node.get", { ref: hostname });
    expect(node.runtime.kind).toBe("docker");
    engineOf.set(node.id, engines[i]!);
  }
  await trpc.mutation("secret.create", { name: SECRET, data: Buffer.from(VALUE).toString("base64"), labels: {} });

  await openServiceForm(page);
  await fillServiceForm(page, { name: SERVICE, image: TEST_IMAGE, replicas: 2, maxReplicasPerNode: 1 });
  await page.getByLabel("Entrypoint", { exact: true }).fill("sh -c");
  const script = "sha256sum /run/secrets/db | cut -c1-64; stat -c owner=%u:%g,mode=%a /run/secrets/db; touch /x 2>/dev/null || echo root=read-only; while true; do echo tick; sleep 1; done";
  await page.getByLabel("Command", { exact: true }).fill(`'${script}'`);
  await page.getByLabel("User", { exact: true }).fill("1000:1000");
  await page.getByLabel("Read-only root file system").check();
  await page.getByRole("button", { name: "+ Add secret" }).click();
  await page.getByLabel("Secret 1", { exact: true }).fill(SECRET);
  await page.getByLabel("Target 1", { exact: true }).fill("db");
  await page.getByLabel("UID 1", { exact: true }).fill("1000");
  await page.getByLabel("GID 1", { exact: true }).fill("1000");
  await page.getByLabel("Mode 1", { exact: true }).fill("0440");
  await page.getByRole("button", { name: "Create service" }).click();
  await expect(page).toHaveURL(/\/services\/[0-9a-z]{25}$/);

  const rows = page.getByTestId("task-row");
  await expect(rows).toHaveCount(2);
  for (const row of await rows.all()) await expect(row.getByTestId("task-state")).toHaveText("Running", { timeout: 90_000 });

  // The containers are on exactly the nodes the scheduler chose, one per task.
  const tasks = await running(trpc);
  expect(new Set(tasks.map((t) => t.nodeId)).size).toBe(2);
  for (const task of tasks) {
    const engine = engineOf.get(task.nodeId!)!;
    const containers = await engine.docker.listContainers({ filters: { label: [`com.rampart.service.name=${SERVICE}`] } });
    expect(containers.map((c) => c.Id)).toEqual([task.containerId]);
    await expect.poll(() => engine.cli("logs", task.containerId!).stdout, { timeout: 30_000 }).toContain("tick");
    const logs = engine.cli("logs", task.containerId!).stdout.split("\n");
    expect(logs[0]).toBe(createHash("sha256").update(VALUE).digest("hex"));
    expect(logs).toContain("owner=1000:1000,mode=440");
    expect(logs).toContain("root=read-only");
    // The value is in no inspect output and no log.
    expect(engine.cli("inspect", task.containerId!).stdout).not.toContain(VALUE);
    expect(engine.cli("logs", task.containerId!).stdout).not.toContain(VALUE);
  }

  // The service page's log view follows the containers' lines.
  const log = page.getByRole("log", { name: "Container log lines" });
  await expect(log).toContainText("tick", { timeout: 30_000 });
  await expect(log).toContainText("owner=1000:1000,mode=440");
  await expect(page.locator("body")).not.toContainText(VALUE);
});
