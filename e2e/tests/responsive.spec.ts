import type { Locator, Page } from "@playwright/test";
import { expect, test } from "./playwright-utils.js";
import { createFirstAdministrator, signIn } from "./support/admin.js";
import { joinWorkers } from "./support/nodes.js";
import { type Agents } from "./support/agents.js";
import { type Trpc } from "./support/trpc.js";

/**
 * Every page fits every screen from a phone to a wide monitor: the document itself never
 * scrolls sideways, whatever the data; tables scroll inside their own box with the first
 * column held; the navigation folds into a Menu on a phone; and the Nodes page shows
 * labels as chips that wrap, engine labels marked as self-reported.
 */

const PHONE = { width: 390, height: 844 };
/** A phone, a tablet (the sidebar's first width), a small laptop, the planner's two-column width, desktops. */
const WIDTHS = [390, 768, 1024, 1280, 1920, 2560] as const;

// Data that is long where layouts break: hostnames, label keys and values without a
// space to wrap at, a name at Swarm's length limit, a long constraint and image.
const HOSTS = ["e2e-responsive-worker-with-a-long-hostname-1", "e2e-responsive-worker-with-a-long-hostname-2", "e2e-responsive-worker-3"];
const ENGINE_LABELS = { "com.example.datacentre.placement-zone": "eu-west-1a-rack-0042-row-17-position-09-a-long-engine-label-value" };
const LONG_KEY = "com.example.compliance.cardholder-data-environment-segment";
const LONG_VALUE = "segment-0001-of-the-cardholder-data-environment-with-no-spaces-at-all";
const NODE_LABELS = { pcidss: "yes", [LONG_KEY]: LONG_VALUE };
const SECRET = "e2e-responsive-secret-with-a-name-as-long-as-swarm-allows-0123456".slice(0, 64);
const SERVICE = "e2e-responsive-service-with-a-name-as-long-as-swarm-allows-01234".slice(0, 63);
const TOKEN = "e2e-responsive-api-token-with-a-name-as-long-as-the-limit-allows".slice(0, 64);

/** Why the document is wider than the window: the outermost elements that stick out and that no scroll box clips. */
async function pageOverflow(page: Page): Promise<{ scrollWidth: number; clientWidth: number; culprits: string[] }> {
  return page.evaluate(() => {
    const root = document.documentElement;
    const width = root.clientWidth;
    // Whether a scroll box clips `el`: one that is its containing block or holds it (an
    // absolutely placed element escapes the boxes between it and its containing block).
    const clipped = (el: Element): boolean => {
      let position = getComputedStyle(el).position;
      for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
        if (position === "fixed") return false;
        const style = getComputedStyle(a);
        if (position === "absolute" && style.position === "static") continue;
        if (style.overflowX !== "visible" && a.getBoundingClientRect().right <= width + 0.5) return true;
        position = style.position;
      }
      return false;
    };
    const culprits: string[] = [];
    for (const el of document.body.querySelectorAll("*")) {
      if (culprits.length >= 8) break;
      const right = el.getBoundingClientRect().right;
      if (right <= width + 0.5 || clipped(el)) continue;
      const parent = el.parentElement;
      if (parent && parent !== document.body && parent.getBoundingClientRect().right > width + 0.5 && !clipped(parent)) continue;
      const name = `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ""}${el.getAttribute("data-testid") ? `[data-testid=${el.getAttribute("data-testid")}]` : ""}`;
      culprits.push(`${name} (right edge ${Math.round(right)} px) "${(el.textContent ?? "").trim().slice(0, 60)}" class="${el.getAttribute("class") ?? ""}"`);
    }
    return { scrollWidth: root.scrollWidth, clientWidth: width, culprits };
  });
}

/** The document does not scroll sideways: its width is the window's, scroll bar aside. */
async function expectNoSidewaysScroll(page: Page, where: string): Promise<void> {
  const { scrollWidth, clientWidth, culprits } = await pageOverflow(page);
  const innerWidth = await page.evaluate(() => window.innerWidth);
  // Soft: one run lists every page that does not fit, not only the first.
  expect.soft(scrollWidth, `${where}: the page scrolls sideways (${scrollWidth} > ${clientWidth} px), because of:\n${culprits.join("\n")}`).toBeLessThanOrEqual(clientWidth);
  expect.soft(scrollWidth, `${where}: wider than the window`).toBeLessThanOrEqual(innerWidth);
}

/**
 * A table scrolls inside its own box, not the page, with its first column sticky: after
 * scrolling the box to its end, the first column is still at the box's left edge, on
 * top, and painted on an opaque background.
 */
async function expectTableScrollsInItsBox(table: Locator, name: string): Promise<string> {
  await expect(table).toBeVisible();
  const found = await table.evaluate((t) => {
    const box = t.parentElement!;
    const cell = t.querySelector<HTMLElement>("tbody > tr:not([aria-hidden]) > :first-child")!;
    const head = t.querySelector<HTMLElement>("thead > tr > :first-child")!;
    // In the window, for elementFromPoint below; then from the box's start.
    cell.scrollIntoView({ block: "center", inline: "nearest" });
    box.scrollLeft = 0;
    const boxLeft = box.getBoundingClientRect().left + box.clientLeft;
    const before = cell.getBoundingClientRect().left;
    box.scrollLeft = box.scrollWidth;
    const scrolledBy = box.scrollLeft;
    const rect = cell.getBoundingClientRect();
    const atPoint = document.elementFromPoint(rect.left + 4, rect.top + rect.height / 2);
    const result = {
      position: getComputedStyle(cell).position,
      headPosition: getComputedStyle(head).position,
      overflowX: getComputedStyle(box).overflowX,
      scrolls: box.scrollWidth > box.clientWidth,
      scrolledBy,
      heldBefore: Math.abs(before - boxLeft) < 1,
      heldAfter: Math.abs(rect.left - boxLeft) < 1,
      onTop: atPoint !== null && cell.contains(atPoint),
      underlay: getComputedStyle(cell, "::before").backgroundColor,
    };
    box.scrollLeft = 0;
    return result;
  });
  expect(found.position, `${name}: first column`).toBe("sticky");
  expect(found.headPosition, `${name}: first heading`).toBe("sticky");
  expect(found.overflowX, `${name}: its box`).toBe("auto");
  expect(found.scrolls, `${name}: the table is wider than its box`).toBe(true);
  expect(found.scrolledBy, `${name}: the box scrolls`).toBeGreaterThan(0);
  expect(found.heldBefore && found.heldAfter, `${name}: the first column stays at the box's left edge`).toBe(true);
  expect(found.onTop, `${name}: the first column is on top of the cells scrolled under it`).toBe(true);
  // An opaque colour: no rgba(), no "/ alpha", not transparent; nothing shows through.
  expect(found.underlay, `${name}: the first column's background`).not.toMatch(/rgba|\/|transparent/);
  return found.underlay;
}

interface Seeded {
  nodeId: string;
  serviceId: string;
  secretId: string;
}

/**
 * Three agents with a long engine label, two of them with long node labels, a secret, a
 * service with a long constraint that uses it, and an API token (sign in first).
 */
async function seed(trpc: Trpc, agents: Agents): Promise<Seeded> {
  await joinWorkers(trpc, agents, HOSTS, ENGINE_LABELS);
  for (const hostname of HOSTS.slice(0, 2)) await trpc.mutation("node.update", { ref: hostname, labelAdd: NODE_LABELS });
  const secret = await trpc.mutation<{ id: string }>("secret.create", { name: SECRET, data: Buffer.from("layout").toString("base64"), labels: { [LONG_KEY]: LONG_VALUE } });
  const service = await trpc.mutation<{ id: string }>("service.create", {
    name: SERVICE,
    image: "registry.example.com/platform/payments/card-tokeniser-with-a-long-image-name:2024.11.3",
    replicas: 2,
    constraints: [`node.labels.${LONG_KEY} == ${LONG_VALUE}`, "node.labels.pcidss == yes"],
    secrets: [{ secretId: secret.id, secretName: SECRET, target: "cardholder-data-environment/tokeniser/credentials.json" }],
  });
  await trpc.mutation("apiToken.create", { name: TOKEN });
  const node = await trpc.query<{ id: string }>("node.get", { ref: HOSTS[0] });
  return { nodeId: node.id, serviceId: service.id, secretId: secret.id };
}

/** Each console page, with what shows that its content (not a loading state) is on screen. */
function consolePages(ids: Seeded): Array<{ path: string; ready: (page: Page) => Locator }> {
  const heading = (name: string) => (page: Page) => page.getByRole("heading", { level: 1, name, exact: true });
  return [
    { path: "/", ready: heading("Overview") },
    { path: "/nodes", ready: (page) => page.getByTestId(`node-row-${HOSTS[0]}`) },
    { path: `/nodes/${ids.nodeId}`, ready: (page) => page.getByTestId("labels-editor") },
    { path: "/services", ready: (page) => page.getByTestId(`service-row-${SERVICE}`) },
    { path: `/services/${ids.serviceId}`, ready: (page) => page.getByTestId("tasks-table") },
    { path: "/services/new", ready: heading("Create a service") },
    { path: `/services/${ids.serviceId}/edit`, ready: heading(`Edit ${SERVICE}`) },
    { path: `/planner?service=${ids.serviceId}`, ready: (page) => page.getByTestId("whynot-matrix") },
    { path: "/planner", ready: heading("Placement planner") },
    { path: "/secrets", ready: (page) => page.getByTestId(`secret-row-${SECRET}`) },
    { path: `/secrets/${ids.secretId}`, ready: (page) => page.getByTestId("secret-services-table") },
    { path: "/secrets/new", ready: heading("Create a secret") },
    { path: "/join", ready: heading("Join a node") },
    { path: "/pki", ready: (page) => page.getByTestId(`pki-node-row-${HOSTS[0]}`) },
    { path: "/audit", ready: (page) => page.getByTestId("audit-table") },
    { path: "/settings/api-tokens", ready: (page) => page.getByTestId("api-tokens-table") },
    { path: "/settings/swarm", ready: heading("Swarm settings") },
    { path: "/settings/environments", ready: (page) => page.getByRole("form", { name: "Connect a swarm" }) },
  ];
}

test("every console page fits every width from 390 to 2560 px with long data, and its tables scroll in their own box", async ({ page, admin, trpc, agents }) => {
  test.setTimeout(300_000);
  await signIn(page, admin);
  const ids = await seed(trpc, agents);
  const pages = consolePages(ids);

  // Each page is loaded once and laid out at every width in turn: the layout follows the
  // viewport as it would on a fresh load, and 18 loads cost far less than 108.
  for (const { path, ready } of pages) {
    await page.setViewportSize({ width: WIDTHS[0], height: PHONE.height });
    await page.goto(path);
    await expect(ready(page).first()).toBeVisible();
    await expect(page.locator('[aria-busy="true"]')).toHaveCount(0);
    for (const width of WIDTHS) {
      await page.setViewportSize({ width, height: width === 390 ? PHONE.height : 900 });
      // Two frames: what React lays out from media queries (the navigation) has rendered.
      await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));
      await expect(ready(page).first()).toBeVisible();
      await expectNoSidewaysScroll(page, `${path} at ${width} px`);
    }
  }

  // On a phone, every table is wider than the screen: it scrolls in its box, its first column held.
  await page.setViewportSize(PHONE);
  const tables: Array<{ path: string; testId: string }> = [
    { path: "/nodes", testId: "nodes-table" },
    { path: "/services", testId: "services-table" },
    { path: `/services/${ids.serviceId}`, testId: "tasks-table" },
    { path: "/secrets", testId: "secrets-table" },
    { path: `/secrets/${ids.secretId}`, testId: "secret-services-table" },
    { path: "/audit", testId: "audit-table" },
    { path: "/pki", testId: "pki-nodes-table" },
    { path: "/settings/api-tokens", testId: "api-tokens-table" },
    { path: `/planner?service=${ids.serviceId}`, testId: "whynot-matrix" },
  ];
  for (const { path, testId } of tables) {
    await page.goto(path);
    const table = page.getByTestId(testId);
    await expect(table.locator("tbody > tr:not([aria-hidden])").first()).toBeVisible();
    await expectTableScrollsInItsBox(table, `${testId} on ${path}`);
    await expectNoSidewaysScroll(page, `${path} after scrolling ${testId}`);
  }

  // The planner at 1280 px: the results beside the spec, and still in view once the spec
  // has been scrolled to a field far down; on a phone, stacked below it.
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto(`/planner?service=${ids.serviceId}`);
  const spec = page.locator("section", { has: page.getByRole("heading", { name: "Service spec" }) });
  const results = page.getByRole("region", { name: "Plan results" });
  await expect(results.getByTestId("placement-preview")).toBeVisible();
  const [specBox, resultsBox] = [(await spec.boundingBox())!, (await results.boundingBox())!];
  expect(resultsBox.x).toBeGreaterThanOrEqual(specBox.x + specBox.width);
  expect(resultsBox.y).toBeLessThan(specBox.y + 100);
  await page.getByLabel("Find a node").scrollIntoViewIfNeeded();
  expect(await page.evaluate(() => window.scrollY)).toBeGreaterThan(500);
  await expect(results.getByTestId("placement-preview")).toBeInViewport();
  await page.setViewportSize(PHONE);
  await expect.poll(async () => (await results.boundingBox())!.y).toBeGreaterThan((await spec.boundingBox())!.y + (await spec.boundingBox())!.height);

  // In dark mode the held column is painted in the dark colour, still opaque.
  await page.goto("/services");
  const light = await expectTableScrollsInItsBox(page.getByTestId("services-table"), "services-table, light");
  await page.emulateMedia({ colorScheme: "dark" });
  await expect(page.locator("html")).toHaveClass(/\bdark\b/);
  const dark = await expectTableScrollsInItsBox(page.getByTestId("services-table"), "services-table, dark");
  expect(dark).not.toBe(light);
});

test("the Nodes page shows node labels and self-reported engine labels as chips that wrap", async ({ page, admin, trpc, agents }) => {
  test.setTimeout(180_000);
  await signIn(page, admin);
  await seed(trpc, agents);

  for (const width of [390, 1280, 1920]) {
    await page.setViewportSize({ width, height: 900 });
    await page.goto("/nodes");
    const row = page.getByTestId(`node-row-${HOSTS[0]}`);
    const chips = row.getByTestId("label-chip");
    await expect(chips).toHaveCount(3);
    const own = row.locator('[data-testid="label-chip"][data-kind="node"]');
    await expect(own).toHaveText([`${LONG_KEY}=${LONG_VALUE}`, "pcidss=yes"]);
    const engine = row.locator('[data-testid="label-chip"][data-kind="engine"]');
    await expect(engine).toHaveCount(1);
    await expect(engine).toContainText(`engine label, self-reported:${Object.keys(ENGINE_LABELS)[0]}=`);
    await expect(engine).toHaveAttribute("title", /self-reported/);
    expect(await engine.evaluate((el) => getComputedStyle(el).borderStyle)).toBe("dashed");
    expect(await own.first().evaluate((el) => getComputedStyle(el).borderStyle)).not.toBe("dashed");

    // Nothing clipped: each chip shows all its text, inside its cell; the long ones wrap onto more lines.
    const fit = await chips.evaluateAll((els) =>
      els.map((el) => {
        const cell = el.closest("td")!.getBoundingClientRect();
        const r = el.getBoundingClientRect();
        return { whole: el.scrollWidth <= el.clientWidth + 1, inside: r.left >= cell.left - 0.5 && r.right <= cell.right + 0.5 };
      }),
    );
    for (const chip of fit) expect(chip, `chips at ${width} px`).toMatchObject({ whole: true, inside: true });
    // The third node has engine labels only.
    const third = page.getByTestId(`node-row-${HOSTS[2]}`);
    await expect(third.locator('[data-testid="label-chip"][data-kind="node"]')).toHaveCount(0);
    await expect(third.locator('[data-testid="label-chip"][data-kind="engine"]')).toHaveCount(1);
    await expectNoSidewaysScroll(page, `/nodes at ${width} px`);
  }
});

test("on a phone the navigation is behind a Menu button that opens, closes and navigates; on a wide screen it is always shown", async ({ page, admin }) => {
  await page.setViewportSize(PHONE);
  await signIn(page, admin);
  const menu = page.getByRole("button", { name: "Menu" });
  const nav = page.getByRole("navigation", { name: "Main" });
  await expect(menu).toBeVisible();
  await expect(menu).toHaveAttribute("aria-expanded", "false");
  await expect(nav).toBeHidden();
  const panel = page.locator(`#${await menu.getAttribute("aria-controls")}`);

  // Opens with focus on the current page's link; Escape closes and gives focus back.
  await menu.click();
  await expect(menu).toHaveAttribute("aria-expanded", "true");
  await expect(panel).toBeVisible();
  await expect(nav.getByRole("link", { name: "Overview" })).toBeFocused();
  await expect(nav.getByRole("link")).toHaveText(["Overview", "Nodes", "Services", "Secrets", "Planner", "Join", "PKI", "Swarm settings", "Audit", "API tokens", "Environments"]);
  await expectNoSidewaysScroll(page, "the open menu");
  await page.keyboard.press("Escape");
  await expect(menu).toHaveAttribute("aria-expanded", "false");
  await expect(panel).toBeHidden();
  await expect(menu).toBeFocused();

  // The keyboard alone: Enter opens, Tab moves through the links, Enter follows one.
  await page.keyboard.press("Enter");
  await expect(nav.getByRole("link", { name: "Overview" })).toBeFocused();
  await page.keyboard.press("Tab");
  await expect(nav.getByRole("link", { name: "Nodes" })).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\/nodes$/);
  await expect(page.getByRole("heading", { level: 1, name: "Nodes" })).toBeVisible();
  await expect(menu).toHaveAttribute("aria-expanded", "false");
  await expect(panel).toBeHidden();

  // A click outside closes it.
  await menu.click();
  await expect(panel).toBeVisible();
  expect((await panel.boundingBox())!.y + (await panel.boundingBox())!.height).toBeLessThan(PHONE.height - 40);
  await page.mouse.click(PHONE.width / 2, PHONE.height - 20);
  await expect(panel).toBeHidden();
  await expect(menu).toHaveAttribute("aria-expanded", "false");

  // A link closes it and lands on its page, marked as current.
  await menu.click();
  await nav.getByRole("link", { name: "Secrets" }).click();
  await expect(page).toHaveURL(/\/secrets$/);
  await expect(page.getByRole("heading", { level: 1, name: "Secrets" })).toBeVisible();
  await expect(panel).toBeHidden();
  await menu.click();
  await expect(nav.getByRole("link", { name: "Secrets" })).toHaveAttribute("aria-current", "page");
  await expect(panel.getByTestId("current-user")).toHaveText(admin.username);
  await page.keyboard.press("Escape");

  // On a wide screen there is no Menu: the navigation is always there.
  await page.setViewportSize({ width: 1280, height: 900 });
  await expect(menu).toBeHidden();
  await expect(nav).toBeVisible();
  await nav.getByRole("link", { name: "Audit" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Audit log" })).toBeVisible();
});

test("setup and sign-in fit every width from 390 to 2560 px", async ({ page, server }) => {
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: 844 });
    await page.goto("/setup");
    await expect(page.getByRole("heading", { name: "Set up Rampart" })).toBeVisible();
    await expectNoSidewaysScroll(page, `/setup at ${width} px`);
  }
  await createFirstAdministrator(server);
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: 844 });
    await page.goto("/login");
    await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
    await expectNoSidewaysScroll(page, `/login at ${width} px`);
  }
});
