import { rmSync } from "node:fs";
import { test as base } from "@playwright/test";
import { createFirstAdministrator, type Credentials } from "./support/admin.js";
import { agentPool, type Agents } from "./support/agents.js";
import { copyServerTemplate, createServerTemplate, startServer, type RampartServer } from "./support/server.js";
import { trpcClient, type Trpc } from "./support/trpc.js";
import { addViewer } from "./support/users.js";

/**
 * The fixtures every spec builds on. Each test gets its own `rampart server` (its own data
 * directory and ports; `baseURL` points at it), and whatever else it asks for: the first
 * administrator, tRPC calls as the page, agents. Each fixture stops the processes and
 * removes the directories it made, and only those, so a spec passes alone and in any order.
 */
interface TestFixtures {
  /** What the server's environment adds to the worker's; `test.use({ serverEnv })` sets it for a spec. */
  serverEnv: NodeJS.ProcessEnv;
  /** Users with the viewer role, written to the store before the server starts; `test.use({ viewers })` sets them. */
  viewers: Credentials[];
  /** This test's server, stopped and removed after it. */
  server: RampartServer;
  /** The first administrator, created with the server's setup code (not signed in). */
  admin: Credentials;
  /** tRPC as the page: its cookies, so sign the page in first for anything but public calls. */
  trpc: Trpc;
  /** `rampart agent join` processes, stopped and removed after the test. */
  agents: Agents;
}

interface WorkerFixtures {
  /** An initialised data directory that each server starts from a copy of. */
  serverTemplate: string;
}

// A start takes 3-6 s on an idle machine, the template's first one 8-11 s (initdb). The
// limits leave room for a busy machine, and stay under the fixtures' own timeouts so that
// a server that does not start is stopped rather than abandoned.
const TEMPLATE_START_MS = 90_000;
const SERVER_START_MS = 45_000;

export const test = base.extend<TestFixtures, WorkerFixtures>({
  serverTemplate: [
    // eslint-disable-next-line no-empty-pattern -- Playwright reads a fixture's dependencies from this pattern; it has none.
    async ({}, use) => {
      const dir = await createServerTemplate(TEMPLATE_START_MS);
      await use(dir);
      rmSync(dir, { recursive: true, force: true });
    },
    { scope: "worker", timeout: 120_000 },
  ],
  // The server's own node has no engine unless a spec gives it one, whatever this machine
  // runs, so every spec sees the same cluster (ADR 0019).
  serverEnv: [{ DOCKER_HOST: "unix:///nonexistent/rampart-e2e-no-engine.sock" }, { option: true }],
  viewers: [[], { option: true }],
  server: [
    async ({ serverTemplate, serverEnv, viewers }, use, testInfo) => {
      const dataDir = copyServerTemplate(serverTemplate);
      const server = await (async () => {
        for (const viewer of viewers) await addViewer(dataDir, viewer);
        return startServer(dataDir, SERVER_START_MS, serverEnv);
      })().catch((error: unknown) => {
        rmSync(dataDir, { recursive: true, force: true });
        throw error;
      });
      await use(server);
      await server.stop();
      if (testInfo.status !== testInfo.expectedStatus) await testInfo.attach("rampart server", { body: server.output.text() });
      rmSync(dataDir, { recursive: true, force: true });
    },
    { timeout: 60_000 },
  ],
  baseURL: async ({ server }, use) => {
    await use(server.url);
  },
  admin: async ({ server }, use) => {
    await use(await createFirstAdministrator(server));
  },
  trpc: async ({ page, server }, use) => {
    await use(trpcClient(page.request, server.url));
  },
  // It names the server so that the agents are stopped before their manager.
  agents: async ({ server: _manager }, use, testInfo) => {
    const pool = agentPool();
    await use(pool);
    if (testInfo.status !== testInfo.expectedStatus) {
      for (const agent of pool.all) await testInfo.attach(`agent ${agent.hostname}`, { body: agent.output });
    }
    await pool.stopAll();
  },
});

export { expect } from "@playwright/test";
