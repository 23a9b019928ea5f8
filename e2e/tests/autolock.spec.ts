import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, test } from "./playwright-utils.js";
import { signIn } from "./support/admin.js";
import { collectOutput, exitOf, spawnCli, stopProcess, timeout } from "./support/process.js";

const KEY = /^SWMKEY-1-[A-Za-z0-9+/]{43}$/;
const WRONG_KEY = "SWMKEY-1-7c37Cc8654o6p38HnroywCi19pllOnGtbdZEgtKxZu8";

/**
 * Autolock through the browser (ADR 0022): turned on from the swarm settings with a
 * confirmation, the key shown once and revealed again on request; after a restart the
 * server shows nothing but its unlock form, a wrong key gets Swarm's words under the
 * field, and the right one opens the console, served by the same process.
 */
test("autolock: turned on in Settings, a locked restart shows only the unlock form, and the right key brings the console back", async ({ page, server, admin }) => {
  test.setTimeout(150_000);
  await signIn(page, admin);
  await page.goto("/settings/swarm");
  const card = page.getByTestId("autolock-card");
  await expect(card).toContainText("whoever copies both opens them all");

  await page.getByRole("button", { name: "Turn autolock on" }).click();
  const dialog = page.getByRole("dialog", { name: "Turn autolock on?" });
  await expect(dialog).toContainText("The key is shown once, next.");
  await dialog.getByRole("button", { name: "Turn autolock on" }).click();
  await expect(dialog).toBeHidden();
  const key = (await page.getByTestId("unlock-key").textContent())!.trim();
  expect(key).toMatch(KEY);
  await expect(page.getByTestId("unlock-key-shown")).toContainText("Autolock is on. Here is the unlock key");
  await expect(page.getByText("On", { exact: true })).toBeVisible();
  // The files follow: no key-encryption key beside the store, the node key encrypted.
  expect(existsSync(join(server.dataDir, "kek"))).toBe(false);
  expect(readFileSync(join(server.dataDir, "certificates", "swarm-node.key"), "utf8")).toContain("BEGIN ENCRYPTED PRIVATE KEY");

  // Hidden, then revealed again with a confirmation (audited), by keyboard.
  await page.getByRole("button", { name: "Hide" }).click();
  await expect(page.getByTestId("unlock-key")).toBeHidden();
  await page.getByRole("button", { name: "Reveal unlock key" }).focus();
  await page.keyboard.press("Enter");
  const reveal = page.getByRole("dialog", { name: "Reveal the unlock key?" });
  await expect(reveal).toContainText("recorded in the audit log");
  await reveal.getByRole("button", { name: "Reveal" }).click();
  await expect(page.getByTestId("unlock-key")).toHaveText(key);

  // Restarted on the same data directory: locked.
  await server.stop();
  const child = spawnCli(["server", "--data-dir", server.dataDir, "--listen", "127.0.0.1:0", "--node-listen", "127.0.0.1:0"], {
    ...process.env,
    DATABASE_URL: "",
    RAMPART_LOG_LEVEL: "info",
    DOCKER_HOST: "unix:///nonexistent/rampart-e2e-no-engine.sock",
  });
  const output = collectOutput(child);
  try {
    const late = timeout(45_000, () => new Error(`the server did not come up locked:\n${output.text()}`));
    const [, url] = await Promise.race([
      output.waitFor(/Rampart is locked at (\S+): unlock it/),
      exitOf(child).then((status) => Promise.reject(new Error(`rampart server exited (${status}):\n${output.text()}`))),
      late.promise,
    ]);
    late.clear();
    expect(output.text()).toContain('Swarm is encrypted and needs to be unlocked before it can be used. Please use "rampart swarm unlock" to unlock it.');
    expect(output.text()).not.toContain(key);

    // Every page leads to the unlock form, and nothing else is on it: no console, no navigation.
    await page.goto(`${url}/secrets`);
    await expect(page).toHaveURL(`${url}/unlock`);
    await expect(page.getByRole("heading", { name: "Rampart is locked" })).toBeVisible();
    await expect(page.getByRole("navigation")).toHaveCount(0);
    // One field, the key's.
    await expect(page.getByRole("textbox")).toHaveCount(1);
    const field = page.getByLabel("Unlock key");
    await expect(field).toHaveAttribute("type", "password");
    await expect(field).toBeFocused();

    // The field's own message, inline (Next's route announcer is an alert too, and empty).
    const inline = page.locator("form p[role=alert]");
    await field.fill(WRONG_KEY);
    await page.keyboard.press("Enter");
    await expect(inline).toHaveText("swarm could not be unlocked: invalid key provided");
    await expect(field).toHaveAttribute("aria-invalid", "true");
    await field.fill("not a key");
    await page.getByRole("button", { name: "Unlock" }).click();
    await expect(inline).toHaveText("invalid key string");

    await field.fill(key);
    await page.getByRole("button", { name: "Unlock" }).click();
    // The same process finished starting: the console, still signed in.
    await expect(page.getByRole("heading", { name: "Overview" })).toBeVisible();
    await output.waitFor(/Rampart is ready at /);
    const health = await page.request.get(`${url}/healthz`);
    expect(health.status()).toBe(200);
    await page.goto(`${url}/unlock`);
    await expect(page.getByRole("heading", { name: "Rampart is not locked" })).toBeVisible();
  } finally {
    await stopProcess(child);
  }
});
