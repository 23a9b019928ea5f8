import { interrupted, serviceLogs } from "./logs.js";
import { command, UsageError, type Group, type Options } from "./cli.js";
import { serviceCreate, serviceInspect, serviceLs, servicePs, serviceRm, serviceScale, serviceUpdate } from "./service.js";

/**
 * The spec flags that `service create`, `service update` and `plan` all take, and below
 * them the help lines all three print: a flag added to both is taken and documented by
 * all three.
 */
const SPEC_OPTIONS = {
  "replicas-max-per-node": { type: "string" },
  "reserve-cpu": { type: "string" },
  "reserve-memory": { type: "string" },
  "restart-condition": { type: "string" },
  "restart-delay": { type: "string" },
  "restart-max-attempts": { type: "string" },
  "restart-window": { type: "string" },
} as const satisfies Options;

export const SPEC_OPTIONS_HELP = `  --replicas-max-per-node N  Maximum number of tasks per node (default 0 = unlimited)
  --reserve-cpu CPUS          Reserve CPUs, e.g. 0.5
  --reserve-memory SIZE       Reserve memory, e.g. 512MiB, 256m, 1g
  --restart-condition COND    Restart when condition is met ("none", "on-failure", "any") (default "any")
  --restart-delay DURATION    Delay between restart attempts (ns|us|ms|s|m|h) (default 5s)
  --restart-max-attempts N    Maximum number of restarts before giving up (default 0 = unlimited)
  --restart-window DURATION   Window used to evaluate the restart policy (ns|us|ms|s|m|h) (default 0s = forever)`;

/** The port and generic resource flags of `service create` (and `plan`), and their help. */
const CREATE_TASK_OPTIONS = {
  publish: { type: "string", short: "p", multiple: true },
  "generic-resource": { type: "string", multiple: true },
} as const satisfies Options;

export const CREATE_TASK_HELP = `  -p, --publish PORT          Publish a port as a node port (repeatable): PUBLISHED:TARGET[/PROTO],
                              or published=P,target=T,protocol=tcp|udp|sctp,mode=ingress|host
  --generic-resource KIND=N   Reserve N of a node's generic resource KIND per task (repeatable)`;

/** The port and generic resource flags of `service update` (and `plan`), and their help. */
const UPDATE_TASK_OPTIONS = {
  "publish-add": { type: "string", multiple: true },
  "publish-rm": { type: "string", multiple: true },
  "generic-resource-add": { type: "string", multiple: true },
  "generic-resource-rm": { type: "string", multiple: true },
} as const satisfies Options;

export const UPDATE_TASK_HELP = `  --publish-add PORT          Add or update a published port (repeatable; as --publish)
  --publish-rm PORT           Remove a published port by its target port (repeatable; as --publish)
  --generic-resource-add KIND=N  Add or change a generic resource reservation (repeatable)
  --generic-resource-rm KIND  Remove a generic resource reservation (repeatable)`;

/** The container flags `service create` and `service update` both take (not `plan`: they do not change where tasks run). */
const CONTAINER_OPTIONS = {
  entrypoint: { type: "string" },
  workdir: { type: "string", short: "w" },
  user: { type: "string", short: "u" },
  hostname: { type: "string" },
  "stop-signal": { type: "string" },
  "stop-grace-period": { type: "string" },
  init: { type: "boolean" },
  "read-only": { type: "boolean" },
  "limit-cpu": { type: "string" },
  "limit-memory": { type: "string" },
  "cap-add": { type: "string", multiple: true },
  "cap-drop": { type: "string", multiple: true },
  "security-opt": { type: "string", multiple: true },
  privileged: { type: "boolean" },
} as const satisfies Options;

const CONTAINER_HELP = `  -w, --workdir DIR           Working directory inside the container
  -u, --user USER             Username or UID (format: <name|uid>[:<group|gid>])
  --hostname NAME             Container hostname
  --stop-signal SIGNAL        Signal to stop the container
  --stop-grace-period DURATION  Time to wait before force killing a container (ns|us|ms|s|m|h) (default 10s)
  --limit-cpu CPUS            Limit CPUs, e.g. 0.5
  --limit-memory SIZE         Limit memory, e.g. 512MiB, 256m, 1g`;

/**
 * Rampart's hardening flags and the runtime policy they meet, as create and update both
 * print them: Swarm keeps none of these on a service (ADR 0019).
 */
const SECURITY_HELP = `Security options (Swarm leaves these to each docker run; Rampart keeps them on the service):
  --security-opt OPT          seccomp=default|unconfined|PROFILE, PROFILE being a profile
                              stored with 'rampart seccomp create'; apparmor=PROFILE;
                              no-new-privileges[=true|false] (default true) (repeatable)
  --privileged                Give the tasks every capability and device of their node
                              (Rampart's own flag: docker service has none)

Bind mounts, the host's network and privileged tasks are refused unless the swarm's
runtime policy allows them ('rampart swarm update --allow-host-path PATH',
'--allow-host-network', '--allow-privileged'). Boolean flags take =true or =false.`;

/** The container flags only `service create` takes. */
const CREATE_CONTAINER_OPTIONS = {
  env: { type: "string", short: "e", multiple: true },
  "container-label": { type: "string", multiple: true },
  mount: { type: "string", multiple: true },
  network: { type: "string", multiple: true },
} as const satisfies Options;

const CREATE_CONTAINER_HELP = `Container options:
  --entrypoint CMD            Overwrite the image's ENTRYPOINT, split into words as a shell would
  -e, --env NAME=VALUE        Set an environment variable (repeatable)
${CONTAINER_HELP}
  --container-label KEY=VALUE  Container label (repeatable)
  --init                      Run an init in each container to forward signals and reap processes
  --read-only                 Mount the container's root filesystem as read only
  --cap-add CAP               Add a Linux capability, e.g. NET_ADMIN, or ALL (repeatable)
  --cap-drop CAP              Drop a Linux capability, or ALL (repeatable)
  --mount MOUNT               Attach a filesystem mount (repeatable):
                              type=volume|bind|tmpfs,source=SRC,target=DST[,readonly]
                              [,tmpfs-size=SIZE][,tmpfs-mode=OCTAL] (default type volume)
  --network NETWORK           Attach to a network (repeatable): host for the host's network; on a
                              Docker Swarm environment (--env), an overlay network by name or ID`;

/** The container flags only `service update` takes: docker's -add and -rm pairs, and --args. */
const UPDATE_CONTAINER_OPTIONS = {
  args: { type: "string" },
  "env-add": { type: "string", multiple: true },
  "env-rm": { type: "string", multiple: true },
  "container-label-add": { type: "string", multiple: true },
  "container-label-rm": { type: "string", multiple: true },
  "mount-add": { type: "string", multiple: true },
  "mount-rm": { type: "string", multiple: true },
  "network-add": { type: "string", multiple: true },
  "network-rm": { type: "string", multiple: true },
} as const satisfies Options;

const UPDATE_CONTAINER_HELP = `Container options (each changes only what it names):
  --entrypoint CMD            Overwrite the image's ENTRYPOINT, split into words as a shell
                              would ("" for the image's own)
  --args ARGS                 The container's command arguments, split the same way ("" for the image's CMD)
  --env-add NAME=VALUE        Add or update an environment variable (repeatable)
  --env-rm NAME               Remove an environment variable (repeatable)
${CONTAINER_HELP}
  --container-label-add KEY=VALUE  Add or update a container label (repeatable)
  --container-label-rm KEY    Remove a container label by its key (repeatable)
  --init[=false]              Run an init in each container, or not
  --read-only[=false]         Mount the container's root filesystem as read only, or not
  --cap-add CAP               Add a Linux capability, or ALL; RESET first empties the added list (repeatable)
  --cap-drop CAP              Drop a Linux capability, or ALL; RESET first empties the dropped list (repeatable)
  --mount-add MOUNT           Add or update a mount, by its target (repeatable; as create's --mount)
  --mount-rm TARGET           Remove a mount by its target path (repeatable)
  --network-add NETWORK       Attach to a network (repeatable): host, or on a Docker Swarm
                              environment an overlay network by name or ID
  --network-rm NETWORK        Detach from a network (repeatable)`;

/** The flags `service create` shares with `plan`. */
export const CREATE_OPTIONS = {
  name: { type: "string" },
  mode: { type: "string" },
  replicas: { type: "string" },
  constraint: { type: "string", multiple: true },
  "placement-pref": { type: "string", multiple: true },
  ...SPEC_OPTIONS,
  ...CREATE_TASK_OPTIONS,
} as const satisfies Options;

/** The flags `service update` shares with `plan`. */
export const UPDATE_OPTIONS = {
  image: { type: "string" },
  replicas: { type: "string" },
  "constraint-add": { type: "string", multiple: true },
  "constraint-rm": { type: "string", multiple: true },
  "placement-pref-add": { type: "string", multiple: true },
  "placement-pref-rm": { type: "string", multiple: true },
  ...SPEC_OPTIONS,
  ...UPDATE_TASK_OPTIONS,
} as const satisfies Options;

/** `rampart service …`: docker's service commands, each with its own usage. */
export const service: Group = {
  name: "service",
  summary: "Manage services: create, ls, ps, inspect, update, scale, rm",
  usage: `Usage:  rampart service COMMAND

Manage services

Commands:
  create    Create a service   [OPTIONS] IMAGE [COMMAND] [ARG...]
  ls        List services      [-q]
  ps        List the tasks of services   [-q] [--no-trunc] SERVICE...
  logs      Fetch the logs of a service or task   [-f] [--tail N] [--since T] SERVICE|TASK
  inspect   Show services in detail      [--pretty] SERVICE...
  update    Update a service   [OPTIONS] SERVICE
  scale     Scale replicated services    SERVICE=REPLICAS...
  rm        Remove services    SERVICE...

Run 'rampart service COMMAND --help' for more information on a command.`,
  commands: [
    command({
      name: "create",
      usage: `Usage:  rampart service create [OPTIONS] IMAGE [COMMAND] [ARG...]

Create a new service; prints its ID. Options go before IMAGE: what follows it is the
container's command and its arguments (replacing the image's CMD), flags included,
as with docker.

Options:
  --name NAME                 Service name (default: a random one, as docker does)
  --mode MODE                 replicated or global (default replicated)
  --replicas N                Number of tasks (default 1)
  --constraint EXPR           Placement constraint, e.g. node.labels.zone==eu (repeatable)
  --placement-pref PREF       Placement preference, spread=node.labels.zone (repeatable)
${SPEC_OPTIONS_HELP}
${CREATE_TASK_HELP}
  --secret SECRET             Give the tasks a secret (repeatable): NAME, or
                              source=NAME,target=FILE,uid=U,gid=G,mode=M
                              (defaults: target NAME, uid 0, gid 0, mode 0444)

${CREATE_CONTAINER_HELP}

${SECURITY_HELP}`,
      // `--secret` and the container flags are docker's; `plan` takes none of them.
      options: { ...CREATE_OPTIONS, ...CONTAINER_OPTIONS, ...CREATE_CONTAINER_OPTIONS, secret: { type: "string", multiple: true } },
      positionals: true,
      interspersed: false,
      run: ({ admin, values, positionals, io }) => admin((client, out) => serviceCreate(client, out, positionals, values, io.err)),
    }),
    command({
      name: "ls",
      aliases: ["list"],
      usage: `Usage:  rampart service ls [OPTIONS]

List services

Options:
  -q, --quiet   Only display IDs`,
      options: { quiet: { type: "boolean", short: "q" } },
      positionals: true,
      run: ({ admin, values }) => admin((client, out) => serviceLs(client, out, values.quiet ?? false)),
    }),
    command({
      name: "ps",
      usage: `Usage:  rampart service ps [OPTIONS] SERVICE [SERVICE...]

List the tasks of one or more services: docker's columns, then CONTAINER, the
task's container on its node (docker's service ps has no column for it).

Options:
  -q, --quiet   Only display task IDs
  --no-trunc    Do not truncate output`,
      options: { quiet: { type: "boolean", short: "q" }, "no-trunc": { type: "boolean" } },
      positionals: true,
      run: ({ admin, values, positionals }) =>
        admin((client, out) => servicePs(client, out, positionals, { quiet: values.quiet ?? false, noTrunc: values["no-trunc"] ?? false })),
    }),
    command({
      name: "logs",
      usage: `Usage:  rampart service logs [OPTIONS] SERVICE|TASK

Fetch the logs of a service or task: the containers' own lines, streamed from the
agents that run them over their mTLS channel. Each read is recorded in the audit log.

Options:
  -f, --follow        Follow log output (Ctrl-C stops, and the agents stop sending)
      --tail N        Number of lines to show from the end of each task's log (default "all")
      --since T       Show logs since a time (2026-12-06T10:00:00Z) or a relative one (10m)
  -t, --timestamps    Show timestamps
      --raw           Do not neatly format logs (no name.slot.task@node prefix)
      --no-task-ids   Do not include task IDs in output
      --no-trunc      Do not truncate output`,
      options: {
        follow: { type: "boolean", short: "f" },
        tail: { type: "string" },
        since: { type: "string" },
        timestamps: { type: "boolean", short: "t" },
        raw: { type: "boolean" },
        "no-task-ids": { type: "boolean" },
        "no-trunc": { type: "boolean" },
      },
      positionals: true,
      run: ({ admin, values, positionals, io }) => {
        if (positionals.length !== 1) throw new UsageError('"rampart service logs" requires exactly 1 argument: a service or a task');
        return admin((client, out) =>
          serviceLogs(
            client,
            out,
            io.err,
            positionals[0],
            {
              follow: values.follow ?? false,
              tail: values.tail,
              since: values.since,
              timestamps: values.timestamps ?? false,
              raw: values.raw ?? false,
              noTaskIds: values["no-task-ids"] ?? false,
              noTrunc: values["no-trunc"] ?? false,
            },
            interrupted(),
          ),
        );
      },
    }),
    command({
      name: "inspect",
      usage: `Usage:  rampart service inspect [OPTIONS] SERVICE [SERVICE...]

Display detailed information on one or more services (JSON by default)

Options:
  --pretty   Print the information in a human friendly format`,
      options: { pretty: { type: "boolean" } },
      positionals: true,
      run: ({ admin, values, positionals }) => admin((client, out) => serviceInspect(client, out, positionals, values.pretty ?? false)),
    }),
    command({
      name: "update",
      usage: `Usage:  rampart service update [OPTIONS] SERVICE

Update a service. The change is made at the version that was read: if the service
changed in between, the server refuses it.

Options:
  --image IMAGE               Service image
  --replicas N                Number of tasks
  --constraint-add EXPR       Add a placement constraint (repeatable)
  --constraint-rm EXPR        Remove a placement constraint (repeatable)
  --placement-pref-add PREF   Add a placement preference, spread=node.labels.zone (repeatable)
  --placement-pref-rm PREF    Remove a placement preference (repeatable)
${SPEC_OPTIONS_HELP}
${UPDATE_TASK_HELP}
  --secret-add SECRET         Add a secret (repeatable): NAME, or
                              source=NAME,target=FILE,uid=U,gid=G,mode=M
  --secret-rm NAME            Remove a secret, every target it has (repeatable)

${UPDATE_CONTAINER_HELP}

${SECURITY_HELP}`,
      // docker's `--secret-add`, `--secret-rm` and container flags; `plan` takes none of them.
      options: {
        ...UPDATE_OPTIONS,
        ...CONTAINER_OPTIONS,
        ...UPDATE_CONTAINER_OPTIONS,
        "secret-add": { type: "string", multiple: true },
        "secret-rm": { type: "string", multiple: true },
      },
      positionals: true,
      run: ({ admin, values, positionals, io }) => admin((client, out) => serviceUpdate(client, out, positionals, values, io.err)),
    }),
    command({
      name: "scale",
      usage: `Usage:  rampart service scale SERVICE=REPLICAS [SERVICE=REPLICAS...]

Scale one or multiple replicated services`,
      options: {},
      positionals: true,
      run: ({ admin, positionals }) => admin((client, out) => serviceScale(client, out, positionals)),
    }),
    command({
      name: "rm",
      aliases: ["remove"],
      usage: `Usage:  rampart service rm SERVICE [SERVICE...]

Remove one or more services`,
      options: {},
      positionals: true,
      run: ({ admin, positionals }) => admin((client, out) => serviceRm(client, out, positionals)),
    }),
  ],
};
