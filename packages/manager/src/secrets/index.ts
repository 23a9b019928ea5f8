import {
  RampartError,
  checkLabelKey,
  checkLabelValue,
  checkSecretSpec,
  checkSecretUpdate,
  newId,
  secretAlreadyExists,
  secretInUse,
  secretNotFound,
  secretRemoveNotFound,
  type Actor,
  type SecretInfo,
  type SecretReference,
} from "@rampart/core";
import {
  createSecret,
  deleteSecret,
  findSecretIds,
  getSecret,
  getSecretByName,
  listSecrets,
  readSealedSecretPayload,
  secretHoldings,
  secretPayloadContext,
  servicesReferencingSecrets,
  updateSecretLabels,
  type Db,
  type ReferencingService,
  type SecretHolding,
} from "@rampart/db";
import type { AuditService } from "../audit/index.js";
import type { ManagerDeps } from "../deps.js";


/** A service that references a secret, and how: one entry per target. */
export interface SecretServiceUse {
  id: string;
  name: string;
  references: Array<Pick<SecretReference, "target" | "uid" | "gid" | "mode">>;
}

/** A node that holds a secret now: it has tasks, ASSIGNED to RUNNING, of services that reference it. */
export interface SecretHolder {
  nodeId: string;
  hostname: string | null;
  tasks: number;
}

/** What list and inspect show: metadata, who references the secret, and where it is. Never the payload. */
export interface SecretView extends SecretInfo {
  services: SecretServiceUse[];
  nodes: SecretHolder[];
}

export interface NewSecret {
  name: string;
  /** The payload. Wiped (filled with zeros) once sealed. */
  data: Uint8Array;
  labels: Record<string, string>;
}

export interface SecretChange {
  labels: Record<string, string>;
  /** Swarm's UpdateSecret takes the whole spec: a name may be sent, but only unchanged. A payload is never taken. */
  name?: string | undefined;
}

/** A new secret, checked and sealed, waiting to be stored. Holds no plaintext. */
export interface PreparedSecret {
  id: string;
  name: string;
  size: number;
  sealed: Uint8Array<ArrayBuffer>;
}

const MAX_LABELS = 64;

/** A secret's labels as Rampart bounds them: at most 64, keys and values by the label rules. */
export function checkLabels(labels: Record<string, string>): Record<string, string> {
  const entries = Object.entries(labels);
  if (entries.length > MAX_LABELS) throw new RampartError("invalid_argument", `a secret has at most ${MAX_LABELS} labels`, { field: "labels" });
  for (const [key, value] of entries) {
    checkLabelKey(key);
    checkLabelValue(value);
  }
  return Object.fromEntries(entries);
}

/** A secret as an audit event names it. */
export const secretTarget = (s: { id: string; name: string }) => ({ type: "secret", id: s.id, name: s.name });

function uses(services: readonly ReferencingService[], secretId: string): SecretServiceUse[] {
  return services
    .map((s) => ({
      id: s.id,
      name: s.name,
      references: s.secrets.filter((r) => r.secretId === secretId).map(({ target, uid, gid, mode }) => ({ target, uid, gid, mode })),
    }))
    .filter((s) => s.references.length > 0);
}

const holders = (rows: readonly SecretHolding[]): SecretHolder[] => rows.map(({ nodeId, hostname, tasks }) => ({ nodeId, hostname, tasks }));

/**
 * Secrets, with Swarm's rules (`@rampart/core` secret): create, list and inspect
 * (metadata only), labels-only updates with optimistic versions, and removal refused
 * while a service references the secret. Payloads are sealed fields bound to their row;
 * nothing here returns one except `openPayload`, which no API procedure reaches. (Delivery
 * reads a payload itself, in the same statement that checks the node may have it.)
 */
export function createSecretService(deps: ManagerDeps, audit: AuditService) {
  const db = deps.store.prisma;

  /** Docker's lookup: ID, name, or an unambiguous ID prefix. `notFound` says what a miss is called. */
  async function resolve(ref: string, tx: Db = db, notFound: (ref: string) => RampartError = secretNotFound): Promise<SecretInfo> {
    const ids = await findSecretIds(tx, ref);
    if (ids.length === 0) throw notFound(ref);
    if (ids.length > 1) throw new RampartError("invalid_argument", `secret ${ref} is ambiguous (2 matches found)`, { field: "secret" });
    const found = await getSecret(tx, ids[0]!);
    if (!found) throw notFound(ref);
    return found;
  }

  /**
   * The payload in plain text (tests and tools); no API procedure calls this. The caller wipes the buffer (`fill(0)`) as soon as it is done with it.
   */
  async function openPayload(id: string, tx: Db = db): Promise<Buffer> {
    const row = await readSealedSecretPayload(tx, id);
    if (!row) throw secretNotFound(id);
    return deps.codec.open(secretPayloadContext(id), row.sealed);
  }

  /**
   * A new secret checked with Swarm's rules (name, then size) and its payload sealed
   * under a fresh ID, before any transaction opens. `data` is wiped either way.
   */
  function prepare(name: string, data: Uint8Array): PreparedSecret {
    const id = newId(deps.random(17));
    const size = data.length;
    try {
      checkSecretSpec({ name, size });
      return { id, name, size, sealed: deps.codec.seal(secretPayloadContext(id), data) };
    } finally {
      data.fill(0);
    }
  }

  /** Stores a prepared secret in the caller's transaction, audited; a name in use gets Swarm's words. */
  async function insert(tx: Db, prepared: PreparedSecret, labels: Record<string, string>, actor: Actor, ip: string | null): Promise<SecretInfo> {
    if (await getSecretByName(tx, prepared.name)) throw secretAlreadyExists(prepared.name);
    let secret: SecretInfo;
    try {
      secret = await createSecret(tx, { id: prepared.id, name: prepared.name, labels, size: prepared.size, sealedPayload: prepared.sealed, at: deps.now() });
    } catch (error) {
      // Another create of the same name committed first.
      if ((error as { code?: string }).code === "P2002") throw secretAlreadyExists(prepared.name);
      throw error;
    }
    await audit.record({ actor, action: "secret.create", target: secretTarget(secret), outcome: "success", ip }, tx);
    return secret;
  }

  async function view(secret: SecretInfo, tx: Db = db): Promise<SecretView> {
    const [services, nodes] = await Promise.all([servicesReferencingSecrets(tx, secret.id), secretHoldings(tx, secret.id)]);
    return { ...secret, services: uses(services, secret.id), nodes: holders(nodes) };
  }

  return {
    resolve,

    async list(query: { search?: string | undefined } = {}): Promise<SecretView[]> {
      const [secrets, services, holdings] = await Promise.all([listSecrets(db, query), servicesReferencingSecrets(db), secretHoldings(db)]);
      const bySecret = new Map<string, SecretHolding[]>();
      for (const h of holdings) {
        const list = bySecret.get(h.secretId);
        if (list) list.push(h);
        else bySecret.set(h.secretId, [h]);
      }
      return secrets.map((s) => ({ ...s, services: uses(services, s.id), nodes: holders(bySecret.get(s.id) ?? []) }));
    },

    async get(ref: string): Promise<SecretView> {
      return view(await resolve(ref));
    },

    async create(input: NewSecret, actor: Actor, ip: string | null): Promise<SecretView> {
      const prepared = prepare(input.name, input.data);
      const labels = checkLabels(input.labels);
      const created = await deps.store.transaction((tx) => insert(tx, prepared, labels, actor, ip));
      return { ...created, services: [], nodes: [] };
    },

    prepare,
    insert,

    /**
     * Labels only (UpdateSecret): a different name is refused with Swarm's
     * words before the version is looked at; `version` must be the one the caller read.
     */
    async update(ref: string, version: number, change: SecretChange, actor: Actor, ip: string | null): Promise<SecretView> {
      const labels = checkLabels(change.labels);
      const updated = await deps.store.transaction(async (tx) => {
        const current = await resolve(ref, tx);
        checkSecretUpdate(current, { name: change.name });
        if (current.version !== version) {
          throw new RampartError("conflict", `secret ${current.name} changed since version ${version}; reload and try again`, { field: "version" });
        }
        const next = await updateSecretLabels(tx, current.id, version, labels, deps.now());
        if (!next) throw new RampartError("conflict", `secret ${current.name} changed at the same time; reload and try again`, { field: "version" });
        await audit.record({ actor, action: "secret.update", target: secretTarget(next), outcome: "success", ip }, tx);
        return next;
      });
      return view(updated);
    },

    /** RemoveSecret: refused while any service spec references the secret (tasks are not consulted). */
    async remove(ref: string, actor: Actor, ip: string | null): Promise<SecretInfo> {
      return deps.store.transaction(async (tx) => {
        const secret = await resolve(ref, tx, secretRemoveNotFound);
        // Delete first: the row lock makes a service that is referencing the secret right
        // now commit before the check below reads, so the check cannot miss it.
        await deleteSecret(tx, secret.id);
        const users = await servicesReferencingSecrets(tx, secret.id);
        if (users.length > 0) throw secretInUse(secret.name, users.map((u) => u.name));
        await audit.record({ actor, action: "secret.remove", target: secretTarget(secret), outcome: "success", ip }, tx);
        return secret;
      });
    },

    /** The services whose spec references the secret, with their targets (for rotation). */
    async servicesUsing(secretId: string): Promise<SecretServiceUse[]> {
      return uses(await servicesReferencingSecrets(db, secretId), secretId);
    },

    /** The nodes that hold the secret now (tasks ASSIGNED to RUNNING of services that reference it). */
    async nodesHolding(secretId: string): Promise<SecretHolder[]> {
      return holders(await secretHoldings(db, secretId));
    },

    openPayload,
  };
}

export type SecretService = ReturnType<typeof createSecretService>;
