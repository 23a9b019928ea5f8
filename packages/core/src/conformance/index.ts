import { matchValue, nodeMatches, parseConstraints, type Constraint, type ConstraintNode } from "../constraint/index.js";
import { fromHex, toHex } from "../encoding/index.js";
import { isRampartError } from "../errors/index.js";
import { newId } from "../id/index.js";
import { authorizeNode, type AuthorizeInput } from "../node/authorize.js";
import {
  NodeLedger,
  Scheduler,
  encodeHostPort,
  spreadTreeCounts,
  type HostPort,
  type LedgerTask,
  type SchedulerDecision,
  type SchedulerNode,
  type SchedulerTask,
} from "../scheduler/index.js";
import {
  checkPayloadSize,
  checkSecretName,
  checkSecretReferences,
  checkSecretSpec,
  checkSecretsExist,
  checkSecretUpdate,
  mountPath,
  parseSecretFlag,
  payloadSizeMessage,
  secretAlreadyExists,
  secretInUse,
  SECRET_NAME_MAX_LENGTH,
  type MountOs,
  type PayloadKind,
  type SecretReferenceDraft,
} from "../secret/index.js";
import { TASK_STATES, type TaskState } from "../service/index.js";
import { formatJoinToken, joinTokenDigest, joinTokenSecret, parseJoinToken } from "../token/join.js";
import { formatUnlockKey, parseUnlockKey } from "../token/unlock.js";

/**
 * The conformance runner's checks (DESIGN.md §4): each vector file from SwarmKit's tests
 * is run against Rampart's own code. Pure: the caller reads the files and supplies a
 * SHA-256. A file this version does not cover yet returns undefined.
 */
export interface CaseResult {
  file: string;
  name: string;
  ok: boolean;
  /** What differed, for a failing case. */
  detail?: string;
}

export interface ConformancePorts {
  sha256Hex(bytes: Uint8Array): string;
}

type Json = Record<string, unknown>;

class Cases {
  readonly results: CaseResult[] = [];
  constructor(private readonly file: string) {}

  check(name: string, run: () => { ok: boolean; detail?: string }): void {
    try {
      const { ok, detail } = run();
      this.results.push({ file: this.file, name, ok, ...(ok ? {} : { detail }) });
    } catch (error) {
      this.results.push({ file: this.file, name, ok: false, detail: `threw: ${error instanceof Error ? error.message : String(error)}` });
    }
  }

  equal(name: string, actual: () => unknown, expected: unknown): void {
    this.check(name, () => {
      const a = JSON.stringify(actual());
      const e = JSON.stringify(expected);
      return { ok: a === e, detail: `expected ${e}, got ${a}` };
    });
  }
}

function errorOf(run: () => unknown): { error: string } | { value: unknown } {
  try {
    return { value: run() };
  } catch (error) {
    if (isRampartError(error)) return { error: error.message };
    throw error;
  }
}

function hex(text: string): Uint8Array {
  const bytes = fromHex(text);
  if (!bytes) throw new Error(`bad hex in vector: ${text}`);
  return bytes;
}

/** A parsed token in the vectors' field names. */
function asVector(token: string): Json {
  const p = parseJoinToken(token);
  return { version: p.version, fips: p.fips, root_digest: p.rootDigest, secret: p.secret };
}

function tokens(data: Json, ports: ConformancePorts): CaseResult[] {
  const c = new Cases("tokens.json");
  const w = data.worked_example as Json;
  const pem = new TextEncoder().encode(w.root_ca_pem as string);
  const other = w.token_v1_other_secret as Json;
  c.equal("worked_example/sha256", () => ports.sha256Hex(pem), w.root_ca_sha256_hex);
  c.equal("worked_example/digest", () => joinTokenDigest(w.root_ca_sha256_hex as string), w.digest_base36_padded50);
  c.equal("worked_example/secret", () => joinTokenSecret(hex(w.secret_bytes_hex as string)), w.secret_base36_padded25);
  c.equal("worked_example/token_v1", () => formatJoinToken(ports.sha256Hex(pem), hex(w.secret_bytes_hex as string)), w.token_v1);
  c.equal("worked_example/token_v1_other_secret", () => formatJoinToken(ports.sha256Hex(pem), hex(other.secret_bytes_hex as string)), other.token);
  c.equal("worked_example/token_v2_fips", () => formatJoinToken(ports.sha256Hex(pem), hex(w.secret_bytes_hex as string), true), w.token_v2_fips);
  c.equal("worked_example/all_zero_secret", () => formatJoinToken(ports.sha256Hex(pem), new Uint8Array(16)), w.token_with_all_zero_secret);
  c.equal("worked_example/parse", () => asVector(w.token_v1 as string), w.parse_of_token_v1);
  for (const [i, item] of (data.parse_cases as Json[]).entries()) {
    const expect = item.expect as Json;
    c.equal(`parse_cases/${i}`, () => {
      const r = errorOf(() => asVector(item.token as string));
      return "error" in r ? { error: r.error } : r.value;
    }, expect);
  }
  const unlock = data.unlock_key as Json;
  const example = unlock.example as Json;
  c.equal("unlock_key/example", () => formatUnlockKey(hex(example.key_bytes_hex as string)), example.unlock_key);
  c.equal("unlock_key/example_length", () => (example.unlock_key as string).length, example.length);
  for (const [i, item] of (unlock.parse_cases as Json[]).entries()) {
    c.equal(`unlock_key/parse_cases/${i}`, () => {
      const r = errorOf(() => parseUnlockKey(item.input as string));
      return "error" in r ? { error: r.error } : { key_bytes_hex: toHex(r.value as Uint8Array) };
    }, item.expect);
  }
  for (const [i, item] of ((data.node_ids as Json).examples as Json[]).entries()) {
    c.equal(`node_ids/${i}`, () => newId(hex(item.bytes_hex as string)), item.id);
  }
  return c.results;
}

function caAuth(data: Json): CaseResult[] {
  const c = new Cases("ca_auth.json");
  for (const [i, item] of (data.cases as Json[]).entries()) {
    const expect = item.expect as Json;
    c.equal(`cases/${i}`, () => {
      const result = authorizeNode({
        peer: item.peer as AuthorizeInput["peer"],
        forwarded: item.forwarded as AuthorizeInput["forwarded"],
        blacklist: item.blacklist as string[],
        clusterOrg: item.cluster_org as string,
        required: item.required as string[],
      });
      return result.allow ? { allow: true, node_id: result.nodeId } : { allow: false, error: result.error };
    }, expect);
  }
  return c.results;
}

function constraints(data: Json): CaseResult[] {
  const c = new Cases("constraints.json");
  for (const item of data.cases as Json[]) {
    const exprs = item.exprs as string[];
    const name = `${item.kind as string}/${item.id as string}`;
    c.check(name, () => {
      let parsed: Constraint[];
      try {
        parsed = parseConstraints(exprs);
      } catch (error) {
        if (!isRampartError(error)) throw error;
        const ok = item.expect === "parse-error" && (item.error === undefined || item.error === error.message);
        return { ok, detail: `parse failed with "${error.message}"; expected ${JSON.stringify(item.expect)}${item.error ? ` "${String(item.error)}"` : ""}` };
      }
      if (item.expect === "parse-error") return { ok: false, detail: `expected a parse error, parsed ${JSON.stringify(parsed)}` };
      if (item.kind === "parse") {
        const ok = item.parsed === undefined || JSON.stringify(parsed) === JSON.stringify(item.parsed);
        return { ok, detail: `parsed ${JSON.stringify(parsed)}, expected ${JSON.stringify(item.parsed)}` };
      }
      if (item.kind === "value") {
        const result = parsed.every((p) => matchValue(p, item.values as string[]));
        return { ok: result === item.expect, detail: `matched ${result}, expected ${String(item.expect)}` };
      }
      const n = item.node as Json;
      const platform = n.platform as { os: string; architecture: string } | null;
      const node: ConstraintNode = {
        id: n.id as string,
        role: n.role as "worker" | "manager",
        hostname: n.hostname as string,
        labels: n.labels as Record<string, string>,
        engineLabels: n.engine_labels as Record<string, string>,
        platform: platform ? { os: platform.os, arch: platform.architecture } : null,
        addr: (n.addr as string | null) ?? null,
      };
      const result = nodeMatches(parsed, node);
      return { ok: result === item.expect, detail: `matched ${result}, expected ${String(item.expect)}` };
    });
  }
  return c.results;
}

// ---- scheduler.json -------------------------------------------------------------

/** A vector node (snake_case, `plugins` absent = no engine description) as the scheduler's input. */
function vectorNode(n: Json): SchedulerNode {
  const res = n.resources as Json | undefined;
  const generic = res?.generic as Json | undefined;
  const platform = n.platform as { os: string; architecture: string } | undefined;
  return {
    id: n.id as string,
    state: n.state as SchedulerNode["state"],
    availability: n.availability as SchedulerNode["availability"],
    hostname: n.hostname as string | undefined,
    labels: n.labels as Record<string, string> | undefined,
    engineLabels: n.engine_labels as Record<string, string> | undefined,
    platform: platform ? { os: platform.os, architecture: platform.architecture } : null,
    resources: res
      ? {
          nanoCpus: (res.nano_cpus as number | undefined) ?? 0,
          memoryBytes: (res.memory_bytes as number | undefined) ?? 0,
          generic: generic
            ? { discrete: generic.discrete as Record<string, number> | undefined, named: generic.named as Record<string, string[]> | undefined }
            : null,
        }
      : null,
    plugins: n.plugins === undefined ? null : (n.plugins as { type: string; name: string }[]).map((p) => ({ type: p.type, name: p.name })),
  };
}

/** A vector task (store form, with the scheduler's writes merged in) as the scheduler's input. */
function vectorTask(t: Json): SchedulerTask {
  const r = t.reservations as Json | undefined;
  return {
    id: t.id as string,
    serviceId: (t.service_id as string | undefined) ?? "",
    specVersion: (t.spec_version as number | null | undefined) ?? null,
    nodeId: (t.node_id as string | undefined) ?? "",
    state: t.state as TaskState,
    desiredState: ((t.desired_state as string | undefined) ?? "running") as TaskState,
    reservations: r
      ? { nanoCpus: r.nano_cpus as number | undefined, memoryBytes: r.memory_bytes as number | undefined, generic: r.generic as Record<string, number> | undefined }
      : undefined,
    constraints: t.constraints as string[] | undefined,
    preferences: t.preferences as string[] | undefined,
    platforms: t.platforms as { os: string; architecture: string }[] | undefined,
    maxReplicas: t.max_replicas as number | undefined,
    hostPorts: t.host_ports as HostPort[] | undefined,
    networkDrivers: t.network_drivers as string[] | undefined,
    logDriver: "log_driver" in t ? (t.log_driver as string | null) : undefined,
    volumeDrivers: t.volume_drivers as string[] | undefined,
    error: (t.error as string | undefined) ?? "",
    message: (t.message as string | undefined) ?? "",
  };
}

const stateCode = (state: unknown): number => TASK_STATES[state as TaskState] ?? -1;
const isRunningish = (t: Json): boolean => stateCode(t.state) >= TASK_STATES.assigned && stateCode(t.state) <= TASK_STATES.running;

/**
 * One scenario replayed against Rampart's scheduler, with the store kept beside it: events
 * change the store and are fed to the scheduler, every pass's writes go back to the store,
 * and expectations are checked against the store, as SwarmKit's tests check theirs.
 */
class ScenarioReplay {
  readonly store = new Map<string, Json>();
  readonly nodes = new Map<string, Json>();
  readonly written = new Set<string>();
  stepAssigned: string[] = [];
  stepDropped = new Set<string>();
  now = 1_700_000_000_000;
  sched: Scheduler;

  constructor(scenario: Json) {
    for (const n of scenario.nodes as Json[]) this.nodes.set(n.id as string, n);
    for (const t of scenario.tasks as Json[]) this.store.set(t.id as string, { ...t });
    const services: Record<string, number | null> = {};
    for (const [id, s] of Object.entries((scenario.services as Record<string, Json> | undefined) ?? {})) {
      services[id] = (s.spec_version as number | undefined) ?? null;
    }
    this.sched = new Scheduler({
      nodes: [...this.nodes.values()].map(vectorNode),
      tasks: [...this.store.values()].map(vectorTask),
      services,
      now: this.now,
    });
  }

  pass(): void {
    for (const d of this.sched.schedule(this.now)) this.apply(d);
  }

  private apply(d: SchedulerDecision): void {
    if (d.outcome === "dropped") {
      this.stepDropped.add(d.taskId);
      return;
    }
    const t = this.store.get(d.taskId);
    if (!t) throw new Error(`decision for unknown task ${d.taskId}`);
    this.written.add(d.taskId);
    if (d.outcome === "assigned") {
      Object.assign(t, { node_id: d.nodeId, state: "assigned", message: d.message, error: "" });
      this.stepAssigned.push(d.taskId);
    } else if (d.outcome === "pending") {
      t.error = d.error;
    } else {
      Object.assign(t, { state: "shutdown", error: "" });
    }
  }

  private updateTask(id: string, patch: Json): void {
    const t = this.store.get(id);
    if (!t) throw new Error(`update of unknown task ${id}`);
    Object.assign(t, patch);
    this.sched.updateTask(vectorTask(t), this.now);
  }

  private deleteTask(id: string): void {
    if (!this.store.delete(id)) return;
    this.sched.deleteTask(id);
  }

  event(e: Json): void {
    if (e.create_nodes) {
      for (const n of e.create_nodes as Json[]) {
        this.nodes.set(n.id as string, n);
        this.sched.createNode(vectorNode(n));
      }
    } else if (e.update_node) {
      const n = e.update_node as Json;
      this.nodes.set(n.id as string, n);
      this.sched.updateNode(vectorNode(n));
    } else if (e.delete_node !== undefined) {
      this.nodes.delete(e.delete_node as string);
      this.sched.deleteNode(e.delete_node as string);
    } else if (e.create_tasks) {
      for (const t of e.create_tasks as Json[]) {
        this.store.set(t.id as string, { ...t });
        this.sched.createTask(vectorTask(t));
      }
    } else if (e.update_task) {
      const patch = e.update_task as Json;
      this.updateTask(patch.id as string, patch);
    } else if (e.delete_tasks) {
      for (const id of e.delete_tasks as string[]) this.deleteTask(id);
    } else if (e.delete_tasks_on_node !== undefined) {
      for (const [id, t] of [...this.store]) if (t.node_id === e.delete_tasks_on_node) this.deleteTask(id);
    } else if (e.delete_service !== undefined) {
      this.sched.deleteService(e.delete_service as string);
    } else if (e.set_service) {
      const s = e.set_service as Json;
      this.sched.setService(s.id as string, (s.spec_version as number | undefined) ?? null);
    } else if (e.retry) {
      this.pass();
    } else if (e.update_assigned_of) {
      const u = e.update_assigned_of as Json;
      for (const id of u.tasks as string[]) if (this.store.get(id)?.node_id) this.updateTask(id, { state: u.state });
    } else if (e.update_pending_of) {
      const u = e.update_pending_of as Json;
      for (const id of u.tasks as string[]) {
        if (this.store.get(id)?.state === "pending") this.updateTask(id, { desired_state: u.desired_state });
      }
    } else {
      throw new Error(`unknown event ${JSON.stringify(e)}`);
    }
  }

  /** Tasks of a service per node, counting ASSIGNED…RUNNING. */
  counts(service: string): Map<string, number> {
    const counts = new Map<string, number>();
    for (const t of this.store.values()) {
      if (t.service_id !== service || !isRunningish(t) || !t.node_id) continue;
      counts.set(t.node_id as string, (counts.get(t.node_id as string) ?? 0) + 1);
    }
    return counts;
  }

  task(id: string): Json {
    const t = this.store.get(id);
    if (!t) throw new Error(`no task ${id} in the store`);
    return t;
  }
}

interface StepContext {
  replay: ScenarioReplay;
  before: Map<string, Json>;
}

type Verdict = { ok: boolean; detail?: string };

function where(t: Json): string {
  return `${t.id as string}: state ${String(t.state)}, node "${String(t.node_id ?? "")}", error "${String(t.error ?? "")}"`;
}

function checkExpectation(kind: string, e: Json, { replay, before }: StepContext): Verdict {
  const countsOf = (service: string): Map<string, number> => replay.counts(service);
  const nodeOf = (id: string): string => (replay.task(id).node_id as string | undefined) ?? "";
  switch (kind) {
    case "assigned": {
      const t = replay.task(e.task as string);
      const node = (t.node_id as string | undefined) ?? "";
      let ok = isRunningish(t) && node !== "";
      if (e.node !== undefined) ok &&= node === e.node;
      if (e.node_in !== undefined) ok &&= (e.node_in as string[]).includes(node);
      if (e.not_node !== undefined) ok &&= !(e.not_node as string[]).includes(node);
      return { ok, detail: `${where(t)}; expected ${JSON.stringify(e)}` };
    }
    case "pending": {
      const t = replay.task(e.task as string);
      const ok = t.state === "pending" && !t.node_id && (t.error ?? "") === e.error;
      return { ok, detail: `${where(t)}; expected pending with "${e.error as string}"` };
    }
    case "distinct_nodes": {
      const nodes = (e as unknown as string[]).map(nodeOf);
      const ok = nodes.every((n) => n !== "") && new Set(nodes).size === nodes.length;
      return { ok, detail: `nodes ${JSON.stringify(nodes)}` };
    }
    case "count_multiset": {
      const counts = countsOf(e.service as string);
      const nodes = (e.nodes as string[] | undefined) ?? [...replay.nodes.keys()];
      const got = nodes.map((n) => counts.get(n) ?? 0).sort((a, b) => b - a);
      const want = [...(e.values as number[])].sort((a, b) => b - a);
      return { ok: JSON.stringify(got) === JSON.stringify(want), detail: `counts ${JSON.stringify(got)}, expected ${JSON.stringify(want)}` };
    }
    case "counts_exact": {
      const counts = countsOf(e.service as string);
      const want = e.per_node as Record<string, number>;
      const got = Object.fromEntries(Object.keys(want).map((n) => [n, counts.get(n) ?? 0]));
      return { ok: JSON.stringify(got) === JSON.stringify(want), detail: `counts ${JSON.stringify(got)}, expected ${JSON.stringify(want)}` };
    }
    case "counts_one_of": {
      const counts = countsOf(e.service as string);
      const options = e.options as Record<string, number>[];
      const ok = options.some((o) => Object.entries(o).every(([n, c]) => (counts.get(n) ?? 0) === c));
      return { ok, detail: `counts ${JSON.stringify(Object.fromEntries(counts))} match none of ${options.length} options` };
    }
    case "counts": {
      const got = countsOf(e.service as string).get(e.node as string) ?? 0;
      return { ok: got === e.equals, detail: `${e.node as string} has ${got} tasks of ${e.service as string}, expected ${String(e.equals)}` };
    }
    case "placed_where": {
      const service = e.service as string;
      const beforeCounts = new Map<string, number>();
      for (const t of before.values()) {
        if (t.service_id === service && isRunningish(t) && t.node_id) beforeCounts.set(t.node_id as string, (beforeCounts.get(t.node_id as string) ?? 0) + 1);
      }
      const got = (e.tasks as string[]).map((id) => beforeCounts.get(nodeOf(id)) ?? 0);
      const ok = (e.tasks as string[]).every((id) => nodeOf(id) !== "") && got.every((c) => c === e.count_before);
      return { ok, detail: `nodes had ${JSON.stringify(got)} tasks of ${service} before, expected ${String(e.count_before)}` };
    }
    case "nodes_of_tasks_cover": {
      const nodes = new Set((e.tasks as string[]).map(nodeOf));
      const need = (e.must_include_nodes_of as string[]).map(nodeOf);
      return { ok: need.every((n) => nodes.has(n)), detail: `nodes ${JSON.stringify([...nodes])} do not include ${JSON.stringify(need)}` };
    }
    case "dropped": {
      const id = e as unknown as string;
      const t = replay.task(id);
      const ok = replay.stepDropped.has(id) && !replay.sched.isQueued(id) && t.state === "pending" && !t.node_id;
      return { ok, detail: `${where(t)}; dropped this step: ${replay.stepDropped.has(id)}, still queued: ${replay.sched.isQueued(id)}` };
    }
    case "order": {
      const want = e as unknown as string[];
      const got = replay.stepAssigned;
      const ok = got.length === want.length && want.every((alts, i) => alts.split("|").includes(got[i]!));
      return { ok, detail: `assignment order ${JSON.stringify(got)}, expected ${JSON.stringify(want)}` };
    }
    case "untouched": {
      const touched = (e as unknown as string[]).filter((id) => replay.written.has(id));
      return { ok: touched.length === 0, detail: `written: ${JSON.stringify(touched)}` };
    }
    case "one_assigned_one_pending": {
      const tasks = (e.tasks as string[]).map((id) => replay.task(id));
      const assigned = tasks.filter((t) => isRunningish(t) && t.node_id === e.node);
      const pending = tasks.filter((t) => t.state === "pending" && !t.node_id && t.error === e.error);
      return { ok: assigned.length === 1 && pending.length === 1, detail: tasks.map(where).join("; ") };
    }
    case "pending_of_becomes": {
      const ids = (e.tasks as string[]).filter((id) => before.get(id)?.state === "pending");
      const tasks = ids.map((id) => replay.task(id));
      const ok = tasks.length > 0 && tasks.every((t) => t.state === e.state);
      return { ok, detail: `${tasks.map(where).join("; ")}; expected state ${String(e.state)}` };
    }
    default:
      return { ok: false, detail: `unknown expectation kind ${kind}` };
  }
}

/** Plain JSON with object keys sorted, so trees compare whatever order branches were met in. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Json).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

function ledgerTask(id: string, spec?: Json): LedgerTask {
  const r = (spec?.reservations as Json | undefined) ?? {};
  const assigned = spec?.assigned_generic as Json | undefined;
  return {
    id,
    serviceId: "",
    desiredState: TASK_STATES.running,
    nanoCpus: (r.nano_cpus as number | undefined) ?? 0,
    memoryBytes: (r.memory_bytes as number | undefined) ?? 0,
    generic: Object.entries((r.generic as Record<string, number> | undefined) ?? {}),
    hostPorts: ((spec?.host_ports as HostPort[] | undefined) ?? []).map(encodeHostPort),
    assignedGeneric: assigned
      ? [
          ...Object.entries((assigned.discrete as Record<string, number> | undefined) ?? {}).map(([kind, discrete]) => ({ kind, discrete })),
          ...Object.entries((assigned.named as Record<string, string[]> | undefined) ?? {}).flatMap(([kind, items]) => items.map((named) => ({ kind, named }))),
        ]
      : undefined,
  };
}

function vectorResources(r: Json): SchedulerNode["resources"] {
  const g = r.generic as Json | undefined;
  return {
    nanoCpus: r.nano_cpus as number,
    memoryBytes: r.memory_bytes as number,
    generic: g ? { discrete: g.discrete as Record<string, number>, named: g.named as Record<string, string[]> } : null,
  };
}

function checkAvailable(ledger: NodeLedger, want: Json): Verdict {
  const g = (want.generic as Json | undefined) ?? {};
  const snap = ledger.generic.snapshot();
  const problems: string[] = [];
  if (ledger.nanoCpus !== want.nano_cpus) problems.push(`nano_cpus ${ledger.nanoCpus}`);
  if (ledger.memoryBytes !== want.memory_bytes) problems.push(`memory_bytes ${ledger.memoryBytes}`);
  if (g.discrete && canonical(snap.discrete) !== canonical(g.discrete)) problems.push(`discrete ${JSON.stringify(snap.discrete)}`);
  if (g.named && canonical(snap.named) !== canonical(g.named)) problems.push(`named ${JSON.stringify(snap.named)}`);
  for (const [kind, n] of Object.entries((g.named_count as Record<string, number> | undefined) ?? {})) {
    if ((snap.named[kind]?.length ?? 0) !== n) problems.push(`named ${kind} count ${snap.named[kind]?.length ?? 0}`);
  }
  for (const [kind, allowed] of Object.entries((g.named_one_of as Record<string, string[]> | undefined) ?? {})) {
    if (!(snap.named[kind] ?? []).every((item) => allowed.includes(item))) problems.push(`named ${kind} ${JSON.stringify(snap.named[kind])}`);
  }
  return { ok: problems.length === 0, detail: `available differs: ${problems.join(", ")}` };
}

function scheduler(data: Json): CaseResult[] {
  const c = new Cases("scheduler.json");
  for (const scenario of (data.scenarios as Json[] | undefined) ?? []) {
    const id = scenario.id as string;
    let replay: ScenarioReplay | undefined;
    let failure: string | undefined;
    for (const [i, step] of (scenario.steps as Json[]).entries()) {
      const before = new Map<string, Json>();
      try {
        if (i === 0) replay = new ScenarioReplay(scenario);
        else replay!.now += 1000;
        for (const [taskId, t] of replay!.store) before.set(taskId, { ...t });
        replay!.stepAssigned = [];
        replay!.stepDropped = new Set();
        for (const e of step.do as Json[]) replay!.event(e);
        replay!.pass();
      } catch (error) {
        failure ??= `step ${i} threw: ${error instanceof Error ? error.message : String(error)}`;
        break;
      }
      const seen = new Map<string, number>();
      for (const e of step.expect as Json[]) {
        const kind = Object.keys(e)[0]!;
        const n = (seen.get(kind) ?? 0) + 1;
        seen.set(kind, n);
        const ctx = { replay: replay!, before };
        c.check(`scenario/${id}/step${i}/${kind}${n > 1 ? `#${n}` : ""}`, () => checkExpectation(kind, e[kind] as Json, ctx));
      }
      const internal = (step.internal as Json | undefined)?.recent_failures as Record<string, number> | undefined;
      if (internal) {
        // Informative in the vector (Swarm's private counters); Rampart exposes them, so they are checked too.
        c.check(`scenario/${id}/step${i}/internal`, () => {
          const got = Object.fromEntries(
            Object.keys(internal).map((key) => {
              const [nodeId, serviceId] = key.split("/") as [string, string];
              return [key, replay!.sched.recentFailures(nodeId, serviceId, null, replay!.now)];
            }),
          );
          return { ok: canonical(got) === canonical(internal), detail: `recent failures ${JSON.stringify(got)}, expected ${JSON.stringify(internal)}` };
        });
      }
    }
    c.check(`scenario/${id}/replay`, () => ({ ok: failure === undefined, detail: failure }));
  }
  for (const tree of (data.trees as Json[] | undefined) ?? []) {
    c.equal(
      `trees/${tree.id as string}`,
      () =>
        canonical(
          spreadTreeCounts(
            tree.preferences as string[],
            (tree.nodes as Json[]).map((n) => ({
              labels: n.labels as Record<string, string>,
              engineLabels: n.engine_labels as Record<string, string> | undefined,
              activeTasksOfService: n.active_tasks_of_service as number,
            })),
          ),
        ),
      canonical(tree.expect_tree),
    );
  }
  for (const acc of (data.resource_accounting as Json[] | undefined) ?? []) {
    const name = `resource_accounting/${acc.id as string}`;
    const total = vectorResources((acc.node_total ?? acc.available_before) as Json);
    const ledger = new NodeLedger(total, 0, vectorResources(acc.available_before as Json));
    for (const taskId of acc.existing_task_ids as string[]) ledger.addTask(ledgerTask(taskId));
    for (const [i, op] of (acc.ops as Json[]).entries()) {
      c.equal(
        `${name}/op${i}`,
        () => {
          const arg = (op.add ?? op.remove) as string | Json;
          const task = typeof arg === "string" ? ledgerTask(arg) : ledgerTask(arg.id as string, arg);
          return op.add !== undefined ? ledger.addTask(task) : ledger.removeTask(task);
        },
        op.returns,
      );
    }
    c.check(`${name}/available_after`, () => checkAvailable(ledger, acc.available_after as Json));
  }
  return c.results;
}

// ---- secrets.json ---------------------------------------------------------------

/** gRPC codes as the vectors spell them, and Rampart's codes for them. */
const GRPC_CODES: Record<string, string> = { InvalidArgument: "invalid_argument", AlreadyExists: "already_exists", NotFound: "not_found" };

/** What a rule did: passed, or threw a RampartError (message and code). */
function verdictOf(run: () => unknown): { valid: true } | { valid: false; error: string; code: string } {
  try {
    run();
    return { valid: true };
  } catch (error) {
    if (isRampartError(error)) return { valid: false, error: error.message, code: error.code };
    throw error;
  }
}

/** Compares a verdict with a case's `valid`, `error` and `code` (the latter two when given). */
function judge(got: ReturnType<typeof verdictOf>, valid: boolean, error?: unknown, code?: unknown): Verdict {
  const want = JSON.stringify({ valid, ...(error !== undefined ? { error } : {}), ...(code !== undefined ? { code: GRPC_CODES[code as string] ?? code } : {}) });
  const shown = JSON.stringify(got.valid ? got : { valid: false, ...(error !== undefined ? { error: got.error } : {}), ...(code !== undefined ? { code: got.code } : {}) });
  return { ok: want === shown, detail: `expected ${want}, got ${JSON.stringify(got)}` };
}

/** `0444 (octal)` → 0o444. */
const octalOf = (text: string): number => Number.parseInt(/^0?([0-7]+)/.exec(text)![1]!, 8);

/** The part of a vector's format string before its explanation, e.g. `… %v  (%s = …)`. */
const formatOf = (text: string): string => text.split("  (")[0]!;

function goFormat(format: string, ...args: string[]): string {
  let i = 0;
  return format.replace(/%[sv]/g, () => args[i++] ?? "");
}

function secrets(data: Json): CaseResult[] {
  const c = new Cases("secrets.json");
  c.equal("name_max_length", () => SECRET_NAME_MAX_LENGTH, data.name_max_length);
  const nameErrors = (data.names as Json[]).filter((n) => n.valid === false);
  const tooLong = nameErrors.find((n) => n.name !== "");
  c.check("names/max_length+1", () => judge(verdictOf(() => checkSecretName("a".repeat(SECRET_NAME_MAX_LENGTH + 1))), false, tooLong?.error, tooLong?.code));
  for (const [i, item] of (data.names as Json[]).entries()) {
    c.check(`names/${i}`, () => judge(verdictOf(() => checkSecretName(item.name as string)), item.valid as boolean, item.error, item.code));
  }

  const payload = data.payload as Json;
  for (const kind of ["secret", "config"] as const) {
    const rule = payload[kind] as Json;
    c.equal(`payload/${kind}/error`, () => payloadSizeMessage(kind), rule.error);
    const bounds: Array<[string, number, boolean]> = [
      ["min", rule.min_bytes as number, true],
      ["min-1", (rule.min_bytes as number) - 1, false],
      ["max", rule.max_bytes_inclusive as number, true],
      ["max+1", (rule.max_bytes_inclusive as number) + 1, false],
    ];
    for (const [name, size, valid] of bounds) {
      c.check(`payload/${kind}/${name}`, () => judge(verdictOf(() => checkPayloadSize(size, kind)), valid, valid ? undefined : rule.error));
    }
  }
  for (const [i, item] of (payload.cases as Json[]).entries()) {
    const kind = item.kind as PayloadKind;
    const size = item.data_utf8 !== undefined ? new TextEncoder().encode(item.data_utf8 as string).length : ((item.bytes as number | undefined) ?? 0);
    const driver = item.driver as { name: string } | undefined;
    const error = item.valid ? undefined : (item.error ?? (payload[kind] as Json).error);
    c.check(`payload/cases/${i}`, () =>
      judge(verdictOf(() => (kind === "secret" ? checkSecretSpec({ name: "payload", size, driver }) : checkPayloadSize(size, kind))), item.valid as boolean, error),
    );
  }

  const update = data.update_rules as Json;
  c.check("update_rules/name_change", () => judge(verdictOf(() => checkSecretUpdate({ name: "a" }, { name: "b" })), false, update.error, update.code));
  c.check("update_rules/different_data", () => judge(verdictOf(() => checkSecretUpdate({ name: "a" }, { name: "a", sameData: false })), false, update.error, update.code));
  c.check("update_rules/identical_data", () => judge(verdictOf(() => checkSecretUpdate({ name: "a" }, { name: "a", sameData: true })), true));
  c.check("update_rules/labels_only", () => judge(verdictOf(() => checkSecretUpdate({ name: "a" }, {})), true));

  const conflict = data.create_conflict as Json;
  c.check("create_conflict", () =>
    judge(verdictOf(() => { throw secretAlreadyExists("my_secret_data"); }), false, goFormat(conflict.error_secret as string, "my_secret_data"), conflict.code),
  );

  const inUse = data.remove_in_use as Json;
  const example = /^secret '([^']+)' is in use by the following service: (.+)$/.exec(inUse.example as string);
  c.check("remove_in_use/example", () =>
    judge(verdictOf(() => { throw secretInUse(example![1]!, [example![2]!]); }), false, inUse.example, inUse.code),
  );
  c.check("remove_in_use/plural", () =>
    judge(
      verdictOf(() => { throw secretInUse("db_password", ["api", "worker"]); }),
      false,
      goFormat(formatOf(inUse.error_secret as string), "db_password", "services", "api, worker"),
      inUse.code,
    ),
  );

  for (const [i, item] of (data.reference_cases as Json[]).entries()) {
    c.check(`reference_cases/${i}`, () => {
      // The store holds a secret for every name a case mentions, with an ID of its own.
      const stored = new Map<string, string>();
      for (const ref of item.refs as Json[]) if (ref.secret) stored.set(`id-${ref.secret as string}`, ref.secret as string);
      const refs: SecretReferenceDraft[] = (item.refs as Json[]).map((ref) => ({
        secretId: (ref.secret_id as string | undefined) ?? (ref.secret ? `id-${ref.secret as string}` : ""),
        secretName: (ref.secret_name as string | undefined) ?? (ref.secret as string | undefined) ?? "",
        target: ref.target as string | undefined,
      }));
      return judge(
        verdictOf(() => {
          checkSecretReferences(refs);
          checkSecretsExist(refs, (id) => stored.get(id));
        }),
        item.valid as boolean,
        item.error,
      );
    });
  }

  const defaults = data.cli_defaults as Json;
  const expectFlag = (name: string, target: string, uid: string, gid: string, mode: number) => JSON.stringify({ secretName: name, target, uid, gid, mode });
  c.check("cli_defaults/short", () => {
    const got = JSON.stringify(parseSecretFlag("my_secret_data"));
    const want = expectFlag("my_secret_data", "my_secret_data", defaults.uid as string, defaults.gid as string, octalOf(defaults.mode as string));
    return { ok: got === want, detail: `expected ${want}, got ${got}` };
  });
  c.check("cli_defaults/long", () => {
    const got = JSON.stringify(parseSecretFlag("source=db,target=app.conf,uid=1000,gid=1001,mode=0400"));
    const want = expectFlag("db", "app.conf", "1000", "1001", 0o400);
    return { ok: got === want, detail: `expected ${want}, got ${got}` };
  });
  c.check("cli_defaults/src_alias_and_case", () => {
    const got = JSON.stringify(parseSecretFlag("SRC=db,Mode=0o640"));
    const want = expectFlag("db", "db", defaults.uid as string, defaults.gid as string, 0o640);
    return { ok: got === want, detail: `expected ${want}, got ${got}` };
  });
  c.check("cli_defaults/source_required", () => judge(verdictOf(() => parseSecretFlag("target=app.conf")), false, "source is required"));

  const paths = data.mount_paths as Json;
  const layouts: Array<[string, PayloadKind, MountOs]> = [
    ["secret_linux", "secret", "linux"],
    ["secret_windows", "secret", "windows"],
    ["config_linux", "config", "linux"],
    ["config_windows", "config", "windows"],
  ];
  for (const [key, kind, os] of layouts) {
    const template = paths[key] as string;
    c.equal(`mount_paths/${key}`, () => mountPath("app.key", os, kind), template.split(" (")[0]!.replace("<target>", "app.key"));
    if (template.includes("absolute target used verbatim")) {
      c.equal(`mount_paths/${key}/absolute`, () => mountPath("/etc/app/app.key", os, kind), "/etc/app/app.key");
    }
  }
  return c.results;
}

/** The vector files this version runs. */
export const COVERED_VECTOR_FILES = ["tokens.json", "ca_auth.json", "constraints.json", "scheduler.json", "secrets.json"] as const;

export function runVectorFile(file: string, data: unknown, ports: ConformancePorts): CaseResult[] | undefined {
  if (typeof data !== "object" || data === null) {
    return [{ file, name: "file", ok: false, detail: "not a JSON object" }];
  }
  switch (file) {
    case "tokens.json":
      return tokens(data as Json, ports);
    case "ca_auth.json":
      return caAuth(data as Json);
    case "constraints.json":
      return constraints(data as Json);
    case "scheduler.json":
      return scheduler(data as Json);
    case "secrets.json":
      return secrets(data as Json);
    default:
      return undefined;
  }
}
