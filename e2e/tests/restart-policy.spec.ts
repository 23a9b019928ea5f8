import { type Page } from "@playwright/test";
import { expect, test } from "./playwright-utils.js";
import { signIn } from "./support/admin.js";
import { joinWorkers } from "./support/nodes.js";
import { fillServiceForm, openServiceForm } from "./support/services.js";
import { type Trpc } from "./support/trpc.js";

/**
 * What happens to a task after it starts, end to end: a service's restart policy,
 * published ports and generic resources through the form and back on the detail page;
 * the swarm's task history limit; the form's inline errors for a bad duration and a
 * duplicate published port, with no server error; and, with a real agent, a service
 * reserving a generic resource no node has (pending, with the scheduler's reason) and
 * the planner's count of tasks a `none` policy will not restart.
 */

/** Waits for a service's own page (not the form at /services/new) after a save; returns its URL. */
async function expectServicePage(page: Page, name: string): Promise<string> {
  await expect(page.getByRole("heading", { name, exact: true })).toBeVisible();
  await expect(page).toHaveURL(/\/services\/[0-9a-z]{25}$/);
  return page.url();
}

/** Every response of 500 or more the page sees: bad input must never cause one. */
function watchServerErrors(page: Page): string[] {
  const failures: string[] = [];
  page.on("response", (response) => {
    if (response.status() >= 500) failures.push(`${response.status()} ${response.url()}`);
  });
  return failures;
}

test("a restart policy, a host port and a generic resource are set in the form, shown, and edited", async ({ page, admin }) => {
  const serverErrors = watchServerErrors(page);
  await signIn(page, admin);
  await openServiceForm(page);
  // Replicas 0: this test is about the spec; the agent test below is about placement.
  await fillServiceForm(page, { name: "e2e-restart", image: "nginx:alpine", replicas: 0 });

  // Swarm's defaults are the placeholders; untouched, nothing would be sent.
  await expect(page.getByLabel("Restart condition")).toHaveValue("any");
  await expect(page.getByLabel("Restart delay")).toHaveAttribute("placeholder", "5s");
  await page.getByLabel("Restart condition").selectOption("on-failure");
  await page.getByLabel("Restart delay").fill("10s");
  await page.getByLabel("Restart max attempts").fill("3");

  // Rows are added from the keyboard, and the new row takes the focus.
  await page.getByRole("button", { name: "+ Add port" }).focus();
  await page.keyboard.press("Enter");
  await expect(page.getByLabel("Published port 1")).toBeFocused();
  await page.keyboard.type("8080");
  await page.getByLabel("Target port 1").fill("80");
  await page.getByLabel("Publish mode 1").selectOption("host");
  await page.getByRole("button", { name: "+ Add generic resource" }).click();
  await expect(page.getByLabel("Generic resource 1 kind")).toBeFocused();
  await page.getByLabel("Generic resource 1 kind").fill("gpu");
  await page.getByLabel("Generic resource 1 count").fill("1");
  await page.getByRole("button", { name: "Create service" }).click();
  const serviceUrl = await expectServicePage(page, "e2e-restart");
  const policy = page.getByTestId("service-restart-policy");
  await expect(policy).toContainText("Conditionon-failure");
  await expect(policy).toContainText("Delay10s");
  await expect(policy).toContainText("Max attempts3");
  await expect(policy).toContainText("Windowforever");
  await expect(policy).not.toContainText("Swarm's defaults");
  await expect(page.getByTestId("service-ports")).toHaveText("8080:80/tcp (host)");
  await expect(page.getByTestId("service-generic")).toHaveText("gpu=1");

  // Edit: the form is prefilled from the spec; change the policy and see it.
  await page.getByRole("link", { name: "Edit" }).click();
  await expect(page.getByLabel("Restart condition")).toHaveValue("on-failure");
  await expect(page.getByLabel("Restart delay")).toHaveValue("10s");
  await expect(page.getByLabel("Restart max attempts")).toHaveValue("3");
  await expect(page.getByLabel("Published port 1")).toHaveValue("8080");
  await expect(page.getByLabel("Publish mode 1")).toHaveValue("host");
  await expect(page.getByLabel("Generic resource 1 kind")).toHaveValue("gpu");
  await page.getByLabel("Restart condition").selectOption("none");
  await page.getByLabel("Restart delay").fill("1m30s");
  await page.getByLabel("Restart window").fill("2m");
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page).toHaveURL(serviceUrl);
  await expect(policy).toContainText("Conditionnone");
  await expect(policy).toContainText("Delay1m30s");
  await expect(policy).toContainText("Window2m0s");

  // Stored, not just shown: a fresh load reads the same; ports and resources were kept.
  await page.reload();
  await expect(policy).toContainText("Conditionnone");
  await expect(policy).toContainText("Delay1m30s");
  await expect(page.getByTestId("service-ports")).toHaveText("8080:80/tcp (host)");
  await expect(page.getByTestId("service-generic")).toHaveText("gpu=1");
  expect(serverErrors).toEqual([]);
});

test("a service created with the sections untouched gets Swarm's default restart policy", async ({ page, admin, trpc }) => {
  await signIn(page, admin);
  await openServiceForm(page);
  await fillServiceForm(page, { name: "e2e-defaults", image: "nginx:alpine", replicas: 0 });
  await page.getByRole("button", { name: "Create service" }).click();
  await expectServicePage(page, "e2e-defaults");
  await expect(page.getByTestId("service-restart-policy")).toContainText("Swarm's defaults");
  await expect(page.getByTestId("service-restart-policy")).toContainText("Delay5s");
  await expect(page.getByTestId("service-ports")).toHaveText("none");
  // No restartPolicy, ports or generic key was sent: the stored spec has none.
  const stored = await trpc.query<{ spec: Record<string, unknown> & { reservations: Record<string, unknown> } }>("service.get", { ref: "e2e-defaults" });
  expect(Object.keys(stored.spec)).not.toContain("restartPolicy");
  expect(Object.keys(stored.spec)).not.toContain("ports");
  expect(Object.keys(stored.spec.reservations)).not.toContain("generic");
});

test("a bad duration and duplicate published ports are inline errors, and nothing is lost or sent", async ({ page, admin, trpc }) => {
  const serverErrors = watchServerErrors(page);
  await signIn(page, admin);
  await openServiceForm(page);
  await fillServiceForm(page, { name: "e2e-bad-input", image: "nginx:alpine", replicas: 0 });
  await page.getByLabel("Restart delay").fill("ten");
  await page.getByRole("button", { name: "+ Add port" }).click();
  await page.getByLabel("Published port 1").fill("8080");
  await page.getByLabel("Target port 1").fill("80");
  await page.getByRole("button", { name: "+ Add port" }).click();
  await page.getByLabel("Published port 2").fill("8080");
  await page.getByLabel("Target port 2").fill("81");
  await page.getByRole("button", { name: "Create service" }).click();

  await expect(page.getByText('invalid duration "ten" for restart delay: use a number and a unit, such as 5s or 1m30s')).toBeVisible();
  await expect(page.getByLabel("Restart delay")).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByText("EndpointSpec: duplicate published ports provided")).toBeVisible();
  await expect(page.getByLabel("Published port 2")).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByText("Fix the fields marked above, then try again.")).toBeVisible();
  await expect(page).toHaveURL(/\/services\/new$/);
  // What was typed is still there.
  await expect(page.getByLabel("Name", { exact: true })).toHaveValue("e2e-bad-input");
  await expect(page.getByLabel("Target port 2")).toHaveValue("81");

  // The same port on another protocol is no duplicate; with a good delay the service is created.
  await page.getByLabel("Protocol 2").selectOption("udp");
  await expect(page.getByText("EndpointSpec: duplicate published ports provided")).toHaveCount(0);
  await page.getByLabel("Restart delay").fill("1s");
  await page.getByRole("button", { name: "Create service" }).click();
  await expectServicePage(page, "e2e-bad-input");
  await expect(page.getByTestId("service-ports")).toContainText("8080:80/tcp (ingress)");
  await expect(page.getByTestId("service-ports")).toContainText("8080:81/udp (ingress)");
  const stored = await trpc.query<{ spec: { restartPolicy: { delayNs: number } } }>("service.get", { ref: "e2e-bad-input" });
  expect(stored.spec.restartPolicy.delayNs).toBe(1e9);
  expect(serverErrors).toEqual([]);
});

test("the task history limit is checked, saved, and still set after a reload", async ({ page, admin, trpc }) => {
  const serverErrors = watchServerErrors(page);
  await signIn(page, admin);
  await page.goto("/settings/swarm");
  const limit = page.getByLabel("Task history limit");
  await expect(limit).toHaveValue("5");
  await limit.fill("2.5");
  await page.getByRole("button", { name: "Save settings" }).click();
  await expect(page.getByText("task history limit must be a whole number (negative keeps every task)")).toBeVisible();
  await expect(limit).toHaveAttribute("aria-invalid", "true");

  await limit.fill("2");
  await page.getByRole("button", { name: "Save settings" }).click();
  await expect(page.getByText("Swarm settings saved.")).toBeVisible();
  await expect(page.getByText("Now 2 ended tasks per slot.")).toBeVisible();
  await page.reload();
  await expect(page.getByLabel("Task history limit")).toHaveValue("2");
  expect((await trpc.query<{ taskHistoryLimit: number }>("swarm.info")).taskHistoryLimit).toBe(2);
  expect(serverErrors).toEqual([]);
});

/** Creates a one-replica service pinned to `hostname` in the form, with `restart` filling its policy, and waits for it to run. */
async function createRunningOn(page: Page, name: string, hostname: string, restart: () => Promise<unknown>): Promise<void> {
  await openServiceForm(page);
  await fillServiceForm(page, { name, image: "nginx:alpine", replicas: 1 });
  await page.getByRole("button", { name: "+ Type a constraint" }).click();
  await page.getByLabel("Constraint 1", { exact: true }).fill(`node.hostname == ${hostname}`);
  await restart();
  await page.getByRole("button", { name: "Create service" }).click();
  await expectServicePage(page, name);
  await expect(page.getByTestId("task-state")).toHaveText("Running", { timeout: 60_000 });
}

async function nodeCount(trpc: Trpc): Promise<number> {
  return (await trpc.query<{ nodes: number }>("swarm.info")).nodes;
}

test("with a real agent: a generic resource no node has keeps the task pending with the scheduler's reason, and the planner counts tasks a none policy will not restart", async ({
  page,
  admin,
  trpc,
  agents,
}) => {
  test.setTimeout(180_000);
  const serverErrors = watchServerErrors(page);
  await signIn(page, admin);
  const worker = "e2e-restart-worker";
  await joinWorkers(trpc, agents, [worker]);
  const nodes = await nodeCount(trpc);

  // No node advertises a gpu: the task waits, and the page says why in Swarm's words.
  await openServiceForm(page);
  await fillServiceForm(page, { name: "e2e-gpu", image: "nginx:alpine", replicas: 1 });
  await page.getByRole("button", { name: "+ Add generic resource" }).click();
  await page.getByLabel("Generic resource 1 kind").fill("gpu");
  await page.getByLabel("Generic resource 1 count").fill("1");
  await page.getByRole("button", { name: "Create service" }).click();
  await expectServicePage(page, "e2e-gpu");
  // The agent lacks the gpu; the server's own node has no container engine here (ADR 0019).
  expect(nodes).toBe(2);
  await expect(page.getByTestId("pending-notice")).toContainText("no suitable node (1 node not available for new tasks; insufficient resources on 1 node)", {
    timeout: 20_000,
  });
  await expect(page.getByTestId("task-state")).toHaveText("Pending");

  // A service that never restarts, running on the agent; draining that node in the planner leaves its slot empty.
  await createRunningOn(page, "e2e-no-restart", worker, () => page.getByLabel("Restart condition").selectOption("none"));

  await page.getByRole("link", { name: "Open in planner" }).click();
  await expect(page.getByTestId("plan-restart-policy")).toHaveText("Restart policy: never restarted (condition none)");
  await expect(page.getByTestId("plan-not-restarted")).toHaveCount(0);
  await page.getByTestId(`sandbox-node-${worker}`).getByRole("button", { name: `Change ${worker}` }).click();
  await page.getByRole("region", { name: `Sandbox changes for ${worker}` }).getByLabel("Availability").selectOption("drain");
  await expect(page.getByTestId("plan-not-restarted")).toContainText("1 task will not be restarted: restart condition none");
  // The server's audited what-if agrees, and its answer carries the count too.
  await expect(page.getByTestId("plan-verified")).toBeVisible({ timeout: 15_000 });
  await expect(page.getByTestId("plan-not-restarted")).toContainText("1 task will not be restarted: restart condition none");
  expect(serverErrors).toEqual([]);
});

test("with a real agent: a task whose node is removed is replaced after its restart delay, and the ended task stays in the history", async ({ page, admin, trpc, agents }) => {
  test.setTimeout(180_000);
  await signIn(page, admin);
  const worker = "e2e-restart-lost";
  await joinWorkers(trpc, agents, [worker]);
  await createRunningOn(page, "e2e-lost", worker, () => page.getByLabel("Restart delay").fill("30s"));

  // The node is removed: its task is orphaned, and the restart supervisor makes a
  // replacement held at desired READY until the 30 s delay has passed.
  await trpc.mutation("node.remove", { ref: worker, force: true });
  const row = page.getByTestId("task-row");
  await expect(row).toHaveCount(1, { timeout: 20_000 });
  await expect(row.getByTestId("task-state")).toHaveText("Waiting to restart", { timeout: 20_000 });
  await expect(row).toContainText("Running, after its restart delay");
  await expect(row).toContainText(/restart delay 30s: may start in \d+ seconds/);
  // Placed meanwhile, as in Swarm: with its only node gone the scheduler says why (the
  // server's own node, the one left, has no container engine here).
  await expect(row).toContainText("no suitable node (1 node not available for new tasks)");

  // The ended task is in the history, under the swarm's limit.
  await page.getByLabel(/Show ended tasks/).check();
  await expect(page.getByTestId("task-history-note")).toContainText("The swarm keeps at most 5 ended tasks per slot");
  await expect(row).toHaveCount(2);
  await expect(row.getByTestId("task-state").filter({ hasText: "Orphaned" })).toHaveCount(1);

  // Once the delay has passed, the replacement is told to run, and it still waits for a node.
  await page.getByLabel(/Show ended tasks/).uncheck();
  await expect(row.getByTestId("task-state")).toHaveText("Pending", { timeout: 45_000 });
  await expect(row).not.toContainText("restart delay");
  await expect(page.getByTestId("pending-notice")).toContainText("no suitable node");
});

test("with a real agent: a task that fails on its node leads the service page with the node's own error, not a wait", async ({ page, admin, trpc, agents }) => {
  test.setTimeout(180_000);
  const serverErrors = watchServerErrors(page);
  await signIn(page, admin);
  const worker = "e2e-restart-failing";
  await joinWorkers(trpc, agents, [worker]);
  // Two files where one must be a folder of the other: the agent writes `conf`, then cannot
  // make `conf/` for `conf/key`, and fails the task with its reason. The restart delay
  // keeps the replacement waiting long enough to be seen.
  const secret = await trpc.mutation<{ id: string }>("secret.create", { name: "e2e-failing-conf", data: Buffer.from("x").toString("base64") });
  const ref = (target: string) => ({ secretId: secret.id, secretName: "e2e-failing-conf", target });
  await trpc.mutation("service.create", {
    name: "e2e-failing",
    image: "nginx:alpine",
    replicas: 1,
    constraints: [`node.hostname == ${worker}`],
    restartPolicy: { delayNs: 120e9 },
    secrets: [ref("conf"), ref("conf/key")],
  });
  await page.goto("/services");
  await page.getByTestId("service-row-e2e-failing").getByRole("link", { name: "e2e-failing" }).click();

  const notice = page.getByTestId("failing-notice");
  await expect(notice).toContainText("1 task is failing", { timeout: 30_000 });
  await expect(notice).toContainText(`Slot 1 on ${worker}: failed`);
  await expect(notice.getByTestId("failing-reason")).toHaveText(/\/conf is not a directory$/);
  // Its replacement waits out the delay; nothing says it waits for the scheduler.
  await expect(page.getByTestId("pending-notice")).toHaveCount(0);
  await expect(page.locator("body")).not.toContainText("waiting for the scheduler");
  // The ended task's row carries the same error, in the Error column.
  await page.getByLabel(/Show ended tasks/).check();
  // (Its replacement prepares while it waits, as in Swarm, and may have failed the same way.)
  await expect(page.getByTestId("task-error").first()).toHaveText(/\/conf is not a directory$/);
  expect(serverErrors).toEqual([]);
});
