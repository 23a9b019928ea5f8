import type { Locator, Page } from "@playwright/test";
import { expect, test } from "./playwright-utils.js";
import { signIn } from "./support/admin.js";
import { createService, openServiceForm } from "./support/services.js";

/** The library's own words, which must never reach a person. */
const RAW = /Invalid input|expected|received|NaN|Too (big|small)/;

/** The error shown under a field: its `aria-describedby` names it. */
async function errorOf(page: Page, field: Locator): Promise<Locator> {
  const ids = (await field.getAttribute("aria-describedby")) ?? "";
  const id = ids.split(" ").find((i) => i.endsWith("-error"));
  expect(id, "the field names its error").toBeTruthy();
  return page.locator(`[id="${id}"]`);
}

test("numbers typed wrong get a sentence naming the field and the rule, never the validator's words", async ({ page, admin, trpc }) => {
  await signIn(page, admin);

  // The scale form on a service's page.
  const service = await createService(trpc, { name: "forms-scale", image: "nginx:1.27", replicas: 0 });
  await page.goto(`/services/${service.id}`);
  const scale = page.getByLabel("Scale to");
  const scaleButton = page.getByRole("button", { name: "Scale", exact: true });
  for (const typed of ["", "100001", "-3", "2.5"]) {
    await scale.fill(typed);
    await scaleButton.click();
    const error = await errorOf(page, scale);
    await expect(error).toHaveText("Replicas must be a whole number from 0 to 100,000");
    await expect(error).not.toHaveText(RAW);
  }
  // A letter: the browser keeps the number box's text but reads no number from it.
  await scale.fill("");
  await scale.pressSequentially("e");
  await scaleButton.click();
  await expect(await errorOf(page, scale)).toHaveText("Replicas must be a whole number from 0 to 100,000");

  // The API token form's expiry.
  await page.goto("/settings/api-tokens");
  await page.getByRole("button", { name: "Create token" }).first().click();
  await page.getByLabel("Name").fill("forms");
  const expiry = page.getByLabel("Expires in (days)");
  const create = page.getByRole("button", { name: "Create token" }).last();
  for (const typed of ["", "0", "366"]) {
    await expiry.fill(typed);
    await create.click();
    const error = await errorOf(page, expiry);
    await expect(error).toHaveText("Expiry must be a whole number of days from 1 to 365");
  }
  await expiry.fill("");
  await expiry.pressSequentially("e");
  await create.click();
  await expect(await errorOf(page, expiry)).toHaveText("Expiry must be a whole number of days from 1 to 365");
  await expect(page.getByText(RAW)).toHaveCount(0);
});

test("a service with no name is refused in Swarm's words, with what they mean beside them", async ({ page, admin }) => {
  await signIn(page, admin);
  await openServiceForm(page);
  await page.getByLabel("Image", { exact: true }).fill("nginx:1.27");
  await page.getByRole("button", { name: "Create service" }).click();
  const name = page.getByLabel("Name", { exact: true });
  await expect(await errorOf(page, name)).toHaveText("A name is required (Swarm: meta: name must be provided)");
  await expect(name).toHaveAttribute("aria-invalid", "true");
});

test("limits are the server's: counters near the limit, and no typing past it", async ({ page, admin }) => {
  await signIn(page, admin);

  // A secret's name: Swarm's 64 characters.
  await page.goto("/secrets/new");
  const secretName = page.getByLabel("Name", { exact: true });
  await secretName.fill("a".repeat(40));
  await expect(page.getByText("40/64")).toHaveCount(0);
  await secretName.fill("a".repeat(58));
  await expect(page.getByText("58/64", { exact: true })).toBeVisible();
  await expect(page.getByText("58 of 64 characters", { exact: true })).toBeAttached();
  await secretName.pressSequentially("b".repeat(10));
  await expect(secretName).toHaveValue(`${"a".repeat(58)}${"b".repeat(6)}`);
  await expect(page.getByText("64/64", { exact: true })).toBeVisible();
  // A paste longer than the room left is cut by the browser, and the page says so.
  await secretName.fill("a".repeat(60));
  await secretName.evaluate((input: HTMLInputElement) => {
    const data = new DataTransfer();
    data.setData("text/plain", "pasted-text");
    input.dispatchEvent(new ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true }));
  });
  await expect(page.getByTestId("pasted-cut")).toHaveText("Pasted text was cut to 64 characters.");

  // A label key on a node's page: 128 characters.
  await page.goto("/nodes");
  await page.locator('[data-testid^="node-row-"]').first().getByRole("link").first().click();
  const editor = page.getByTestId("labels-editor");
  const key = editor.getByLabel("Key", { exact: true });
  await key.fill("k".repeat(120));
  await expect(editor.getByText("120/128", { exact: true })).toBeVisible();
  await key.pressSequentially("k".repeat(20));
  await expect(key).toHaveValue("k".repeat(128));
  await expect(editor.getByText("128/128", { exact: true })).toBeVisible();
  // An empty key is a sentence too.
  await key.fill("");
  await editor.getByRole("button", { name: "Add label" }).click();
  await expect(await errorOf(page, key)).toHaveText("Label key is required");
});
