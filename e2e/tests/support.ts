import { expect, type APIRequestContext, type Page } from "@playwright/test";

export const ADMIN = { username: "admin", password: "correct horse battery staple" };
export const CLI = new URL("../../apps/cli/dist/main.js", import.meta.url).pathname;

/** Creates the administrator through the API if no spec has done it yet. */
export async function ensureSetUp(request: APIRequestContext): Promise<void> {
  const status = await request.get("/api/trpc/auth.setupStatus");
  const body = (await status.json()) as { result: { data: { json: { setupNeeded: boolean } } } };
  if (!body.result.data.json.setupNeeded) return;
  const response = await request.post("/api/trpc/auth.setup", {
    headers: { "content-type": "application/json", origin: process.env.RAMPART_E2E_URL! },
    data: { json: { code: process.env.RAMPART_E2E_SETUP_CODE, ...ADMIN } },
  });
  expect(response.status()).toBe(200);
}

export async function signIn(page: Page): Promise<void> {
  await ensureSetUp(page.request);
  await page.goto("/login");
  await page.getByLabel("Username").fill(ADMIN.username);
  await page.getByLabel("Password").fill(ADMIN.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { name: "Overview" })).toBeVisible();
}
