import { execFileSync } from "node:child_process";
import { X509Certificate, randomBytes } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseJoinToken } from "@rampart/core";
import { testStoreKinds } from "@rampart/db/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { decodeNodeList } from "../schema/node-list.js";
import { createHarness, description, newCsr, type Harness } from "../test-support/harness.js";

function openssl(args: string[], input?: string): string {
  return execFileSync("openssl", args, { input, encoding: "utf8", stdio: ["pipe", "pipe", "pipe"] });
}

describe.each(testStoreKinds())("swarm and nodes on %s", (kind) => {
  let h: Harness;
  let admin: Awaited<ReturnType<Harness["caller"]>>;
  beforeEach(async () => {
    h = await createHarness(kind);
    await h.setupAdmin();
    admin = await h.caller({ sessionToken: await h.login("admin", "correct horse battery") });
  });
  afterEach(async () => {
    await h.dispose();
  });

  async function joinNode(hostname: string, role: "worker" | "manager" = "worker") {
    const { token } = await admin.swarm.revealToken({ role });
    const { csrPem } = newCsr();
    const joined = await h.manager.nodes.join({ token, csrPem, description: description(hostname) }, "198.51.100.7");
    if (!("certificatePem" in joined)) throw new Error(`the join was not signed: ${joined.pending.reason}`);
    return joined;
  }

  it("ok/init made a swarm: a 25-character ID, a swarm-ca root and two tokens with its digest", async () => {
    const info = await admin.swarm.info();
    expect(info.clusterId).toMatch(/^[0-9a-z]{25}$/);
    const { pem, digest } = await admin.swarm.ca();
    const root = new X509Certificate(pem);
    expect(root.subject).toBe("CN=swarm-ca");
    expect(root.ca).toBe(true);
    const years = (new Date(root.validTo).getTime() - new Date(root.validFrom).getTime()) / (365.25 * 86400_000);
    expect(years).toBeGreaterThan(19.9);
    const worker = await admin.swarm.revealToken({ role: "worker" });
    const manager = await admin.swarm.revealToken({ role: "manager" });
    expect(worker.token).toMatch(/^SWMTKN-1-[0-9a-z]{50}-[0-9a-z]{25}$/);
    expect(worker.token).not.toBe(manager.token);
    expect(parseJoinToken(worker.token).rootDigest).toBe(digest);
    expect(worker.command).toBe(`rampart agent join --token ${worker.token} 127.0.0.1:2377`);
    const reveals = await h.manager.audit.list({ action: "token.reveal", limit: 10 });
    expect(reveals).toHaveLength(2);
    expect(JSON.stringify(reveals)).not.toContain(worker.token);
    expect(JSON.stringify(h.log.lines)).not.toContain(worker.token.slice(-25));
  });

  it("ok/no API response carries the root key", async () => {
    const sealed = await h.t.store.prisma.cluster.findFirstOrThrow();
    const outputs = JSON.stringify([await admin.swarm.info(), await admin.swarm.ca(), await admin.swarm.joinInfo()]);
    expect(outputs).not.toContain("PRIVATE KEY");
    expect(sealed.rootCaKey?.length).toBeGreaterThan(100);
  });

  it("ok/a worker joins and gets a certificate openssl accepts, with the CA's subject and SANs", async () => {
    const result = await joinNode("worker-1");
    expect(result.role).toBe("worker");
    const dir = mkdtempSync(join(tmpdir(), "rampart-openssl-"));
    writeFileSync(join(dir, "root.pem"), result.rootCaPem);
    writeFileSync(join(dir, "node.pem"), result.certificatePem);
    expect(openssl(["verify", "-CAfile", join(dir, "root.pem"), join(dir, "node.pem")]).trim()).toBe(`${join(dir, "node.pem")}: OK`);
    const text = openssl(["x509", "-in", join(dir, "node.pem"), "-noout", "-text"]);
    const { clusterId } = await admin.swarm.info();
    expect(text).toContain(`Subject: O = ${clusterId}, OU = swarm-worker, CN = ${result.nodeId}`);
    expect(text).toContain(`DNS:swarm-worker, DNS:${result.nodeId}`);
    expect(text).toContain("TLS Web Server Authentication, TLS Web Client Authentication");
    const cert = new X509Certificate(result.certificatePem);
    // NotAfter = NotBefore (now to the minute, less 1 h) + expiry + 1 h; openssl shows seconds.
    expect(new Date(cert.validTo).getTime() - h.clock.now.getTime()).toBe(90 * 86400_000);
    expect(h.clock.now.getTime() - new Date(cert.validFrom).getTime()).toBe(3_600_000);
    const events = (await h.manager.audit.list({ limit: 20 })).map((e) => e.action);
    expect(events).toEqual(expect.arrayContaining(["node.join", "cert.issue"]));
  });

  it("ok/a manager token makes a manager with the swarm-ca SAN", async () => {
    const result = await joinNode("manager-2", "manager");
    const text = new X509Certificate(result.certificatePem);
    expect(text.subject).toContain("OU=swarm-manager");
    expect(text.subjectAltName).toBe(`DNS:swarm-manager, DNS:${result.nodeId}, DNS:swarm-ca`);
  });

  it("ok/a CSR asking for another CN, O and OU gets the CA's values", async () => {
    const dir = mkdtempSync(join(tmpdir(), "rampart-openssl-"));
    openssl(["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", join(dir, "k.pem")]);
    const csrPem = openssl(["req", "-new", "-key", join(dir, "k.pem"), "-subj", "/O=evil/OU=swarm-manager/CN=someone-else"]);
    const { token } = await admin.swarm.revealToken({ role: "worker" });
    const result = await h.manager.nodes.join({ token, csrPem, description: description("sneaky") }, null);
    if (!("certificatePem" in result)) throw new Error(`the join was not signed: ${result.pending.reason}`);
    const cert = new X509Certificate(result.certificatePem);
    const { clusterId } = await admin.swarm.info();
    expect(cert.subject).toBe(`O=${clusterId}\nOU=swarm-worker\nCN=${result.nodeId}`);
    expect(cert.subject).not.toContain("evil");
  });

  it("fail/after a rotation the old token is refused at once", async () => {
    const old = await admin.swarm.revealToken({ role: "worker" });
    const rotated = await admin.swarm.rotateToken({ role: "worker" });
    expect(rotated.token).not.toBe(old.token);
    expect(parseJoinToken(rotated.token).rootDigest).toBe(parseJoinToken(old.token).rootDigest);
    await expect(
      h.manager.nodes.join({ token: old.token, csrPem: newCsr().csrPem, description: description("late") }, null),
    ).rejects.toThrow("A valid join token is necessary to join this cluster");
    await h.manager.nodes.join({ token: rotated.token, csrPem: newCsr().csrPem, description: description("on-time") }, null);
    expect((await h.manager.audit.list({ action: "token.rotate", limit: 5 }))).toHaveLength(1);
  });

  it("fail/1,000 fuzzed and mutated tokens yield no certificate", async () => {
    const { token } = await admin.swarm.revealToken({ role: "worker" });
    const alphabet = "0123456789abcdefghijklmnopqrstuvwxyz-SWMTKN";
    const { csrPem } = newCsr();
    let issued = 0;
    for (let i = 0; i < 1000; i++) {
      const chars = [...token];
      const mutation = i % 4;
      if (mutation === 0) chars[Math.floor(Math.random() * chars.length)] = alphabet[Math.floor(Math.random() * alphabet.length)]!;
      else if (mutation === 1) chars.splice(Math.floor(Math.random() * chars.length), 1);
      else if (mutation === 2) chars.push(alphabet[Math.floor(Math.random() * alphabet.length)]!);
      else chars.splice(0, chars.length, ...randomBytes(40).toString("base64"));
      const fuzzed = chars.join("");
      if (fuzzed === token) continue;
      try {
        await h.manager.nodes.join({ token: fuzzed, csrPem, description: description(`fuzz-${i}`) }, "203.0.113.1");
        issued++;
      } catch (error) {
        expect((error as Error).message).toBe("A valid join token is necessary to join this cluster");
      }
    }
    console.log(`tokens.fuzz.certificatesIssued: ${issued} of 1000`);
    expect(issued).toBe(0);
    expect(await h.t.store.prisma.node.count({ where: { isLeader: false } })).toBe(0);
  }, 120_000);

  it("ok/labels and availability change; a stale version is refused", async () => {
    const { nodeId } = await joinNode("worker-1");
    const node = await admin.node.update({ ref: nodeId, labelAdd: { zone: "eu-1", pcidss: "yes" }, availability: "drain" });
    expect(node).toMatchObject({ labels: { zone: "eu-1", pcidss: "yes" }, availability: "drain" });
    const again = await admin.node.update({ ref: "worker-1", labelRm: ["pcidss"] });
    expect(again.labels).toEqual({ zone: "eu-1" });
    await expect(admin.node.update({ ref: nodeId, version: node.version, availability: "active" })).rejects.toMatchObject({
      code: "CONFLICT",
    });
    await expect(admin.node.update({ ref: nodeId, labelRm: ["nope"] })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(admin.node.update({ ref: "no-such-node", availability: "pause" })).rejects.toMatchObject({
      code: "NOT_FOUND",
      message: "node no-such-node not found",
    });
  });

  it("ok/promote and demote change the role; the last manager and the leader cannot be demoted", async () => {
    const { nodeId } = await joinNode("worker-1");
    expect((await admin.node.promote({ ref: nodeId })).role).toBe("manager");
    const renewed = await h.manager.nodes.renew(nodeId, newCsr().csrPem, null);
    if (!("certificatePem" in renewed)) throw new Error(`the renewal was not signed: ${renewed.pending.reason}`);
    expect(new X509Certificate(renewed.certificatePem).subject).toContain("OU=swarm-manager");
    expect((await admin.node.demote({ ref: nodeId })).role).toBe("worker");
    await expect(admin.node.demote({ ref: nodeId })).resolves.toMatchObject({ role: "worker" });
    const other = await joinNode("manager-x", "manager");
    await admin.node.demote({ ref: other.nodeId });
    // Only this server's own node is a manager now: demoting it is demoting the last manager.
    const managers = decodeNodeList(await admin.node.list()).filter((n) => n.role === "manager");
    expect(managers.map((n) => n.isLeader)).toEqual([true]);
    await expect(admin.node.demote({ ref: managers[0]!.id })).rejects.toMatchObject({
      code: "PRECONDITION_FAILED",
      message: "attempting to demote the last manager of the swarm",
    });
    // With another manager present the leader is still refused: it is this server.
    const extra = await joinNode("manager-y", "manager");
    await expect(admin.node.demote({ ref: managers[0]!.id })).rejects.toMatchObject({
      message: expect.stringContaining("is the leader (this Rampart server) and cannot be demoted"),
    });
    await admin.node.demote({ ref: extra.nodeId });
  });

  it("fail/a Ready node is not removed without force; a removed node is denied", async () => {
    const { nodeId } = await joinNode("worker-1");
    h.manager.nodes.heartbeat(nodeId, null);
    await expect(admin.node.remove({ ref: nodeId, force: false })).rejects.toMatchObject({
      code: "PRECONDITION_FAILED",
      message: `node ${nodeId} is not down and can't be removed`,
    });
    await admin.node.remove({ ref: nodeId, force: true });
    expect((await h.manager.nodes.deniedIds(nodeId)).has(nodeId)).toBe(true);
    await h.manager.nodes.load();
    expect((await h.manager.nodes.deniedIds(nodeId)).has(nodeId)).toBe(true);
    await expect(admin.node.get({ ref: nodeId })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("fail/a manager must be demoted before removal", async () => {
    const { nodeId } = await joinNode("m", "manager");
    await expect(admin.node.remove({ ref: nodeId, force: true })).rejects.toMatchObject({
      message: `node ${nodeId} is a cluster manager and is a member of the raft cluster. It must be demoted to worker before removal`,
    });
  });

  it("fail/a certificate expiry under an hour is refused with Swarm's message", async () => {
    const { version } = await admin.swarm.info();
    await expect(admin.swarm.update({ version, certExpiry: "59m" })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: "minimum certificate expiry time is: 1h0m0s",
    });
    const updated = await admin.swarm.update({ version, certExpiry: "720h", heartbeatPeriod: "10s" });
    expect(updated).toMatchObject({ certExpiryMs: 720 * 3_600_000, heartbeatPeriodMs: 10_000 });
    await expect(admin.swarm.update({ version, certExpiry: "721h" })).rejects.toMatchObject({ code: "CONFLICT" });
    const { certificatePem } = await joinNode("short-lived");
    const cert = new X509Certificate(certificatePem);
    expect(new Date(cert.validTo).getTime() - h.clock.now.getTime()).toBe(30 * 86400_000);
  });
});
