import { generateKeyPairSync, sign } from "node:crypto";
import { request, Agent } from "node:https";
import { toPem } from "@rampart/core";
import { hostileCertificates } from "@rampart/core/testing";
import { afterAll, beforeAll, it } from "vitest";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { startTestServer, type TestServer } from "../test-support/server.js";

let s: TestServer;
beforeAll(async () => { s = await startTestServer("pglite", { nodeListen: "127.0.0.1:0" }); });
afterAll(async () => { await s?.dispose(); });

it("measure", async () => {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const spki = new Uint8Array(publicKey.export({ type: "spki", format: "der" }));
  const key = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  const [host, port] = s.server.nodeAddress.split(":");
  const root = s.server.runtime.manager.cluster.current().ca.rootPem;
  for (const h of hostileCertificates(spki, (d) => new Uint8Array(sign("sha256", d, privateKey)), new Date())) {
    const agent = new Agent({ keepAlive: false, maxSockets: 1, ciphers: 'DEFAULT:@SECLEVEL=0' });
    const cert = toPem(h.der, "CERTIFICATE");
    const times: number[] = [];
    const h0 = monitorEventLoopDelay({ resolution: 1 }); h0.enable();
    for (let i = 0; i < 12; i++) {
      const t = performance.now();
      const r = await new Promise<string>((resolve) => {
        const req = request({ host, port: Number(port), path: "/v1/heartbeat", method: "POST", ca: root, servername: "swarm-ca", key, cert, agent, headers: { "content-type": "application/json" } }, (res) => {
          let b = ""; res.on("data", (c) => (b += c)); res.on("end", () => resolve(`${res.statusCode} ${b.slice(0, 60)}`));
        });
        req.on("error", (e) => resolve(`error ${e.message}`));
        req.end("{}");
      });
      times.push(performance.now() - t);
      if (i === 0) console.log(h.name, h.der.length, r);
    }
    h0.disable();
    console.log(h.name, times.map((t) => t.toFixed(1)).join(" "), "maxdelay", (h0.max / 1e6).toFixed(1));
    agent.destroy();
  }
}, 120000);
