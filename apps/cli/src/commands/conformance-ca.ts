import { X509Certificate, createPublicKey, generateKeyPairSync } from "node:crypto";
import { createServer as createTlsServer, type Server } from "node:tls";
import { createServer as createTcpServer, type AddressInfo } from "node:net";
import type { CaConformancePorts } from "@rampart/core/conformance";
import {
  checkRoot,
  createCertificateAuthority,
  createRootCa,
  createRootPem,
  crossSign,
  externalCaReachable,
  externalCrossSign,
  readPrivateKey,
} from "@rampart/manager";

const DAY = 86_400_000;
/** Dial in a conformance run: every server is on this machine, so a second is plenty. */
const DIAL_TIMEOUT_MS = 2_000;

/**
 * What `rampart conformance` builds ca_rotation.json's scenarios from: the manager's own
 * root checks, cross-signing and external-CA reachability test, with real keys, real
 * certificates and TLS servers on 127.0.0.1 that present them.
 */
export function caConformancePorts(): CaConformancePorts {
  const servers: Server[] = [];
  const now = () => new Date();
  const listen = (server: Server | ReturnType<typeof createTcpServer>) =>
    new Promise<number>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port));
    });
  return {
    now,
    checkRoot: (cert, signingCert, key) => checkRoot(cert, signingCert, key, now()),
    reachable: (url, wanted) => externalCaReachable(url, wanted, undefined, DIAL_TIMEOUT_MS),
    createRoot: () => createRootPem(now()),
    crossSign: (oldRoot, newCert) => crossSign(oldRoot, newCert),
    crossSignExternal: (urls, current, newRoot) => externalCrossSign(urls, newRoot, { ca: [current] }, DIAL_TIMEOUT_MS),
    root(options = {}) {
      const at = now();
      const root = createRootCa(at, {
        ...(options.key ? { key: readPrivateKey(options.key) } : {}),
        ...(options.expired ? { notBefore: new Date(at.getTime() - 30 * DAY), validityMs: 29 * DAY } : {}),
        ...(options.days !== undefined ? { validityMs: options.days * DAY } : {}),
      });
      return { cert: root.certPem, key: root.key.export({ type: "pkcs8", format: "pem" }).toString() };
    },
    async server(issuer) {
      // A certificate for the name `localhost`, issued by `issuer` as it would issue a manager's.
      const ca = createCertificateAuthority(issuer.cert, readPrivateKey(issuer.key));
      const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
      const spki = new Uint8Array(publicKey.export({ type: "spki", format: "der" }));
      const issued = ca.issue({
        csr: { spki, publicKey: createPublicKey(privateKey) },
        nodeId: "localhost",
        role: "manager",
        clusterId: "conformance",
        expiryMs: DAY,
        now: now(),
      });
      const server = createTlsServer({ cert: issued.pem, key: privateKey.export({ type: "pkcs8", format: "pem" }).toString() }, (socket) => socket.end());
      // A refused handshake is the point of some scenarios; it is not this server's error to report.
      server.on("tlsClientError", () => undefined);
      servers.push(server);
      return `https://localhost:${await listen(server)}`;
    },
    async closedUrl() {
      const probe = createTcpServer();
      const port = await listen(probe);
      await new Promise<void>((resolve) => probe.close(() => resolve()));
      return `https://localhost:${port}`;
    },
    verifies: (cert, issuerCert) => new X509Certificate(cert).verify(new X509Certificate(issuerCert).publicKey),
    async close() {
      await Promise.all(servers.splice(0).map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    },
  };
}
