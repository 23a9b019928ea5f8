import { command } from "./cli.js";
import { planCommand, scenarioSource, serverSource } from "./plan.js";
import { CREATE_OPTIONS, CREATE_TASK_HELP, SPEC_OPTIONS_HELP, UPDATE_OPTIONS, UPDATE_TASK_HELP } from "./service.cli.js";

/**
 * `rampart plan`: on the server, or with --scenario here, with no server at all. It takes
 * both create's and update's spec flags, since it plans a new service or changes one.
 */
export const plan = command({
  name: "plan",
  summary: "Dry-run the scheduler: where a service would run, and why (not)",
  usage: `Usage:  rampart plan [SERVICE] [OPTIONS]

Dry-run the scheduler: where the tasks of a service would run, why each node is or
is not used, which tasks would wait, and which other services would move. Nothing is
changed. With SERVICE, its spec is the start and the spec options change it as
'rampart service update' would; without, the spec options describe a new service.

Spec options:
  --name NAME                 Service name (a new service needs one)
  --image IMAGE               Image (a new service needs one)
  --mode MODE                 replicated or global
  --replicas N                Number of tasks
  --constraint EXPR           Add a placement constraint (repeatable; also --constraint-add)
  --constraint-rm EXPR        Remove a placement constraint (repeatable)
  --placement-pref PREF       Add a preference, spread=node.labels.zone (repeatable; also --placement-pref-add)
  --placement-pref-rm PREF    Remove a placement preference (repeatable)
${SPEC_OPTIONS_HELP}
${CREATE_TASK_HELP}
${UPDATE_TASK_HELP}

Node options (NODE is an ID, an ID prefix or a hostname):
  --label-add NODE:KEY=VALUE  Add or change a node label (repeatable)
  --label-rm NODE:KEY         Remove a node label (repeatable)
  --availability NODE=AVAIL   active, pause or drain (repeatable)
  --role NODE=ROLE            worker or manager (repeatable)

Other options:
  --scenario pci-dss          Plan a built-in example cluster here, without a server
  --json                      Print the plan as JSON`,
  options: {
    ...CREATE_OPTIONS,
    ...UPDATE_OPTIONS,
    "label-add": { type: "string", multiple: true },
    "label-rm": { type: "string", multiple: true },
    availability: { type: "string", multiple: true },
    role: { type: "string", multiple: true },
    scenario: { type: "string" },
    json: { type: "boolean" },
  },
  positionals: true,
  run: ({ admin, io, values, positionals }) =>
    values.scenario === undefined
      ? admin((client, out) => planCommand(serverSource(client), out, positionals, values, io.err))
      : planCommand(scenarioSource(values.scenario), io.out, positionals, values, io.err),
});
