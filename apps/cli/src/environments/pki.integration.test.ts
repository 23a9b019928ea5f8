import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createHash } from "node:crypto";
import { TRPCClientError } from "@trpc/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAdminClient, type AdminClient } from "../client/index.js";
import { unlockText } from "../commands/swarm-autolock.js";
import { runCli } from "../test-support/cli.js";
import { startTestServer, type TestServer } from "../test-support/server.js";
import { dockerOutput, startSwarm, type TestSwarm } from "../test-support/swarm.js";
import { waitFor } from "../test-support/wait.js";

/**
 * A connected Docker Swarm's PKI (ADR 0020, ADR 0021) through the API, against a real
 * swarm of one manager and two workers: the status and node table from Docker's TLS
 * info, Docker's own root rotation started with `pki.rotate` and followed to its end, a
 * given root whose key is not its own and an external CA that cannot answer refused in
 * Docker's words, and autolock with its unlock key turned on, revealed, rotated and
 * turned off again, each checked against what the leader's docker CLI says and against
 * the audit log; then the same through the CLI with --env (autolock, the unlock key, and
 * `swarm ca --rotate` followed to its end). No unlock key or CA key reaches the server's log.
 */
describe("a connected swarm's PKI, through the API", () => {
  let s: TestServer;
  let swarm: TestSwarm;
  let api: AdminClient;
  let native: AdminClient;
  let envId: string;
  let dir: string;
  const docker = (...args: string[]) => dockerOutput(swarm.leader, ...args);
  const dockerInfo = <T>(template: string): T => JSON.parse(docker("info", "--format", `{{json ${template}}}`)) as T;
  /** Every unlock key and CA key this test saw, to look for in the server's log. */
  const secretsSeen = new Set<string>();
  const digest = (pem: string) => `sha256:${createHash("sha256").update(pem).digest("hex")}`;
  const refusal = async (call: Promise<unknown>) => {
    const e = await call.then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(e).toBeInstanceOf(TRPCClientError);
    return { status: ((e as TRPCClientError<never>).data as { httpStatus?: number } | undefined)?.httpStatus, message: (e as Error).message };
  };

  beforeAll(async () => {
    // Each kept as soon as it is up, so that afterAll stops it even when the other fails to start.
    await Promise.all([startTestServer("pglite").then((started) => (s = started)), startSwarm(["pki-lead", "pki-w1", "pki-w2"]).then((started) => (swarm = started))]);
    const manager = s.server.runtime.manager;
    envId = (await manager.environments.add({ name: "prod", dockerHost: swarm.leader.host }, { type: "system", id: null, name: "test" }, null)).id;
    api = createAdminClient({ socketPath: s.server.socketPath, env: "prod" });
    native = createAdminClient({ socketPath: s.server.socketPath });
    dir = mkdtempSync(join(tmpdir(), "rampart-docker-pki-"));
  }, 240_000);
  afterAll(async () => {
    await Promise.all([s?.dispose(), swarm?.stop()]);
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 120_000);

  const auditOf = async (action: string) => (await s.server.runtime.manager.audit.list({ env: envId, limit: 500 })).filter((e) => e.action === action);

  it("ok/the status shows Docker's trust root and three Ready nodes on it, and says which facts Docker does not give", async () => {
    const status = await api.pki.status.query();
    const pem = `${docker("swarm", "ca").trim()}\n`;
    expect(status).toMatchObject({
      kind: "docker",
      version: dockerInfo<{ Index: number }>(".Swarm.Cluster.Version").Index,
      trustRoot: { pem, digest: digest(pem), subject: "CN=swarm-ca", key: "ECDSA P-256", keyHeld: null },
      rotation: null,
      externalCas: [],
      certExpiryMs: 90 * 24 * 3_600_000,
      forceRotate: 0,
      autolock: { enabled: false, unlockKeyRotatedAt: null },
      tokens: { workerRotatedAt: null, managerRotatedAt: null },
      lastRotatedAt: null,
      counts: { nodes: 3, ready: 3, needsRotation: 0, unknown: 0, pending: 0, expiringSoon: 0, trustRootCurrent: 3 },
      warnings: [],
    });
    expect(status.notReported.join("\n")).toMatch(/serials and validity dates[\s\S]*issuance state[\s\S]*root CA's key[\s\S]*rotated to[\s\S]*unlock key and the join tokens/);

    const { total, rows } = await api.pki.nodes.query({ sort: "hostname" });
    expect(total).toBe(3);
    expect(rows.map((r) => r.hostname)).toEqual(["pki-lead", "pki-w1", "pki-w2"]);
    expect(rows.map((r) => r.id)).toEqual(["pki-lead", "pki-w1", "pki-w2"].map((name) => swarm.nodeIds.get(name)));
    for (const row of rows) {
      expect(row).toMatchObject({ tlsStatus: "ready", issuer: "current root", trustRootCurrent: true, issuance: null, serial: null, notBefore: null, notAfter: null, renewal: null, rotation: null });
    }
    expect(rows.map((r) => r.role)).toEqual(["manager", "worker", "worker"]);
    // docker node ls says the same.
    expect(docker("node", "ls", "--format", "{{.TLSStatus}}").trim().split("\n")).toEqual(["Ready", "Ready", "Ready"]);
  });

  it("ok/pki.rotate starts Docker's own rotation: progress shows until every node is on the new root, Ready again", async () => {
    const before = await api.pki.status.query();
    const started = await api.pki.rotate.mutate({ version: before.version });
    expect(started.forceRotate).toBe(1);
    expect(dockerInfo<{ ForceRotate: number }>(".Swarm.Cluster.Spec.CAConfig").ForceRotate).toBe(1);
    // Docker's rotation is under way at once (its issuer is the new root's, its trust root still the old one).
    expect(started.rotation).toMatchObject({ startedAt: null, target: null, nodes: 3, rotatedCa: 0 });
    expect(started.trustRoot.digest).toBe(before.trustRoot.digest);

    const seen: Array<{ rotatedTls: number; issuers: string[] }> = [];
    await waitFor(
      async () => {
        const now = await api.pki.status.query();
        if (now.rotation) {
          const { rows } = await api.pki.nodes.query({ sort: "hostname" });
          seen.push({ rotatedTls: now.rotation.rotatedTls, issuers: rows.map((r) => r.issuer) });
        }
        return now.rotation === null && now.trustRoot.digest !== before.trustRoot.digest && now.counts.ready === 3;
      },
      "Docker's rotation to finish with every node Ready on the new root",
      { timeoutMs: 120_000, intervalMs: 200 },
    );
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((p) => p.rotatedTls >= 0 && p.rotatedTls <= 3)).toBe(true);
    expect(seen.every((p) => p.issuers.every((i) => i === "new root" || i === "current root"))).toBe(true);

    const after = await api.pki.status.query();
    const pem = `${docker("swarm", "ca").trim()}\n`;
    expect(after).toMatchObject({ rotation: null, forceRotate: 1, trustRoot: { pem, digest: digest(pem) }, counts: { nodes: 3, ready: 3, needsRotation: 0, trustRootCurrent: 3 } });
    expect(after.trustRoot.digest).not.toBe(before.trustRoot.digest);
    const { rows } = await api.pki.nodes.query({});
    expect(rows.every((r) => r.tlsStatus === "ready" && r.issuer === "current root" && r.trustRootCurrent === true)).toBe(true);
    expect(docker("node", "ls", "--format", "{{.TLSStatus}}").trim().split("\n")).toEqual(["Ready", "Ready", "Ready"]);

    const events = await auditOf("ca.rotate");
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ outcome: "success", reason: "to a new root", envId, envName: "prod", targetType: "cluster", targetId: swarm.clusterId });
  });

  it("fail/a given root with a key that is not its own is Docker's refusal, in its words, as a 400; nothing starts", async () => {
    const cert = join(dir, "root.pem");
    const key = join(dir, "other.key");
    execFileSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", join(dir, "root.key"), "-out", cert, "-subj", "/CN=given-root", "-days", "3650", "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"], { stdio: "ignore" });
    execFileSync("openssl", ["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", key], { stdio: "ignore" });
    const caKey = readFileSync(key, "utf8");
    secretsSeen.add(caKey.split("\n")[1]!);
    const before = await api.pki.status.query();
    const refused = await refusal(api.pki.rotate.mutate({ version: before.version, caCert: readFileSync(cert, "utf8"), caKey }));
    expect(refused).toEqual({ status: 400, message: "rpc error: code = InvalidArgument desc = certificate key mismatch" });
    expect(refused.message).not.toContain(caKey.split("\n")[1]!);
    const after = await api.pki.status.query();
    expect(after).toMatchObject({ version: before.version, rotation: null, trustRoot: { digest: before.trustRoot.digest } });
    expect(await auditOf("ca.rotate")).toHaveLength(1);
  });

  it("fail/an external CA Docker cannot reach, for a root it would have to sign under, is Docker's refusal in its words", async () => {
    const before = await api.pki.status.query();
    const refused = await refusal(
      api.pki.rotate.mutate({
        version: before.version,
        caCert: readFileSync(join(dir, "root.pem"), "utf8"),
        externalCas: [{ protocol: "cfssl", url: "https://127.0.0.1:1/api/v1/cfssl/sign" }],
      }),
    );
    expect(refused).toEqual({ status: 400, message: "rpc error: code = InvalidArgument desc = there must be at least one valid, reachable external CA corresponding to the desired CA certificate" });
    const badProtocol = await refusal(api.pki.update.mutate({ version: before.version, externalCas: [{ protocol: "acme", url: "https://127.0.0.1:1/sign" }] }));
    expect(badProtocol).toEqual({ status: 400, message: 'invalid protocol: "acme"' });
    expect(await api.pki.status.query()).toMatchObject({ version: before.version, externalCas: [], rotation: null });
  });

  it("ok/external CAs and expiry without a rotation go to Docker's spec, and an empty list removes them", async () => {
    const before = await api.pki.status.query();
    // Nothing answers there: a swarm that holds its root key never asks an external CA, so Docker does not check the URL.
    const updated = await api.pki.update.mutate({ version: before.version, externalCas: [{ protocol: "cfssl", url: "https://ca.example:8888/api/v1/cfssl/sign" }], certExpiry: "720h" });
    expect(updated).toMatchObject({ rotation: null, certExpiryMs: 720 * 3_600_000, externalCas: [{ protocol: "cfssl", url: "https://ca.example:8888/api/v1/cfssl/sign", signsUnder: "current root" }] });
    const spec = dockerInfo<{ NodeCertExpiry: number; ExternalCAs: Array<{ Protocol: string; URL: string; CACert: string }> }>(".Swarm.Cluster.Spec.CAConfig");
    expect(spec.NodeCertExpiry).toBe(720 * 3_600 * 1e9);
    // As `docker swarm update --external-ca` fills it: the current trust root.
    expect(spec.ExternalCAs).toEqual([{ Protocol: "cfssl", URL: "https://ca.example:8888/api/v1/cfssl/sign", CACert: before.trustRoot.pem }]);

    const stale = await refusal(api.pki.update.mutate({ version: before.version, externalCas: [] }));
    expect(stale).toEqual({ status: 409, message: "rpc error: code = Unknown desc = update out of sequence" });
    const cleared = await api.pki.update.mutate({ version: updated.version, externalCas: [] });
    expect(cleared.externalCas).toEqual([]);
    expect(dockerInfo<{ ExternalCAs?: unknown }>(".Swarm.Cluster.Spec.CAConfig").ExternalCAs ?? []).toEqual([]);
    expect((await auditOf("ca.update")).map((e) => e.outcome)).toEqual(["success", "success"]);
  });

  it("ok/autolock on answers Docker's new key once; reveal gives it again; rotate makes another; off removes it; each audited", async () => {
    const status = await api.pki.status.query();
    const on = await api.pki.setAutolock.mutate({ version: status.version, autolock: true });
    expect(on).toMatchObject({ autolock: true, unlockKeyRotatedAt: null, problem: null });
    expect(on.unlockKey).toMatch(/^SWMKEY-1-[A-Za-z0-9+/]{43}$/);
    secretsSeen.add(on.unlockKey!);
    expect(dockerInfo<{ AutoLockManagers: boolean }>(".Swarm.Cluster.Spec.EncryptionConfig").AutoLockManagers).toBe(true);
    expect(docker("swarm", "unlock-key", "-q").trim()).toBe(on.unlockKey);
    expect((await api.pki.status.query()).autolock).toEqual({ enabled: true, unlockKeyRotatedAt: null });

    const revealed = await api.pki.revealUnlockKey.mutate();
    expect(revealed.unlockKey).toBe(on.unlockKey);

    const rotated = await api.pki.rotateUnlockKey.mutate();
    secretsSeen.add(rotated.unlockKey);
    expect(rotated.unlockKey).toMatch(/^SWMKEY-1-/);
    expect(rotated.unlockKey).not.toBe(on.unlockKey);
    expect(docker("swarm", "unlock-key", "-q").trim()).toBe(rotated.unlockKey);

    const stale = await refusal(api.pki.setAutolock.mutate({ version: on.version, autolock: false }));
    expect(stale.status).toBe(409);
    const off = await api.pki.setAutolock.mutate({ version: (await api.pki.status.query()).version, autolock: false });
    expect(off).toMatchObject({ autolock: false, unlockKey: null });
    expect(dockerInfo<{ AutoLockManagers: boolean }>(".Swarm.Cluster.Spec.EncryptionConfig").AutoLockManagers).toBe(false);

    expect(await refusal(api.pki.revealUnlockKey.mutate())).toEqual({ status: 412, message: "no unlock key is set" });
    expect(await refusal(api.pki.rotateUnlockKey.mutate())).toEqual({ status: 412, message: "cannot rotate because autolock is not turned on" });

    expect((await auditOf("autolock.enable")).map((e) => [e.outcome, e.envName])).toEqual([["success", "prod"]]);
    expect((await auditOf("autolock.disable")).map((e) => [e.outcome, e.envName])).toEqual([["success", "prod"]]);
    expect((await auditOf("unlockkey.rotate")).map((e) => [e.outcome, e.targetType])).toEqual([["success", "unlockkey"]]);
    // Turning it on, the reveal, and the rotation each gave someone the key.
    expect((await auditOf("unlockkey.reveal")).map((e) => e.reason).sort()).toEqual([null, "shown once, on rotating it", "shown once, on turning autolock on"].sort());
  });

  it("ok/the CLI with --env: swarm update --autolock prints Docker's key once, unlock-key shows and rotates it, and off again", async () => {
    const cli = (...args: string[]) => runCli(s.dataDir, "--env", "prod", ...args);
    const on = await cli("swarm", "update", "--autolock");
    expect(on).toMatchObject({ code: 0, stderr: "" });
    const key = /SWMKEY-1-[A-Za-z0-9+/]{43}/.exec(on.stdout)?.[0] ?? "";
    secretsSeen.add(key);
    expect(on.stdout).toBe(`Swarm updated.\n${unlockText(key)}\n`);
    expect(docker("swarm", "unlock-key", "-q").trim()).toBe(key);

    expect(await cli("swarm", "unlock-key", "-q")).toEqual({ code: 0, stdout: `${key}\n`, stderr: "" });
    const rotated = await cli("swarm", "unlock-key", "--rotate", "-q");
    const newKey = rotated.stdout.trim();
    secretsSeen.add(newKey);
    expect(newKey).toMatch(/^SWMKEY-1-/);
    expect(newKey).not.toBe(key);
    expect(docker("swarm", "unlock-key", "-q").trim()).toBe(newKey);

    expect(await cli("swarm", "update", "--autolock=false")).toEqual({ code: 0, stdout: "Swarm updated.\n", stderr: "" });
    expect(dockerInfo<{ AutoLockManagers: boolean }>(".Swarm.Cluster.Spec.EncryptionConfig").AutoLockManagers).toBe(false);
    const none = await cli("swarm", "unlock-key", "--rotate");
    expect(none.code).toBe(1);
    expect(none.stderr).toContain("cannot rotate because autolock is not turned on");
    // This server's own autolock was never touched.
    expect((await native.pki.status.query()).autolock.enabled).toBe(false);
  });

  it("ok/the same procedures on Rampart's own cluster are the native autolock's", async () => {
    expect(await refusal(native.pki.revealUnlockKey.mutate())).toEqual({ status: 412, message: "no unlock key is set" });
  });

  it("ok/rampart --env prod swarm ca --rotate follows Docker's rotation with Swarm's progress lines, and prints the new root", async () => {
    const before = await api.pki.status.query();
    const r = await runCli(s.dataDir, "--env", "prod", "swarm", "ca", "--rotate");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const lines = r.stdout.split("\n");
    expect(lines[0]).toMatch(/^desired root digest: sha256:[0-9a-f]{64}$/);
    expect(lines).toContain("  rotated TLS certificates:  [==================================================] 3/3 nodes");
    expect(lines).toContain("  rotated CA certificates:   [==================================================] 3/3 nodes");
    const pem = docker("swarm", "ca").trim();
    expect(r.stdout.trim().endsWith(pem)).toBe(true);
    expect(digest(`${pem}\n`)).not.toBe(before.trustRoot.digest);
    expect(docker("node", "ls", "--format", "{{.TLSStatus}}").trim().split("\n")).toEqual(["Ready", "Ready", "Ready"]);
    expect(await auditOf("ca.rotate")).toHaveLength(2);
  }, 150_000);

  it("ok/no unlock key or CA key is in the server's log; the search finds the calls that returned them (control)", () => {
    const log = s.logs.join("");
    expect(secretsSeen.size).toBe(5);
    for (const secret of secretsSeen) expect(log).not.toContain(secret);
    expect(log).toContain("pki.revealUnlockKey");
    expect(log).toContain("pki.rotate");
  });
});
