import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import type { Page } from "@playwright/test";
import { startEngine, TEST_IMAGE } from "../../apps/cli/src/test-support/engines.js";
import { freePort, startSwarm, type TestSwarm } from "../../apps/cli/src/test-support/swarm.js";
import { issue, makeCa } from "../../apps/cli/src/test-support/tls.js";
import { expect, test } from "./playwright-utils.js";
import { ADMIN, signIn } from "./support/admin.js";
import { fillServiceForm, openServiceForm } from "./support/services.js";
import type { Trpc } from "./support/trpc.js";
import { VIEWER } from "./support/users.js";

/**
 * Environments (ADR 0020) in the UI, against a real Docker Swarm of two private engines
 * started here: an administrator connects it through the form (a refused connect says
 * why at the field it names), finds it in the switcher, switches to it by keyboard and
 * sees its nodes as the engines name themselves. Against an engine with --tlsverify, the
 * three TLS files loaded in the form connect, the key is never shown again, and a CA that
 * did not sign the engine is refused at that field. On the swarm, an encrypted network, a
 * secret and a service granted it are made in the UI, and the guided rotation ends with
 * the old version removed and the container reading the new value, checked inside the
 * container. The connection's state shows on every page of a swarm, a banner says when
 * its manager cannot be reached or is no longer one, and the banner clears by itself once
 * the manager answers again. A viewer sees the list
 * read-only, and a connect from a viewer's session is refused by the server (403), shown
 * at the form. The audit log names the environment of each event, filters by it, and shows
 * what the swarm's own event stream reported as done from outside Rampart. On a swarm of
 * three engines of its own, the PKI page starts Docker's root rotation and follows it to
 * its end.
 */
const HOSTS = ["e2e-env-1", "e2e-env-2"];
const ENV = "lab";

let swarm: TestSwarm;
test.beforeAll(async () => {
  test.setTimeout(180_000);
  swarm = await startSwarm(HOSTS);
});
test.afterAll(async () => {
  await swarm?.stop();
});

/** Connects the test swarm through the API, as the page's session. */
async function connect(trpc: Trpc, name: string, dockerHost: string): Promise<void> {
  await trpc.mutation("environment.add", { name, dockerHost });
}

async function openEnvironments(page: Page): Promise<void> {
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Environments" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Environments" })).toBeVisible();
}

test("an administrator connects a swarm in the form, switches to it and sees its nodes as the engines report them", async ({ page, admin }) => {
  test.setTimeout(120_000);
  await signIn(page, admin);
  await openEnvironments(page);
  const form = page.getByRole("form", { name: "Connect a swarm" });

  // A refused connect says why, at the field the server names: plain TCP needs TLS or an explicit insecure.
  await form.getByLabel("Name").fill(ENV);
  await form.getByLabel("Docker host").fill("tcp://127.0.0.1:2375");
  await form.getByRole("button", { name: "Connect swarm" }).click();
  await expect(form.getByLabel("Docker host")).toHaveAttribute("aria-invalid", "true");
  await expect(form.getByText("tcp://127.0.0.1:2375 is TCP without TLS")).toBeVisible();
  // Ticking insecure says what it means before anything is sent.
  await form.getByLabel("Insecure: plain TCP without TLS").check();
  await expect(form.getByText("Plain TCP without TLS: anyone on the network path can read")).toBeVisible();
  await form.getByLabel("Insecure: plain TCP without TLS").uncheck();

  await form.getByLabel("Docker host").fill(swarm.leader.host);
  await form.getByRole("button", { name: "Connect swarm" }).click();
  await expect(page.getByTestId("connected-notice")).toContainText(swarm.clusterId);
  const row = page.getByTestId(`env-row-${ENV}`);
  await expect(row).toContainText(swarm.leader.host);
  await expect(row.getByTestId("env-security")).toHaveText("Socket");
  await expect(row).toContainText(swarm.clusterId.slice(0, 12));
  await expect(row.getByTestId("env-state")).toHaveText("Connected");
  await expect(row).toContainText(ADMIN.username);
  // A change made outside Rampart, which the swarm's event stream reports.
  const created = swarm.leader.cli("network", "create", "-d", "overlay", "e2e-env-observed");
  expect(created.status, created.stderr).toBe(0);

  // The same swarm a second time is refused by its ID, at the Docker host.
  await form.getByLabel("Name").fill("lab-again");
  await form.getByLabel("Docker host").fill(swarm.leader.host);
  await form.getByRole("button", { name: "Connect swarm" }).click();
  await expect(form.getByText(`swarm ${swarm.clusterId} is already connected, as environment "${ENV}"`)).toBeVisible();

  // The switcher: the native cluster first, then the swarm with its state; the keyboard chooses.
  const switcher = page.getByTestId("env-switcher");
  await expect(switcher).toHaveAccessibleName("Environment: Native cluster, Rampart's own cluster");
  await switcher.focus();
  await page.keyboard.press("ArrowDown");
  const list = page.getByRole("listbox", { name: "Environments" });
  await expect(list).toBeFocused();
  await expect(list.getByRole("option")).toHaveText([/Native cluster/, new RegExp(`^${ENV}`)]);
  await expect(list.getByRole("option", { name: /Native cluster/ })).toHaveAttribute("aria-selected", "true");
  await page.keyboard.press("ArrowDown");
  await page.keyboard.press("Enter");
  // From a page of Rampart's own, a swarm opens at its Overview.
  await expect(page).toHaveURL(new RegExp(`/env/${ENV}$`));
  await expect(switcher).toHaveAccessibleName(`Environment: ${ENV}, Connected`);
  await expect(page.getByTestId("env-connection")).toHaveAttribute("data-state", "connected");

  // Its nodes, as each engine names itself, inside the environment.
  const nav = page.getByRole("navigation", { name: "Main" });
  await expect(nav.getByRole("link", { name: "Networks" })).toBeVisible();
  await nav.getByRole("link", { name: "Nodes" }).click();
  await expect(page).toHaveURL(new RegExp(`/env/${ENV}/nodes$`));
  for (const host of HOSTS) await expect(page.getByTestId(`node-row-${host}`)).toBeVisible();
  await expect(page.getByTestId("env-connection")).toContainText(swarm.leader.host);
  await page.getByTestId(`node-row-${HOSTS[1]}`).getByRole("link").first().click();
  await expect(page).toHaveURL(new RegExp(`/env/${ENV}/nodes/${swarm.nodeIds.get(HOSTS[1]!)}$`));
  await expect(page.getByRole("heading", { level: 1, name: HOSTS[1] })).toBeVisible();

  // Back to the native cluster from a node's page: its Nodes list, where the swarm's nodes are not.
  await switcher.click();
  await list.getByRole("option", { name: /Native cluster/ }).click();
  await expect(page).toHaveURL(/\/nodes$/);
  await expect(page.getByTestId("env-connection")).toHaveCount(0);
  await expect(nav.getByRole("link", { name: "Networks" })).toHaveCount(0);
  await expect(page.getByTestId(`node-row-${HOSTS[0]}`)).toHaveCount(0);

  // The audit log names the environment, and filters by it.
  await nav.getByRole("link", { name: "Audit" }).click();
  await page.getByLabel("Environment", { exact: true }).selectOption({ label: ENV });
  await expect(page).toHaveURL(/env=/);
  const table = page.getByTestId("audit-table");
  const connected = table.getByRole("row").filter({ has: page.getByRole("cell", { name: "env.connect", exact: true }) });
  await expect(connected.first().getByTestId("audit-env")).toHaveText(ENV);
  // Every event shown is the swarm's: the refused connects named no environment, so they are not among them.
  await expect(table.locator("tbody tr").filter({ hasNot: page.getByTestId("audit-env") })).toHaveCount(0);
  // What Docker's event stream reported comes from outside Rampart.
  const observed = table.getByRole("row").filter({ has: page.getByRole("cell", { name: "env.observed", exact: true }) }).filter({ hasText: "e2e-env-observed" });
  await expect(async () => {
    await page.reload();
    await expect(observed.first()).toBeVisible({ timeout: 2_000 });
  }).toPass({ timeout: 30_000 });
  await expect(observed.first().getByTestId("audit-actor")).toHaveText("outside Rampart");
  await expect(observed.first()).toContainText("(observed in Docker's event stream)");
  await expect(observed.first().getByTestId("audit-env")).toHaveText(ENV);
  await page.getByLabel("Environment", { exact: true }).selectOption({ label: "Native cluster" });
  await expect(table.getByTestId("audit-env")).toHaveCount(0);
});

/** What each running container of `service` reads at /run/secrets/`target`, on every engine of the swarm. */
function containerReads(service: string, target: string): string[] {
  const values: string[] = [];
  for (const engine of swarm.engines) {
    const ids = engine.cli("ps", "-q", "--filter", `label=com.docker.swarm.service.name=${service}`).stdout.split("\n").filter(Boolean);
    for (const id of ids) values.push(engine.cli("exec", id, "cat", `/run/secrets/${target}`).stdout);
  }
  return values;
}

test("on a swarm: a network, a secret and a service made in the UI; the guided rotation moves the service, removes the old version, and its container reads the new value", async ({ page, admin, trpc }) => {
  test.setTimeout(240_000);
  const NET = "e2e-env-net";
  const SECRET = "e2e_env_db";
  const SERVICE = "e2e-env-web";
  const FIRST = `first-${randomBytes(8).toString("hex")}`;
  const SECOND = `second-${randomBytes(8).toString("hex")}`;
  await signIn(page, admin);
  await connect(trpc, ENV, swarm.leader.host);
  try {
    // An overlay network, encrypted unless unticked.
    await page.goto(`/env/${ENV}/networks`);
    const create = page.getByRole("form", { name: "Create a network" });
    await create.getByLabel("Name").fill(NET);
    await expect(create.getByLabel("Encrypted")).toBeChecked();
    await create.getByRole("button", { name: "Create network" }).click();
    await expect(page.getByTestId(`network-row-${NET}`).getByTestId("network-encrypted")).toHaveAttribute("data-on", "true");

    // A secret: its value goes to Docker once.
    const nav = page.getByRole("navigation", { name: "Main" });
    await nav.getByRole("link", { name: "Secrets" }).click();
    await page.getByRole("link", { name: "Create secret" }).first().click();
    await page.getByLabel("Name", { exact: true }).fill(SECRET);
    await page.getByRole("textbox", { name: "Value", exact: true }).fill(FIRST);
    await page.getByRole("button", { name: "Create secret" }).click();
    await expect(page).toHaveURL(new RegExp(`/env/${ENV}/secrets/[0-9a-z]+\\?created=1$`));
    const secretUrl = new URL(page.url()).pathname;
    await expect(page.getByTestId("created-notice")).toContainText("Rampart kept no copy");

    // A service granted it. Not on the network: tasks on overlay networks cannot run where
    // several engines share one kernel (their vxlan devices collide; ../shared/TOOLCHAIN.md),
    // so attaching services to networks is tested at the API with services of no replicas.
    await openServiceForm(page);
    await expect(page).toHaveURL(new RegExp(`/env/${ENV}/services/new$`));
    await fillServiceForm(page, { name: SERVICE, image: TEST_IMAGE, replicas: 1 });
    await page.getByLabel("Entrypoint", { exact: true }).fill("sh -c");
    await page.getByLabel("Command", { exact: true }).fill("'while true; do sleep 1; done'");
    await page.getByRole("button", { name: "+ Add secret" }).click();
    await page.getByLabel("Secret 1", { exact: true }).fill(SECRET);
    await page.getByLabel("Target 1", { exact: true }).fill("db");
    await expect(page.getByRole("checkbox", { name: new RegExp(`^${NET}`) })).not.toBeChecked();
    await page.getByRole("button", { name: "Create service" }).click();
    await expect(page).toHaveURL(new RegExp(`/env/${ENV}/services/[0-9a-z]+$`));
    await expect(page.getByTestId("task-row").first().getByTestId("task-state")).toHaveText("Running", { timeout: 90_000 });
    await expect.poll(() => containerReads(SERVICE, "db"), { timeout: 30_000 }).toEqual([FIRST]);

    // The guided rotation: Rampart creates the next version, moves the service, follows the rollout, removes the old one.
    await page.goto(secretUrl);
    await page.getByRole("button", { name: "Rotate", exact: true }).click();
    await page.getByRole("textbox", { name: "New value", exact: true }).fill(SECOND);
    const rotated = await page.getByLabel("New secret's name").inputValue();
    await page.getByRole("button", { name: "Next: review" }).click();
    await expect(page.getByTestId("rotation-services")).toContainText(SERVICE);
    await page.getByRole("button", { name: "Rotate now" }).click();
    await expect(page.getByTestId("rotation-state")).toHaveText("Rotation complete", { timeout: 120_000 });
    await page.getByRole("button", { name: "Done", exact: true }).click();
    await expect(page.getByRole("heading", { name: rotated })).toBeVisible();
    await expect(page.getByTestId("rotated-notice")).toContainText(`${SECRET} was removed`);
    await expect(page.locator("body")).not.toContainText(SECOND);

    // Inside the container: the new value, at the same target.
    await expect.poll(() => containerReads(SERVICE, "db"), { timeout: 60_000 }).toEqual([SECOND]);
  } finally {
    swarm.leader.cli("service", "rm", SERVICE);
  }
});

test("the banner says since when the manager is unreachable, and clears by itself when it answers again", async ({ page, admin, trpc }) => {
  test.setTimeout(150_000);
  await signIn(page, admin);
  await connect(trpc, ENV, swarm.leader.host);
  await page.goto(`/env/${ENV}/nodes`);
  await expect(page.getByTestId(`node-row-${HOSTS[0]}`)).toBeVisible();
  await expect(page.getByTestId("env-connection")).toHaveAttribute("data-state", "connected");
  await expect(page.getByTestId("env-banner")).toHaveCount(0);

  // The leader's dockerd stopped (SIGSTOP): its socket still accepts, but nothing answers. (Moving
  // the socket away is not enough: connections the client keeps alive would still answer.)
  process.kill(swarm.leader.pid, "SIGSTOP");
  try {
    const banner = page.getByTestId("env-banner");
    await expect(banner).toBeVisible({ timeout: 30_000 });
    await expect(banner).toHaveAttribute("data-state", "unreachable");
    await expect(banner).toContainText(`${ENV}: Unreachable since`);
    await expect(page.getByTestId("env-banner-detail")).toContainText(swarm.leader.socket);
    await expect(page.getByTestId("env-switcher")).toHaveAccessibleName(new RegExp(`^Environment: ${ENV}, Unreachable since`), { timeout: 30_000 });
  } finally {
    process.kill(swarm.leader.pid, "SIGCONT");
  }

  // Back: the banner goes by itself, and the page reads the swarm again.
  await expect(page.getByTestId("env-banner")).toHaveCount(0, { timeout: 45_000 });
  await expect(page.getByTestId("env-connection")).toHaveAttribute("data-state", "connected");
  await expect(page.getByTestId(`node-row-${HOSTS[1]}`)).toBeVisible();
});

test("the banner says the manager is lost when its engine leaves the swarm", async ({ page, admin, trpc }) => {
  test.setTimeout(180_000);
  const solo = await startSwarm(["e2e-env-solo"]);
  try {
    await signIn(page, admin);
    await connect(trpc, "solo", solo.leader.host);
    await page.goto("/env/solo/nodes");
    await expect(page.getByTestId("node-row-e2e-env-solo")).toBeVisible();

    const left = solo.leader.cli("swarm", "leave", "--force");
    expect(left.status, left.stderr).toBe(0);
    const banner = page.getByTestId("env-banner");
    await expect(banner).toBeVisible({ timeout: 30_000 });
    await expect(banner).toHaveAttribute("data-state", "manager-lost");
    await expect(banner).toContainText("solo: Manager lost since");
    // Docker's own words, whichever check saw it last.
    await expect(page.getByTestId("env-banner-detail")).toContainText("This node is not a swarm manager");
    // What the page asked for fails inline, with Docker's own words.
    await page.reload();
    await expect(page.getByRole("alert").filter({ hasText: "Nodes are not available" })).toBeVisible({ timeout: 30_000 });
  } finally {
    await solo.stop();
  }
});

test("on a three-engine swarm, the PKI page starts Docker's root rotation and follows it until every node is Ready on the new root", async ({ page, admin, trpc }) => {
  test.setTimeout(240_000);
  const hosts = ["e2e-pki-d1", "e2e-pki-d2", "e2e-pki-d3"];
  const trio = await startSwarm(hosts);
  try {
    await signIn(page, admin);
    await connect(trpc, "trio", trio.leader.host);
    const before = await trpc.query<{ trustRoot: { digest: string } }>("pki.status", { env: "trio" });
    await page.goto("/env/trio/pki");
    await expect(page.getByTestId("trust-root-digest")).toHaveText(before.trustRoot.digest);
    for (const host of hosts) await expect(page.getByTestId(`pki-node-row-${host}`).getByTestId("tls-status")).toHaveText("Ready");
    // What Docker's API does not give is said on the page, not guessed.
    await expect(page.getByText(/serials and validity dates/).first()).toBeVisible();

    await page.getByRole("button", { name: "Rotate root CA" }).click();
    const dialog = page.getByRole("dialog", { name: "Rotate the root CA" });
    await expect(dialog.getByRole("radio", { name: "Generate a new root" })).toBeChecked();
    await dialog.getByRole("button", { name: "Continue" }).click();
    await dialog.getByRole("button", { name: "Rotate root CA" }).click();
    await expect(dialog).toBeHidden();
    // Docker's rotation takes a few seconds here; the page shows it under way, then its end.
    await expect(page.getByTestId("rotation-progress")).toBeVisible();
    await expect(page.getByTestId("pki-notice")).toContainText("The rotation finished", { timeout: 90_000 });
    await expect(page.getByTestId("rotation-none")).toBeVisible();
    const after = await trpc.query<{ trustRoot: { digest: string; pem: string } }>("pki.status", { env: "trio" });
    expect(after.trustRoot.digest).not.toBe(before.trustRoot.digest);
    expect(`${trio.leader.cli("swarm", "ca").stdout.trim()}\n`).toBe(after.trustRoot.pem);
    await expect(page.getByTestId("trust-root-digest")).toHaveText(after.trustRoot.digest);
    const table = page.getByTestId("pki-nodes-table");
    await expect(table.getByTestId("tls-status")).toHaveText(["Ready", "Ready", "Ready"], { timeout: 30_000 });
    await expect(table.getByTestId("issuer")).toHaveText(["Current root", "Current root", "Current root"]);
  } finally {
    await trio.stop();
  }
});

test("over TCP with TLS: the three files loaded in the form connect, a CA that did not sign the engine is refused at its field, and the key is never shown again", async ({ page, admin }) => {
  test.setTimeout(180_000);
  const ca = makeCa("e2e-engine-ca");
  const stranger = makeCa("e2e-stranger-ca");
  const server = issue(ca, "e2e-engine", "server");
  const client = issue(ca, "e2e-rampart", "client");
  const port = await freePort();
  const engine = await startEngine("e2e-env-tls", { image: false, tls: { port, caPath: ca.certPath, certPath: server.certPath, keyPath: server.keyPath } });
  try {
    const init = engine.cli("swarm", "init", "--advertise-addr", `127.0.0.1:${await freePort()}`, "--listen-addr", `127.0.0.1:${await freePort()}`);
    expect(init.status, init.stderr).toBe(0);
    await signIn(page, admin);
    await openEnvironments(page);
    const form = page.getByRole("form", { name: "Connect a swarm" });
    await form.getByLabel("Name").fill("secure");
    await form.getByLabel("Docker host").fill(`tcp://127.0.0.1:${port}`);
    await form.getByTestId("tlsCa-file").setInputFiles(stranger.certPath);
    await form.getByTestId("tlsCert-file").setInputFiles(client.certPath);
    await form.getByTestId("tlsKey-file").setInputFiles(client.keyPath);
    await expect(form.getByLabel("CA certificate", { exact: true })).toHaveValue(stranger.cert);
    await form.getByRole("button", { name: "Connect swarm" }).click();
    // Rampart refused the engine's certificate: said at the CA, the field to fix.
    await expect(form.getByLabel("CA certificate", { exact: true })).toHaveAttribute("aria-invalid", "true");
    await expect(form.getByText(`Rampart refused the certificate of the engine at 127.0.0.1:${port}`)).toBeVisible();

    await form.getByTestId("tlsCa-file").setInputFiles(ca.certPath);
    await form.getByRole("button", { name: "Connect swarm" }).click();
    await expect(page.getByTestId("connected-notice")).toContainText(`tcp://127.0.0.1:${port}`);
    await expect(page.getByTestId("env-row-secure").getByTestId("env-security")).toHaveText("TLS");
    await expect(page.getByTestId("env-row-secure").getByTestId("env-state")).toHaveText("Connected");
    // The form forgot the key, and no page shows it: not this one, not the swarm's own.
    await expect(form.getByLabel("Client key", { exact: true })).toHaveValue("");
    const keyBody = client.key.split("\n")[1]!;
    expect(await page.content()).not.toContain(keyBody);
    await page.getByRole("link", { name: "Open secure" }).click();
    await expect(page.getByTestId("env-connection")).toHaveAttribute("data-state", "connected");
    await expect(page.getByTestId("env-insecure")).toHaveCount(0);
    expect(await page.content()).not.toContain(keyBody);
  } finally {
    await engine.stop();
    for (const dir of [ca.dir, stranger.dir]) rmSync(dir, { recursive: true, force: true });
  }
});

test.describe("a viewer", () => {
  test.use({ viewers: [VIEWER] });

  test("sees the connected swarms read-only and its pages, and a connect from its session is refused by the server, at the form", async ({ page, admin, trpc }) => {
    test.setTimeout(120_000);
    await signIn(page, admin);
    await connect(trpc, ENV, swarm.leader.host);
    await page.getByRole("button", { name: "Sign out" }).click();
    await expect(page).toHaveURL(/\/login/);
    await signIn(page, VIEWER);

    await openEnvironments(page);
    const row = page.getByTestId(`env-row-${ENV}`);
    await expect(row.getByTestId("env-state")).toHaveText("Connected");
    await expect(row.getByRole("button", { name: `Remove ${ENV}` })).toHaveCount(0);
    await expect(page.getByRole("form", { name: "Connect a swarm" })).toHaveCount(0);
    await expect(page.getByTestId("env-read-only")).toBeVisible();

    // A viewer reads the swarm's pages like the native cluster's.
    await page.getByRole("link", { name: ENV, exact: true }).click();
    await expect(page).toHaveURL(new RegExp(`/env/${ENV}$`));
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Nodes" }).click();
    await expect(page.getByTestId(`node-row-${HOSTS[0]}`)).toBeVisible();

    // The page offers the form to administrators only. A page that believed otherwise (a role
    // changed while it was open) still gets nowhere: the server refuses, and the form says so.
    await page.route(/\/api\/trpc\/[^?]*auth\.me/, async (route) => {
      const response = await route.fetch();
      const paths = new URL(route.request().url()).pathname.replace("/api/trpc/", "").split(",");
      const body = (await response.json()) as Array<{ result?: { data: { json: { user: { role: string } } } } }>;
      const me = body[paths.indexOf("auth.me")]?.result;
      if (me) me.data.json.user.role = "admin";
      await route.fulfill({ response, json: body });
    });
    await page.goto("/settings/environments");
    const form = page.getByRole("form", { name: "Connect a swarm" });
    await form.getByLabel("Name").fill("mine");
    await form.getByLabel("Docker host").fill(swarm.leader.host);
    await form.getByRole("button", { name: "Connect swarm" }).click();
    await expect(form.getByTestId("connect-error")).toHaveText("this needs the environments:admin permission");
    await page.unroute(/\/api\/trpc\/[^?]*auth\.me/);
    await page.reload();
    await expect(page.getByTestId("env-row-mine")).toHaveCount(0);
  });
});
