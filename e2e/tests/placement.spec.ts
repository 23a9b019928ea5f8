import { expect, test } from "./playwright-utils.js";
import { signIn } from "./support/admin.js";
import { joinWorkers } from "./support/nodes.js";
import { createService, fillServiceForm, openServiceForm } from "./support/services.js";

/**
 * Placement end to end: three real agents, two in zone a and one in zone b (node labels,
 * which constraints read as node.labels.zone). A service pinned to zone a is created in
 * the UI; the planner shows why the zone-b node is excluded; a what-if relabels it and
 * the pending third replica lands there in the preview; Apply saves the spec (not the
 * sandbox), the service page shows the real pending task with Swarm's message, the label
 * is then changed for real on the Nodes page, and every task runs on the agents.
 */
const ZONE_A = ["e2e-zone-a-1", "e2e-zone-a-2"];
const ZONE_B = "e2e-zone-b-1";
const SERVICE = "e2e-web";

test("plan a constrained service, see why nodes are excluded, move it in a what-if, apply, and see the agents run it", async ({ page, admin, trpc, agents }) => {
  test.setTimeout(240_000);
  await signIn(page, admin);

  // Three agents; their zone is a node label, set by an administrator as in Swarm.
  await joinWorkers(trpc, agents, [...ZONE_A, ZONE_B]);
  for (const hostname of ZONE_A) await trpc.mutation("node.update", { ref: hostname, labelAdd: { zone: "a" } });
  await trpc.mutation("node.update", { ref: ZONE_B, labelAdd: { zone: "b" } });

  // Create the service in the UI, with the constraint from the picker.
  await openServiceForm(page);
  await fillServiceForm(page, { name: SERVICE, image: "nginx:alpine", replicas: 2 });

  // Live validation: Swarm's parser message appears while typing, and goes once fixed.
  await page.getByRole("button", { name: "+ Type a constraint" }).click();
  await page.getByLabel("Constraint 1", { exact: true }).fill("node.labels.zone");
  await expect(page.getByText("constraint expected one operator from ==, !=")).toBeVisible();
  await page.getByRole("button", { name: "Remove constraint 1" }).click();
  await expect(page.getByText("constraint expected one operator from ==, !=")).toHaveCount(0);

  const picker = page.getByRole("group", { name: "Constraint picker" });
  await picker.getByLabel("Constraint key").fill("node.labels.zone");
  await expect(picker.getByText("Values in this cluster: a, b")).toBeVisible();
  await picker.getByLabel("Constraint value").fill("a");
  await picker.getByRole("button", { name: "Add constraint" }).click();
  await expect(page.getByLabel("Constraint 1", { exact: true })).toHaveValue("node.labels.zone == a");
  await page.getByRole("button", { name: "Create service" }).click();

  await expect(page).toHaveURL(/\/services\/[0-9a-z]+$/);
  await expect(page.getByRole("heading", { name: SERVICE })).toBeVisible();
  await expect(page.getByTestId("task-row")).toHaveCount(2);
  const serviceUrl = page.url();

  // The planner: every node against the constraint, with the reason.
  await page.getByRole("link", { name: "Open in planner" }).click();
  await expect(page.getByRole("heading", { name: "Placement planner" })).toBeVisible();
  const matrix = page.getByTestId("whynot-matrix");
  const zoneBRow = matrix.getByTestId(`whynot-row-${ZONE_B}`);
  await expect(zoneBRow).toHaveAttribute("data-verdict", "excluded");
  await expect(zoneBRow).toContainText("Excluded: Constraints");
  await expect(zoneBRow).toContainText('node.labels.zone is "b", not "a"');
  for (const hostname of ZONE_A) {
    await expect(matrix.getByTestId(`whynot-row-${hostname}`)).toHaveAttribute("data-verdict", "eligible");
    await expect(matrix.getByTestId(`whynot-row-${hostname}`)).toContainText("Eligible");
  }
  await page.getByLabel("Excluded or full only").check();
  await expect(matrix.getByTestId(`whynot-row-${ZONE_A[0]}`)).toHaveCount(0);
  await expect(zoneBRow).toBeVisible();
  await zoneBRow.getByRole("button", { name: ZONE_B }).click();
  await expect(page.getByRole("region", { name: `Why ${ZONE_B}` })).toContainText("refused by the constraints filter");
  await page.getByLabel("Excluded or full only").uncheck();

  // Three replicas, at most one per node: the third has nowhere to go.
  await page.getByLabel("Replicas", { exact: true }).fill("3");
  await page.getByLabel("Max replicas per node").fill("1");
  await expect(page.getByTestId("preview-pending-count")).toContainText("1");
  await expect(page.getByTestId("preview-pending")).toContainText("no suitable node");

  // What-if: relabel the zone-b node to zone a; the pending task lands on it.
  const sandboxNode = page.getByTestId(`sandbox-node-${ZONE_B}`);
  await page.getByLabel("Find a node").fill(ZONE_B);
  await sandboxNode.getByRole("button", { name: `Change ${ZONE_B}` }).click();
  const editor = page.getByRole("region", { name: `Sandbox changes for ${ZONE_B}` });
  await editor.getByLabel("Label key").fill("zone");
  await editor.getByLabel("Label value").fill("a");
  await editor.getByRole("button", { name: "Set label" }).click();
  await expect(page.getByTestId("sandbox-changes")).toContainText("label zone: b → a");
  await expect(page.getByTestId("preview-pending-count")).toContainText("0");
  await expect(page.getByTestId(`preview-node-${ZONE_B}`)).toHaveAttribute("data-changed", "true");
  await expect(page.getByTestId(`preview-node-${ZONE_B}`)).toContainText("+1");
  // Its constraint now passes; with one task there and max one per node, it is full, not excluded.
  await expect(zoneBRow).toContainText('node.labels.zone is "a"');
  await expect(zoneBRow).toHaveAttribute("data-verdict", "full");
  for (const hostname of ZONE_A) await expect(matrix.getByTestId(`whynot-row-${hostname}`)).toHaveAttribute("data-verdict", "full");
  // The audited server what-if agrees with the browser.
  await expect(page.getByTestId("plan-verified")).toBeVisible({ timeout: 15_000 });

  // Apply: the spec only; the dialog says the label change stays in the sandbox.
  await page.getByRole("button", { name: "Apply update…" }).click();
  const dialog = page.getByRole("dialog");
  await expect(dialog).toContainText("Replicas");
  await expect(dialog).toContainText("node change is not applied");
  await expect(dialog.getByTestId("apply-without-sandbox")).toContainText("1 task would wait for a node");
  await dialog.getByRole("button", { name: "Update service" }).click();
  await expect(page).toHaveURL(serviceUrl);
  await expect(page.getByTestId("pending-notice")).toContainText("no suitable node", { timeout: 20_000 });

  // The label for real, on the Nodes page; the waiting task then finds the node.
  await page.goto("/nodes");
  await page.getByTestId(`node-row-${ZONE_B}`).getByRole("link").first().click();
  const labels = page.getByTestId("labels-editor");
  await labels.getByLabel("Key").fill("zone");
  await labels.getByLabel("Value").fill("a");
  await labels.getByRole("button", { name: "Add label" }).click();
  await labels.getByRole("button", { name: "Save labels" }).click();
  await expect(labels.getByText("Labels saved.")).toBeVisible();

  // Every task runs, one on each agent.
  await page.goto(serviceUrl);
  const tasks = page.getByTestId("task-row");
  await expect(tasks).toHaveCount(3, { timeout: 30_000 });
  for (const hostname of [...ZONE_A, ZONE_B]) {
    const row = tasks.filter({ has: page.getByTestId("task-node").getByText(hostname, { exact: true }) });
    await expect(row.getByTestId("task-state")).toHaveText("Running", { timeout: 60_000 });
  }
  await expect(page.getByTestId("pending-notice")).toHaveCount(0);
});

test("the PCI-DSS example is badged, planned in the browser only, and cannot be applied", async ({ page, admin }) => {
  await signIn(page, admin);
  await page.goto("/planner");
  await page.getByRole("button", { name: "Load PCI-DSS example" }).click();
  await expect(page.getByTestId("scenario-banner")).toContainText("Example cluster: PCI-DSS");
  await expect(page.getByRole("button", { name: /^Apply/ })).toBeDisabled();
  await expect(page.getByTestId("plan-status")).toContainText("The server what-if is skipped for the example cluster");
  await expect(page.getByLabel("Name", { exact: true })).toHaveValue("web-fe");
  await expect(page.getByLabel("Constraint 1", { exact: true })).toHaveValue("node.labels.pcidss == yes");

  const matrix = page.getByTestId("whynot-matrix");
  for (const host of ["node-2", "node-3", "node-4"]) await expect(page.getByTestId(`preview-node-${host}`)).toContainText("+1");
  await expect(matrix.getByTestId("whynot-row-node-1")).toContainText("node.labels.pcidss is nothing");
  await expect(matrix.getByTestId("whynot-row-node-5")).toContainText('node.labels.pcidss is "no", not "yes"');

  // Drain node-2 and audit node-5 in the sandbox: the task moves from one to the other.
  await page.getByTestId("sandbox-node-node-2").getByRole("button", { name: "Change node-2" }).click();
  await page.getByRole("region", { name: "Sandbox changes for node-2" }).getByLabel("Availability").selectOption("drain");
  await page.getByTestId("sandbox-node-node-5").getByRole("button", { name: "Change node-5" }).click();
  const node5 = page.getByRole("region", { name: "Sandbox changes for node-5" });
  await node5.getByLabel("Label key").fill("pcidss");
  await node5.getByLabel("Label value").fill("yes");
  await node5.getByRole("button", { name: "Set label" }).click();
  await expect(page.getByTestId("preview-node-node-5")).toContainText("+1");
  await expect(matrix.getByTestId("whynot-row-node-2")).toContainText("Excluded: Not available");
  await expect(page.getByTestId("sandbox-changes").getByRole("listitem")).toHaveCount(2);

  // Undo brings node-5 back; Reset clears the sandbox.
  await page.getByRole("button", { name: "Undo last" }).click();
  await expect(page.getByTestId("preview-node-node-5")).toHaveCount(0);
  await page.getByRole("button", { name: "Reset sandbox" }).click();
  await expect(page.getByTestId("sandbox-changes")).toHaveCount(0);
  await expect(page.getByTestId("preview-node-node-2")).toContainText("+1");

  await page.getByRole("button", { name: "Back to the real cluster" }).click();
  await expect(page.getByTestId("scenario-banner")).toHaveCount(0);
});

test("a save over a change made meanwhile is refused as a conflict, and reloading keeps the edits", async ({ page, admin, trpc }) => {
  await signIn(page, admin);
  const spec = { name: "e2e-conflict", image: "nginx", replicas: 0 };
  const created = await createService(trpc, spec);
  const changeElsewhere = async (image: string) => {
    const current = await trpc.query<{ version: number }>("service.get", { ref: created.id });
    await trpc.mutation("service.update", { ref: created.id, version: current.version, spec: { ...spec, image } });
  };

  // The edit form.
  await page.goto(`/services/${created.id}/edit`);
  await page.getByLabel("Image", { exact: true }).fill("nginx:1.27");
  await changeElsewhere("nginx:alpine");
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByText("Someone else changed this service")).toBeVisible();
  await expect(page.getByText(/changed since version 1; reload and try again/)).toBeVisible();
  await page.getByRole("button", { name: "Reload and keep my edits" }).click();
  await expect(page.getByLabel("Image", { exact: true })).toHaveValue("nginx:1.27");
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page).toHaveURL(new RegExp(`/services/${created.id}$`));
  await expect(page.getByText("nginx:1.27")).toBeVisible();

  // The planner's Apply.
  await page.getByRole("link", { name: "Open in planner" }).click();
  await page.getByLabel("Replicas", { exact: true }).fill("0");
  await page.getByLabel("Image", { exact: true }).fill("nginx:1.28");
  await changeElsewhere("nginx:other");
  await page.getByRole("button", { name: "Apply update…" }).click();
  const dialog = page.getByRole("dialog");
  await dialog.getByRole("button", { name: "Update service" }).click();
  await expect(dialog.getByText("Someone else changed this service")).toBeVisible();
  await dialog.getByRole("button", { name: "Reload" }).click();
  await expect(dialog).toContainText("nginx:other");
  await dialog.getByRole("button", { name: "Update service" }).click();
  await expect(page).toHaveURL(new RegExp(`/services/${created.id}$`));
  await expect(page.getByText("nginx:1.28")).toBeVisible();
});

test("an agent's --label is an engine label: a node.labels constraint of that name places nothing, and the service page and the planner say why", async ({
  page,
  admin,
  trpc,
  agents,
}) => {
  test.setTimeout(120_000);
  await signIn(page, admin);
  const host = "e2e-engine-label";
  // What a new user does: the label on the agent, then a constraint on node labels.
  await joinWorkers(trpc, agents, [host], { audited: "yes" });
  await createService(trpc, { name: "e2e-engine-label", image: "nginx:alpine", replicas: 1, constraints: ["node.labels.audited == yes"] });
  await page.goto("/services");
  await page.getByTestId("service-row-e2e-engine-label").getByRole("link", { name: "e2e-engine-label" }).click();
  await expect(page.getByTestId("pending-notice")).toContainText("no suitable node", { timeout: 20_000 });
  await expect(page.getByTestId("engine-label-hint")).toContainText("No node has the node label audited, but nodes report the engine label audited");
  await expect(page.getByTestId("engine-label-hint")).toContainText("rampart node update --label-add");

  await page.getByRole("link", { name: "Open in planner" }).click();
  // The planner's picker says which labels are whose, and marks the engine label as self-reported.
  await expect(page.getByTestId("label-kinds")).toContainText("engine labels (engine.labels.*) are what each node reports about itself");
  await expect(page.locator('option[value="engine.labels.audited"]').first()).toHaveText("1 node, self-reported");
  await expect(page.getByTestId("whynot-matrix").getByTestId(`whynot-row-${host}`)).toContainText(
    'node.labels.audited is nothing, not "yes"; the node reports engine label audited="yes", but node labels are set with `node update --label-add`',
  );
});
