import { X509Certificate, randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import { availableParallelism, hostname, machine, totalmem } from "node:os";
import { join } from "node:path";
import { isRampartError, renewalTime, type NodeDescription } from "@rampart/core";
import { kekSource, openKeyring, openStore, type Store } from "@rampart/db";
import { createManager, type Logger, type Manager } from "@rampart/manager";
import { csrFor, identityFiles, loadOrCreateKey, readCertificate, saveCertificate } from "./identity.js";

export interface RuntimeOptions {
  dataDir: string;
  databaseUrl: string | undefined;
  kekFile: string | undefined;
  version: string;
  log: Logger;
  /** Where nodes reach the node endpoint (host:port), as first known. */
  nodeAddress: string;
  /** What this server's own node runs its tasks with (its engine's description, or runtime `none`). */
  describeLocal?: (base: NodeDescription) => NodeDescription;
}

/** This server's own node: its ID, and the key and certificate its TLS listener uses. */
export interface LocalNode {
  nodeId: string;
  keyPem: string;
  certPem: string;
  rootPem: string;
}

export interface Runtime {
  store: Store;
  manager: Manager;
  /** The one-time setup code, when the first administrator is still to be created. */
  setupCode: string | undefined;
  /** True on the start that created the swarm. */
  swarmCreated: boolean;
  local: LocalNode;
  /** What the server's own node said of itself when it was registered. */
  localDescription: NodeDescription;
  /** Re-issues this server's node certificate when it is due; returns it if it changed. */
  renewLocalNode(): Promise<LocalNode | undefined>;
  close(): Promise<void>;
}

/** What this machine says about itself, as an agent would. */
export function localDescription(version: string): NodeDescription {
  const name = hostname().replace(/[^A-Za-z0-9._-]/g, "-").replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, "") || "rampart";
  return {
    hostname: name.slice(0, 254),
    os: process.platform,
    arch: machine(),
    nanoCpus: availableParallelism() * 1e9,
    memoryBytes: totalmem(),
    engineVersion: version,
    engineLabels: {},
  };
}

/**
 * This server's own renewal point: a random moment in 50–80 % of its certificate's life,
 * drawn once per certificate in this process, as an agent draws it.
 */
let drawn: { pem: string; at: Date } | undefined;
function renewalPoint(pem: string, notBefore: Date, notAfter: Date): Date {
  if (drawn?.pem !== pem) drawn = { pem, at: renewalTime(notBefore, notAfter, Math.random(), notBefore) };
  return drawn.at;
}

async function ensureLocalNode(manager: Manager, options: RuntimeOptions): Promise<{ local: LocalNode; changed: boolean }> {
  const files = identityFiles(join(options.dataDir, "certificates"));
  const key = loadOrCreateKey(files);
  const keyPem = key.export({ type: "pkcs8", format: "pem" }).toString();
  const { record, ca } = manager.cluster.current();
  const current = readCertificate(files);
  const ours = current && current.organization === record.id ? current : undefined;
  let valid = false;
  if (ours) {
    const chains = new X509Certificate(ours.pem).verify(new X509Certificate(ca.rootPem).publicKey);
    const due = renewalPoint(ours.pem, ours.notBefore, ours.notAfter);
    const known = await manager.nodes.get(ours.nodeId).then(
      () => true,
      (error: unknown) => (isRampartError(error) && error.code === "not_found" ? false : Promise.reject(error)),
    );
    valid = chains && known && Date.now() < due.getTime();
  }
  if (valid && ours) return { local: { nodeId: ours.nodeId, keyPem, certPem: ours.pem, rootPem: ca.rootPem }, changed: false };
  const issued = await manager.nodes.ensureLocalNode({
    nodeId: ours?.nodeId,
    csrPem: csrFor(key),
    description: (options.describeLocal ?? ((d: NodeDescription) => d))(localDescription(options.version)),
    addr: options.nodeAddress.replace(/:\d+$/, ""),
  });
  saveCertificate(files, issued.certificatePem, ca.rootPem);
  return { local: { nodeId: issued.nodeId, keyPem, certPem: issued.certificatePem, rootPem: ca.rootPem }, changed: true };
}

/**
 * Opens the store, applies migrations, unlocks the sealed-field keys and builds the
 * application services. If any step fails the store is closed again, so a failed start
 * never leaves the PGlite directory locked.
 */
export async function openRuntime(options: RuntimeOptions): Promise<Runtime> {
  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  const store = await openStore({
    dataDir: options.dataDir,
    databaseUrl: options.databaseUrl,
    // One server owns a store (ADR 0015): a second on the same database is refused.
    exclusive: true,
    onLockLost(error) {
      // Another server could take the store now; serving on would make two owners.
      options.log.error({ error: error.name }, "lost the connection holding the store's lock; exiting");
      process.exit(1);
    },
  });
  try {
    const applied = await store.migrate();
    if (applied.length > 0) options.log.info({ migrations: applied }, "store migrated");
    const { codec, kekCreated } = await openKeyring(store.prisma, kekSource(options.dataDir, options.kekFile));
    if (kekCreated) options.log.info({ path: `${options.dataDir}/kek` }, "created the key-encryption key");
    const manager = createManager({
      store,
      codec,
      log: options.log,
      now: () => new Date(),
      random: (n) => new Uint8Array(randomBytes(n)),
      version: options.version,
      nodeAddress: options.nodeAddress,
    });
    const setupCode = await manager.auth.issueSetupCode();
    const { created } = await manager.cluster.init();
    if (created) options.log.info({ clusterId: manager.cluster.current().record.id }, "swarm initialised");
    await manager.nodes.load();
    const first = await ensureLocalNode(manager, options);
    let local = first.local;
    // A certificate still good skips the re-issue, which carries the description: this
    // start's own (its engine, or the lack of one; ADR 0019) is recorded all the same.
    const described = (options.describeLocal ?? ((d: NodeDescription) => d))(localDescription(options.version));
    if (!first.changed) await manager.nodes.updateDescription(local.nodeId, described, options.nodeAddress.replace(/:\d+$/, ""));
    return {
      store,
      manager,
      setupCode,
      swarmCreated: created,
      get local() {
        return local;
      },
      localDescription: described,
      async renewLocalNode() {
        const next = await ensureLocalNode(manager, options);
        local = next.local;
        return next.changed ? next.local : undefined;
      },
      close: () => store.close(),
    };
  } catch (error) {
    await store.close();
    throw error;
  }
}
