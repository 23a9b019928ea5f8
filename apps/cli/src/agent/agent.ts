import { X509Certificate, createHash, generateKeyPairSync, type KeyObject } from "node:crypto";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { availableParallelism, hostname as osHostname, machine, totalmem } from "node:os";
import {
  caMismatchMessage,
  parseJoinToken,
  renewalTime,
  type NodeDescription,
  type NodeGenericResources,
} from "@rampart/core";
import { csrFor, identityFiles, loadOrCreateKey, readCertificate, saveCertificate, writeAtomic, type NodeIdentityFiles } from "../server/identity.js";
import { createNodeClient, EndpointError, type AssignedTask, type NodeClient, type NodeSession, type Pending, type TaskProgress } from "./client.js";
import type { TaskExecutor, TaskHost } from "./runtime/executor.js";
import { memorySecretStore, SecretStoreError, type SecretStore } from "./secrets.js";

/**
 * One node's agent: joins with a token (pinning the CA to the token's digest), then
 * heartbeats at the period the manager gives and renews its certificate at a random
 * point in 50–80 % of its life, or at once when its role changes. The key is made on
 * the node and only a CSR leaves it.
 */
export interface AgentIdentity {
  nodeId: string;
  role: "manager" | "worker";
  key: KeyObject;
  certPem: string;
  rootPem: string;
}

export interface AgentEvents {
  joined?(identity: AgentIdentity): void;
  renewed?(identity: AgentIdentity, reason: string): void;
  heartbeat?(ok: boolean): void;
  /** The manager refused this node for good (removed, or its certificate no longer trusted). */
  refused?(message: string): void;
  error?(message: string): void;
  /** This node reported a task's progress to the manager. */
  task?(task: AssignedTask, state: TaskProgress): void;
}

export function describeThisMachine(
  version: string,
  hostname: string | undefined,
  labels: Record<string, string>,
  genericResources: NodeGenericResources = {},
): NodeDescription {
  const name = (hostname ?? osHostname()).replace(/[^A-Za-z0-9._-]/g, "-");
  return {
    hostname: name,
    os: process.platform,
    arch: machine(),
    nanoCpus: availableParallelism() * 1e9,
    memoryBytes: totalmem(),
    engineVersion: version,
    engineLabels: labels,
    genericResources,
  };
}

const sha256Hex = (text: string) => createHash("sha256").update(text).digest("hex");

/** Fetches the root over unverified TLS and checks it against the token's digest (§3.6). */
export async function pinRoot(client: NodeClient, token: string, attempts = 5): Promise<string> {
  const { rootDigest } = parseJoinToken(token);
  const expected = rootDigest.slice("sha256:".length);
  let lastError: unknown;
  for (let i = 0; i < attempts; i++) {
    try {
      const root = await client.fetchRoot();
      if (sha256Hex(root) !== expected) throw new PinError(caMismatchMessage(expected));
      checkRootBundle(root, new Date());
      return root;
    } catch (error) {
      if (error instanceof PinError) throw error;
      lastError = error;
      if (i < attempts - 1) await new Promise((r) => setTimeout(r, 2000));
    }
  }
  throw new Error(`cannot reach the manager: ${lastError instanceof Error ? lastError.message : String(lastError)}`);
}

/** Every certificate in the bundle must be a self-signed CA, valid now (§3.6 step 5). */
export function checkRootBundle(bundle: string, now: Date): void {
  const blocks = bundle.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) throw new PinError("the remote CA sent no certificate");
  for (const block of blocks) {
    const cert = new X509Certificate(block);
    if (!cert.ca || !cert.verify(cert.publicKey)) throw new PinError("the remote CA bundle holds a certificate that is not a self-signed CA");
    if (now < new Date(cert.validFrom) || now > new Date(cert.validTo)) {
      throw new PinError("the remote CA bundle holds a certificate that is not valid now");
    }
  }
}

export class PinError extends Error {}

/** setTimeout holds at most 2^31-1 ms (~24.8 days); a later moment is reached in steps. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** How long to wait before looking again at whether `at` has come: 0 when it has. */
export function timerStep(at: Date, now: Date): number {
  return Math.min(Math.max(0, at.getTime() - now.getTime()), MAX_TIMER_MS);
}

/**
 * The next state an agent reports for a task: shut down when the manager asked for
 * that; otherwise accepted once assigned, then running. A task held at READY (a
 * restart waiting out its delay) goes no further than ready until it may run.
 */
export function nextProgress(task: Pick<AssignedTask, "state" | "desiredState">): TaskProgress | undefined {
  const wantsStop = task.desiredState !== "running" && task.desiredState !== "ready";
  if (wantsStop) return task.state === "shutdown" ? undefined : "shutdown";
  if (task.state === "assigned") return "accepted";
  if (task.desiredState === "ready") return task.state === "ready" ? undefined : "ready";
  if (task.state !== "running") return "running";
  return undefined;
}

function roleOfCert(pem: string): "manager" | "worker" {
  return new X509Certificate(pem).subject.includes("OU=swarm-manager") ? "manager" : "worker";
}

export interface AgentStore {
  load(): AgentIdentity | undefined;
  save(identity: AgentIdentity): void;
  newKey(): KeyObject;
}

/** Keeps the identity in a state directory, with Swarm's file names and modes. */
export function fileStore(dir: string): AgentStore & { files: NodeIdentityFiles } {
  const files = identityFiles(dir);
  return {
    files,
    load() {
      const cert = readCertificate(files);
      if (!cert || !existsSync(files.rootPath)) return undefined;
      const key = loadOrCreateKey(files);
      return { nodeId: cert.nodeId, role: roleOfCert(cert.pem), key, certPem: cert.pem, rootPem: readFileSync(files.rootPath, "utf8") };
    },
    save(identity) {
      mkdirSync(files.dir, { recursive: true, mode: 0o700 });
      writeAtomic(files.keyPath, identity.key.export({ type: "pkcs8", format: "pem" }).toString(), 0o600);
      saveCertificate(files, identity.certPem, identity.rootPem);
    },
    newKey: () => generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey,
  };
}

/** Keeps the identity in memory only (for `agent simulate`). */
export function memoryStore(): AgentStore {
  let identity: AgentIdentity | undefined;
  return {
    load: () => identity,
    save(next) {
      identity = next;
    },
    newKey: () => generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey,
  };
}

export interface AgentOptions {
  address: string;
  token: string | undefined;
  description: NodeDescription;
  store: AgentStore;
  events?: AgentEvents;
  /** Random numbers in [0, 1), for the renewal point. */
  random?: () => number;
  /** Where the secrets of this node's tasks are kept; in this process's memory when absent. */
  secrets?: SecretStore;
  /** How long to wait after the n-th failed poll in a row (1 s, doubling, at most 30 s). */
  pollRetryMs?: (failures: number) => number;
  /**
   * What runs this node's tasks (ADR 0019): a container engine, or a refusal when there
   * is none. Absent: the tasks are simulated (`agent simulate`), acknowledged and
   * reported running with nothing executed.
   */
  executor?: (host: TaskHost) => TaskExecutor;
  /**
   * False when something else keeps this identity current (the server's own node, whose
   * certificate the server renews): the agent then never renews it itself.
   */
  renews?: boolean;
  /**
   * The local address this node's connections come from. Simulated nodes on one machine
   * each take an address of their own in 127.0.0.0/8, as separate machines would have,
   * so the manager's per-address connection cap counts each node apart.
   */
  localAddress?: string;
}

const pollRetryMs = (failures: number) => Math.min(1000 * 2 ** (failures - 1), 30_000);

export class NodeAgent {
  private identity: AgentIdentity | undefined;
  private client: NodeClient;
  private heartbeatPeriodMs = 5000;
  private timer: NodeJS.Timeout | undefined;
  private renewTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  private describedOnce = false;
  private renewing = false;
  private failedRenewals = 0;
  private failedPolls = 0;
  /** End the poll loops' backoff waits early, so stop() does not wait out up to 30 s. */
  private readonly wakers = new Set<() => void>();
  private polling: Promise<void> | undefined;
  private logPolling: Promise<void> | undefined;

  private readonly secrets: SecretStore;
  private executor: TaskExecutor | undefined;

  constructor(private readonly options: AgentOptions) {
    this.secrets = options.secrets ?? memorySecretStore();
    this.identity = options.store.load();
    this.client = createNodeClient(options.address, this.identity ? this.tlsOf(this.identity) : {}, options.localAddress);
  }

  get current(): AgentIdentity | undefined {
    return this.identity;
  }

  private tlsOf(identity: AgentIdentity) {
    return { ca: identity.rootPem, key: identity.key.export({ type: "pkcs8", format: "pem" }).toString(), cert: identity.certPem };
  }

  /** Joins if this node has no identity yet; returns the identity either way. */
  async join(): Promise<AgentIdentity> {
    if (this.identity) {
      if (this.options.token) {
        const expected = parseJoinToken(this.options.token).rootDigest.slice(7);
        // A token made before a root rotation names the old root: the same swarm, if the
        // manager (checked against the root this node holds) still serves the root it holds.
        if (sha256Hex(this.identity.rootPem) !== expected && sha256Hex(await this.client.fetchRoot().catch(() => "")) !== sha256Hex(this.identity.rootPem)) {
          throw new Error("this node has already joined another swarm; use a new --state-dir to join this one");
        }
      }
      return this.identity;
    }
    const token = this.options.token;
    if (!token) throw new Error("a join token is needed: pass --token");
    const root = await pinRoot(this.client, token);
    this.client.setIdentity({ ca: root });
    const key = this.options.store.newKey();
    const csr = csrFor(key);
    const result = await this.client.join({ token, csr, description: this.options.description });
    const certificatePem = "certificatePem" in result ? result.certificatePem : await this.waitForCertificate(result.nodeId, csr, result.pending);
    const identity: AgentIdentity = { nodeId: result.nodeId, role: result.role, key, certPem: certificatePem, rootPem: root };
    this.options.store.save(identity);
    this.identity = identity;
    this.heartbeatPeriodMs = result.heartbeatPeriodMs;
    this.describedOnce = true;
    this.client.setIdentity(this.tlsOf(identity));
    this.options.events?.joined?.(identity);
    return identity;
  }

  /**
   * A join an external CA had not signed (NodeCertificateStatus): asks again with Swarm's
   * backoff (1 s, growing by 1 s, at most 30 s) until it is signed, or refused for good.
   */
  private async waitForCertificate(nodeId: string, csr: string, first: Pending): Promise<string> {
    let pending = first;
    for (let attempt = 1; ; attempt++) {
      if (pending.state === "failed") throw new Error(`the manager could not sign this node's certificate: ${pending.reason}`);
      this.options.events?.error?.(`certificate not signed yet: ${pending.reason}`);
      await this.pause(Math.min(1000 * attempt, 30_000));
      if (this.stopped) throw new Error("stopped while waiting for a certificate");
      const status = await this.client.joinStatus({ nodeId, csr });
      if (status.certificatePem) return status.certificatePem;
      pending = { state: status.state, reason: status.reason ?? "not signed yet" };
    }
  }

  /**
   * What the manager's session says: renew now for a root rotation, and the trust root
   * this node should hold. A new root replaces the old one only once this node's own
   * certificate chains to it (swarm-semantics §4.8, phase 4).
   */
  private async followSession(session: NodeSession | undefined): Promise<void> {
    if (!session || !this.identity || this.stopped) return;
    if (session.rotate && this.options.renews !== false) await this.renew("root rotation");
    if (session.rootDigest && session.rootDigest !== sha256Hex(this.identity.rootPem)) await this.takeTrustRoot(session.rootDigest);
  }

  private takingRoot = false;

  private async takeTrustRoot(digest: string): Promise<void> {
    if (this.takingRoot || !this.identity) return;
    this.takingRoot = true;
    try {
      const root = await this.client.fetchRoot();
      if (sha256Hex(root) !== digest) return; // Another change under way: the next session message says which.
      const chains = (certPem: string) => {
        const leaf = new X509Certificate(certPem);
        const candidate = new X509Certificate(root);
        return leaf.checkIssued(candidate) && leaf.verify(candidate.publicKey);
      };
      // A node that missed the rotation renews first, through the old root it still trusts.
      if (!chains(this.identity.certPem) && this.options.renews !== false) await this.renew("trust root changed");
      if (!this.identity || !chains(this.identity.certPem)) return;
      const identity: AgentIdentity = { ...this.identity, rootPem: root };
      this.options.store.save(identity);
      this.identity = identity;
      this.client.setIdentity(this.tlsOf(identity));
      this.options.events?.renewed?.(identity, "trust root changed");
      // Said at once rather than at the next heartbeat: a rotation's progress counts it.
      await this.client.heartbeat(undefined, digest).catch(() => undefined);
    } catch (error) {
      this.report(error);
    } finally {
      this.takingRoot = false;
    }
  }

  /** Uses a certificate something else renewed (the server's own node). */
  useIdentity(identity: AgentIdentity): void {
    this.identity = identity;
    this.client.setIdentity(this.tlsOf(identity));
  }

  /** Heartbeats and renewals until stop(). */
  start(): void {
    if (!this.identity) throw new Error("join first");
    if (this.options.executor) this.executor = this.options.executor(this.taskHost());
    if (this.options.renews !== false) this.scheduleRenewal();
    void this.beat();
    this.polling = this.followAssignments();
    if (this.executor?.logs) this.logPolling = this.followLogRequests();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    clearTimeout(this.renewTimer);
    for (const wake of [...this.wakers]) wake();
    this.client.close();
  }

  /**
   * Stops, waits for the task loop to end, and removes every secret this node holds.
   * Containers are left running, as Swarm's agent leaves them: the next start adopts them.
   */
  async shutdown(): Promise<void> {
    this.stop();
    await this.polling;
    await this.logPolling;
    await this.executor?.close();
    await this.secrets.close();
  }

  /** What the executor may ask of this agent. */
  private taskHost(): TaskHost {
    return {
      nodeId: this.identity!.nodeId,
      report: (updates) => (updates.length === 0 ? Promise.resolve() : this.client.reportTasks(updates)),
      prepareSecrets: async (task) => {
        await this.fetchSecrets(task);
        return new Map(task.secrets.map((ref) => [ref.target, this.secrets.pathOf(task.id, ref.target)]));
      },
      removeSecrets: (taskId) => this.secrets.removeTask(taskId),
      // Fetched for each container made with it: a name removed and stored again with other
      // content must never be served from an old copy.
      seccompProfile: async (name) => (await this.client.fetchSeccompProfile(name)).content,
      warn: (message) => this.options.events?.error?.(message),
      reported: (task, update) => this.options.events?.task?.(task, update.state),
    };
  }

  /** Waits `ms`, or less if stop() comes first. */
  private pause(ms: number): Promise<void> {
    let wake: () => void = () => undefined;
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
      this.wakers.add(wake);
    }).finally(() => {
      this.wakers.delete(wake);
    });
  }

  private scheduleRenewal(): void {
    const cert = new X509Certificate(this.identity!.certPem);
    const at = renewalTime(new Date(cert.validFrom), new Date(cert.validTo), (this.options.random ?? Math.random)(), new Date());
    this.renewAt(at, "renewal window reached");
  }

  /**
   * Renews at `at`. A timer holds at most ~24.8 days, so a later moment is reached in
   * steps: each step re-checks the time rather than renewing early.
   */
  private renewAt(at: Date, reason: string): void {
    clearTimeout(this.renewTimer);
    this.renewTimer = setTimeout(() => {
      if (timerStep(at, new Date()) > 0) this.renewAt(at, reason);
      else void this.renew(reason);
    }, timerStep(at, new Date()));
    this.renewTimer.unref();
  }

  /**
   * A new key and certificate; the role in it is whatever the store says now. One
   * renewal at a time; a failure retries with Swarm's backoff (5 s, growing by 5 s, at
   * most an hour).
   */
  async renew(reason: string): Promise<void> {
    if (!this.identity || this.stopped || this.renewing) return;
    this.renewing = true;
    const key = this.options.store.newKey();
    try {
      const result = await this.client.renew(csrFor(key));
      // Not signed yet (an external CA): this node keeps its certificate and asks again later.
      if ("pending" in result) throw new Error(`certificate renewal ${result.pending.state}: ${result.pending.reason}`);
      const identity: AgentIdentity = { ...this.identity, key, certPem: result.certificatePem, role: result.role };
      this.options.store.save(identity);
      this.identity = identity;
      this.client.setIdentity(this.tlsOf(identity));
      this.failedRenewals = 0;
      this.options.events?.renewed?.(identity, reason);
      this.scheduleRenewal();
    } catch (error) {
      this.report(error);
      if (!this.stopped) {
        this.failedRenewals++;
        const backoff = Math.min(5000 * 2 ** (this.failedRenewals - 1), 3_600_000);
        this.renewAt(new Date(Date.now() + backoff), reason);
      }
    } finally {
      this.renewing = false;
    }
  }

  private report(error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    if (error instanceof EndpointError && error.status === 403) {
      this.options.events?.refused?.(message);
      this.stop();
      return;
    }
    this.options.events?.error?.(message);
  }

  /**
   * The dispatcher's Assignments stream, as a long poll: the manager answers at once
   * when this node's tasks differ from the digest it last sent, else after up to 50 s
   * (with no task list: nothing changed). The executor runs what the list asks for;
   * without one (a simulated node) a task is acknowledged and reported running, and
   * reported shut down when the manager wants it stopped.
   */
  private async followAssignments(): Promise<void> {
    let known: string | undefined;
    try {
      await this.secrets.open();
    } catch (error) {
      this.refuseSecrets(error);
      return;
    }
    while (!this.stopped) {
      try {
        const { digest, tasks, session } = await this.client.assignments(known);
        known = digest;
        this.failedPolls = 0;
        await this.followSession(session);
        if (tasks) {
          // Secrets of tasks that left this node go first.
          await this.secrets.retain(new Set(tasks.filter((t) => nextProgress(t) !== "shutdown").map((t) => t.id)));
          if (this.executor) await this.executor.sync(tasks);
          else for (const task of tasks) if (!this.stopped) await this.progress(task);
        }
      } catch (error) {
        if (this.stopped) return;
        // The secrets root changed under the agent (ADR 0013): it takes no more tasks.
        if (error instanceof SecretStoreError) return this.refuseSecrets(error);
        this.report(error);
        known = undefined;
        this.failedPolls++;
        await this.pause((this.options.pollRetryMs ?? pollRetryMs)(this.failedPolls));
      }
    }
  }

  /**
   * Readers' requests for this node's container logs (Swarm's log broker): a long poll,
   * and each request is served in the background from the engine, in batches.
   */
  private async followLogRequests(): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      try {
        const { subscriptions } = await this.client.logSubscriptions();
        failures = 0;
        for (const subscription of subscriptions) {
          void this.executor!.logs!(subscription, async (lines, finished) => {
            const { open } = await this.client.publishLogs({ subscriptionId: subscription.id, lines, finished });
            return open;
          }).catch((error: unknown) => this.options.events?.error?.(`logs: ${error instanceof Error ? error.message : String(error)}`));
        }
      } catch (error) {
        if (this.stopped) return;
        this.report(error);
        failures++;
        await this.pause((this.options.pollRetryMs ?? pollRetryMs)(failures));
      }
    }
  }

  /** The secrets root cannot be trusted: say why, and stop. */
  private refuseSecrets(error: unknown): void {
    this.options.events?.error?.(error instanceof Error ? error.message : String(error));
    this.options.events?.refused?.("cannot keep secrets safely on this node");
    this.stop();
  }

  /**
   * Moves one task to where the manager wants it: every step from where it is (accepted,
   * then running; or shutdown) in one report, as Swarm's agent batches its status
   * updates. A task runs only with its secrets in place, so they are fetched first (the
   * manager allows that from ASSIGNED on). A refused report (the task was removed or
   * moved meanwhile) is not this node's identity being refused: it is noted and the
   * next poll brings the current picture.
   */
  private async progress(task: AssignedTask): Promise<void> {
    const steps: TaskProgress[] = [];
    for (let next = nextProgress(task); next; next = nextProgress({ state: next, desiredState: task.desiredState })) steps.push(next);
    if (steps.length === 0) return;
    try {
      if (steps.includes("ready") || steps.includes("running")) await this.fetchSecrets(task);
      if (steps.length === 1) await this.client.reportTask(task.id, steps[0]!);
      else await this.client.reportTasks(steps.map((state) => ({ taskId: task.id, state })));
      for (const step of steps) this.options.events?.task?.(task, step);
    } catch (error) {
      if (error instanceof EndpointError && error.status < 500) {
        this.options.events?.error?.(`task ${task.id}: ${error.message}`);
        return;
      }
      if (error instanceof SecretStoreError) {
        // The task cannot run here (e.g. its secret's target escapes its directory): say so.
        this.options.events?.error?.(`task ${task.id}: ${error.message}`);
        // Accepted first when it was only assigned, as a task that fails while preparing does in Swarm.
        const failed = { taskId: task.id, state: "failed" as const, message: error.message };
        await this.client.reportTasks(task.state === "assigned" ? [{ taskId: task.id, state: "accepted" }, failed] : [failed]).catch(() => undefined);
        return;
      }
      throw error;
    }
  }

  private async fetchSecrets(task: AssignedTask): Promise<void> {
    for (const ref of task.secrets) {
      if (this.secrets.has(task.id, ref.target)) continue;
      const { data } = await this.client.fetchSecret(ref.secretId);
      const bytes = Buffer.from(data, "base64");
      try {
        await this.secrets.write(task.id, ref, bytes);
      } finally {
        bytes.fill(0);
      }
    }
  }

  private async beat(): Promise<void> {
    if (this.stopped) return;
    try {
      const description = this.describedOnce ? undefined : this.options.description;
      const response = await this.client.heartbeat(description, sha256Hex(this.identity!.rootPem));
      this.describedOnce = true;
      this.heartbeatPeriodMs = response.heartbeatPeriodMs;
      this.options.events?.heartbeat?.(true);
      if (response.role !== this.identity!.role && this.options.renews !== false) await this.renew(`role changed to ${response.role}`);
      await this.followSession(response);
    } catch (error) {
      this.options.events?.heartbeat?.(false);
      this.report(error);
    }
    if (this.stopped) return;
    // Swarm jitters heartbeats by ±10 % so a fleet does not beat in step.
    const jitter = this.heartbeatPeriodMs * (0.9 + Math.random() * 0.2);
    this.timer = setTimeout(() => void this.beat(), jitter);
  }
}
