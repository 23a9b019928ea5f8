import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRootPem } from "@rampart/manager";
import { testStoreKinds } from "@rampart/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeThisMachine, memoryStore, NodeAgent } from "../agent/agent.js";
import { runCli } from "../test-support/cli.js";
import { startTestServer, type TestServer } from "../test-support/server.js";

const system = { type: "system" as const, id: null, name: "test" };

/** `rampart swarm ca` as a user runs it, against a real server with real agents. */
describe.each(testStoreKinds())("rampart swarm ca against a server on %s", (kind) => {
  let s: TestServer;
  let files: string;
  const agents: NodeAgent[] = [];
  const rampart = (...args: string[]) => runCli(s.dataDir, ...args);

  beforeAll(async () => {
    s = await startTestServer(kind, { nodeListen: "127.0.0.1:0" });
    files = mkdtempSync(join(tmpdir(), "rampart-swarm-ca-"));
    const token = await s.server.runtime.manager.cluster.revealToken("worker", system, null);
    for (const name of ["ca-one", "ca-two"]) {
      const agent = new NodeAgent({ address: s.server.nodeAddress, token, description: describeThisMachine("test", name, {}), store: memoryStore() });
      await agent.join();
      agent.start();
      agents.push(agent);
    }
  });
  afterAll(async () => {
    for (const a of agents) a.stop();
    await s?.dispose();
    rmSync(files, { recursive: true, force: true });
  });

  it("ok/without --rotate prints the trust root; with it, follows the rotation with Swarm's progress lines and prints the new root", async () => {
    const before = await rampart("swarm", "ca");
    expect(before).toMatchObject({ code: 0, stderr: "" });
    expect(before.stdout).toMatch(/^-----BEGIN CERTIFICATE-----\n[\s\S]+-----END CERTIFICATE-----\n$/);

    const r = await rampart("swarm", "ca", "--rotate");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const lines = r.stdout.split("\n");
    expect(lines[0]).toMatch(/^desired root digest: sha256:[0-9a-f]{64}$/);
    expect(lines).toContain("  rotated TLS certificates:  [==================================================] 3/3 nodes");
    expect(lines).toContain("  rotated CA certificates:   [==================================================] 3/3 nodes");
    const root = r.stdout.slice(r.stdout.indexOf("-----BEGIN CERTIFICATE-----"));
    expect(root).not.toBe(before.stdout);
    expect(root.trim()).toBe(s.server.runtime.manager.cluster.current().ca.rootPem.trim());
    // The digest the progress ended on is the new root's (join tokens carry it from now on).
    const last = lines.filter((l) => l.startsWith("desired root digest: ")).at(-1)!;
    expect(last).toBe(`desired root digest: sha256:${s.server.runtime.manager.cluster.current().ca.rootDigestHex}`);

    // node inspect names the root a node's certificate chains to, and whether it holds it.
    const inspected = await rampart("node", "inspect", "--pretty", "ca-one");
    expect(inspected).toMatchObject({ code: 0, stderr: "" });
    expect(inspected.stdout).toContain(` TLS Status:\t\tReady\n`);
    expect(inspected.stdout).toContain(` Chains To:\t\tthe current root, CN=swarm-ca (sha256:${s.server.runtime.manager.cluster.current().ca.rootDigestHex})\n`);
    expect(inspected.stdout).toContain(` Holds Trust Root:\tYes\n`);
  }, 90_000);

  it("ok/-d starts the rotation and returns at once", async () => {
    const before = s.server.runtime.manager.cluster.current().record.rootCaCert;
    const r = await rampart("swarm", "ca", "--rotate", "-d");
    expect(r).toMatchObject({ code: 0, stdout: "", stderr: "" });
    // Under way, or, with only the server's own node to wait for, already finished on a new root.
    const now = s.server.runtime.manager.cluster.current().record;
    expect(now.rootRotation !== null || now.rootCaCert !== before).toBe(true);
  });

  it.each([
    ["--ca-cert without --rotate", ["swarm", "ca", "--ca-cert", "x.pem"], "`--ca-cert` flag requires the `--rotate` flag to update the CA"],
    ["--cert-expiry without --rotate", ["swarm", "ca", "--cert-expiry", "48h"], "`--cert-expiry` flag requires the `--rotate` flag to update the CA"],
    ["--ca-cert without a key or an external CA", ["swarm", "ca", "--rotate", "--ca-cert", "x.pem"], "the --ca-cert flag requires that a --ca-key flag and/or --external-ca flag be provided as well"],
    [
      "--external-ca without --ca-cert",
      ["swarm", "ca", "--rotate", "--external-ca", "protocol=cfssl,url=https://ca.example:8888"],
      "rotating to an external CA requires the `--ca-cert` flag to specify the external CA's cert - to add an external CA with the current root CA certificate, use the `update` command instead",
    ],
    ["an unknown protocol", ["swarm", "ca", "--rotate", "--external-ca", "protocol=acme,url=https://x"], "unrecognized external CA protocol acme"],
    ["no url", ["swarm", "ca", "--rotate", "--external-ca", "protocol=cfssl"], "the external-ca option needs a url= parameter"],
    ["not key=value", ["swarm", "ca", "--rotate", "--external-ca", "cfssl"], "invalid field 'cfssl' must be a key=value pair"],
  ])("fail/%s is a usage error in docker's words", async (_name, args, message) => {
    const r = await rampart(...args);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
  });

  it.each([
    ["an unknown protocol", ["swarm", "update", "--external-ca", "protocol=acme,url=https://x"], "unrecognized external CA protocol acme"],
    ["no protocol", ["swarm", "update", "--external-ca", "url=https://x"], "the external-ca option needs a protocol= parameter"],
    ["a cacert that is not PEM", ["swarm", "update", "--external-ca", "protocol=cfssl,url=https://x,cacert=/etc/passwd"], "CA cert for external CA must be in PEM format"],
    ["an unlock with --env", ["swarm", "unlock", "--env", "prod"], "rampart swarm unlock unlocks this Rampart server, not an environment"],
  ])("fail/swarm update or unlock: %s is a usage error, and nothing changes", async (_name, args, message) => {
    const { version } = s.server.runtime.manager.cluster.current().record;
    const r = await rampart(...args);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(s.server.runtime.manager.cluster.current().record.version).toBe(version);
  });

  it("fail/a given root whose key is not its own is refused with Swarm's text, and nothing changes", async () => {
    const a = createRootPem(new Date());
    const b = createRootPem(new Date());
    writeFileSync(join(files, "a.crt"), a.cert);
    writeFileSync(join(files, "b.key"), b.key);
    const { version } = s.server.runtime.manager.cluster.current().record;
    const r = await rampart("swarm", "ca", "--rotate", "--ca-cert", join(files, "a.crt"), "--ca-key", join(files, "b.key"), "-d");
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("certificate key mismatch");
    expect(r.stderr).not.toContain("PRIVATE KEY");
    expect(s.server.runtime.manager.cluster.current().record.version).toBe(version);
  });
});
