import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

/**
 * One vitest setup for every package. PGlite's first open is slow, hence the long
 * timeouts. Under CI a JSON report is written too, for .ci/run's pass/fail count.
 *
 * Vitest's default is one worker fewer than the cores, which is one on a two-core
 * machine: a package's integration files then run one after another, although most of
 * their time is spent waiting on engines, agents and timers. At least two run at once.
 */
export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    maxWorkers: Math.max(2, availableParallelism() - 1),
    reporters: process.env.CI ? ["default", ["json", { outputFile: "test-results/vitest.json" }]] : ["default"],
  },
});
