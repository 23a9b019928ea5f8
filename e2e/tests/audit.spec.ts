import { readFile } from "node:fs/promises";
import type { Download, Locator } from "@playwright/test";
import { expect, test } from "./playwright-utils.js";
import { signIn } from "./support/admin.js";

/**
 * The Audit page names what each event is about: a secret and a service created here
 * show their names beside their IDs, linked to their pages; a removed secret keeps the
 * name it had, marked removed and unlinked. The page's filters narrow the table, and
 * both exports save exactly the filtered events (all pages, as CSV and as JSON); each
 * export is itself in the log. The secret's own history names the service it was granted to.
 */
const SECRET = "e2e_audit_password";
const GONE = "e2e_audit_gone";
const SERVICE = "e2e-audit-web";

/** An RFC 4180 reader for the export: quoted cells, doubled quotes, CRLF line ends. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (quoted && c === '"' && text[i + 1] === '"') {
      cell += '"';
      i += 2;
      continue;
    }
    if (c === '"') quoted = !quoted;
    else if (quoted) cell += c;
    else if (c === ",") {
      row.push(cell);
      cell = "";
    } else if (c === "\r" && text[i + 1] === "\n") {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = "";
      i++;
    } else cell += c;
    i++;
  }
  expect(cell === "" && row.length === 0, "the file ends with CRLF").toBe(true);
  return rows;
}

async function saved(download: Download): Promise<string> {
  return readFile((await download.path())!, "utf8");
}

/** The table's rows whose Action cell is exactly `action`. */
function rowsOf(table: Locator, action: string): Locator {
  return table.getByRole("row").filter({ has: table.page().getByRole("cell", { name: action, exact: true }) });
}

/** The short ID shown beside a name, found by the full ID it carries. */
function idOf(scope: Locator, id: string): Locator {
  return scope.locator(`[data-testid="audit-id"][title="${id}"]`);
}

test("the Audit page names IDs with links, filters, exports what it shows as CSV and JSON, and the secret history names the service", async ({ page, admin, trpc }) => {
  await signIn(page, admin);
  const b64 = (s: string) => Buffer.from(s).toString("base64");
  const secret = await trpc.mutation<{ id: string }>("secret.create", { name: SECRET, data: b64("audit-e2e") });
  const service = await trpc.mutation<{ id: string }>("service.create", { name: SERVICE, image: "nginx:alpine", replicas: 1, secrets: [{ secretId: secret.id, secretName: SECRET }] });
  const gone = await trpc.mutation<{ id: string }>("secret.create", { name: GONE, data: b64("gone") });
  await trpc.mutation("secret.remove", { ref: gone.id });

  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Audit" }).click();
  await expect(page.getByRole("heading", { name: "Audit log" })).toBeVisible();
  const table = page.getByTestId("audit-table");

  // The grant names the secret (target) and the service (context), each beside its short ID, each linked.
  const grant = rowsOf(table, "secret.grant");
  await expect(grant).toHaveCount(1);
  await expect(grant.getByTestId("audit-target")).toHaveText(`secret ${SECRET}`);
  await expect(grant.getByTestId("audit-context")).toHaveText(`service ${SERVICE}`);
  await expect(idOf(grant, secret.id)).toHaveText(secret.id.slice(0, 12));
  await expect(idOf(grant, service.id)).toHaveText(service.id.slice(0, 12));
  await expect(grant.getByTestId("audit-actor")).toHaveText(admin.username);
  await expect(grant.getByRole("link", { name: SECRET })).toHaveAttribute("href", `/secrets/${secret.id}`);
  await grant.getByRole("link", { name: SERVICE }).click();
  await expect(page).toHaveURL(new RegExp(`/services/${service.id}$`));
  await expect(page.getByRole("heading", { name: SERVICE })).toBeVisible();
  await page.goBack();
  await grant.getByRole("link", { name: SECRET }).click();
  await expect(page).toHaveURL(new RegExp(`/secrets/${secret.id}$`));
  await page.goBack();

  // A removed secret keeps the name it had, marked removed, with no link to a page that is gone.
  const removed = rowsOf(table, "secret.remove");
  await expect(removed.getByTestId("audit-target")).toHaveText(`secret ${GONE}`);
  await expect(removed).toContainText("(removed)");
  await expect(idOf(removed, gone.id)).toHaveText(gone.id.slice(0, 12));
  await expect(removed.getByRole("link")).toHaveCount(0);

  // Filters narrow the table: the secret's events alone, then only its grant.
  await page.getByLabel("Search").fill(SECRET);
  await expect(page).toHaveURL(new RegExp(`search=${SECRET}`));
  await expect(rowsOf(table, "secret.remove")).toHaveCount(0);
  await expect(rowsOf(table, "secret.create")).toHaveCount(1);
  await page.getByLabel("Action").selectOption("secret.grant");
  await expect(table.locator("tbody > tr")).toHaveCount(1);

  // CSV: the filtered events only, IDs beside names, with a timestamped name.
  const [csvDownload] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Export CSV" }).click()]);
  expect(csvDownload.suggestedFilename()).toMatch(/^rampart-audit-\d{8}T\d{6}Z\.csv$/);
  const csv = parseCsv(await saved(csvDownload));
  const header = csv[0]!;
  expect(csv).toHaveLength(2);
  const row = Object.fromEntries(header.map((column, i) => [column, csv[1]![i]]));
  expect(row).toMatchObject({
    action: "secret.grant",
    actor_name: admin.username,
    target_type: "secret",
    target_id: secret.id,
    target_name: SECRET,
    target_name_now: SECRET,
    context_type: "service",
    context_id: service.id,
    context_name: SERVICE,
    context_name_now: SERVICE,
    outcome: "success",
  });
  await expect(page.getByRole("status").filter({ hasText: csvDownload.suggestedFilename() })).toContainText("1 event");

  // JSON: the same events, and the filters that made them.
  const [jsonDownload] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Export JSON" }).click()]);
  expect(jsonDownload.suggestedFilename()).toMatch(/^rampart-audit-\d{8}T\d{6}Z\.json$/);
  const doc = JSON.parse(await saved(jsonDownload)) as { filters: unknown; truncated: boolean; cap: number; events: Array<Record<string, unknown>> };
  expect(doc).toMatchObject({ filters: { action: "secret.grant", search: SECRET }, truncated: false, cap: 10_000 });
  expect(doc.events).toHaveLength(1);
  expect(doc.events[0]).toMatchObject({ action: "secret.grant", targetId: secret.id, targetNow: { exists: true, name: SECRET }, contextId: service.id, contextNow: { exists: true, name: SERVICE } });
  expect(JSON.stringify(doc)).not.toContain(b64("audit-e2e"));
  expect(JSON.stringify(doc)).not.toContain("audit-e2e");

  // Each export is on the record, with its filters and count.
  await page.goto("/audit?action=audit.export");
  await expect(table.locator("tbody > tr")).toHaveCount(2);
  await expect(table).toContainText(`1 row as CSV; action secret.grant, search "${SECRET}"`);
  await expect(table).toContainText(`1 row as JSON; action secret.grant, search "${SECRET}"`);

  // The secret's own history names the service it was granted to, linked, beside its ID.
  await page.goto(`/secrets/${secret.id}`);
  const history = page.getByTestId("secret-history");
  const granted = history.getByTestId("history-event").and(page.locator('[data-action="secret.grant"]'));
  await expect(granted.getByTestId("audit-context")).toHaveText(`service ${SERVICE}`);
  await expect(idOf(granted, service.id)).toHaveText(service.id.slice(0, 12));
  await expect(granted.getByTestId("audit-actor")).toHaveText(admin.username);
  await granted.getByRole("link", { name: SERVICE }).click();
  await expect(page).toHaveURL(new RegExp(`/services/${service.id}$`));
});
