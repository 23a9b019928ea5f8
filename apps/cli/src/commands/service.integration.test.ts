import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { decodeNodeList } from "@rampart/api/schema";
import { constraintWarnings } from "@rampart/core";
import { testStoreKinds } from "@rampart/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAdminClient, explainClientError, type AdminClient } from "../client/index.js";
import type { CliRun as Run } from "../test-support/cli.js";
import { startTestServer, type TestServer } from "../test-support/server.js";
import { ENTRIES } from "./index.js";
import { serviceUpdate } from "./service.js";

const MAIN = fileURLToPath(new URL("../../dist/main.js", import.meta.url));

/**
 * `rampart ARGS` with `--data-dir DIR` right after the command's words (a noun's verb
 * included): `service create` ends its flags at the image, as docker's does, so a flag
 * after it would be the container's.
 */
function runCliAt(dataDir: string, ...args: string[]): Promise<Run> {
  const words = ENTRIES.some((e) => e.name === args[0] && "commands" in e) ? 2 : 1;
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [MAIN, ...args.slice(0, words), "--data-dir", dataDir, ...args.slice(words)],
      { env: { ...process.env, DATABASE_URL: "", RAMPART_HOST: undefined, RAMPART_TOKEN: undefined } },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    ).stdin?.end();
  });
}

/**
 * `rampart service` and `rampart plan` as a user runs them: the built CLI in its own
 * process, over the admin socket of a real server in this one. The server's own node
 * is the swarm's only node and has no `zone` label, so a service pinned to a zone
 * cannot be placed, and says why.
 */
describe.each(testStoreKinds())("rampart service and plan against a server on %s", (kind) => {
  let s: TestServer;
  let client: AdminClient;
  let hostname: string;

  beforeAll(async () => {
    s = await startTestServer(kind);
    client = createAdminClient({ socketPath: s.server.socketPath });
    const nodes = decodeNodeList(await client.node.list.query());
    expect(nodes).toHaveLength(1);
    hostname = nodes[0]!.hostname;
  });
  afterAll(async () => {
    await s?.dispose();
  });

  const rampart = (...args: string[]) => runCliAt(s.dataDir, ...args);

  /** The scheduler runs after changes, debounced: wait for its verdict to show. */
  async function until(args: string[], done: (r: Run) => boolean): Promise<Run> {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const r = await rampart(...args);
      if (done(r) || Date.now() > deadline) return r;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  let id: string;

  it("ok/create with a constraint prints the new service's ID", async () => {
    const r = await rampart("service", "create", "--name", "web", "--replicas", "2", "--constraint", "node.labels.zone==eu", "--reserve-cpu", "0.25", "nginx:alpine");
    expect(r).toMatchObject({ code: 0, stderr: "" });
    id = r.stdout.trim();
    expect(id).toMatch(/^[0-9a-z]{25}$/);
  });

  it("fail/Swarm's constraint error, docker-style, exit 1", async () => {
    const r = await rampart("service", "create", "--name", "bad", "--constraint", "node.labels.zone", "nginx");
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe("Error: constraint expected one operator from ==, !=");
  });

  it("fail/a bad flag value is a usage error before any request", async () => {
    const r = await rampart("service", "create", "--name", "bad", "--reserve-memory", "12x", "nginx");
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`rampart: invalid argument "12x" for "--reserve-memory" flag: invalid suffix: 'x'`);
  });

  it("ok/ls shows it with nothing running", async () => {
    const r = await rampart("service", "ls");
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^ID +NAME +MODE +REPLICAS +IMAGE$/);
    expect(lines[1]).toMatch(new RegExp(`^${id.slice(0, 12)} +web +replicated +0/2 +nginx:alpine$`));
    expect((await rampart("service", "ls", "-q")).stdout).toBe(`${id.slice(0, 12)}\n`);
  });

  it("ok/ps shows the pending tasks and Swarm's reason", async () => {
    const r = await until(["service", "ps", "--no-trunc", "web"], (x) => (x.stdout.match(/no suitable node \(/g) ?? []).length === 2);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^ID +NAME +IMAGE +NODE +DESIRED STATE +CURRENT STATE +ERROR +CONTAINER$/);
    expect(lines.slice(1)).toEqual([
      expect.stringMatching(/^[0-9a-z]{25} +web\.1 +nginx:alpine +Running +Pending .* ago +"no suitable node \(.*1 node.*\)"$/),
      expect.stringMatching(/^[0-9a-z]{25} +web\.2 +nginx:alpine +Running +Pending .* ago +"no suitable node \(.*1 node.*\)"$/),
    ]);
    const short = await rampart("service", "ps", "web");
    expect(short.stdout).toContain('"no suitable node (');
    expect(short.stdout).toContain('…"');
  });

  it("ok/update reads the version and writes at it; inspect shows the result", async () => {
    const r = await rampart("service", "update", "--reserve-memory", "64m", "--constraint-add", "node.role==worker", "web");
    expect(r).toMatchObject({ code: 0, stdout: "web\n", stderr: "" });
    const inspected = await rampart("service", "inspect", "web");
    const [service] = JSON.parse(inspected.stdout) as [{ id: string; spec: { constraints: string[]; reservations: object } }];
    expect(service.id).toBe(id);
    expect(service.spec.constraints).toEqual(["node.labels.zone==eu", "node.role==worker"]);
    expect(service.spec.reservations).toEqual({ nanoCpus: 2.5e8, memoryBytes: 64 * 1024 ** 2 });
    const pretty = await rampart("service", "inspect", "--pretty", "web");
    expect(pretty.stdout).toContain(" Constraints:\t[node.labels.zone==eu node.role==worker]\n");
  });

  it("fail/update at a stale version is refused by the server, not overwritten", async () => {
    // A change lands between this update's read and its write.
    const racing = {
      service: {
        get: {
          async query(input: { ref: string }) {
            const read = await client.service.get.query(input);
            await client.service.scale.mutate({ ref: input.ref, replicas: 3 });
            return read;
          },
        },
        update: client.service.update,
      },
    } as unknown as AdminClient;
    const error = await serviceUpdate(racing, () => undefined, ["web"], { replicas: "5" }).catch((e: unknown) => e);
    expect(explainClientError(error, { socketPath: s.server.socketPath })).toMatch(/^service web changed since version \d+; reload and try again$/);
    const after = await client.service.get.query({ ref: "web" });
    expect(after.spec.replicas).toBe(3);
  });

  it("ok/scale prints docker's words; a global service is refused with docker's", async () => {
    const r = await rampart("service", "scale", "web=4");
    expect(r).toMatchObject({ code: 0, stdout: "web scaled to 4\n" });
    expect((await rampart("service", "create", "--name", "agent", "--mode", "global", "agent:1")).code).toBe(0);
    const refused = await rampart("service", "scale", "agent=2");
    expect(refused.code).toBe(1);
    expect(refused.stderr.trim()).toBe("Error: agent: scale can only be used with replicated or replicated-job mode");
    expect((await rampart("service", "ls")).stdout).toMatch(/ web +replicated +0\/4 +nginx:alpine\n/);
  });

  it("ok/plan shows why the node is not used, and what a label would change", async () => {
    const r = await rampart("plan", "web");
    expect(r).toMatchObject({ code: 0, stderr: "" });
    expect(r.stdout).toContain("Why (not), node by node:\n");
    // The server's own node has no engine in these tests (ADR 0019): the ready filter says so first.
    expect(r.stdout).toMatch(new RegExp(`^${hostname} +manager +Active +✗ node\\.labels\\.zone is nothing, not "eu" +✗ node\\.role is "manager", not "worker" +ready: no container runtime on this node: `, "m"));
    expect(r.stdout).toMatch(/Pending: 4 tasks would wait for a node: no suitable node \(.*\)/);

    const labelled = await rampart("plan", "web", "--label-add", `${hostname}:zone=eu`, "--role", `${hostname}=worker`);
    expect(labelled.code).toBe(0);
    expect(labelled.stdout).toContain(`Node changes: ${hostname} label-add zone=eu, ${hostname} role=worker\n`);
    expect(labelled.stdout).toMatch(new RegExp(`^${hostname} +worker +Active +✓ node\\.labels\\.zone is "eu" +✓ node\\.role is "worker" +`, "m"));

    const json = await rampart("plan", "web", "--json");
    expect(JSON.parse(json.stdout)).toMatchObject({ focus: { serviceId: id, name: "web", diff: { pending: 4 } } });

    // Each what-if on the live cluster is audited, the sandbox is not.
    expect(await s.server.runtime.manager.audit.list({ action: "planner.whatif", limit: 10 })).toHaveLength(3);
  });

  it("fail/plan: an invalid constraint prints Swarm's message and exits 1", async () => {
    const r = await rampart("plan", "--name", "draft", "--image", "nginx", "--constraint", "zone>=1");
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe("Error: constraint expected one operator from ==, !=");
  });

  it("ok/restart policy, published ports and generic resources: created, shown, updated field by field", async () => {
    const created = await rampart(
      "service", "create", "--name", "api", "--restart-condition", "on-failure", "--restart-delay", "1m30s",
      "-p", "8080:80", "--publish", "published=53,target=53,protocol=udp,mode=host", "--generic-resource", "gpu=1", "nginx",
    );
    expect(created).toMatchObject({ code: 0, stderr: "" });
    const pretty = (await rampart("service", "inspect", "--pretty", "api")).stdout;
    expect(pretty).toContain("Restart Policy:\n Condition:\ton-failure\n Max Attempts:\t0\n Delay:\t\t1m30s\n Window:\t0s\n");
    expect(pretty).toContain("Resources:\n Reservations:\n  Generic Resources:\n   gpu=1\n");
    expect(pretty).toContain("Ports:\n PublishedPort = 8080\n  Protocol = tcp\n  TargetPort = 80\n  PublishMode = ingress\n PublishedPort = 53\n  Protocol = udp\n");

    const updated = await rampart(
      "service", "update", "--restart-max-attempts", "3", "--publish-rm", "80", "--publish-add", "9090:90",
      "--generic-resource-add", "fpga=2", "--generic-resource-rm", "gpu", "api",
    );
    expect(updated).toMatchObject({ code: 0, stdout: "api\n", stderr: "" });
    const { spec } = await client.service.get.query({ ref: "api" });
    expect(spec.restartPolicy).toEqual({ condition: "on-failure", delayNs: 90e9, maxAttempts: 3, windowNs: 0 });
    expect(spec.ports).toEqual([
      { protocol: "udp", targetPort: 53, publishedPort: 53, publishMode: "host" },
      { protocol: "tcp", targetPort: 90, publishedPort: 9090, publishMode: "ingress" },
    ]);
    expect(spec.reservations.generic).toEqual({ fpga: 2 });
  });

  it("fail/two ports on one published port are refused by the server in Swarm's words; a bad duration is a usage error naming the flag", async () => {
    const duplicate = await rampart("service", "update", "--publish-add", "published=9090,target=91", "api");
    expect(duplicate.code).toBe(1);
    expect(duplicate.stderr.trim()).toBe("Error: EndpointSpec: duplicate published ports provided");
    const bad = await rampart("service", "update", "--restart-window", "1x", "api");
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('rampart: invalid argument "1x" for "--restart-window" flag: time: unknown unit "x" in duration "1x"');
    expect((await rampart("service", "rm", "api")).stdout).toBe("api\n");
  });

  it("ok/rm prints each service removed, and reports the one it could not", async () => {
    const r = await rampart("service", "rm", "web", "agent", "nope");
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("web\nagent\n");
    expect(r.stderr.trim()).toBe("Error: service nope not found");
    expect((await rampart("service", "ls", "-q")).stdout).toBe("");
  });

  it("ok/constraints on what nodes say about themselves are warned about (create, update, plan), and still applied as Swarm applies them", async () => {
    const created = await rampart("service", "create", "--name", "claims", "--constraint", `node.hostname==${hostname}`, "--constraint", "node.labels.zone!=x", "nginx:alpine");
    expect(created.code).toBe(0);
    expect(created.stdout.trim()).toMatch(/^[0-9a-z]{25}$/);
    expect(created.stderr).toBe(`WARNING: ${constraintWarnings([`node.hostname==${hostname}`])[0]}\n`);
    expect(created.stderr).toContain("not a security boundary");
    const updated = await rampart("service", "update", "--constraint-add", "engine.labels.gpu==yes", "claims");
    expect(updated.code).toBe(0);
    expect(updated.stderr.split("\n").filter((l) => l.startsWith("WARNING: ")).length).toBe(2);
    const planned = await rampart("plan", "claims");
    expect(planned.stderr).toContain("WARNING: constraint 'engine.labels.gpu==yes' reads engine.labels.gpu");
    // An administrator's labels and node IDs earn no warning.
    const quiet = await rampart("service", "update", "--constraint-rm", `node.hostname==${hostname}`, "--constraint-rm", "engine.labels.gpu==yes", "claims");
    expect(quiet).toMatchObject({ code: 0, stderr: "" });
    const viaApi = await client.service.get.query({ ref: "claims" });
    const again = await client.service.update.mutate({ ref: viaApi.id, version: viaApi.version, spec: { ...viaApi.spec, constraints: ["node.platform.os==linux"] } });
    expect(again.warnings).toEqual(constraintWarnings(["node.platform.os==linux"]));
    await rampart("service", "rm", "claims");
  });
});
