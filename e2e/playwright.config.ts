import { defineConfig, devices } from "@playwright/test";

/**
 * End-to-end tests drive Debian's Chromium against real `rampart server` and `rampart
 * agent` processes. Each test starts its own from the fixtures in tests/playwright-utils.ts,
 * which also set `baseURL`. Never `playwright install`.
 */
export default defineConfig({
  testDir: "./tests",
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: process.env.CI ? [["list"], ["json", { outputFile: "reports/results.json" }]] : "list",
  use: {
    // A trace records every action's snapshots as the test runs; CI's checkout is gone
    // afterwards, so there it only costs the browser time beside the other suites.
    trace: process.env.CI ? "off" : "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: {
      executablePath: process.env.PLAYWRIGHT_CHROMIUM_EXECUTABLE ?? "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-quic",
      ],
    },
  },
  projects: [{ name: "chromium", use: { ...devices["Desktop Chrome"], channel: undefined } }],
});
