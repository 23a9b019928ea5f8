import { defineConfig } from "vitest/config";

/**
 * One vitest setup for every package. PGlite's first open is slow, hence the long
 * timeouts. Under CI a JSON report is written too, for .ci/run's pass/fail count.
 */
export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: process.env.CI ? ["default", ["json", { outputFile: "test-results/vitest.json" }]] : ["default"],
  },
});
