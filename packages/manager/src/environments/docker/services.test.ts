import { defaultContainerSpec, defaultServiceSpec, type AuditEventInput } from "@rampart/core";
import { describe, expect, it } from "vitest";
import { auditSecretGrants } from "../../secrets/grants.js";
import { dockerServiceSchema, dockerTaskSchema } from "./schema.js";
import {
  fitToEngine,
  hardeningAskedFor,
  hardeningSupport,
  hardeningWarning,
  serviceViewOf,
  taskViewOf,
  withNetworks,
} from "./services.js";

/**
 * A service and its tasks as a dockerd 20.10 swarm gives them (`GET /services/{id}`,
 * `GET /tasks`), made with `docker service create --network backend --secret
 * source=s1,target=x,uid=1000,mode=0400 --constraint node.role==manager
 * --replicas-max-per-node 1 --reserve-memory 10m --restart-condition on-failure`.
 */
const TEMPLATE = {
  ContainerSpec: {
    Image: "local/busybox:1",
    Args: ["sleep", "600"],
    Init: false,
    StopGracePeriod: 10000000000,
    DNSConfig: {},
    Secrets: [{ File: { Name: "x", UID: "1000", GID: "0", Mode: 256 }, SecretID: "s0jb6sev7xca9cetwj2e0mdjg", SecretName: "s1" }],
    Isolation: "default",
  },
  Resources: { Limits: {}, Reservations: { MemoryBytes: 10485760 } },
  RestartPolicy: { Condition: "on-failure", Delay: 5000000000, MaxAttempts: 0 },
  Placement: { Constraints: ["node.role==manager"], MaxReplicas: 1 },
  Networks: [{ Target: "l1en4rmdea2rtxpjtv4umxi8a", Aliases: ["db"] }],
  ForceUpdate: 0,
  Runtime: "container",
};

const service = dockerServiceSchema.parse({
  ID: "r4kg8dt737aor59p29s1x77o8",
  Version: { Index: 24 },
  CreatedAt: "2026-12-06T23:07:01.001021689Z",
  UpdatedAt: "2026-12-06T23:07:01.001725661Z",
  Spec: {
    Name: "netty",
    Labels: {},
    TaskTemplate: TEMPLATE,
    Mode: { Replicated: { Replicas: 3 } },
    UpdateConfig: { Parallelism: 1, FailureAction: "pause", Monitor: 5000000000, MaxFailureRatio: 0, Order: "stop-first" },
    EndpointSpec: { Mode: "vip", Ports: [{ Protocol: "tcp", TargetPort: 80, PublishMode: "ingress" }] },
  },
  Endpoint: {
    Spec: { Mode: "vip" },
    Ports: [{ Protocol: "tcp", TargetPort: 80, PublishedPort: 30001, PublishMode: "ingress" }],
    VirtualIPs: [
      { NetworkID: "ynxuusmbxkjpwr0sisalry74u", Addr: "10.0.0.5/24" },
      { NetworkID: "l1en4rmdea2rtxpjtv4umxi8a", Addr: "10.0.1.2/24" },
    ],
  },
  UpdateStatus: { State: "completed", StartedAt: "2026-12-06T23:08:00Z", CompletedAt: "2026-12-06T23:08:10Z", Message: "update completed" },
});

const { Runtime: _runtime, ...taskSpec } = TEMPLATE;
const task = (over: Record<string, unknown>, status: Record<string, unknown>) =>
  dockerTaskSchema.parse({
    ID: "task",
    Version: { Index: 40 },
    CreatedAt: "2026-12-06T23:07:01.002713609Z",
    UpdatedAt: "2026-12-06T23:07:01.985638886Z",
    Spec: taskSpec,
    ServiceID: service.ID,
    Slot: 1,
    NodeID: "mrv0k7pidzkv3iyz7esmhbvin",
    DesiredState: "running",
    ...over,
    Status: { Timestamp: "2026-12-06T23:07:05Z", PortStatus: {}, ...status },
  });

const running = task({ ID: "run1" }, { State: "running", Message: "started", ContainerStatus: { ContainerID: "b08cd3bc6197", PID: 23962, ExitCode: 0 } });
const pending = task(
  { ID: "pend2", Slot: 2, NodeID: undefined },
  { State: "pending", Message: "pending task scheduling", Err: "no suitable node (scheduling constraints not satisfied on 2 nodes)" },
);
const rejected = task(
  { ID: "rej3", Slot: 3, DesiredState: "shutdown" },
  { State: "rejected", Message: "preparing", Err: "network sandbox join failed", ContainerStatus: { ContainerID: "", PID: 0, ExitCode: 0 } },
);
const exited = task({ ID: "old1", DesiredState: "shutdown", Spec: { ...taskSpec, ContainerSpec: { ...taskSpec.ContainerSpec, Args: ["sleep", "1"] } } }, {
  State: "failed",
  Message: "started",
  Err: "task: non-zero exit (3)",
  ContainerStatus: { ContainerID: "c0ffee", ExitCode: 3 },
});

const names = new Map([
  ["l1en4rmdea2rtxpjtv4umxi8a", "backend"],
  ["ynxuusmbxkjpwr0sisalry74u", "ingress"],
]);
const OLD_ENGINE = hardeningSupport("1.41");

describe("a Docker service in the native view", () => {
  it("ok/the spec in core's terms, the counts from the tasks, and Docker's own part", () => {
    const view = serviceViewOf(service, [running, pending, rejected, exited], names, OLD_ENGINE);
    expect(view).toMatchObject({
      id: service.ID,
      name: "netty",
      version: 24,
      specVersion: 24,
      running: 1,
      pending: 1,
      desired: 3,
      createdAt: new Date("2026-12-06T23:07:01.001Z"),
      spec: {
        mode: "replicated",
        replicas: 3,
        constraints: ["node.role==manager"],
        maxReplicasPerNode: 1,
        reservations: { nanoCpus: 0, memoryBytes: 10485760 },
        restartPolicy: { condition: "on-failure", delayNs: 5000000000, maxAttempts: 0, windowNs: 0 },
        secrets: [{ secretId: "s0jb6sev7xca9cetwj2e0mdjg", secretName: "s1", target: "x", uid: "1000", gid: "0", mode: 0o400 }],
      },
    });
    expect(view.docker).toEqual({
      updateStatus: { state: "completed", message: "update completed", startedAt: new Date("2026-12-06T23:08:00Z"), completedAt: new Date("2026-12-06T23:08:10Z") },
      // The networks are Rampart's to show now; UpdateConfig is still Docker's alone.
      dockerOnly: ["UpdateConfig"],
      endpoint: {
        mode: "vip",
        ports: [{ protocol: "tcp", targetPort: 80, publishedPort: 30001, publishMode: "ingress" }],
        virtualIps: [
          { networkId: "ynxuusmbxkjpwr0sisalry74u", networkName: "ingress", addr: "10.0.0.5/24" },
          { networkId: "l1en4rmdea2rtxpjtv4umxi8a", networkName: "backend", addr: "10.0.1.2/24" },
        ],
      },
      networks: [{ id: "l1en4rmdea2rtxpjtv4umxi8a", name: "backend", aliases: ["db"] }],
      hardening: OLD_ENGINE,
      notReported: expect.arrayContaining([expect.stringMatching(/^which older spec a task was made with/)]),
    });
  });

  it("ok/a global service wants one task per node that runs it; a network Docker cannot name is null, not invented", () => {
    const global = dockerServiceSchema.parse({ ...service, Spec: { ...service.Spec, Mode: { Global: {} } }, UpdateStatus: undefined });
    const view = serviceViewOf(global, [running, { ...pending, Slot: 0 }], new Map(), hardeningSupport("1.45"));
    expect(view).toMatchObject({ desired: 2, running: 1, pending: 1, spec: { mode: "global", replicas: 0 } });
    expect(view.docker.networks).toEqual([{ id: "l1en4rmdea2rtxpjtv4umxi8a", name: null, aliases: ["db"] }]);
    expect(view.docker.updateStatus).toBeNull();
    expect(view.docker.hardening).toEqual({ apiVersion: "1.45", carried: true, note: null });
  });

  it("ok/the swarm's host network, once named, is the container's host networking", () => {
    const hosty = dockerServiceSchema.parse({ ...service, Spec: { ...service.Spec, TaskTemplate: { ...TEMPLATE, Networks: [{ Target: "uiafpt5p5cxvjuqp0nctmb438" }] } } });
    const view = serviceViewOf(hosty, [], new Map([["uiafpt5p5cxvjuqp0nctmb438", "host"]]), OLD_ENGINE);
    expect(view.spec.container?.hostNetwork).toBe(true);
    expect(view.docker.networks).toEqual([{ id: "uiafpt5p5cxvjuqp0nctmb438", name: "host", aliases: [] }]);
    expect(serviceViewOf(hosty, [], new Map(), OLD_ENGINE).spec.container?.hostNetwork).toBe(false);
  });
});

describe("Docker's tasks in the native view", () => {
  it("ok/Docker's states, messages and errors as Docker gives them", () => {
    expect(taskViewOf(pending, service)).toEqual({
      id: "pend2",
      serviceId: service.ID,
      slot: 2,
      nodeId: null,
      specVersion: 24,
      desiredState: "running",
      state: "pending",
      message: "pending task scheduling",
      err: "no suitable node (scheduling constraints not satisfied on 2 nodes)",
      containerId: null,
      exitCode: null,
      createdAt: new Date("2026-12-06T23:07:01.002Z"),
      updatedAt: new Date("2026-12-06T23:07:05Z"),
    });
  });

  it("ok/an exit code only once the container ended (Docker reports 0 while it runs); an older spec is version 0, not a made-up one", () => {
    expect(taskViewOf(running, service)).toMatchObject({ state: "running", containerId: "b08cd3bc6197", exitCode: null, specVersion: 24 });
    expect(taskViewOf(exited, service)).toMatchObject({ state: "failed", desiredState: "shutdown", err: "task: non-zero exit (3)", containerId: "c0ffee", exitCode: 3, specVersion: 0 });
    expect(taskViewOf(rejected, service)).toMatchObject({ state: "rejected", containerId: null, exitCode: null, err: "network sandbox join failed" });
  });

  it("ok/a task whose spec differs only in placement still runs the current spec, as Swarm's IsTaskDirty reads it", () => {
    const moved = task({ Spec: { ...taskSpec, Placement: { Constraints: ["node.role==worker"] } } }, { State: "running" });
    expect(taskViewOf(moved, service).specVersion).toBe(24);
  });
});

describe("hardening an engine before API 1.44 cannot carry", () => {
  const hardened = defaultServiceSpec({ name: "web", image: "busybox", container: defaultContainerSpec({ seccomp: { mode: "unconfined" }, apparmor: "unconfined" }) });

  it("ok/what a container asks for beyond the engine's own defaults, by name", () => {
    expect(hardeningAskedFor(defaultContainerSpec())).toEqual(["no-new-privileges"]);
    expect(hardeningAskedFor(defaultContainerSpec({ seccomp: { mode: "custom", profile: "strict" }, noNewPrivileges: false }))).toEqual(["seccomp profile strict"]);
    expect(hardeningAskedFor(defaultContainerSpec({ noNewPrivileges: false }))).toEqual([]);
  });

  it("ok/an old engine gets the engine's defaults, and the write names what it loses", () => {
    const { spec, notCarried } = fitToEngine(hardened, OLD_ENGINE);
    expect(notCarried).toEqual(["seccomp unconfined", "AppArmor unconfined", "no-new-privileges"]);
    expect(spec.container).toMatchObject({ seccomp: { mode: "default" }, apparmor: "", noNewPrivileges: false });
    expect(hardeningWarning(notCarried, OLD_ENGINE)).toBe(
      "not applied: seccomp unconfined, AppArmor unconfined, no-new-privileges. This swarm's manager speaks Engine API 1.41, and engines before 1.44 (Docker 25) drop " +
        "a service's seccomp, AppArmor and no-new-privileges settings: its tasks run with the engine's defaults (default seccomp and AppArmor profiles, no-new-privileges off).",
    );
    expect(OLD_ENGINE.note).toMatch(/^This swarm's manager speaks Engine API 1\.41; engines before 1\.44 \(Docker 25\) have no field/);
  });

  it("ok/an engine at 1.44 or later keeps the spec as asked; an unknown version is taken as one that does not", () => {
    expect(fitToEngine(hardened, hardeningSupport("1.44"))).toEqual({ spec: hardened, notCarried: [] });
    expect(hardeningSupport(null)).toMatchObject({ carried: false, apiVersion: null });
    expect(hardeningWarning([], OLD_ENGINE)).toBeNull();
  });
});

describe("networks written into a Docker spec", () => {
  const spec = { Name: "web", TaskTemplate: { ContainerSpec: { Image: "busybox" }, Networks: [{ Target: "aaa", Aliases: ["web"] }, { Target: "hostid" }] } };

  it("ok/the named networks replace the others, each keeping its aliases; the host network stays", () => {
    expect(withNetworks(spec, ["bbb", "aaa"], new Set(["host", "hostid"])).TaskTemplate?.Networks).toEqual([{ Target: "bbb" }, { Target: "aaa", Aliases: ["web"] }, { Target: "hostid" }]);
  });

  it("ok/none named and no host network removes the field; the deprecated top-level list is folded in", () => {
    const old = { Name: "web", TaskTemplate: { ContainerSpec: { Image: "busybox" } }, Networks: [{ Target: "aaa", Aliases: ["x"] }] };
    expect(withNetworks(old, [], new Set(["host"]))).toEqual({ Name: "web", TaskTemplate: { ContainerSpec: { Image: "busybox" } } });
    expect(withNetworks(old, ["aaa"], new Set(["host"]))).toEqual({ Name: "web", TaskTemplate: { ContainerSpec: { Image: "busybox" }, Networks: [{ Target: "aaa", Aliases: ["x"] }] } });
  });
});

describe("secret grants of a service change", () => {
  const ref = (secretId: string, target: string) => ({ secretId, secretName: `name-${secretId}`, target, uid: "0", gid: "0", mode: 0o444 });
  const change = { actor: { type: "user" as const, id: "u1", name: "alice" }, ip: "127.0.0.1", service: { id: "svc", name: "web" }, env: { id: "e1", name: "prod" } };

  it("ok/a grant for each secret newly referenced, a revoke for each dropped, once per secret, with the environment", async () => {
    const events: AuditEventInput[] = [];
    const audit = { recordMany: async (list: AuditEventInput[]) => void events.push(...list) };
    await auditSecretGrants(audit, undefined, { ...change, before: [ref("a", "a1"), ref("b", "b1")], after: [ref("b", "b2"), ref("c", "c1"), ref("c", "c2")] });
    expect(events.map((e) => [e.action, e.target.id])).toEqual([
      ["secret.grant", "c"],
      ["secret.revoke", "a"],
    ]);
    expect(events[0]).toMatchObject({ target: { type: "secret", id: "c", name: "name-c" }, context: { type: "service", id: "svc", name: "web" }, env: { id: "e1", name: "prod" }, outcome: "success" });
  });
});
