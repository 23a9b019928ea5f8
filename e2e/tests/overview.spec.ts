import { expect, test } from "./playwright-utils.js";
import { signIn } from "./support/admin.js";
import { createService } from "./support/services.js";

/**
 * The Overview leads with security: counts with their trouble, the warnings the producers
 * raise with links that lead to the fix, the newest security events, and the server's
 * internals folded into a Server panel at the foot.
 */
test("the Overview counts, raises warnings whose links lead to the fix, lists security events, and folds the server away", async ({ page, admin, trpc }) => {
  await signIn(page, admin);

  // Something to count: a service no node can take, and a secret nothing uses.
  await createService(trpc, { name: "stranded", image: "nginx", replicas: 2, constraints: ["node.labels.zone == mars"] });
  await trpc.mutation("secret.create", { name: "spare_key", data: Buffer.from("not shown").toString("base64"), labels: {} });
  await page.reload();

  const nodes = page.getByTestId("count-nodes");
  await expect(nodes).toContainText("Nodes1");
  await expect(nodes).toContainText("1 ready");
  await expect(page.getByTestId("count-services")).toContainText("1 pending");
  await expect(page.getByTestId("count-tasks")).toContainText("2 pending");
  await expect(page.getByTestId("count-secrets")).toContainText("0 in use");
  await expect(page.getByTestId("count-secrets")).toContainText("1 unused");

  // A fresh swarm: autolock is off and neither join token was ever rotated; the stranded tasks say why.
  const warnings = page.getByRole("list", { name: "Warnings" });
  await expect(warnings.getByText("Autolock is off")).toBeVisible();
  await expect(warnings.getByText("The worker join token was never rotated")).toBeVisible();
  await expect(warnings.getByText("The manager join token was never rotated")).toBeVisible();
  const pending = page.locator('[data-testid="warning"][data-kind="tasks.pending"]');
  await expect(pending).toContainText("2 tasks of stranded have no node");
  await expect(pending).toContainText("no suitable node");

  await warnings.getByRole("link", { name: "Open the swarm settings: Autolock is off" }).click();
  await expect(page).toHaveURL(/\/settings\/swarm$/);
  await expect(page.getByTestId("autolock-card")).toContainText("RAMPART_KEK_FILE");
  await page.goBack();

  // The worker token's link leads to the Join page, where rotating it clears the warning.
  await page.getByRole("link", { name: "Rotate the worker token: The worker join token was never rotated" }).click();
  await expect(page).toHaveURL(/\/join$/);
  const worker = page.locator("section").filter({ has: page.getByRole("heading", { name: "Worker", exact: true }) });
  await worker.getByRole("button", { name: "Rotate", exact: true }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Rotate token" }).click();
  await expect(worker.getByText("A new worker token is in force.")).toBeVisible();

  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Overview" }).click();
  await expect(warnings.getByText("The manager join token was never rotated")).toBeVisible();
  await expect(warnings.getByText("The worker join token was never rotated")).toHaveCount(0);

  // Recent security events: the rotation and the administrator's sign-in, with a way to the whole log.
  const events = page.getByRole("list", { name: "Security events" });
  await expect(events.getByTestId("security-event").filter({ hasText: "token.rotate" })).toContainText("worker");
  await expect(events.getByTestId("security-event").filter({ hasText: "auth.login" }).first()).toContainText(admin.username);
  await expect(page.getByText("not shown")).toHaveCount(0);

  // The server's internals are folded away until asked for.
  const server = page.getByTestId("server-panel");
  await expect(server.getByRole("heading", { name: "Cluster store" })).toBeHidden();
  await server.locator("summary").click();
  await expect(server.getByRole("heading", { name: "Cluster store" })).toBeVisible();
  await expect(server.getByText("PGlite (embedded PostgreSQL)")).toBeVisible();
  await expect(server.getByRole("heading", { name: "Swarm" })).toBeVisible();
  await expect(server.getByText("Healthy", { exact: true })).toBeVisible();

  await page.getByRole("link", { name: "Audit log" }).click();
  await expect(page).toHaveURL(/\/audit$/);
});

test("on a phone in dark mode the Overview fits the screen without sideways scrolling", async ({ page, admin }) => {
  await page.emulateMedia({ colorScheme: "dark" });
  await page.setViewportSize({ width: 390, height: 844 });
  await signIn(page, admin);
  await expect(page.locator("html")).toHaveClass(/dark/);
  await expect(page.getByRole("list", { name: "Warnings" }).getByText("Autolock is off")).toBeVisible();
  await expect(page.getByRole("list", { name: "Security events" })).toBeVisible();
  await page.getByTestId("server-panel").locator("summary").click();
  await expect(page.getByTestId("server-panel").getByRole("heading", { name: "Swarm" })).toBeVisible();
  const [scrollWidth, clientWidth] = await page.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]);
  expect(scrollWidth).toBeLessThanOrEqual(clientWidth);
  const tiles = await page.getByTestId(/^count-/).evaluateAll((els) => els.map((el) => el.getBoundingClientRect().right));
  expect(Math.max(...tiles)).toBeLessThanOrEqual(clientWidth);
});
