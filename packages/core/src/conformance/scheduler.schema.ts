import { z } from "zod";
import { AVAILABILITIES } from "../node/index.js";
import { TASK_STATES, type TaskState } from "../service/index.js";
import { caseNotes, labels, provenance } from "./common.schema.js";

const taskState = z.custom<TaskState>((v) => typeof v === "string" && Object.hasOwn(TASK_STATES, v), {
  error: `expected a task state (${Object.keys(TASK_STATES).join(", ")})`,
});
const platform = z.strictObject({ os: z.string(), architecture: z.string() });
const counts = z.record(z.string(), z.number().int());
const named = z.record(z.string(), z.array(z.string()));
const hostPort = z.strictObject({ protocol: z.enum(["tcp", "udp", "sctp"]), port: z.number().int() });
/** What a task reserves; generic requests are counts. */
const reservations = z.strictObject({ nano_cpus: z.number().optional(), memory_bytes: z.number().optional(), generic: counts.optional() });

/** A node's totals, as Description.Resources. */
const resources = z.strictObject({
  nano_cpus: z.number(),
  memory_bytes: z.number(),
  generic: z.strictObject({ discrete: counts.optional(), named: named.optional() }).optional(),
});

/** A node (snake_case); `plugins` absent means no engine description. */
export const VectorNode = z.strictObject({
  id: z.string(),
  state: z.enum(["unknown", "down", "ready", "disconnected"]),
  availability: z.enum(AVAILABILITIES),
  hostname: z.string().optional(),
  labels: labels.optional(),
  engine_labels: labels.optional(),
  platform: platform.optional(),
  resources: resources.optional(),
  plugins: z.array(z.strictObject({ type: z.string(), name: z.string() })).optional(),
});
export type VectorNode = z.infer<typeof VectorNode>;

const taskFields = {
  id: z.string(),
  service_id: z.string().optional(),
  /** null: scheduled alone; the same service and version: scheduled as one group. */
  spec_version: z.number().int().nullable().optional(),
  /** `""` unassigned; set while pending, pre-assigned. */
  node_id: z.string().optional(),
  state: taskState,
  desired_state: taskState.optional(),
  reservations: reservations.optional(),
  constraints: z.array(z.string()).optional(),
  preferences: z.array(z.string()).optional(),
  platforms: z.array(platform).optional(),
  max_replicas: z.number().int().optional(),
  host_ports: z.array(hostPort).optional(),
  network_drivers: z.array(z.string()).optional(),
  log_driver: z.string().nullable().optional(),
  volume_drivers: z.array(z.string()).optional(),
  /** Informative: a task with only bind mounts lists no volume drivers, and that is what the scheduler reads. */
  bind_mount_only: z.boolean().optional(),
  /** Status.Err and Status.Message; the scheduler writes them. */
  error: z.string().optional(),
  message: z.string().optional(),
};

/** A task in store form: the replay merges the scheduler's writes into it. */
export const VectorTask = z.strictObject(taskFields);
export type VectorTask = z.infer<typeof VectorTask>;

const EVENTS = "create_nodes, update_node, delete_node, create_tasks, update_task, delete_tasks, delete_tasks_on_node, delete_service, set_service, retry, update_assigned_of, update_pending_of";

/** One change to the store, fed to the scheduler before a pass. */
export const VectorEvent = z.union(
  [
    z.strictObject({ create_nodes: z.array(VectorNode) }),
    z.strictObject({ update_node: VectorNode }),
    z.strictObject({ delete_node: z.string() }),
    z.strictObject({ create_tasks: z.array(VectorTask) }),
    /** A partial task, merged by id. */
    z.strictObject({ update_task: z.strictObject(taskFields).partial().required({ id: true }) }),
    z.strictObject({ delete_tasks: z.array(z.string()) }),
    z.strictObject({ delete_tasks_on_node: z.string() }),
    z.strictObject({ delete_service: z.string() }),
    z.strictObject({ set_service: z.strictObject({ id: z.string(), spec_version: z.number().int().nullable().optional() }) }),
    /** Another scheduling pass. */
    z.strictObject({ retry: z.literal(true) }),
    /** Applied to whichever of the tasks is assigned. */
    z.strictObject({ update_assigned_of: z.strictObject({ tasks: z.array(z.string()), state: taskState }) }),
    /** Applied to whichever of the tasks is still pending. */
    z.strictObject({ update_pending_of: z.strictObject({ tasks: z.array(z.string()), desired_state: taskState }) }),
  ],
  { error: `expected one event: ${EVENTS}` },
);
export type VectorEvent = z.infer<typeof VectorEvent>;

const EXPECTATIONS =
  "assigned, pending, distinct_nodes, count_multiset, counts_exact, counts_one_of, counts, placed_where, nodes_of_tasks_cover, dropped, order, untouched, one_assigned_one_pending, pending_of_becomes";

/**
 * What must hold after a step. Counts are a service's tasks on a node in ASSIGNED…RUNNING.
 */
export const VectorExpectation = z.union(
  [
    z.strictObject({
      assigned: z.strictObject({ task: z.string(), node: z.string().optional(), node_in: z.array(z.string()).optional(), not_node: z.array(z.string()).optional() }),
    }),
    /** Still unassigned, with Status.Err equal to `error`. */
    z.strictObject({ pending: z.strictObject({ task: z.string(), error: z.string() }) }),
    z.strictObject({ distinct_nodes: z.array(z.string()) }),
    z.strictObject({ count_multiset: z.strictObject({ service: z.string(), values: z.array(z.number().int()), nodes: z.array(z.string()).optional() }) }),
    z.strictObject({ counts_exact: z.strictObject({ service: z.string(), per_node: counts }) }),
    z.strictObject({ counts_one_of: z.strictObject({ service: z.string(), options: z.array(counts) }) }),
    z.strictObject({ counts: z.strictObject({ service: z.string(), node: z.string(), equals: z.number().int() }) }),
    /** The chosen nodes had `count_before` tasks of the service before this step. */
    z.strictObject({ placed_where: z.strictObject({ tasks: z.array(z.string()), service: z.string(), count_before: z.number().int() }) }),
    z.strictObject({ nodes_of_tasks_cover: z.strictObject({ tasks: z.array(z.string()), must_include_nodes_of: z.array(z.string()) }) }),
    z.strictObject({ dropped: z.string() }),
    /** The order of assignment writes; `a|b` accepts either. */
    z.strictObject({ order: z.array(z.string()) }),
    /** Never written by the scheduler. */
    z.strictObject({ untouched: z.array(z.string()) }),
    z.strictObject({ one_assigned_one_pending: z.strictObject({ tasks: z.array(z.string()), node: z.string(), error: z.string() }) }),
    z.strictObject({ pending_of_becomes: z.strictObject({ tasks: z.array(z.string()), state: taskState }) }),
  ],
  { error: `expected one expectation: ${EXPECTATIONS}` },
);
export type VectorExpectation = z.infer<typeof VectorExpectation>;

const scenario = z.strictObject({
  id: z.string(),
  /** The services in the store; a task whose service is missing is dropped when it cannot be placed. */
  services: z.record(z.string(), z.strictObject({ spec_version: z.number().int().optional() })),
  nodes: z.array(VectorNode),
  tasks: z.array(VectorTask),
  /** steps[0] is the scheduler's start (its `do` is empty). */
  steps: z.array(
    z.strictObject({
      do: z.array(VectorEvent),
      expect: z.array(VectorExpectation),
      /** Swarm's private failure counters per `node/service`; Rampart exposes them, so they are checked too. */
      internal: z.strictObject({ recent_failures: z.record(z.string().regex(/^[^/]*\/[^/]*$/, "expected node/service"), z.number().int()) }).optional(),
      note: z.string().optional(),
    }),
  ),
  ...caseNotes,
});
export type VectorScenario = z.infer<typeof scenario>;

/** A task given to the ledger in full: what it reserves and what it was given. */
const ledgerTask = z.strictObject({
  id: z.string(),
  reservations: reservations.optional(),
  host_ports: z.array(hostPort).optional(),
  assigned_generic: z.strictObject({ discrete: counts.optional(), named: named.optional() }).optional(),
});
export type VectorLedgerTask = z.infer<typeof ledgerTask>;

const ledgerOp = z.union([
  z.strictObject({ add: z.union([z.string(), ledgerTask]), returns: z.boolean(), note: z.string().optional() }),
  z.strictObject({ remove: z.union([z.string(), ledgerTask]), returns: z.boolean(), note: z.string().optional() }),
]);

/** scheduler.json: SwarmKit's scheduler tests as replayable scenarios, spread trees and resource accounting. */
export const SchedulerVector = z.strictObject({
  ...provenance,
  /** Informative: the shapes below, in words. */
  shape: z.unknown(),
  /** Informative: the filter pipeline in words; the scenarios' `pending` errors check its explanations. */
  filters: z.unknown(),
  scenarios: z.array(scenario),
  trees: z.array(
    z.strictObject({
      id: z.string(),
      service: z.string(),
      preferences: z.array(z.string()),
      nodes: z.array(z.strictObject({ id: z.string(), labels, engine_labels: labels.optional(), active_tasks_of_service: z.number().int() })),
      expect_tree: z.json(),
      ...caseNotes,
    }),
  ),
  resource_accounting: z.array(
    z.strictObject({
      id: z.string(),
      /** Totals; when absent, what was available before is the total. */
      node_total: resources.optional(),
      available_before: resources,
      existing_task_ids: z.array(z.string()),
      ops: z.array(ledgerOp),
      available_after: z.strictObject({
        nano_cpus: z.number(),
        memory_bytes: z.number(),
        generic: z
          .strictObject({ discrete: counts.optional(), named: named.optional(), named_count: counts.optional(), named_one_of: named.optional() })
          .optional(),
      }),
      ...caseNotes,
    }),
  ),
  /** Informative: SwarmKit's benchmarks; `pnpm bench` runs Rampart's own. */
  benchmarks: z.unknown(),
});
export type SchedulerVector = z.infer<typeof SchedulerVector>;
