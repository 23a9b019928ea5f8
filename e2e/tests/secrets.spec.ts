import { randomBytes } from "node:crypto";
import { expect, test } from "./playwright-utils.js";
import { signIn } from "./support/admin.js";
import { type Agents } from "./support/agents.js";
import { joinWorkers } from "./support/nodes.js";
import { secretFiles } from "./support/secrets.js";
import { fillServiceForm, openServiceForm } from "./support/services.js";
import { type Trpc } from "./support/trpc.js";

/**
 * Secrets end to end, with three real agents each writing to its own directory on
 * /dev/shm. A secret is created in the UI by typing it; a service with two replicas, at
 * most one per node, on these agents, is granted it in the service form (target and mode
 * 0400). Exactly the nodes that run its tasks get `<root>/<task-id>/<target>` with the
 * value and mode 0400, and no other agent has anything; scaling to one withdraws the
 * file from the node that lost its task; a rotation in the UI runs to the end, the old
 * version is removed, and the file then holds the new value.
 */
const HOSTS = ["e2e-secrets-1", "e2e-secrets-2", "e2e-secrets-3"];
const SECRET = "e2e_db_password";
const ROTATED = `${SECRET}_v2`;
const SERVICE = "e2e-secret-web";
const TARGET = "db_password";
// Values unique to this run, so a match can only come from this test.
const VALUE = `first-${randomBytes(12).toString("hex")}`;
const NEW_VALUE = `second-${randomBytes(12).toString("hex")}`;
const SIZE_MESSAGE = "secret data must be larger than 0 and less than 512000 bytes";
const NAME_MESSAGE = "invalid name, only 64 [a-zA-Z0-9-_.] characters allowed, and the start and end character must be [a-zA-Z0-9]";

test.afterEach(async ({ page }) => {
  // The tasks, beside the agents' own words (attached by their fixture), are the quickest way to see why a delivery did not happen.
  const info = test.info();
  if (info.status === info.expectedStatus) return;
  const tasks = await page.request.get(`/api/trpc/service.get?input=${encodeURIComponent(JSON.stringify({ json: { ref: SERVICE } }))}`).then((r) => r.text());
  await info.attach("service tasks", { body: tasks });
});

interface Task {
  id: string;
  nodeId: string | null;
  state: string;
  desiredState: string;
}

async function runningTasks(trpc: Trpc): Promise<Task[]> {
  const service = await trpc.query<{ tasks: Task[] }>("service.get", { ref: SERVICE });
  return service.tasks.filter((t) => t.state === "running" && t.desiredState === "running");
}

/** What every agent's secrets root holds, as sorted `hostname: task/target mode content` lines. */
async function holdings(agents: Agents): Promise<string[]> {
  const lines: string[] = [];
  for (const agent of agents.all) {
    for (const f of await secretFiles(agent.secretsRoot)) lines.push(`${agent.hostname}: ${f.path} ${f.mode.toString(8)} ${f.content}`);
  }
  return lines.sort();
}

/** What they should hold: the target file of each running task, on its node only. */
function expected(tasks: readonly Task[], hostOf: ReadonlyMap<string, string>, value: string): string[] {
  return tasks.map((t) => `${hostOf.get(t.nodeId!)}: ${t.id}/${TARGET} 400 ${value}`).sort();
}

/** Waits until the service's running tasks are settled at `count`, and every agent holds exactly their files. */
async function expectDelivered(trpc: Trpc, agents: Agents, hostOf: ReadonlyMap<string, string>, count: number, value: string): Promise<Task[]> {
  let tasks: Task[] = [];
  await expect
    .poll(
      async () => {
        tasks = await runningTasks(trpc);
        if (tasks.length !== count) return `${tasks.length} running tasks`;
        const want = expected(tasks, hostOf, value);
        const have = await holdings(agents);
        return JSON.stringify(have) === JSON.stringify(want) ? "delivered" : `have ${JSON.stringify(have)}, want ${JSON.stringify(want)}`;
      },
      { timeout: 60_000, intervals: [500] },
    )
    .toBe("delivered");
  return tasks;
}

test("create a secret by typing it, grant it, see it on exactly the right nodes, scale down, rotate end to end", async ({ page, admin, trpc, agents }) => {
  test.setTimeout(300_000);
  await signIn(page, admin);

  // Three agents, each with its own secrets root on tmpfs.
  const hostOf = await joinWorkers(trpc, agents, HOSTS, { suite: "secrets" });

  // Create the secret in the UI: Swarm's name rule live, the size rule before sending, the value typed and masked.
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Secrets" }).click();
  await expect(page.getByRole("heading", { name: "Secrets" })).toBeVisible();
  await page.getByRole("link", { name: "Create secret" }).first().click();
  await expect(page.getByRole("heading", { name: "Create a secret" })).toBeVisible();
  await page.getByLabel("Name", { exact: true }).fill("not a valid name-");
  await expect(page.getByText(NAME_MESSAGE)).toBeVisible();
  await page.getByLabel("Name", { exact: true }).fill(SECRET);
  await expect(page.getByText(NAME_MESSAGE)).toHaveCount(0);

  await page.getByRole("radio", { name: "Upload a file" }).click();
  await page.getByTestId("secret-value-file").setInputFiles({ name: "too-big.bin", mimeType: "application/octet-stream", buffer: Buffer.alloc(512_000, 1) });
  await expect(page.getByText(SIZE_MESSAGE)).toBeVisible();
  await page.getByRole("radio", { name: "Type it" }).click();

  const value = page.getByRole("textbox", { name: "Value", exact: true });
  await value.fill(VALUE);
  await expect(value).toHaveAttribute("data-masked", "true");
  await page.getByRole("button", { name: "Show", exact: true }).click();
  await expect(value).not.toHaveAttribute("data-masked", "true");
  await expect(page.getByTestId("secret-value-size")).toContainText(`${VALUE.length} bytes`);
  await page.getByRole("button", { name: "+ Add label" }).click();
  await page.getByLabel("Label 1 key").fill("env");
  await page.getByLabel("Label 1 value").fill("e2e");
  await page.getByRole("button", { name: "Create secret" }).click();

  await expect(page).toHaveURL(/\/secrets\/[0-9a-z]+\?created=1$/);
  await expect(page.getByRole("heading", { name: SECRET })).toBeVisible();
  await expect(page.getByTestId("created-notice")).toContainText("never be shown again");
  await expect(page.locator("body")).not.toContainText(VALUE);
  const secretUrl = page.url().replace(/\?.*$/, "");

  // A service with two replicas, at most one per node, granted the secret in its form.
  await openServiceForm(page);
  await fillServiceForm(page, { name: SERVICE, image: "nginx:alpine", replicas: 2, maxReplicasPerNode: 1 });
  // Only the agents: the manager is a node too, with no agent here.
  await page.getByRole("button", { name: "+ Type a constraint" }).click();
  await page.getByLabel("Constraint 1", { exact: true }).fill("engine.labels.suite == secrets");
  await page.getByRole("button", { name: "+ Add secret" }).click();
  await expect(page.getByLabel("Mode 1", { exact: true })).toHaveValue("0444");
  await expect(page.getByLabel("GID 1", { exact: true })).toHaveValue("0");
  await page.getByLabel("Secret 1", { exact: true }).fill(SECRET);
  // A target that would leave /run/secrets is refused as it is typed, before anything is sent.
  await page.getByLabel("Target 1", { exact: true }).fill("../escape.txt");
  await expect(page.getByTestId("secret-grant-0")).toContainText("secret target '../escape.txt' leaves /run/secrets: '..' is not allowed in a target");
  await expect(page.getByLabel("Target 1", { exact: true })).toHaveAttribute("aria-invalid", "true");
  await page.getByLabel("Target 1", { exact: true }).fill(TARGET);
  await expect(page.getByTestId("secret-grant-0")).not.toContainText("leaves /run/secrets");
  await page.getByLabel("Mode 1", { exact: true }).fill("0400");
  await expect(page.getByTestId("secret-grant-0")).toContainText(`/run/secrets/${TARGET}`);
  await expect(page.getByTestId("secret-grant-0")).toContainText("r--------");
  await page.getByRole("button", { name: "Create service" }).click();

  await expect(page).toHaveURL(/\/services\/[0-9a-z]+$/);
  await expect(page.getByRole("heading", { name: SERVICE })).toBeVisible();
  await expect(page.getByTestId("service-secrets")).toContainText(SECRET);
  const tasks = page.getByTestId("task-row");
  await expect(tasks).toHaveCount(2);
  for (const row of await tasks.all()) await expect(row.getByTestId("task-state")).toHaveText("Running", { timeout: 60_000 });
  // These agents are simulated: each task says so, so nobody takes it for a running container.
  for (const row of await tasks.all()) await expect(row.getByTestId("task-simulated")).toHaveText("simulated");
  // A running task has no error: the column says so with a dash, not with its state's message.
  await expect(page.getByTestId("task-error")).toHaveCount(0);
  await expect(tasks.first().getByLabel("no error")).toHaveText("—");

  // Exactly the two nodes running its tasks hold the file, with the value and mode 0400; the third holds nothing.
  const two = await expectDelivered(trpc, agents, hostOf, 2, VALUE);
  expect(new Set(two.map((t) => t.nodeId)).size).toBe(2);

  // The list and the secret's page show who uses it and where it is, never the value.
  await page.goto("/secrets");
  const row = page.getByTestId(`secret-row-${SECRET}`);
  await expect(row.getByTestId("secret-services")).toContainText(SERVICE);
  await expect(row.getByTestId("secret-nodes")).toHaveText("2 nodes", { timeout: 15_000 });
  await expect(page.locator("body")).not.toContainText(VALUE);
  await page.goto(secretUrl);
  await expect(page.getByTestId("secret-services-table")).toContainText(TARGET);
  await expect(page.getByTestId("secret-services-table")).toContainText("0400");
  await expect(page.getByTestId("secret-nodes-list").getByRole("listitem")).toHaveCount(2);
  const history = page.getByTestId("secret-history");
  await expect(history.locator('[data-action="secret.create"]')).toHaveCount(1);
  await expect(history.locator('[data-action="secret.grant"]')).toContainText(`service ${SERVICE}`);

  // Removal is not offered while the service uses it (Swarm would refuse it): the page names the service.
  await expect(page.getByRole("button", { name: "Remove", exact: true })).toBeDisabled();
  await expect(page.getByTestId("remove-blocked")).toHaveText(`In use by ${SERVICE}: remove it from that service before removing the secret.`);

  // The audit page filters by the secret and shows each event's context.
  await page.goto("/audit");
  await page.getByLabel("Secret", { exact: true }).selectOption({ label: SECRET });
  const audit = page.getByTestId("audit-table");
  await expect(audit.getByRole("row").filter({ hasText: "secret.grant" }).getByTestId("audit-context")).toHaveText(`service ${SERVICE}`);
  await expect(audit.getByRole("row").filter({ hasText: "secret.create" })).toHaveCount(1);

  // Scale to one in the UI: the node that lost its task no longer has the file.
  await page.goto("/services");
  await page.getByTestId(`service-row-${SERVICE}`).getByRole("link", { name: SERVICE }).click();
  await page.getByLabel("Scale to").fill("1");
  await page.getByRole("button", { name: "Scale", exact: true }).click();
  const one = await expectDelivered(trpc, agents, hostOf, 1, VALUE);
  const lost = two.find((t) => t.nodeId !== one[0]!.nodeId)!;
  expect(await secretFiles(agents.all.find((a) => a.hostname === hostOf.get(lost.nodeId!))!.secretsRoot)).toEqual([]);

  // Rotate in the UI: a new value, the suggested name, a review, the rollout to the end, and the old version removed.
  await page.goto(secretUrl);
  await page.getByRole("button", { name: "Rotate", exact: true }).click();
  await page.getByRole("textbox", { name: "New value", exact: true }).fill(NEW_VALUE);
  await expect(page.getByLabel("New secret's name")).toHaveValue(ROTATED);
  // The new version's name is checked as typed: not the old one's, and not empty (Swarm's words, explained).
  await page.getByLabel("New secret's name").fill(SECRET);
  await expect(page.getByText("the new version needs a name of its own")).toBeVisible();
  await page.getByLabel("New secret's name").fill("");
  await expect(page.getByText(/\(Swarm: name must be provided\)/)).toBeVisible();
  await page.getByLabel("New secret's name").fill(ROTATED);
  await page.getByRole("button", { name: "Next: review" }).click();
  await expect(page.getByTestId("rotation-services")).toContainText(SERVICE);
  await expect(page.getByTestId("rotation-services")).toContainText(`/run/secrets/${TARGET}`);
  await page.getByRole("button", { name: "Rotate now" }).click();
  await expect(page).toHaveURL(/\?rotation=[0-9a-z]+$/);
  await expect(page.getByRole("progressbar", { name: "Rotation progress" })).toBeVisible();
  await expect(page.getByTestId("rotation-state")).toHaveText("Rotation complete", { timeout: 90_000 });
  await expect(page.getByTestId("rotation-services-updated")).toHaveText("1 of 1");
  await expect(page.getByTestId("rotation-tasks-old")).toHaveText("0");
  await expect(page.getByTestId("rotation-nodes-old")).toContainText("no node holds the old version");
  await page.getByRole("button", { name: "Remove old version" }).click();
  const confirm = page.getByRole("dialog");
  await confirm.getByLabel(`Type ${SECRET} to confirm`).fill(SECRET);
  await confirm.getByRole("button", { name: `Remove ${SECRET}` }).click();
  await expect(page.getByRole("heading", { name: ROTATED })).toBeVisible();
  await expect(page.getByTestId("rotated-notice")).toContainText(`${SECRET} was removed`);
  await expect(page.locator("body")).not.toContainText(NEW_VALUE);

  // The running task's file now holds the new value, under the same target and mode; nothing else is left anywhere.
  await expectDelivered(trpc, agents, hostOf, 1, NEW_VALUE);
  const secrets = await trpc.query<Array<{ name: string }>>("secret.list");
  expect(secrets.map((s) => s.name)).not.toContain(SECRET);
});

test("a long list of secrets is paged, and a search narrows it back to one page", async ({ page, admin, trpc }) => {
  await signIn(page, admin);
  const names = Array.from({ length: 55 }, (_, i) => `e2e-page-${String(i + 1).padStart(2, "0")}`);
  for (const name of names) await trpc.mutation("secret.create", { name, data: Buffer.from(name).toString("base64"), labels: {} });
  await page.goto("/secrets");
  await page.getByRole("searchbox", { name: "Search" }).fill("e2e-page");
  await expect(page.getByText("55 of ")).toBeVisible();
  const pages = page.getByRole("navigation", { name: "Pages" });
  await expect(pages).toContainText("1–50 of 55");
  await expect(page.getByTestId("secrets-table").locator("tbody tr")).toHaveCount(50);
  await expect(pages.getByRole("button", { name: "Previous" })).toBeDisabled();
  await pages.getByRole("button", { name: "Next" }).click();
  await expect(pages).toContainText("51–55 of 55");
  await expect(page.getByTestId("secret-row-e2e-page-55")).toBeVisible();
  await expect(pages.getByRole("button", { name: "Next" })).toBeDisabled();
  // A new search starts again at the first page, also when it still matches all 55.
  await page.getByRole("searchbox", { name: "Search" }).fill("e2e-pag");
  await expect(pages).toContainText("1–50 of 55");
  await expect(page.getByTestId("secret-row-e2e-page-55")).toHaveCount(0);
  // One match needs no pages at all.
  await page.getByRole("searchbox", { name: "Search" }).fill("e2e-page-07");
  await expect(page.getByTestId("secrets-table").locator("tbody tr")).toHaveCount(1);
  await expect(pages).toHaveCount(0);
});
