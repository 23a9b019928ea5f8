/**
 * nodeEndpoint.hostileCert.worstMs: the server's event-loop time per request (handshake
 * included) for the slowest of the hostile client certificates (thousands of
 * extensions, huge OIDs, thousands of RDNs, maximum length), sent through the real TLS
 * listener of a real server, each on a fresh connection. Target: under 5 ms.
 * nodeEndpoint.handshake.rate: full handshakes a second (each a heartbeat on a fresh
 * connection) with a valid node certificate. nodeEndpoint.validCert.ms is the same
 * per-request figure as the hostile one, for a valid certificate, as the baseline.
 *
 * The clients run in a child process, so the server's event loop is measured alone
 * (performance.eventLoopUtilization over each run, divided by its requests).
 */
import { spawn } from "node:child_process";
import { generateKeyPairSync, sign } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { toPem } from "@rampart/core";
import { hostileCertificates } from "@rampart/core/testing";
import { verifyCsr } from "@rampart/manager";
import { csrFor } from "./identity.js";
import { createLogger } from "./log.js";
import { startTestServer } from "../test-support/server.js";

const HOSTILE_REQUESTS = 60;
const VALID_REQUESTS = 300;

/** The client: `count` heartbeats, each on a fresh connection (a full handshake), one at a time. */
const CLIENT = `
import { request } from "node:https";
import { readFileSync } from "node:fs";
const [host, port, dir, name, count] = process.argv.slice(2);
const options = {
  host, port: Number(port), path: "/v1/heartbeat", method: "POST", agent: false, servername: "swarm-ca",
  ca: readFileSync(dir + "/root.pem"), key: readFileSync(dir + "/key.pem"), cert: readFileSync(dir + "/" + name + ".pem"),
  ciphers: "DEFAULT:@SECLEVEL=0", headers: { "content-type": "application/json" },
};
const statuses = {};
const started = performance.now();
for (let i = 0; i < Number(count); i++) {
  const status = await new Promise((resolve) => {
    const req = request(options, (res) => { res.resume(); res.on("end", () => resolve(res.statusCode)); });
    req.on("error", (e) => resolve(e.code ?? "error"));
    req.end("{}");
  });
  statuses[status] = (statuses[status] ?? 0) + 1;
}
console.log(JSON.stringify({ ms: performance.now() - started, statuses }));
`;

const dir = mkdtempSync(join(tmpdir(), "rampart-bench-hostile-"));
const quiet = new Writable({ write: (_chunk, _encoding, done) => done() });
const s = await startTestServer("pglite", { log: createLogger("warn", quiet) });
try {
  const [host, port] = s.server.nodeAddress.split(":") as [string, string];
  const { ca, record } = s.server.runtime.manager.cluster.current();
  writeFileSync(join(dir, "root.pem"), ca.rootPem);
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  writeFileSync(join(dir, "key.pem"), privateKey.export({ type: "pkcs8", format: "pem" }));
  const issued = ca.local!.issue({ csr: verifyCsr(csrFor(privateKey)), nodeId: s.server.runtime.local.nodeId, role: "manager", clusterId: record.id, expiryMs: 3_600_000, now: new Date() });
  writeFileSync(join(dir, "valid.pem"), issued.pem);
  const spki = new Uint8Array(publicKey.export({ type: "spki", format: "der" }));
  const hostile = hostileCertificates(spki, (data) => new Uint8Array(sign("sha256", data, privateKey)), new Date());
  for (const h of hostile) writeFileSync(join(dir, `${h.name}.pem`), toPem(h.der, "CERTIFICATE"));
  writeFileSync(join(dir, "client.mjs"), CLIENT);

  /** Runs the client against the server; returns the server's busy ms per request and the client's view. */
  async function run(name: string, count: number): Promise<{ busyMs: number; clientMs: number; statuses: Record<string, number> }> {
    const before = performance.eventLoopUtilization();
    const child = spawn(process.execPath, [join(dir, "client.mjs"), host, port, dir, name, String(count)], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    await new Promise((resolve) => child.once("close", resolve));
    const used = performance.eventLoopUtilization(before);
    const result = JSON.parse(out) as { ms: number; statuses: Record<string, number> };
    return { busyMs: used.active / count, clientMs: result.ms, statuses: result.statuses };
  }

  await run("valid", 50); // warm-up, unreported
  for (const h of hostile) await run(h.name, 5);
  let worst = { name: "", ms: 0 };
  for (const h of hostile) {
    const r = await run(h.name, HOSTILE_REQUESTS);
    console.error(`${h.name} (${h.der.length} bytes): ${r.busyMs.toFixed(2)} ms of the server's event loop per request, statuses ${JSON.stringify(r.statuses)}`);
    if (r.busyMs > worst.ms) worst = { name: h.name, ms: r.busyMs };
  }
  const valid = await run("valid", VALID_REQUESTS);
  console.error(`valid certificate: statuses ${JSON.stringify(valid.statuses)}; worst hostile: ${worst.name}`);
  console.log(`nodeEndpoint.hostileCert.worstMs: ${worst.ms.toFixed(2)} ms`);
  console.log(`nodeEndpoint.validCert.ms: ${valid.busyMs.toFixed(2)} ms`);
  console.log(`nodeEndpoint.handshake.rate: ${((VALID_REQUESTS / valid.clientMs) * 1000).toFixed(0)} /s`);
} finally {
  await s.dispose();
  rmSync(dir, { recursive: true, force: true });
}
