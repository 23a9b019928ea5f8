import { X509Certificate } from "node:crypto";
import { normalizePems } from "@rampart/core";
import { testStoreKinds } from "@rampart/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCfssl, type Cfssl } from "../test-support/cfssl.js";
import { runCli } from "../test-support/cli.js";
import { startServer } from "../server/index.js";
import { EXTERNAL_CA_AT_INIT_ONLY } from "../server/runtime.js";
import { startTestServer, type TestServer } from "../test-support/server.js";
import { freePort } from "../test-support/swarm.js";
import { waitFor } from "../test-support/wait.js";
import { describeThisMachine, memoryStore, NodeAgent } from "./agent.js";

const admin = { type: "user" as const, id: "u-test", name: "admin" };
const system = { type: "system" as const, id: null, name: "test" };

/** The authority key ID a certificate names, hex, as the manager compares it. */
function authorityOf(pem: string): string {
  const text = new X509Certificate(pem).toString();
  return /Authority Key Identifier[\s\S]*?(?:keyid:)?\s*([0-9A-F]{2}(?::[0-9A-F]{2})+)/.exec(text)?.[1]?.replace(/:/g, "").toLowerCase() ?? "";
}
function subjectKeyOf(pem: string): string {
  return /Subject Key Identifier[\s\S]*?\n\s*([0-9A-F:]+)/.exec(new X509Certificate(pem).toString())?.[1]?.replace(/:/g, "").toLowerCase() ?? "";
}

/**
 * An external CA over a real CFSSL (swarm-semantics.md §4.9): a rotation from the
 * internal root to CFSSL's, nodes signed and joined through it, nodes left pending with
 * the reason while it is down, a rotation back to an internal root cross-signed through
 * CFSSL's CA profile, and Swarm's refusal of a rotation from one external CA to another.
 */
describe.each(testStoreKinds())("an external CA over CFSSL on %s", (kind) => {
  let s: TestServer;
  let cf: Cfssl;
  let other: Cfssl;
  const agents: NodeAgent[] = [];

  beforeAll(async () => {
    [cf, other] = await Promise.all([startCfssl(), startCfssl()]);
    s = await startTestServer(kind, { nodeListen: "127.0.0.1:0" });
  });
  afterAll(async () => {
    for (const a of agents) a.stop();
    await s?.dispose();
    await Promise.all([cf?.dispose(), other?.dispose()]);
  });

  const manager = () => s.server.runtime.manager;
  const version = () => manager().cluster.current().record.version;
  async function join(name: string): Promise<NodeAgent> {
    const token = await manager().cluster.revealToken("worker", system, null);
    const agent = new NodeAgent({ address: s.server.nodeAddress, token, description: describeThisMachine("test", name, {}), store: memoryStore() });
    agents.push(agent);
    await agent.join();
    agent.start();
    return agent;
  }

  it("ok/rotates to CFSSL's root, signs and joins nodes through it, leaves them pending while it is down, and rotates back cross-signed by it", async () => {
    const first = await Promise.all(["cf-a", "cf-b"].map(join));
    await waitFor(async () => (await manager().nodes.list()).filter((n) => n.hostname.startsWith("cf-") && n.tls.status === "ready").length === 2, "two agents ready", { timeoutMs: 20_000 });

    // Internal → CFSSL: cross-signed by the internal key, as Swarm does; the key stays with CFSSL.
    const cfssl = [{ protocol: "cfssl", url: cf.url, caCert: cf.rootPem }];
    await manager().cluster.changeCa({ version: version(), signingCaCert: cf.rootPem, signingCaKey: "", forceRotate: false, externalCas: cfssl }, admin, null);
    expect(manager().cluster.current().record.rootRotation).not.toBeNull();
    await waitFor(() => manager().cluster.current().record.rootRotation === null, "the rotation to CFSSL's root", { timeoutMs: 60_000 });
    expect(manager().cluster.current().ca.rootPem).toBe(normalizePems(cf.rootPem));
    expect(manager().cluster.current().keysHeld.root).toBe(false);
    for (const agent of first) {
      await waitFor(() => agent.current!.rootPem === normalizePems(cf.rootPem), "the agent to hold CFSSL's root", { timeoutMs: 20_000 });
      // Signed by CFSSL: its key's identifier, and it verifies against CFSSL's root.
      expect(authorityOf(agent.current!.certPem)).toBe(subjectKeyOf(cf.rootPem));
      expect(new X509Certificate(agent.current!.certPem).verify(new X509Certificate(cf.rootPem).publicKey)).toBe(true);
    }

    // A node joins through CFSSL with the new token.
    const joined = await join("cf-c");
    expect(new X509Certificate(joined.current!.certPem).verify(new X509Certificate(cf.rootPem).publicKey)).toBe(true);

    // `rampart swarm update --external-ca`: an entry without cacert is for the current root
    // (CFSSL's now, whose key Rampart does not hold). One that does not answer is refused
    // with Swarm's text and the list stays; one that answers replaces it.
    const closed = await freePort();
    const refused = await runCli(s.dataDir, "swarm", "update", "--external-ca", `protocol=cfssl,url=https://127.0.0.1:${closed}`);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("there must be at least one valid, reachable external CA corresponding to the current CA certificate");
    expect(manager().cluster.current().record.externalCas.map((ca) => ca.url)).toEqual([cf.url]);
    const updated = await runCli(s.dataDir, "swarm", "update", "--external-ca", `protocol=cfssl,url=${cf.url}`);
    expect(updated).toMatchObject({ code: 0, stderr: "" });
    expect(updated.stdout).toContain("Swarm updated.");
    expect(manager().cluster.current().record.externalCas.map((ca) => ca.url)).toEqual([cf.url]);
    expect(manager().cluster.current().record.rootRotation).toBeNull();

    // From one external CA to another: Swarm's refusal, even with both reachable.
    await expect(
      manager().cluster.changeCa(
        { version: version(), signingCaCert: other.rootPem, signingCaKey: "", forceRotate: false, externalCas: [...cfssl, { protocol: "cfssl", url: other.url, caCert: other.rootPem }] },
        admin,
        null,
      ),
    ).rejects.toThrow("rotating from one external CA to a different external CA is not supported");

    // CFSSL down: a renewal is pending with the reason on the node; a join waits for it.
    await cf.stop();
    await first[0]!.renew("test");
    const pending = await manager().nodes.get(first[0]!.current!.nodeId);
    expect(pending.tls.issuance?.state).toBe("pending");
    expect(pending.tls.issuance?.reason).toMatch(/^external CA: unable to perform certificate signing request: .*ECONNREFUSED/);
    const waiting = join("cf-waiting");
    await waitFor(async () => (await manager().nodes.list()).some((n) => n.hostname === "cf-waiting" && n.tls.issuance?.state === "pending"), "the join recorded as pending", { timeoutMs: 20_000 });
    await cf.start();
    // The signing loop tries again every 10 s; the joining agent picks its certificate up.
    await waiting;
    const late = agents.at(-1)!;
    expect(new X509Certificate(late.current!.certPem).verify(new X509Certificate(cf.rootPem).publicKey)).toBe(true);
    await first[0]!.renew("test again");
    expect((await manager().nodes.get(first[0]!.current!.nodeId)).tls.issuance?.state).toBe("issued");

    // CFSSL → a new internal root: the new root is cross-signed through CFSSL's CA profile.
    await manager().cluster.changeCa({ version: version(), signingCaCert: "", signingCaKey: "", forceRotate: true }, admin, null);
    const rotation = manager().cluster.current().record.rootRotation!;
    const cross = new X509Certificate(rotation.crossSignedCaCert);
    expect(cross.issuer).toBe("CN=swarm-ca");
    expect(cross.verify(new X509Certificate(cf.rootPem).publicKey)).toBe(true);
    expect(cross.ca).toBe(true);
    await waitFor(() => manager().cluster.current().record.rootRotation === null, "the rotation back to an internal root", { timeoutMs: 60_000 });
    expect(manager().cluster.current().keysHeld.root).toBe(true);
    expect(manager().cluster.current().ca.rootPem).toBe(rotation.caCert);
  }, 180_000);
  it("ok/--external-ca at init: the swarm starts with it, audited; a later start with it is refused and the store stays as it was", async () => {
    const given = [{ protocol: "cfssl", url: other.url, caCert: other.rootPem }];
    const t = await startTestServer(kind, { externalCas: given });
    try {
      const stored = () => t.server.runtime.manager.cluster.current().record.externalCas.map((ca) => [ca.protocol, ca.url, normalizePems(ca.caCert)]);
      expect(stored()).toEqual([["cfssl", other.url, normalizePems(other.rootPem)]]);
      // The root made at init stays the trust root: the external CA is for another root, as docker swarm init leaves it.
      expect(t.server.runtime.manager.cluster.current().keysHeld.root).toBe(true);
      const audited = (await t.server.runtime.manager.audit.list({ limit: 100 })).filter((e) => e.action === "ca.update");
      expect(audited.map((e) => [e.actorName, e.outcome])).toEqual([["rampart", "success"]]);

      await t.server.close();
      await expect(startServer(t.options)).rejects.toThrow(EXTERNAL_CA_AT_INIT_ONLY);
      t.server = await startServer({ ...t.options, externalCas: undefined });
      expect(stored()).toEqual([["cfssl", other.url, normalizePems(other.rootPem)]]);
    } finally {
      await t.dispose();
    }
  });
});
