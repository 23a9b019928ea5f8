import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Locator, Page } from "@playwright/test";
import { expect, test } from "./playwright-utils.js";
import { signIn } from "./support/admin.js";
import { joinWorkers, workerJoin } from "./support/nodes.js";
import { type JoinTarget } from "./support/agents.js";
import { collectOutput, spawnCli, stopProcess } from "./support/process.js";
import { type Trpc } from "./support/trpc.js";
import { VIEWER } from "./support/users.js";

/**
 * The PKI page against a real server and real agents: the trust root and every node's
 * certificate; a root rotation started in the dialog, followed to its end (every node
 * renews under the new root, the trust root changes, and the old join token is refused
 * by a real agent); a refusal shown under the field it names; and a node table that the
 * server sorts and filters.
 */

const HOSTS = ["e2e-pki-1", "e2e-pki-2", "e2e-pki-3"];
/** A node whose agent stops before the rotation, and never comes back. */
const GONE = "e2e-pki-gone";

interface NodeRows {
  total: number;
  rows: Array<{ hostname: string }>;
}

/** A root CA and its key made with openssl, valid `days` days: too short a life for a swarm root (Swarm wants a year). */
function shortLivedRoot(days: number): { cert: string; key: string } {
  const dir = mkdtempSync(join(tmpdir(), "rampart-e2e-pki-"));
  try {
    const [cert, key] = [join(dir, "ca.pem"), join(dir, "ca-key.pem")];
    execFileSync(
      "openssl",
      ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", String(days), "-subj", "/CN=swarm-ca", "-keyout", key, "-out", cert],
      { stdio: "ignore" },
    );
    return { cert: readFileSync(cert, "utf8"), key: readFileSync(key, "utf8") };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * A `rampart agent join` this test stops itself, to leave a node behind in a rotation
 * (the agents fixture stops its agents only at the end). `dispose` stops it if it still
 * runs and removes its directories.
 */
async function loneAgent(swarm: JoinTarget, hostname: string): Promise<{ stop(): Promise<void>; dispose(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), "rampart-e2e-agent-"));
  const secretsRoot = mkdtempSync("/dev/shm/rampart-e2e-secrets-");
  const child = spawnCli(["agent", "join", "--token", swarm.token, "--state-dir", join(dir, "state"), "--hostname", hostname, "--secrets-root", secretsRoot, "--runtime", "simulated", swarm.address]);
  const output = collectOutput(child);
  const dispose = async () => {
    await stopProcess(child);
    rmSync(dir, { recursive: true, force: true });
    rmSync(secretsRoot, { recursive: true, force: true });
  };
  await expect.poll(() => output.text(), { timeout: 30_000 }).toContain("This node joined a swarm as a worker.");
  return { stop: () => stopProcess(child), dispose };
}

/** The hostnames of the node table's rows, in order. */
async function tableHostnames(page: Page): Promise<string[]> {
  const ids = await page.getByTestId("pki-nodes-table").locator("tbody > tr").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-testid") ?? ""));
  return ids.map((id) => id.replace(/^pki-node-row-/, ""));
}

/** Every hostname, in the order the server sorts them. */
async function serverOrder(trpc: Trpc, desc: boolean): Promise<string[]> {
  return (await trpc.query<NodeRows>("pki.nodes", { sort: "hostname", desc })).rows.map((r) => r.hostname);
}

async function openPki(page: Page): Promise<void> {
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "PKI", exact: true }).click();
  await expect(page.getByRole("heading", { level: 1, name: "PKI" })).toBeVisible();
}

const headerButton = (page: Page, name: string): Locator => page.getByTestId("pki-nodes-table").getByRole("button", { name });

test("an administrator rotates the root CA from the PKI page and follows it to the end; a bad certificate is refused at its field; the node table sorts and filters", async ({
  page,
  admin,
  trpc,
  agents,
}) => {
  test.setTimeout(240_000);
  await signIn(page, admin);
  await joinWorkers(trpc, agents, HOSTS);
  const oldJoin = await workerJoin(trpc);
  const nodeCount = (await trpc.query<NodeRows>("pki.nodes", {})).total;
  expect(nodeCount).toBe(HOSTS.length + 1);

  // The trust root, as the API has it, and every node with its certificate.
  await openPki(page);
  const before = await trpc.query<{ trustRoot: { digest: string; subject: string } }>("pki.status");
  await expect(page.getByTestId("trust-root-digest")).toHaveText(before.trustRoot.digest);
  await expect(page.getByTestId("trust-root")).toContainText(before.trustRoot.subject);
  await expect(page.getByTestId("trust-root")).toContainText("Held by the swarm");
  await expect(page.getByTestId("rotation-none")).toBeVisible();
  await expect(page.getByTestId("pki-count-nodes")).toContainText(String(nodeCount));
  for (const host of HOSTS) {
    const row = page.getByTestId(`pki-node-row-${host}`);
    await expect(row.getByTestId("tls-status")).toHaveText("Ready");
    await expect(row.getByTestId("issuer")).toHaveText("Current root");
    await expect(row.getByTestId("issuance")).toHaveText("Issued");
  }
  // The timeline counts every node certificate, each bar saying what it counts.
  const bars = page.getByTestId("expiry-bar");
  const counted = await bars.evaluateAll((els) => els.reduce((sum, el) => sum + Number(el.getAttribute("data-count")), 0));
  expect(counted).toBe(nodeCount);
  for (const title of await bars.evaluateAll((els) => els.map((el) => el.getAttribute("title") ?? ""))) expect(title).toMatch(/node certificates? (expir|expired)/);

  // A root too short-lived for a swarm: refused by the server, under the certificate's field, and nothing rotates.
  const short = shortLivedRoot(30);
  await page.getByRole("button", { name: "Rotate root CA" }).click();
  const dialog = page.getByRole("dialog", { name: "Rotate the root CA" });
  await dialog.getByLabel("Use my certificate and key").check();
  await dialog.getByRole("textbox", { name: "Root CA certificate" }).fill(short.cert);
  await dialog.getByRole("textbox", { name: "Root CA key" }).fill(short.key);
  await dialog.getByRole("button", { name: "Continue" }).click();
  await expect(dialog.getByTestId("rotate-confirm")).toContainText("the old join tokens stop working");
  await dialog.getByRole("button", { name: "Rotate root CA" }).click();
  const certField = dialog.getByTestId("rotate-ca-cert");
  await expect(certField.getByRole("alert")).toContainText("CA certificate expires too soon");
  await expect(dialog.getByRole("textbox", { name: "Root CA certificate" })).toHaveAttribute("aria-invalid", "true");
  await expect(dialog.getByTestId("rotate-confirm")).toHaveCount(0);
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await expect(dialog).toBeHidden();
  expect((await trpc.query<{ rotation: unknown; trustRoot: { digest: string } }>("pki.status")).rotation).toBeNull();
  // The key typed into the dialog went with it.
  expect(await page.content()).not.toContain(short.key.split("\n")[1]!);

  // A node that will not come back: it joins, then its agent stops, so the rotation waits for it.
  const gone = await loneAgent(oldJoin, GONE);
  try {
    await expect.poll(async () => (await trpc.query<{ state: string }>("node.get", { ref: GONE })).state, { timeout: 30_000 }).toBe("ready");
    const goneId = (await trpc.query<{ id: string }>("node.get", { ref: GONE })).id;
    await gone.stop();
    const total = nodeCount + 1;

    // A new root, made by the swarm: the dialog says what happens, then the progress shows.
    await page.getByRole("button", { name: "Rotate root CA" }).click();
    await expect(dialog.getByRole("radio", { name: "Generate a new root" })).toBeChecked();
    await dialog.getByRole("button", { name: "Continue" }).click();
    const confirm = dialog.getByTestId("rotate-confirm");
    await expect(confirm).toContainText("Every node gets a new certificate");
    await expect(confirm).toContainText("the old join tokens stop working");
    await dialog.getByRole("button", { name: "Rotate root CA" }).click();
    await expect(dialog).toBeHidden();
    const progress = page.getByTestId("rotation-progress");
    await expect(progress).toBeVisible();
    await expect(progress.getByRole("progressbar", { name: "Rotated TLS certificates" })).toHaveAttribute("aria-valuemax", String(total));
    await expect(progress.getByTestId("rotated-ca")).toBeVisible();
    // Every node that runs renews under the new root; the stopped one cannot, and holds the rotation up.
    await expect(progress.getByTestId("rotated-tls-count")).toHaveText(`${nodeCount}/${total}`, { timeout: 60_000 });
    const waiting = progress.getByTestId(`rotation-node-${GONE}`);
    await expect(waiting).toContainText("Unreachable", { timeout: 60_000 });
    await expect(waiting).toContainText("the node is down");
    await expect(waiting.getByRole("link", { name: "its page" })).toHaveAttribute("href", `/nodes/${goneId}`);
    await expect(page.getByTestId(`pki-node-row-${GONE}`).getByTestId("rotation-state")).toContainText("Unreachable");
    for (const host of HOSTS) await expect(page.getByTestId(`pki-node-row-${host}`).getByTestId("rotation-state")).toContainText("Rotated");
    await expect(page.getByTestId("rotation-progress")).toBeVisible();

    // Removed (as its page would), it is waited for no more: the rotation reaches completion.
    await trpc.mutation("node.remove", { ref: goneId, force: false });
  } finally {
    await gone.dispose();
  }
  await expect(page.getByTestId("pki-notice")).toContainText("The rotation finished", { timeout: 60_000 });
  await expect(page.getByTestId("rotation-none")).toBeVisible();
  const after = await trpc.query<{ trustRoot: { digest: string } }>("pki.status");
  expect(after.trustRoot.digest).not.toBe(before.trustRoot.digest);
  await expect(page.getByTestId("trust-root-digest")).toHaveText(after.trustRoot.digest);
  const table = page.getByTestId("pki-nodes-table");
  await expect(table.getByTestId("tls-status")).toHaveText(Array<string>(nodeCount).fill("Ready"));
  await expect(table.getByTestId("issuer")).toHaveText(Array<string>(nodeCount).fill("Current root"));
  await expect(page.getByTestId("pki-count-ready")).toContainText(String(nodeCount));

  // The old join token no longer works: a real agent refuses the swarm's new root.
  const late = agents.start(oldJoin, "e2e-pki-late");
  expect(await late.exited).not.toBe(0);
  expect(late.output).toContain("remote CA does not match fingerprint");

  // Sorting, on the server, by keyboard: Enter on a heading sorts by it, again reverses.
  const hostname = headerButton(page, "Hostname");
  await hostname.focus();
  await page.keyboard.press("Enter");
  await expect(page.getByRole("columnheader", { name: "Hostname" })).toHaveAttribute("aria-sort", "ascending");
  await expect.poll(() => tableHostnames(page)).toEqual(await serverOrder(trpc, false));
  await page.keyboard.press("Enter");
  await expect(page.getByRole("columnheader", { name: "Hostname" })).toHaveAttribute("aria-sort", "descending");
  await expect.poll(() => tableHostnames(page)).toEqual(await serverOrder(trpc, true));
  expect((await tableHostnames(page)).filter((h) => HOSTS.includes(h))).toEqual([...HOSTS].reverse());
  await headerButton(page, "Expires").click();
  await expect(page.getByRole("columnheader", { name: "Expires" })).toHaveAttribute("aria-sort", "ascending");
  await expect(page.getByRole("columnheader", { name: "Hostname" })).toHaveAttribute("aria-sort", "none");

  // Filtering, on the server: a search, a TLS status none has, an expiry horizon, an issuer.
  const filters = page.getByRole("search", { name: "Filter node certificates" });
  await filters.getByLabel("Search").fill("e2e-pki-2");
  await expect.poll(() => tableHostnames(page)).toEqual(["e2e-pki-2"]);
  await filters.getByLabel("Search").fill("");
  await expect.poll(() => tableHostnames(page)).toHaveLength(nodeCount);
  await filters.getByLabel("TLS status").selectOption("needs-rotation");
  await expect(page.getByText("No nodes match these filters")).toBeVisible();
  await page.getByRole("button", { name: "Clear filters" }).click();
  await expect.poll(() => tableHostnames(page)).toHaveLength(nodeCount);
  // Node certificates live 90 days: none ends within 30, all within 100.
  await filters.getByLabel("Expiring within (days)").fill("30");
  await expect(page.getByText("No nodes match these filters")).toBeVisible();
  await filters.getByLabel("Expiring within (days)").fill("100");
  await expect.poll(() => tableHostnames(page)).toHaveLength(nodeCount);
  await filters.getByLabel("Issuer").selectOption("current root");
  await expect.poll(() => tableHostnames(page)).toHaveLength(nodeCount);
  await filters.getByLabel("Issuer").selectOption("another root");
  await expect(page.getByText("No nodes match these filters")).toBeVisible();

  // The CA settings: an expiry below Swarm's minimum is refused at its field; a valid one is saved and shown.
  await page.getByRole("button", { name: "Edit CA settings" }).click();
  const settings = page.getByRole("dialog", { name: "Edit CA settings" });
  const expiry = settings.getByLabel("Certificate expiry");
  await expect(expiry).toHaveValue("2160h0m0s");
  await expiry.fill("30m");
  await settings.getByRole("button", { name: "Save settings" }).click();
  await expect(settings.getByRole("alert")).toContainText("minimum certificate expiry time is: 1h0m0s");
  await expect(expiry).toHaveAttribute("aria-invalid", "true");
  await expiry.fill("720h");
  await settings.getByRole("button", { name: "Save settings" }).click();
  await expect(settings).toBeHidden();
  await expect(page.getByTestId("pki-notice")).toHaveText("CA settings saved.");
  await expect(page.getByTestId("cert-expiry")).toContainText("720h0m0s");
  expect((await trpc.query<{ certExpiryMs: number }>("pki.status")).certExpiryMs).toBe(720 * 3_600_000);

  // A node's page names the root its certificate chains to: the new one, now current.
  const nodeOne = () => trpc.query<{ id: string; chain: { trustRootCurrent: boolean | null } }>("node.get", { ref: HOSTS[0]! });
  await expect.poll(async () => (await nodeOne()).chain.trustRootCurrent, { timeout: 20_000 }).toBe(true);
  await page.goto(`/nodes/${(await nodeOne()).id}`);
  await expect(page.getByTestId("chains-to")).toContainText(`The current root, CN=swarm-ca ${after.trustRoot.digest}`);
  await expect(page.getByTestId("holds-trust-root")).toHaveText("Yes");

  // The rotation and the change are in the audit log.
  await page.goto("/audit");
  for (const action of ["ca.rotate", "ca.update"]) await expect(page.getByTestId("audit-table").getByText(action, { exact: true }).first()).toBeVisible();
});

test.describe("a viewer", () => {
  test.use({ viewers: [VIEWER] });

  // The first administrator exists (the install is set up); the viewer signs in beside it.
  test("reads the PKI page, and sees its actions disabled with the reason", async ({ page, admin: _admin }) => {
    await signIn(page, VIEWER);
    await openPki(page);
    await expect(page.getByTestId("trust-root-digest")).toHaveText(/^sha256:[0-9a-f]{64}$/);
    for (const name of ["Rotate root CA", "Edit CA settings"]) {
      const button = page.getByRole("button", { name });
      await expect(button).toBeDisabled();
      await expect(button).toHaveAccessibleDescription(/only an administrator can rotate the root CA or change the CA settings/);
    }
    // The server's own node is in the table.
    await expect(page.getByTestId("pki-nodes-table").locator("tbody > tr")).toHaveCount(1);
  });
});
