/**
 * docker.rotate.secret.20: Rampart's guided rotation of a secret that 20 services use (one
 * replica each, busybox `sleep`) on a real Docker Swarm of two engines, from the call
 * until every container reads the new value at /run/secrets/key; then, in the same run
 * and on the same services, the same rotation by hand with the docker CLI (`docker
 * secret create`, then `docker service update --secret-rm OLD --secret-add
 * source=NEW,target=key,…` for each service in a shell loop, with `--detach` so that the
 * loop does not wait for each rollout: the quickest way by hand), until every container
 * reads its new value. Both figures are printed with their ratio (Rampart / by hand: at
 * most 1 means no slower than the docker CLI).
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Writable } from "node:stream";
import { promisify } from "node:util";
import { createLogger } from "../server/log.js";
import { TEST_IMAGE, type TestEngine } from "../test-support/engines.js";
import { startTestServer } from "../test-support/server.js";
import { startSwarm } from "../test-support/swarm.js";
import { waitFor } from "../test-support/wait.js";

const SERVICES = 20;
const LABEL = "rampart.bench=rotate";
const system = { type: "system" as const, id: null, name: "bench" };
const patiently = { timeoutMs: 600_000, intervalMs: 100 };
const run = promisify(execFile);

async function timed(work: () => Promise<void>): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

/**
 * Whether every running bench container reads `value` at /run/secrets/key, and there are
 * exactly SERVICES of them. A container seen reading it is not asked again (its file
 * cannot change); the others are asked together, with `docker exec`.
 */
async function allRead(engines: readonly TestEngine[], value: string, confirmed: Set<string>): Promise<boolean> {
  let running = 0;
  let ready = true;
  await Promise.all(
    engines.map(async (engine) => {
      const ids = (await engine.docker.listContainers({ filters: { label: [LABEL], status: ["running"] } })).map((c) => c.Id);
      running += ids.length;
      const reads = await Promise.all(
        ids
          .filter((id) => !confirmed.has(id))
          .map((id) =>
            run("docker", ["-H", engine.host, "exec", id, "cat", "/run/secrets/key"]).then(
              ({ stdout }) => [id, stdout] as const,
              () => [id, ""] as const,
            ),
          ),
      );
      for (const [id, read] of reads) {
        if (read === value) confirmed.add(id);
        else ready = false;
      }
    }),
  );
  return ready && running === SERVICES;
}

const swarm = await startSwarm(["rot-manager", "rot-worker"]);
const dir = mkdtempSync("/tmp/rampart-bench-rotate-");
const figures: Record<string, number> = {};
try {
  const discard = new Writable({ write: (_chunk, _encoding, done) => done() });
  const s = await startTestServer("pglite", { log: createLogger("info", discard) });
  try {
    const manager = s.server.runtime.manager;
    await manager.environments.add({ name: "bench", dockerHost: swarm.leader.host }, system, null);
    const env = await manager.environments.open("bench", system, null);
    const cli = (...args: string[]) => {
      const result = swarm.leader.cli(...args);
      if (result.status !== 0) throw new Error(`docker ${args.join(" ")}: ${result.stderr}`);
      return result.stdout.trim();
    };

    const values = ["first", "second", "third"].map((n) => `bench-${n}-${Date.now()}`);
    writeFileSync(join(dir, "v1"), values[0]!);
    cli("secret", "create", "bench_key", join(dir, "v1"));
    for (let i = 1; i <= SERVICES; i++) {
      cli(
        "service", "create", "--detach", "--no-resolve-image", "--name", `rot-${i}`, "--container-label", LABEL, "--stop-grace-period", "1s",
        "--secret", "source=bench_key,target=key,uid=1000,gid=1000,mode=0400", TEST_IMAGE, "sleep", "3600",
      );
    }
    await waitFor(() => allRead(swarm.engines, values[0]!, new Set()), `${SERVICES} containers to read the first value`, patiently);

    // ---- Rampart's guided rotation: bench_key -> bench_key_v2.
    figures["docker.rotate.secret.20"] = await timed(async () => {
      await manager.dockerRotations.rotate(env, { ref: "bench_key", data: new TextEncoder().encode(values[1]!) }, system, null);
      const confirmed = new Set<string>();
      await waitFor(() => allRead(swarm.engines, values[1]!, confirmed), `${SERVICES} containers to read Rampart's new value`, patiently);
    });
    await waitFor(async () => (await manager.dockerRotations.progress(env, "bench_key", "bench_key_v2")).docker.oldRemoved, "Rampart to remove the old version", patiently);

    // ---- By hand: bench_key_v2 -> bench_key_v3, a docker CLI loop.
    writeFileSync(join(dir, "v3"), values[2]!);
    const loop =
      `docker -H ${swarm.leader.host} secret create bench_key_v3 ${join(dir, "v3")} >/dev/null && ` +
      `for i in $(seq 1 ${SERVICES}); do docker -H ${swarm.leader.host} service update --detach --secret-rm bench_key_v2 ` +
      `--secret-add source=bench_key_v3,target=key,uid=1000,gid=1000,mode=0400 rot-$i >/dev/null || exit 1; done`;
    figures["docker.rotate.secret.20.by-hand"] = await timed(async () => {
      await run("sh", ["-c", loop]);
      const confirmed = new Set<string>();
      await waitFor(() => allRead(swarm.engines, values[2]!, confirmed), `${SERVICES} containers to read the value set by hand`, patiently);
    });
  } finally {
    await s.dispose();
  }
} finally {
  await swarm.stop();
  rmSync(dir, { recursive: true, force: true });
}

for (const [name, ms] of Object.entries(figures)) console.log(`${name}: ${ms.toFixed(0)} ms`);
const ours = figures["docker.rotate.secret.20"];
const theirs = figures["docker.rotate.secret.20.by-hand"];
if (ours !== undefined && theirs !== undefined) console.log(`docker.rotate.secret.20.ratio: ${(ours / theirs).toFixed(2)} x`);
