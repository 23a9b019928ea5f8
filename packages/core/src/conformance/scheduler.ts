import { NodeLedger, encodeHostPort, spreadTreeCounts, type LedgerTask, type SchedulerNode } from "../scheduler/index.js";
import { TASK_STATES } from "../service/index.js";
import { canonical, type Cases, type Verdict } from "./cases.js";
import { ScenarioReplay, checkExpectation, expectationKind } from "./scheduler-replay.js";
import { SchedulerVector, type VectorLedgerTask, type VectorScenario } from "./scheduler.schema.js";
import { vectorKind } from "./vector-kind.js";

type Accounting = SchedulerVector["resource_accounting"][number];

/** Replays a scenario step by step; a step that throws ends it, and its `replay` case says where. */
function scenario(c: Cases, s: VectorScenario): void {
  const name = `scenario/${s.id}`;
  let replay: ScenarioReplay | undefined;
  let failure: string | undefined;
  for (const [i, step] of s.steps.entries()) {
    try {
      replay ??= new ScenarioReplay(s);
      replay.beginStep(i === 0);
      for (const e of step.do) replay.event(e);
      replay.pass();
    } catch (error) {
      failure = `step ${i} threw: ${error instanceof Error ? error.message : String(error)}`;
      break;
    }
    const seen = new Map<string, number>();
    const current = replay;
    for (const e of step.expect) {
      const kind = expectationKind(e);
      const n = (seen.get(kind) ?? 0) + 1;
      seen.set(kind, n);
      c.check(`${name}/step${i}/${kind}${n > 1 ? `#${n}` : ""}`, () => checkExpectation(e, current));
    }
    const internal = step.internal?.recent_failures;
    if (internal) {
      c.check(`${name}/step${i}/internal`, () => {
        const got = Object.fromEntries(
          Object.keys(internal).map((key) => {
            const [nodeId = "", serviceId = ""] = key.split("/");
            return [key, current.sched.recentFailures(nodeId, serviceId, null, current.now)];
          }),
        );
        return { ok: canonical(got) === canonical(internal), detail: `recent failures ${JSON.stringify(got)}, expected ${JSON.stringify(internal)}` };
      });
    }
  }
  c.check(`${name}/replay`, () => ({ ok: failure === undefined, detail: failure }));
}

function ledgerTask(id: string, spec?: VectorLedgerTask): LedgerTask {
  const r = spec?.reservations;
  const assigned = spec?.assigned_generic;
  return {
    id,
    serviceId: "",
    desiredState: TASK_STATES.running,
    nanoCpus: r?.nano_cpus ?? 0,
    memoryBytes: r?.memory_bytes ?? 0,
    generic: Object.entries(r?.generic ?? {}),
    hostPorts: (spec?.host_ports ?? []).map(encodeHostPort),
    assignedGeneric: assigned
      ? [
          ...Object.entries(assigned.discrete ?? {}).map(([kind, discrete]) => ({ kind, discrete })),
          ...Object.entries(assigned.named ?? {}).flatMap(([kind, items]) => items.map((named) => ({ kind, named }))),
        ]
      : undefined,
  };
}

function ledgerResources(r: Accounting["available_before"]): SchedulerNode["resources"] {
  return {
    nanoCpus: r.nano_cpus,
    memoryBytes: r.memory_bytes,
    generic: r.generic ? { discrete: r.generic.discrete, named: r.generic.named } : null,
  };
}

function checkAvailable(ledger: NodeLedger, want: Accounting["available_after"]): Verdict {
  const g = want.generic ?? {};
  const snap = ledger.generic.snapshot();
  const problems: string[] = [];
  if (ledger.nanoCpus !== want.nano_cpus) problems.push(`nano_cpus ${ledger.nanoCpus}`);
  if (ledger.memoryBytes !== want.memory_bytes) problems.push(`memory_bytes ${ledger.memoryBytes}`);
  if (g.discrete && canonical(snap.discrete) !== canonical(g.discrete)) problems.push(`discrete ${JSON.stringify(snap.discrete)}`);
  if (g.named && canonical(snap.named) !== canonical(g.named)) problems.push(`named ${JSON.stringify(snap.named)}`);
  for (const [kind, n] of Object.entries(g.named_count ?? {})) {
    if ((snap.named[kind]?.length ?? 0) !== n) problems.push(`named ${kind} count ${snap.named[kind]?.length ?? 0}`);
  }
  for (const [kind, allowed] of Object.entries(g.named_one_of ?? {})) {
    if (!(snap.named[kind] ?? []).every((item) => allowed.includes(item))) problems.push(`named ${kind} ${JSON.stringify(snap.named[kind])}`);
  }
  return { ok: problems.length === 0, detail: `available differs: ${problems.join(", ")}` };
}

/** A node's ledger through adds and removes (nodeinfo_test.go). */
function accounting(c: Cases, acc: Accounting): void {
  const name = `resource_accounting/${acc.id}`;
  const ledger = new NodeLedger(ledgerResources(acc.node_total ?? acc.available_before), 0, ledgerResources(acc.available_before));
  for (const taskId of acc.existing_task_ids) ledger.addTask(ledgerTask(taskId));
  for (const [i, op] of acc.ops.entries()) {
    c.equal(
      `${name}/op${i}`,
      () => {
        const arg = "add" in op ? op.add : op.remove;
        const task = typeof arg === "string" ? ledgerTask(arg) : ledgerTask(arg.id, arg);
        return "add" in op ? ledger.addTask(task) : ledger.removeTask(task);
      },
      op.returns,
    );
  }
  c.check(`${name}/available_after`, () => checkAvailable(ledger, acc.available_after));
}

/** scheduler.json: scenarios replayed step by step, spread trees and resource accounting. */
export const scheduler = vectorKind("scheduler.json", SchedulerVector, (data, c) => {
  for (const s of data.scenarios) scenario(c, s);
  for (const tree of data.trees) {
    const nodes = tree.nodes.map((n) => ({ labels: n.labels, engineLabels: n.engine_labels, activeTasksOfService: n.active_tasks_of_service }));
    c.equal(`trees/${tree.id}`, () => spreadTreeCounts(tree.preferences, nodes), tree.expect_tree);
  }
  for (const acc of data.resource_accounting) accounting(c, acc);
});
