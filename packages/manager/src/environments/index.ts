import { checkEnvironmentName, ENV_NAME_MAX_LENGTH, escapeUnsafeText, newId, RampartError, type Actor, type AuditEnv, type AuditEventInput, type ConnectionState, type DockerHost } from "@rampart/core";
import {
  createEnvironment,
  deleteEnvironment,
  environmentKeyContext,
  findEnvironmentByCluster,
  getEnvironmentWithKey,
  listEnvironments,
  type EnvironmentRecord,
} from "@rampart/db";
import type Docker from "dockerode";
import { createAuditThrottle, type AuditService } from "../audit/index.js";
import type { ManagerDeps } from "../deps.js";
import { addressOf, connect, type ConnectionTarget, type DockerTls } from "./docker/client.js";
import { dockerError, dockerMessage, isNotManager } from "./docker/errors.js";

export { CLIENT_API_VERSION, OLDEST_API_VERSION } from "./docker/client.js";
export { dockerError, dockerMessage, isNotManager } from "./docker/errors.js";

/** A connection's health now: what the shell shows beside every page of the environment. */
export interface Connection {
  state: ConnectionState;
  /** When the state began (for "unreachable since …"); null until the first check. */
  since: Date | null;
  /** Why, in a sentence, when not connected. */
  detail: string | null;
  checkedAt: Date | null;
  apiVersion: string | null;
  engineVersion: string | null;
}

export interface EnvironmentView extends EnvironmentRecord {
  connection: Connection;
}

export interface NewEnvironmentInput {
  name: string;
  dockerHost: string;
  tls?: DockerTls | undefined;
  insecure?: boolean | undefined;
}

/** One connected swarm, ready for calls: each goes through `call`, which keeps the connection's state. */
export interface ConnectedEnvironment {
  record: EnvironmentRecord;
  /** For the audit log: the environment an event happened in. */
  auditEnv: AuditEnv;
  docker: Docker;
  /** Runs one or more Engine API calls; failures become RampartErrors with Docker's text. */
  call<T>(fn: (docker: Docker) => Promise<T>): Promise<T>;
}

interface Live {
  docker: Docker;
  host: DockerHost;
  target: ConnectionTarget;
  connection: Connection;
  /** When the engine was last seen to be this swarm's manager (ms since the epoch, this process's clock). */
  verifiedAt: number;
}

const UNCHECKED: Connection = { state: "unreachable", since: null, detail: "not checked yet", checkedAt: null, apiVersion: null, engineVersion: null };

/** How often a connection is checked when nothing else calls it, how long a check may take, and how long reads are audited once. */
const MONITOR_INTERVAL_MS = 5_000;
const CHECK_TIMEOUT_MS = 5_000;
/** How long a verified swarm ID is trusted before a call checks it again. */
const VERIFY_INTERVAL_MS = 5_000;

/** An error's message for a person: a RampartError's sentence; anything else, a plain statement (the log has the rest). */
const messageOf = (error: unknown): string => (error instanceof RampartError ? error.message : "the connection failed unexpectedly");
const USE_AUDIT_INTERVAL_MS = 10 * 60_000;

/**
 * Environments (ADR 0020): the Docker Swarms this server administers beside its own
 * cluster. Only administrators connect and remove them (the API's permission); each
 * connect, refusal and removal is audited, and each reader's use of one is audited at
 * most every 10 minutes. A connection to an engine is root on its host, so the client
 * key is sealed and never returned.
 */
/** A check that takes longer than CHECK_TIMEOUT_MS counts as an engine that does not answer (a hung or stopped daemon). */
async function withinCheckTime<T>(work: Promise<T>, host: DockerHost): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new RampartError("unavailable", `the Docker Engine at ${addressOf(host)} did not answer within ${CHECK_TIMEOUT_MS / 1000} s`)), CHECK_TIMEOUT_MS);
  });
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}

export function createEnvironmentService(deps: ManagerDeps, audit: AuditService) {
  const db = deps.store.prisma;
  const live = new Map<string, Live>();
  const useThrottle = createAuditThrottle(deps.now, USE_AUDIT_INTERVAL_MS);
  let monitor: NodeJS.Timeout | undefined;

  const auditEnv = (record: Pick<EnvironmentRecord, "id" | "name">): AuditEnv => ({ id: record.id, name: record.name });

  function mark(entry: Live, state: ConnectionState, detail: string | null, versions?: { apiVersion: string; engineVersion: string }): void {
    const at = deps.now();
    const was = entry.connection;
    entry.connection = {
      state,
      since: was.state === state && was.since ? was.since : at,
      detail,
      checkedAt: at,
      apiVersion: versions?.apiVersion ?? was.apiVersion,
      engineVersion: versions?.engineVersion ?? was.engineVersion,
    };
    if (was.state !== state && was.checkedAt) deps.log.info({ env: entry.target.dockerHost, state, detail }, "environment connection changed");
  }

  function targetOf(record: EnvironmentRecord & { sealedKey: Uint8Array | null }): ConnectionTarget {
    const tls =
      record.tlsCa && record.tlsCert && record.sealedKey
        ? { ca: record.tlsCa, cert: record.tlsCert, key: deps.codec.openText(environmentKeyContext(record.id), record.sealedKey) }
        : null;
    return { dockerHost: record.dockerHost, tls, insecure: record.insecure };
  }

  /**
   * Checks that the engine answers as a swarm manager; returns the swarm's ID. Throws the
   * check's sentence. Reads `/info` alone (never `/swarm`, whose answer holds the join
   * tokens); for an engine that is not a manager, Docker's own sentence comes from a
   * manager-only call, which it refuses.
   */
  async function checkManager(docker: Docker, host: DockerHost, target: ConnectionTarget): Promise<string> {
    const address = addressOf(host);
    let info: unknown;
    try {
      info = await docker.info();
    } catch (error) {
      const e = dockerError(error, host, target);
      throw e instanceof RampartError ? e : new RampartError("unavailable", `the engine at ${address} did not answer /info`);
    }
    const swarm = (info as { Swarm?: { LocalNodeState?: unknown; ControlAvailable?: unknown; Cluster?: { ID?: unknown } } } | null)?.Swarm;
    if (!swarm || typeof swarm !== "object") throw new RampartError("failed_precondition", `the server at ${address} did not answer /info as a Docker Engine does`);
    if (swarm.LocalNodeState === "locked") {
      throw new RampartError("failed_precondition", `the engine at ${address} is a locked swarm manager: unlock it with docker swarm unlock, then connect again`);
    }
    if (swarm.LocalNodeState !== "active" || swarm.ControlAvailable !== true) {
      const text = await docker.listNodes().then(
        () => null,
        (error: unknown) => dockerMessage(error) ?? null,
      );
      const says = text ? ` Docker says: ${text}` : "";
      if (swarm.LocalNodeState !== "active") throw new RampartError("failed_precondition", `the engine at ${address} is not in a swarm.${says}`);
      throw new RampartError("failed_precondition", `the engine at ${address} is a swarm worker, and workers cannot list nodes: connect a manager.${says}`);
    }
    const id = swarm.Cluster?.ID;
    if (typeof id !== "string" || id.length === 0) throw new RampartError("failed_precondition", `the engine at ${address} is a manager but gave no swarm ID`);
    return id;
  }

  async function open(record: EnvironmentRecord & { sealedKey: Uint8Array | null }): Promise<Live> {
    const existing = live.get(record.id);
    if (existing) return existing;
    const target = targetOf(record);
    const negotiated = await connect(target);
    const entry: Live = { docker: negotiated.docker, host: negotiated.host, target, connection: { ...UNCHECKED }, verifiedAt: 0 };
    mark(entry, "connected", null, negotiated);
    // Removed while connecting: nothing of it is kept (its key least of all).
    if (!removed.has(record.id)) live.set(record.id, entry);
    return entry;
  }

  /**
   * Whether the engine at the address is still this swarm's manager; marks the
   * connection with the answer. Another swarm at the same address (rebuilt, or the
   * address reused) is a lost manager: nothing is sent to it in this environment's name.
   */
  async function verify(record: EnvironmentRecord, entry: Live): Promise<void> {
    try {
      const clusterId = await withinCheckTime(checkManager(entry.docker, entry.host, entry.target), entry.host);
      if (clusterId !== record.clusterId) mark(entry, "manager-lost", `the engine at ${addressOf(entry.host)} is now a manager of another swarm (${clusterId}), not of ${record.clusterId}`);
      else mark(entry, "connected", null);
    } catch (error) {
      const e = error instanceof RampartError ? error : new RampartError("unavailable", "the check failed unexpectedly");
      mark(entry, e.code === "unavailable" ? "unreachable" : "manager-lost", e.message);
    }
    entry.verifiedAt = Date.now();
  }

  async function check(record: EnvironmentRecord & { sealedKey: Uint8Array | null }): Promise<Connection> {
    let entry: Live;
    try {
      entry = await open(record);
    } catch (error) {
      return unreachable(record.id, messageOf(error));
    }
    await verify(record, entry);
    if (!removed.has(record.id)) lastKnown.set(record.id, entry.connection);
    return entry.connection;
  }
  /** The last state of connections that could not even be opened. */
  const lastKnown = new Map<string, Connection>();

  /** IDs of environments removed while this process runs: a check or open in flight keeps nothing of them. */
  const removed = new Set<string>();

  function unreachable(id: string, detail: string): Connection {
    const was = lastKnown.get(id);
    const at = deps.now();
    const connection: Connection = { ...(was ?? UNCHECKED), state: "unreachable", since: was?.state === "unreachable" && was.since ? was.since : at, detail, checkedAt: at };
    if (!removed.has(id)) lastKnown.set(id, connection);
    return connection;
  }

  const connectionOf = (id: string): Connection => live.get(id)?.connection ?? lastKnown.get(id) ?? { ...UNCHECKED };

  async function find(name: string) {
    const record = await getEnvironmentWithKey(db, name);
    if (!record) throw new RampartError("not_found", `environment ${JSON.stringify(name)} not found`);
    return record;
  }

  const view = (record: EnvironmentRecord): EnvironmentView => {
    const { sealedKey: _key, ...rest } = record as EnvironmentRecord & { sealedKey?: unknown };
    return { ...rest, connection: connectionOf(record.id) };
  };

  return {
    async list(): Promise<EnvironmentView[]> {
      return (await listEnvironments(db)).map(view);
    },

    async get(name: string): Promise<EnvironmentView> {
      return view(await find(name));
    },

    /**
     * Connects a swarm: the address and TLS material are checked, then the engine must
     * answer, speak a known API version, be in a swarm and be a manager; a swarm already
     * connected is refused by its ID. Audited, refusals included.
     */
    async add(input: NewEnvironmentInput, actor: Actor, ip: string | null): Promise<EnvironmentView> {
      // The name as typed, which may be invalid: shortened and escaped for the audit log.
      const shownName = escapeUnsafeText(input.name.slice(0, ENV_NAME_MAX_LENGTH + 1));
      const record = (outcome: AuditEventInput["outcome"], reason: string | null, env?: AuditEnv) =>
        audit.record({ actor, action: "env.connect", target: { type: "environment", id: env?.id ?? null, name: shownName }, outcome, reason, ip, env: env ?? null });
      const target: ConnectionTarget = { dockerHost: input.dockerHost, tls: input.tls ?? null, insecure: input.insecure ?? false };
      let clusterId: string;
      let negotiated: Awaited<ReturnType<typeof connect>>;
      try {
        checkEnvironmentName(input.name);
        if (await getEnvironmentWithKey(db, input.name)) throw new RampartError("already_exists", `environment ${JSON.stringify(input.name)} already exists`, { field: "name" });
        negotiated = await connect(target);
        clusterId = await checkManager(negotiated.docker, negotiated.host, target);
        const already = await findEnvironmentByCluster(db, clusterId);
        if (already) throw new RampartError("already_exists", `swarm ${clusterId} is already connected, as environment ${JSON.stringify(already.name)}`, { field: "dockerHost" });
      } catch (error) {
        if (!(error instanceof RampartError)) deps.log.warn({ err: String(error) }, "environment connect failed unexpectedly");
        const e = error instanceof RampartError ? error : new RampartError("unavailable", `connecting to ${input.dockerHost} failed unexpectedly; the server's log has the details`);
        await record("failure", e.message);
        throw e;
      }
      const id = newId(deps.random(17));
      let created: EnvironmentRecord;
      try {
        created = await createEnvironment(db, {
          id,
          name: input.name,
          dockerHost: input.dockerHost,
          tlsCa: target.tls?.ca ?? null,
          tlsCert: target.tls?.cert ?? null,
          sealedKey: target.tls ? deps.codec.sealText(environmentKeyContext(id), target.tls.key) : null,
          insecure: target.tls ? false : target.insecure,
          clusterId,
          createdBy: actor.name,
          at: deps.now(),
        });
      } catch (error) {
        // Two connects of one swarm (or one name) at once: the unique keys decide.
        if ((error as { code?: string }).code === "P2002") {
          const e = new RampartError("already_exists", `environment ${JSON.stringify(input.name)} or swarm ${clusterId} is already connected`);
          await record("failure", e.message);
          throw e;
        }
        throw error;
      }
      const entry: Live = { docker: negotiated.docker, host: negotiated.host, target, connection: { ...UNCHECKED }, verifiedAt: Date.now() };
      mark(entry, "connected", null, negotiated);
      live.set(id, entry);
      await record("success", `swarm ${clusterId} at ${input.dockerHost}${created.insecure ? ", without TLS" : ""}`, auditEnv(created));
      return view(created);
    },

    /** Forgets a connection (the swarm itself is untouched). Audited. */
    async remove(name: string, actor: Actor, ip: string | null): Promise<void> {
      const record = await find(name);
      await deleteEnvironment(db, record.id);
      removed.add(record.id);
      live.delete(record.id);
      lastKnown.delete(record.id);
      await audit.record({ actor, action: "env.remove", target: { type: "environment", id: record.id, name: record.name }, outcome: "success", ip, env: auditEnv(record) });
    },

    /**
     * One environment, connected, for a caller's operations. A read by a person or a
     * token is audited as `env.use` at most every 10 minutes per caller and environment
     * (Rampart's own loops are not recorded); writes
     * are audited by the operations themselves, with the environment.
     */
    async open(name: string, actor: Actor, ip: string | null): Promise<ConnectedEnvironment> {
      const record = await find(name);
      // Rampart's own loops (the event recorder) are not a reader: only people's and tokens' uses are recorded.
      if (actor.type !== "system" && useThrottle(`${actor.type}:${actor.id ?? actor.name}:${record.id}`)) {
        await audit.record({ actor, action: "env.use", target: { type: "environment", id: record.id, name: record.name }, outcome: "success", ip, env: auditEnv(record) });
      }
      let entry: Live;
      try {
        entry = await open(record);
      } catch (error) {
        unreachable(record.id, messageOf(error));
        throw error;
      }
      // The swarm at the address must still be this one: checked every few seconds at most.
      if (Date.now() - entry.verifiedAt > VERIFY_INTERVAL_MS || entry.connection.state !== "connected") await verify(record, entry);
      if (entry.connection.state === "manager-lost") {
        throw new RampartError("failed_precondition", `environment ${JSON.stringify(record.name)} has lost its manager: ${entry.connection.detail ?? "it no longer answers as this swarm's manager"}`);
      }
      if (entry.connection.state === "unreachable") throw new RampartError("unavailable", entry.connection.detail ?? `environment ${JSON.stringify(record.name)} is unreachable`);
      return {
        record,
        auditEnv: auditEnv(record),
        docker: entry.docker,
        async call<T>(fn: (docker: Docker) => Promise<T>): Promise<T> {
          try {
            const result = await fn(entry.docker);
            // An answer clears "unreachable"; only a check clears "manager lost".
            if (entry.connection.state === "unreachable") mark(entry, "connected", null);
            return result;
          } catch (error) {
            const e = dockerError(error, entry.host, entry.target);
            if (e instanceof RampartError && e.code === "unavailable") mark(entry, isNotManager(error) ? "manager-lost" : "unreachable", e.message);
            throw e;
          }
        },
      };
    },

    /** Checks one environment's connection now. */
    async check(name: string): Promise<Connection> {
      return check(await find(name));
    },

    /** Checks every connection every few seconds, so a lost manager shows, and a recovered one clears, by itself. */
    startMonitor(): void {
      if (monitor) return;
      let running = false;
      monitor = setInterval(() => {
        if (running) return;
        running = true;
        void (async () => {
          for (const record of await listEnvironments(db)) {
            const withKey = await getEnvironmentWithKey(db, record.name);
            if (withKey) await check(withKey);
          }
        })()
          .catch((error: unknown) => deps.log.warn({ err: String(error) }, "environment check failed"))
          .finally(() => (running = false));
      }, MONITOR_INTERVAL_MS);
      monitor.unref();
    },

    stop(): void {
      if (monitor) clearInterval(monitor);
      monitor = undefined;
    },
  };
}

export type EnvironmentService = ReturnType<typeof createEnvironmentService>;
