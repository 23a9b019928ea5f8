import { X509Certificate, randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import { availableParallelism, hostname, machine, totalmem } from "node:os";
import { join } from "node:path";
import { RampartError, SYSTEM_ACTOR, isRampartError, renewalTime, type ExternalCa, type NodeDescription } from "@rampart/core";
import { kekSource, nodeKeyPassphrase, openKeyring, openKeyringWithKek, openStore, readLockState, type Keyring, type Store } from "@rampart/db";
import { createLockedAutolock, createManager, issuerKeyIdOf, type LockedAutolock, type Logger, type Manager } from "@rampart/manager";
import { csrFor, identityFiles, loadOrCreateKey, protectKeysIn, readCertificate, reprotectKey, saveCertificate } from "./identity.js";

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
  /**
   * `--external-ca`, at the start that creates the swarm (`docker swarm init
   * --external-ca`): the CA's external CAs from the first moment, an entry without
   * cacert for the root made then. Refused when the store holds a swarm already.
   */
  externalCas?: readonly ExternalCa[] | undefined;
}

/** Why `--external-ca` is refused on a start that does not create the swarm. */
export const EXTERNAL_CA_AT_INIT_ONLY =
  "--external-ca applies on the start that creates the swarm, and this store holds one: change its external CAs with 'rampart swarm update --external-ca', or rotate to an external CA's root with 'rampart swarm ca --rotate --ca-cert FILE --external-ca …'";

/** This server's own node: its ID, and the key and certificate its TLS listener uses. */
export interface LocalNode {
  nodeId: string;
  keyPem: string;
  certPem: string;
  rootPem: string;
}

export interface Runtime {
  locked: false;
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
    // Issued as the CA issues now: by the root, or during a rotation by the new key.
    const chains = issuerKeyIdOf(new Uint8Array(new X509Certificate(ours.pem).raw)) === ca.wantedIssuerKeyId;
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
 *
 * With autolock on (ADR 0022) the key-encryption key is in the store, wrapped under the
 * unlock key, and nothing sealed can be opened: the answer is then a locked runtime,
 * whose store is open and whose one service is Swarm's unlock. The right key finishes
 * the start in this process, exactly as an unlocked start goes on from its keyring.
 */
export async function openRuntime(options: RuntimeOptions): Promise<Runtime | LockedRuntime> {
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
    const lock = await readLockState(store.prisma);
    if (lock && (options.externalCas?.length ?? 0) > 0) throw new RampartError("failed_precondition", EXTERNAL_CA_AT_INIT_ONLY);
    if (lock?.autolock && lock.wrappedKek) {
      if (options.kekFile) {
        throw new RampartError(
          "failed_precondition",
          "autolock is on: the key-encryption key is in the store, wrapped under the unlock key, and RAMPART_KEK_FILE is not read; start the server without RAMPART_KEK_FILE",
        );
      }
      options.log.info({ clusterId: lock.clusterId }, "autolock is on: the server is locked until it is given the unlock key");
      return lockedRuntime(store, { clusterId: lock.clusterId, wrappedKek: lock.wrappedKek }, options);
    }
    const keyring = await openKeyring(store.prisma, kekSource(options.dataDir, options.kekFile));
    if (keyring.kekCreated) options.log.info({ path: `${options.dataDir}/kek` }, "created the key-encryption key");
    return await finishRuntime(store, keyring, options);
  } catch (error) {
    await store.close();
    throw error;
  }
}

/** A server whose keys are sealed under the unlock key (ADR 0022): its store is open, and nothing in it can be read. */
export interface LockedRuntime {
  locked: true;
  store: Store;
  /** Swarm's unlock, counted and audited; the right key finishes opening the runtime, then `onUnlock` runs. */
  autolock: LockedAutolock;
  /**
   * What the server does with the runtime once it is open, before the unlock is answered:
   * so that the answer comes when the server serves, and not a moment before.
   */
  onUnlock(serve: (runtime: Runtime) => void): void;
  close(): Promise<void>;
}

function lockedRuntime(store: Store, lock: { clusterId: string; wrappedKek: Uint8Array }, options: RuntimeOptions): LockedRuntime {
  let serve: (runtime: Runtime) => void = () => undefined;
  const autolock = createLockedAutolock(
    { store, log: options.log, now: () => new Date(), random: (n) => new Uint8Array(randomBytes(n)), version: options.version },
    lock,
    async (kek) => {
      const keyring = await openKeyringWithKek(store.prisma, kek, "that the unlock key opened");
      serve(await finishRuntime(store, keyring, options));
    },
  );
  return {
    locked: true,
    store,
    autolock,
    onUnlock(given) {
      serve = given;
    },
    close: () => store.close(),
  };
}

/**
 * The start from an open keyring on: the services, the setup code, the swarm, this
 * server's own node, and autolock's files made to match the store (ADR 0022).
 */
async function finishRuntime(store: Store, keyring: Keyring, options: RuntimeOptions): Promise<Runtime> {
  const manager = createManager({
    store,
    codec: keyring.codec,
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
  // The node key opens with the KEK, encrypted or not; it is written encrypted while autolock is on.
  const certificates = join(options.dataDir, "certificates");
  protectKeysIn(certificates, { passphrase: nodeKeyPassphrase(keyring.kek), encrypt: manager.cluster.current().record.autolock });
  const first = await ensureLocalNode(manager, options);
  let local = first.local;
  await manager.autolock.attach({
    kek: keyring.kek,
    kekSource: kekSource(options.dataDir, options.kekFile),
    protectNodeKey: (passphrase) => reprotectKey(identityFiles(certificates), passphrase),
  });
  // External CAs see this node's certificate: Swarm's managers call them with theirs.
  manager.cluster.useClientIdentity({ cert: local.certPem, key: local.keyPem });
  if (created && options.externalCas && options.externalCas.length > 0) {
    // As docker swarm init stores them: the same checks as a CA change, audited as one.
    const { record } = manager.cluster.current();
    await manager.cluster.changeCa(
      { version: record.version, signingCaCert: "", signingCaKey: "", forceRotate: false, externalCas: [...options.externalCas] },
      SYSTEM_ACTOR,
      null,
    );
    options.log.info({ externalCas: options.externalCas.map((ca) => ca.url) }, "external CAs set at init");
  }
  // A certificate still good skips the re-issue, which carries the description: this
  // start's own (its engine, or the lack of one; ADR 0019) is recorded all the same.
  const described = (options.describeLocal ?? ((d: NodeDescription) => d))(localDescription(options.version));
  if (!first.changed) await manager.nodes.updateDescription(local.nodeId, described, options.nodeAddress.replace(/:\d+$/, ""));
  return {
    locked: false,
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
      // A finished rotation changes the trust root the listener checks nodes against, even
      // when this node's certificate (issued under the new key) stays.
      const rootChanged = next.local.rootPem !== local.rootPem;
      local = next.local;
      if (next.changed || rootChanged) manager.cluster.useClientIdentity({ cert: local.certPem, key: local.keyPem });
      // This node holds the new trust root from now on: counted as such in a rotation's progress.
      if (rootChanged) {
        const cert = new X509Certificate(local.certPem);
        await manager.nodes.sawTls(local.nodeId, {
          issuerKeyId: issuerKeyIdOf(new Uint8Array(cert.raw)),
          serial: cert.serialNumber.toLowerCase(),
          trustRootDigest: manager.cluster.current().ca.rootDigestHex,
        });
      }
      return next.changed || rootChanged ? next.local : undefined;
    },
    close: () => store.close(),
  };
}
