import { NodeLedger, encodeHostPort, spreadTreeCounts, type HostPort, type LedgerTask, type SchedulerNode } from "../scheduler/index.js";
import { TASK_STATES } from "../service/index.js";
import { Cases, canonical, type CaseResult, type Json, type Verdict } from "./cases.js";
import { ScenarioReplay, checkExpectation } from "./scheduler-replay.js";

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

/** scheduler.json: scenarios replayed step by step, spread trees and resource accounting. */
export function runScheduler(data: Json): CaseResult[] {
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
