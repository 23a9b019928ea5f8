import { expect, type Page } from "@playwright/test";
import { type RampartServer } from "./server.js";

export interface Credentials {
  username: string;
  password: string;
}

export const ADMIN: Credentials = { username: "admin", password: "correct horse battery staple" };

/** Creates the first administrator with the server's setup code, through the API as the setup page does. */
export async function createFirstAdministrator(server: RampartServer, credentials: Credentials = ADMIN): Promise<Credentials> {
  const response = await fetch(`${server.url}/api/trpc/auth.setup`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: server.url },
    body: JSON.stringify({ json: { code: server.setupCode, ...credentials } }),
  });
  expect(response.status, await response.text()).toBe(200);
  return credentials;
}

/** Signs in through the login page and waits for the Overview. */
export async function signIn(page: Page, credentials: Credentials): Promise<void> {
  await page.goto("/login");
  await page.getByLabel("Username").fill(credentials.username);
  await page.getByLabel("Password").fill(credentials.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { name: "Overview" })).toBeVisible();
}
