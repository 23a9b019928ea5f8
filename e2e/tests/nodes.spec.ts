import type { Page } from "@playwright/test";
import { expect, test } from "./playwright-utils.js";
import { signIn } from "./support/admin.js";
import { openServiceForm } from "./support/services.js";

/** The worker token, revealed on the Join page, and the address its join command names. */
async function revealWorkerJoin(page: Page): Promise<{ token: string; address: string }> {
  await page.getByRole("link", { name: "Join", exact: true }).click();
  const worker = page.getByRole("region", { name: "Worker" }).or(page.locator("section", { hasText: "Worker" }).first());
  await worker.getByRole("button", { name: "Reveal" }).click();
  const token = (await page.getByTestId("token-worker").textContent())!.trim();
  const address = (await page.getByText(/^rampart agent join --token <token> /).first().textContent())!.trim().split(" ").at(-1)!;
  return { token, address };
}

/**
 * Cluster identity end to end: three real `rampart agent join` processes join with a
 * token revealed in the UI, appear Ready, get a label, one is drained, one is removed,
 * and the removed one's next heartbeat is refused.
 */
test("join three agents, see them Ready, label, drain and remove one, and see its heartbeat refused", async ({ page, admin, agents }) => {
  test.setTimeout(120_000);
  await signIn(page, admin);

  const { token, address } = await revealWorkerJoin(page);
  expect(token).toMatch(/^SWMTKN-1-[0-9a-z]{50}-[0-9a-z]{25}$/);

  for (const n of [1, 2, 3]) agents.start({ token, address }, `e2e-node-${n}`, { rack: "r1" });
  for (const agent of agents.all) await expect.poll(() => agent.output, { timeout: 30_000 }).toContain("This node joined a swarm as a worker.");

  await page.getByRole("link", { name: "Nodes" }).click();
  for (const n of [1, 2, 3]) {
    await expect(page.getByTestId(`node-row-e2e-node-${n}`).getByTestId("node-state")).toHaveText("Ready", { timeout: 20_000 });
  }

  // A label, through the node's labels editor.
  await page.getByTestId("node-row-e2e-node-1").getByRole("link").first().click();
  await expect(page.getByRole("heading", { name: "e2e-node-1" })).toBeVisible();
  const editor = page.getByTestId("labels-editor");
  await editor.getByLabel("Key").fill("pcidss");
  await editor.getByLabel("Value").fill("yes");
  await editor.getByRole("button", { name: "Add label" }).click();
  await editor.getByRole("button", { name: "Save labels" }).click();
  await expect(editor.getByText("pcidss=yes")).toBeVisible();
  await expect(page.getByText("node.update").first()).toBeVisible();

  // Drain node 2.
  await page.goto("/nodes");
  await page.getByTestId("node-row-e2e-node-2").getByRole("link").first().click();
  await expect(page.getByRole("heading", { name: "e2e-node-2" })).toBeVisible();
  await page.getByRole("group", { name: "Availability" }).getByRole("button", { name: "Drain" }).click();
  await page.getByRole("button", { name: "Set to Drain" }).click();
  await expect(page.getByRole("group", { name: "Availability" }).getByRole("button", { name: "Drain" })).toHaveAttribute("aria-pressed", "true");

  // Remove node 3 (Ready, so forced), then its next heartbeat is refused.
  await page.goto("/nodes");
  await page.getByTestId("node-row-e2e-node-3").getByRole("link").first().click();
  await expect(page.getByRole("heading", { name: "e2e-node-3" })).toBeVisible();
  await page.getByRole("button", { name: "Remove node" }).click();
  const dialog = page.getByRole("dialog");
  await expect(dialog.getByRole("button", { name: "Remove node" })).toBeDisabled();
  await dialog.getByLabel("Force removal of a Ready node").check();
  await dialog.getByRole("button", { name: "Remove node" }).click();
  await expect(page).toHaveURL(/\/nodes$/);
  await expect(page.getByTestId("node-row-e2e-node-3")).toHaveCount(0);

  const removed = agents.all[2]!;
  expect(await removed.exited).toBe(1);
  expect(removed.output).toMatch(/Error: the manager refused this node: Permission denied: unauthorized peer role: rpc error: code = PermissionDenied desc = Permission denied: node [0-9a-z]{25} was removed from swarm/);

  // The audit log shows the reveal, the joins, the label, the drain, the removal and the refusal.
  await page.goto("/audit");
  const table = page.getByTestId("audit-table");
  for (const action of ["token.reveal", "node.join", "cert.issue", "node.update", "node.remove", "node.refused"]) {
    await expect(table.getByText(action, { exact: true }).first()).toBeVisible();
  }
  await expect(page.locator("body")).not.toContainText(token);
});

/**
 * Hostnames are claims: a second agent joins with a name already taken. Both rows are
 * flagged, the page says why, the node's own page too, and a constraint on the name
 * gets the self-reported warning in the service form (inline, not as an error).
 */
test("two nodes reporting one hostname are flagged, and a constraint on node.hostname is warned about", async ({ page, admin, agents }) => {
  test.setTimeout(120_000);
  await signIn(page, admin);
  const { token, address } = await revealWorkerJoin(page);
  agents.start({ token, address }, "e2e-twin");
  agents.start({ token, address }, "e2e-twin");
  agents.start({ token, address }, "e2e-single");
  for (const agent of agents.all) await expect.poll(() => agent.output, { timeout: 30_000 }).toContain("This node joined a swarm as a worker.");

  await page.getByRole("link", { name: "Nodes" }).click();
  await expect(page.getByTestId("node-row-e2e-twin")).toHaveCount(2, { timeout: 20_000 });
  await expect(page.getByTestId("node-row-e2e-twin").getByTestId("duplicate-hostname")).toHaveCount(2);
  await expect(page.getByTestId("node-row-e2e-single").getByTestId("duplicate-hostname")).toHaveCount(0);
  await expect(page.getByTestId("duplicate-hostname-note")).toContainText("more than one node reports this hostname");

  await page.getByTestId("node-row-e2e-twin").first().getByRole("link").first().click();
  await expect(page.getByRole("heading", { name: "e2e-twin" })).toBeVisible();
  await expect(page.getByTestId("duplicate-hostname-note")).toBeVisible();

  await openServiceForm(page);
  await page.getByRole("button", { name: "+ Type a constraint" }).click();
  await page.getByLabel("Constraint 1", { exact: true }).fill("node.hostname == e2e-twin");
  const warning = page.getByTestId("constraint-warning-0");
  await expect(warning).toContainText("reads node.hostname, which each node reports about itself");
  await expect(page.getByLabel("Constraint 1", { exact: true })).not.toHaveAttribute("aria-invalid", "true");
  await page.getByLabel("Constraint 1", { exact: true }).fill("node.labels.zone == a");
  await expect(warning).toHaveCount(0);
});
