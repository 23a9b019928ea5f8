import { type Page } from "@playwright/test";
import { expect, test } from "./playwright-utils.js";
import { ADMIN, signIn } from "./support/admin.js";

/**
 * The foundation's whole path through a real browser: setup with the printed code,
 * sign in, the Overview, API tokens, dark mode, sign out; and the refusals: a wrong
 * code, a wrong password, a second setup. Each test has a new server; all but the first
 * find its administrator already created.
 */
function watchCsp(page: Page): string[] {
  const violations: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error" && /Content Security Policy/i.test(message.text())) violations.push(message.text());
  });
  return violations;
}

test("a new install sends the visitor to setup, which needs the printed code", async ({ page, server }) => {
  const csp = watchCsp(page);
  await page.goto("/");
  await expect(page).toHaveURL(/\/setup$/);
  await expect(page.getByRole("heading", { name: "Set up Rampart" })).toBeVisible();

  await page.getByLabel("Setup code").fill("AAAA-BBBB-CCCC-DDDD");
  await page.getByLabel("Username").fill(ADMIN.username);
  await page.getByLabel("Password", { exact: true }).fill(ADMIN.password);
  await page.getByLabel("Confirm password").fill(ADMIN.password);
  await page.getByRole("button", { name: "Create administrator" }).click();
  await expect(page.getByText("the setup code is not correct")).toBeVisible();

  await page.getByLabel("Password", { exact: true }).fill("short");
  await page.getByLabel("Confirm password").fill("short");
  await page.getByRole("button", { name: "Create administrator" }).click();
  await expect(page.getByText("password must be at least 12 characters")).toBeVisible();

  await page.getByLabel("Setup code").fill(server.setupCode);
  await page.getByLabel("Password", { exact: true }).fill(ADMIN.password);
  await page.getByLabel("Confirm password").fill(ADMIN.password);
  await page.getByRole("button", { name: "Create administrator" }).click();
  // Setup signs the new administrator in: the Overview, not a sign-in form with an empty username.
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByTestId("current-user")).toHaveText(ADMIN.username);
  expect(csp).toEqual([]);
});

test("a second setup is refused, in the UI and by the API", async ({ page, server, admin: _admin }) => {
  await page.goto("/setup");
  await expect(page.getByRole("heading", { name: "Rampart is already set up" })).toBeVisible();
  const response = await page.request.post("/api/trpc/auth.setup", {
    headers: { "content-type": "application/json", origin: server.url },
    data: { json: { code: server.setupCode, username: "mallory", password: "another long password" } },
  });
  expect(response.status()).toBe(412);
  expect(await response.text()).toContain("setup has already been completed");
});

test("a wrong password shows an error and no session", async ({ page, context, admin }) => {
  await page.goto("/login");
  await page.getByLabel("Username").fill(admin.username);
  await page.getByLabel("Password").fill("not the password at all");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "username or password is not correct" })).toBeVisible();
  expect((await context.cookies()).find((c) => c.name === "__Host-rampart_session")).toBeUndefined();
});

test("sign in, see the Overview, and sign out", async ({ page, context, admin }) => {
  const csp = watchCsp(page);
  await signIn(page, admin);
  await page.getByTestId("server-panel").locator("summary").click();
  await expect(page.getByRole("heading", { name: "Cluster store" })).toBeVisible();
  await expect(page.getByText("PGlite (embedded PostgreSQL)")).toBeVisible();
  await expect(page.getByText("Healthy", { exact: true })).toBeVisible();
  await expect(page.getByTestId("current-user")).toHaveText(admin.username);

  const cookie = (await context.cookies()).find((c) => c.name === "__Host-rampart_session");
  expect(cookie).toMatchObject({ httpOnly: true, secure: true, sameSite: "Strict", path: "/" });

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login$/);
  await page.goto("/");
  await expect(page).toHaveURL(/\/login\?next=%2F$/);
  expect(csp).toEqual([]);
});

test("dark mode follows the system, and the toggle overrides it across reloads", async ({ browser, admin: _admin }) => {
  const context = await browser.newContext({ colorScheme: "dark" });
  const page = await context.newPage();
  await page.goto("/login");
  await expect(page.locator("html")).toHaveClass(/dark/);
  await page.getByRole("button", { name: /Theme: system/ }).click();
  await expect(page.locator("html")).not.toHaveClass(/dark/);
  await page.reload();
  await expect(page.locator("html")).not.toHaveClass(/dark/);
  await expect(page.getByRole("button", { name: /Theme: light/ })).toBeVisible();
  await context.close();
});

test("API tokens: create one, see it once, use it, revoke it", async ({ page, request, admin }) => {
  await signIn(page, admin);
  await page.getByRole("link", { name: "API tokens" }).click();
  await expect(page.getByText("No API tokens yet")).toBeVisible();
  await page.getByRole("button", { name: "Create token" }).first().click();
  await page.getByRole("button", { name: "Create token" }).last().click();
  await expect(page.getByText("token name is required")).toBeVisible();
  await page.getByLabel("Name").fill("e2e CLI");
  await page.getByRole("button", { name: "Create token" }).last().click();
  const token = (await page.getByTestId("new-token").textContent())!.trim();
  expect(token).toMatch(/^rmp1_/);
  await page.getByRole("button", { name: "Done" }).click();
  await expect(page.getByRole("cell", { name: "e2e CLI" })).toBeVisible();
  await expect(page.getByText(token)).toHaveCount(0);

  const viaToken = await request.get("/api/trpc/system.status", { headers: { authorization: `Bearer ${token}` } });
  expect(viaToken.status()).toBe(200);

  await page.getByRole("button", { name: "Revoke" }).click();
  await expect(page.getByRole("heading", { name: "Revoke this API token?" })).toBeVisible();
  await page.getByRole("button", { name: "Revoke token" }).click();
  await expect(page.getByText("Revoked", { exact: true })).toBeVisible();
  const revoked = await request.get("/api/trpc/system.status", { headers: { authorization: `Bearer ${token}` } });
  expect(revoked.status()).toBe(401);
});

test("API tokens: the form asks how long a token lasts (a year at most), and the list shows when each expires", async ({ page, request, admin }) => {
  await signIn(page, admin);
  await page.getByRole("link", { name: "API tokens" }).click();
  await page.getByRole("button", { name: "Create token" }).first().click();
  const expiry = page.getByLabel("Expires in (days)");
  await expect(expiry).toHaveValue("90");
  await page.getByLabel("Name").fill("too long");
  for (const [days, message] of [
    ["366", "Expiry must be a whole number of days from 1 to 365"],
    ["0", "Expiry must be a whole number of days from 1 to 365"],
    ["", "Expiry must be a whole number of days from 1 to 365"],
  ] as const) {
    await expiry.fill(days);
    await page.getByRole("button", { name: "Create token" }).last().click();
    await expect(page.getByText(message)).toBeVisible();
  }
  await page.getByLabel("Name").fill("one day");
  await expiry.fill("1");
  await page.getByRole("button", { name: "Create token" }).last().click();
  const token = (await page.getByTestId("new-token").textContent())!.trim();
  await page.getByRole("button", { name: "Done" }).click();

  const header = page.getByRole("columnheader", { name: "Expires" });
  await expect(header).toBeVisible();
  const row = page.getByRole("row", { name: /one day/ });
  await expect(row.getByRole("cell", { name: /^(tomorrow|in 24 hours)$/ })).toBeVisible();
  await expect(row.getByText("Active", { exact: true })).toBeVisible();

  // A token made with an API token is refused, and the page's list does not change.
  const minted = await request.post("/api/trpc/apiToken.create", {
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    data: { json: { name: "minted" } },
  });
  expect(minted.status()).toBe(403);
  expect(await minted.text()).toContain("an API token cannot create API tokens");

  // Three days on, as the browser sees it, the token is marked expired.
  await page.clock.setFixedTime(new Date(Date.now() + 3 * 24 * 60 * 60 * 1000));
  await page.reload();
  const later = page.getByRole("row", { name: /one day/ });
  await expect(later.getByRole("cell", { name: "expired 2 days ago" })).toBeVisible();
  await expect(later.getByText("Expired", { exact: true })).toBeVisible();
  await expect(page.getByRole("row", { name: /minted/ })).toHaveCount(0);
});
