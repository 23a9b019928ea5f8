import { defaultContainerSpec, defaultServiceSpec, isRampartError } from "@rampart/core";
import { describe, expect, it } from "vitest";
import { dockerServiceSchema, dockerServiceSpecSchema, readDocker } from "./schema.js";
import { coreSpecOf, dockerOnlyFields, dockerSpecOf } from "./spec.js";

/**
 * Services as a dockerd 20.10 swarm lists them (`GET /services`), made with the docker
 * CLI: `full` with most of `docker service create`'s flags, `glob` global on the host
 * network, `plain` with nothing but an image and a command.
 */
const full = {
  ID: "lzzl20fupx88mrzrvnko0nyv0",
  Version: { Index: 16 },
  CreatedAt: "2026-12-06T22:40:01.94272862Z",
  UpdatedAt: "2026-12-06T22:40:01.945853302Z",
  Spec: {
    Name: "full",
    Labels: { team: "pay" },
    TaskTemplate: {
      ContainerSpec: {
        Image: "local/busybox:1",
        Labels: { app: "web" },
        Command: ["sleep"],
        Args: ["3600"],
        Hostname: "web-{{.Task.Slot}}",
        Env: ["A=1"],
        Dir: "/tmp",
        User: "1000:1000",
        Init: true,
        StopSignal: "SIGUSR1",
        ReadOnly: true,
        Mounts: [
          { Type: "tmpfs", Target: "/cache", TmpfsOptions: { SizeBytes: 1048576, Mode: 1016 } },
          { Type: "volume", Source: "data", Target: "/data", VolumeOptions: { Labels: { x: "y" }, DriverConfig: {} } },
          { Type: "bind", Source: "/tmp", Target: "/host", ReadOnly: true },
        ],
        StopGracePeriod: 3000000000,
        Healthcheck: { Test: ["CMD-SHELL", "true"] },
        DNSConfig: {},
        Secrets: [{ File: { Name: "db", UID: "1000", GID: "1000", Mode: 256 }, SecretID: "i0tufwff2hpu3t6xsoz5bls2i", SecretName: "dbpass" }],
        Isolation: "default",
        CapabilityAdd: ["CAP_NET_ADMIN"],
        CapabilityDrop: ["CAP_CHOWN"],
      },
      Resources: {
        Limits: { NanoCPUs: 1000000000, MemoryBytes: 134217728 },
        Reservations: { NanoCPUs: 500000000, MemoryBytes: 67108864, GenericResources: [{ DiscreteResourceSpec: { Kind: "gpu", Value: 1 } }] },
      },
      RestartPolicy: { Condition: "on-failure", Delay: 2000000000, MaxAttempts: 3, Window: 60000000000 },
      Placement: {
        Constraints: ["node.labels.pcidss == yes", "node.role != worker"],
        Preferences: [{ Spread: { SpreadDescriptor: "node.labels.zone" } }],
        MaxReplicas: 3,
      },
      Networks: [{ Target: "zovp1ahadz44zvnkwm7jlj361" }],
      LogDriver: { Name: "json-file" },
      ForceUpdate: 0,
      Runtime: "container",
    },
    Mode: { Replicated: { Replicas: 2 } },
    UpdateConfig: { Parallelism: 1, FailureAction: "pause", Monitor: 5000000000, MaxFailureRatio: 0, Order: "stop-first" },
    RollbackConfig: { Parallelism: 1, FailureAction: "pause", Monitor: 5000000000, MaxFailureRatio: 0, Order: "stop-first" },
    EndpointSpec: {
      Mode: "vip",
      Ports: [
        { Protocol: "tcp", TargetPort: 80, PublishedPort: 8080, PublishMode: "host" },
        { Protocol: "udp", TargetPort: 90, PublishedPort: 9090, PublishMode: "ingress" },
      ],
    },
  },
  Endpoint: { Spec: { Mode: "vip" } },
};

/** The swarm's own ID for the `host` network (`docker network ls` on a manager). */
const HOST_NETWORK_ID = "l09zxhdi8kz0drqjrmwg4uaj2";

const glob = {
  ID: "sf1j6zbhbf0535f87pm58xyyx",
  Version: { Index: 21 },
  Spec: {
    Name: "glob",
    Labels: {},
    TaskTemplate: {
      ContainerSpec: { Image: "local/busybox:1", Args: ["sleep", "3600"], Init: false, DNSConfig: {}, Isolation: "default" },
      Resources: { Limits: {}, Reservations: {} },
      Placement: {},
      Networks: [{ Target: HOST_NETWORK_ID }],
      ForceUpdate: 0,
      Runtime: "container",
    },
    Mode: { Global: {} },
    EndpointSpec: { Mode: "vip" },
  },
};

const plain = {
  ID: "xgxf9b5be2uw4905hflp0ooxb",
  Version: { Index: 24 },
  Spec: {
    Name: "plain",
    Labels: {},
    TaskTemplate: {
      ContainerSpec: { Image: "local/busybox:1", Args: ["sleep", "3600"], Init: false, DNSConfig: {}, Isolation: "default" },
      Resources: { Limits: {}, Reservations: {} },
      Placement: {},
      ForceUpdate: 0,
      Runtime: "container",
    },
    Mode: { Replicated: { Replicas: 1 } },
    EndpointSpec: { Mode: "vip" },
  },
};

describe("coreSpecOf", () => {
  it("ok/every field core holds, from a service made with most of docker service create's flags", () => {
    const { spec, dockerOnly } = coreSpecOf(full);
    expect(spec).toEqual({
      name: "full",
      image: "local/busybox:1",
      mode: "replicated",
      replicas: 2,
      constraints: ["node.labels.pcidss == yes", "node.role != worker"],
      preferences: ["node.labels.zone"],
      maxReplicasPerNode: 3,
      reservations: { nanoCpus: 500000000, memoryBytes: 67108864, generic: { gpu: 1 } },
      limits: { nanoCpus: 1000000000, memoryBytes: 134217728 },
      container: defaultContainerSpec({
        command: ["sleep"],
        args: ["3600"],
        env: ["A=1"],
        workdir: "/tmp",
        user: "1000:1000",
        hostname: "web-{{.Task.Slot}}",
        labels: { app: "web" },
        stopSignal: "SIGUSR1",
        stopGracePeriodNs: 3000000000,
        init: true,
        readOnly: true,
        capAdd: ["CAP_NET_ADMIN"],
        capDrop: ["CAP_CHOWN"],
        mounts: [
          { type: "tmpfs", source: "", target: "/cache", readOnly: false, tmpfsSizeBytes: 1048576, tmpfsMode: 0o1770 },
          { type: "volume", source: "data", target: "/data", readOnly: false },
          { type: "bind", source: "/tmp", target: "/host", readOnly: true },
        ],
        noNewPrivileges: false,
      }),
      restartPolicy: { condition: "on-failure", delayNs: 2000000000, maxAttempts: 3, windowNs: 60000000000 },
      ports: [
        { protocol: "tcp", targetPort: 80, publishedPort: 8080, publishMode: "host" },
        { protocol: "udp", targetPort: 90, publishedPort: 9090, publishMode: "ingress" },
      ],
      secrets: [{ secretId: "i0tufwff2hpu3t6xsoz5bls2i", secretName: "dbpass", target: "db", uid: "1000", gid: "1000", mode: 0o400 }],
    });
    expect(dockerOnly).toEqual([
      "Labels",
      "RollbackConfig",
      "TaskTemplate.ContainerSpec.Healthcheck",
      "TaskTemplate.ContainerSpec.Mounts.VolumeOptions",
      "TaskTemplate.LogDriver",
      "TaskTemplate.Networks",
      "UpdateConfig",
    ]);
  });

  it("ok/a bare service reads as core's defaults, but without no-new-privileges (Docker's default is off)", () => {
    const { spec, dockerOnly } = coreSpecOf(plain);
    expect(spec).toEqual(
      defaultServiceSpec({ name: "plain", image: "local/busybox:1", container: defaultContainerSpec({ args: ["sleep", "3600"], noNewPrivileges: false }) }),
    );
    expect(dockerOnly).toEqual([]);
  });

  it("ok/global on the host network: host networking once the network's ID is known, else an opaque network", () => {
    expect(coreSpecOf(glob, { hostNetworkId: HOST_NETWORK_ID })).toMatchObject({ spec: { mode: "global", replicas: 0, container: { hostNetwork: true } }, dockerOnly: [] });
    expect(coreSpecOf(glob)).toMatchObject({ spec: { container: { hostNetwork: false } }, dockerOnly: ["TaskTemplate.Networks"] });
  });

  it("ok/a replicated job reads as replicated at its concurrency, and says the mode is Docker's", () => {
    const job = { ...plain, Spec: { ...plain.Spec, Mode: { ReplicatedJob: { MaxConcurrent: 3, TotalCompletions: 9 } } } };
    expect(coreSpecOf(job)).toMatchObject({ spec: { mode: "replicated", replicas: 3 }, dockerOnly: ["Mode.ReplicatedJob"] });
  });

  it("ok/what core cannot hold is named: named generic resources, platforms, a custom seccomp profile's content, a Windows secret", () => {
    const spec = dockerServiceSpecSchema.parse(structuredClone(full.Spec));
    const task = spec.TaskTemplate!;
    task.Resources!.Reservations!.GenericResources!.push({ NamedResourceSpec: { Kind: "gpu", Value: "GPU-1" } });
    Object.assign(task.Placement!, { Platforms: [{ Architecture: "amd64", OS: "linux" }] });
    task.ContainerSpec!.Privileges = { Seccomp: { Mode: "custom", Profile: "e30=" }, NoNewPrivileges: true };
    task.ContainerSpec!.Secrets!.push({ SecretID: "s2", SecretName: "win" });
    const reading = coreSpecOf({ Spec: spec });
    expect(reading.dockerOnly).toEqual(
      expect.arrayContaining([
        "TaskTemplate.Resources.Reservations.GenericResources",
        "TaskTemplate.Placement.Platforms",
        "TaskTemplate.ContainerSpec.Privileges.Seccomp.Profile",
        "TaskTemplate.ContainerSpec.Secrets",
      ]),
    );
    expect(reading.spec.container).toMatchObject({ seccomp: { mode: "custom" }, noNewPrivileges: true });
    expect(reading.spec.secrets).toHaveLength(1);
    expect(dockerOnlyFields(spec)).toEqual(reading.dockerOnly);
  });

  it("fail/an answer that is not a service is refused by its schema, naming the field", () => {
    const refusal = (answer: unknown) => {
      try {
        readDocker(dockerServiceSchema, answer, "service x");
      } catch (error) {
        expect(isRampartError(error) && error.code).toBe("failed_precondition");
        return (error as Error).message;
      }
      throw new Error("the answer was read");
    };
    expect(refusal({ ...full, Spec: { Mode: { Replicated: { Replicas: "2" } } } })).toMatch(/^Docker answered something unexpected for service x: its field Spec\.Mode\.Replicated\.Replicas does not fit/);
    expect(refusal({ Spec: {} })).toMatch(/^Docker answered something unexpected for service x: its field ID does not fit/);
  });
});

describe("dockerSpecOf", () => {
  it.each([
    ["ok/full", full, {}],
    ["ok/plain", plain, {}],
    ["ok/global on the host network, known", glob, { hostNetworkId: HOST_NETWORK_ID }],
    ["ok/global on the host network, unknown", glob, {}],
  ] as const)("%s: read and written back over itself, the spec is Docker's to the byte", (_, service, options) => {
    const { spec } = coreSpecOf(service, options);
    expect(dockerSpecOf(spec, service.Spec, options)).toEqual(service.Spec);
  });

  it("ok/an update changes what core owns and keeps the rest as Docker holds it", () => {
    const { spec } = coreSpecOf(full);
    const updated = dockerSpecOf(
      {
        ...spec,
        image: "local/busybox:2",
        replicas: 5,
        constraints: ["node.labels.pcidss == yes"],
        preferences: [],
        maxReplicasPerNode: 0,
        reservations: { nanoCpus: 0, memoryBytes: 0 },
        limits: undefined,
        secrets: [],
        ports: [{ protocol: "tcp", targetPort: 80, publishedPort: 8080, publishMode: "host" }],
        container: { ...spec.container!, env: ["A=2"], mounts: spec.container!.mounts.filter((m) => m.type !== "tmpfs"), noNewPrivileges: true },
      },
      full.Spec,
    );
    const want = structuredClone(full.Spec) as Record<string, unknown> & typeof full.Spec;
    want.Mode = { Replicated: { Replicas: 5 } };
    const c = want.TaskTemplate.ContainerSpec as Record<string, unknown>;
    c.Image = "local/busybox:2";
    c.Env = ["A=2"];
    c.Mounts = full.Spec.TaskTemplate.ContainerSpec.Mounts.slice(1);
    delete c.Secrets;
    c.Privileges = { NoNewPrivileges: true };
    want.TaskTemplate.Resources = { Limits: {}, Reservations: {} } as typeof want.TaskTemplate.Resources;
    want.TaskTemplate.Placement = { Constraints: ["node.labels.pcidss == yes"] } as typeof want.TaskTemplate.Placement;
    want.EndpointSpec = { Mode: "vip", Ports: [full.Spec.EndpointSpec.Ports[0]!] };
    expect(updated).toEqual(want);
  });

  it("ok/a new service: only what the spec says, Docker's absences for its defaults", () => {
    const spec = defaultServiceSpec({
      name: "web-fe",
      image: "local/busybox:1",
      replicas: 3,
      constraints: ["node.labels.pcidss == yes"],
      container: defaultContainerSpec({ command: ["sleep", "3600"] }),
      secrets: [{ secretId: "s1", secretName: "tls", target: "tls.key", uid: "0", gid: "0", mode: 0o444 }],
    });
    expect(dockerSpecOf(spec)).toEqual({
      Name: "web-fe",
      Mode: { Replicated: { Replicas: 3 } },
      TaskTemplate: {
        ContainerSpec: {
          Image: "local/busybox:1",
          Command: ["sleep", "3600"],
          Privileges: { NoNewPrivileges: true },
          Secrets: [{ File: { Name: "tls.key", UID: "0", GID: "0", Mode: 0o444 }, SecretID: "s1", SecretName: "tls" }],
        },
        Placement: { Constraints: ["node.labels.pcidss == yes"] },
      },
    });
  });

  it("ok/global, spread, generic resources, limits, restart policy, host network and hardening, from nothing", () => {
    const spec = defaultServiceSpec({
      name: "agent",
      image: "local/busybox:1",
      mode: "global",
      replicas: 0,
      preferences: ["node.labels.zone", "engine.labels.rack"],
      reservations: { nanoCpus: 250_000_000, memoryBytes: 8 * 2 ** 20, generic: { gpu: 2 } },
      limits: { nanoCpus: 1e9, memoryBytes: 0 },
      restartPolicy: { condition: "none", delayNs: 0, maxAttempts: 0, windowNs: 0 },
      container: defaultContainerSpec({ hostNetwork: true, seccomp: { mode: "unconfined" }, apparmor: "unconfined", stopGracePeriodNs: 1e9 }),
    });
    expect(dockerSpecOf(spec)).toEqual({
      Name: "agent",
      Mode: { Global: {} },
      TaskTemplate: {
        ContainerSpec: {
          Image: "local/busybox:1",
          StopGracePeriod: 1e9,
          Privileges: { NoNewPrivileges: true, Seccomp: { Mode: "unconfined" }, AppArmor: { Mode: "disabled" } },
        },
        Resources: {
          Reservations: { NanoCPUs: 250_000_000, MemoryBytes: 8 * 2 ** 20, GenericResources: [{ DiscreteResourceSpec: { Kind: "gpu", Value: 2 } }] },
          Limits: { NanoCPUs: 1e9 },
        },
        RestartPolicy: { Condition: "none", Delay: 0, MaxAttempts: 0, Window: 0 },
        Placement: { Preferences: [{ Spread: { SpreadDescriptor: "node.labels.zone" } }, { Spread: { SpreadDescriptor: "engine.labels.rack" } }] },
        Networks: [{ Target: "host" }],
      },
    });
    expect(coreSpecOf({ Spec: dockerSpecOf(spec) }).spec).toEqual(spec);
  });

  it("ok/turning host networking off keeps the service's other networks", () => {
    const onBoth = structuredClone(glob.Spec);
    onBoth.TaskTemplate.Networks.push({ Target: "zovp1ahadz44zvnkwm7jlj361" });
    const { spec } = coreSpecOf({ ...glob, Spec: onBoth }, { hostNetworkId: HOST_NETWORK_ID });
    const off = dockerSpecOf({ ...spec, container: { ...spec.container!, hostNetwork: false } }, onBoth, { hostNetworkId: HOST_NETWORK_ID });
    expect(off.TaskTemplate?.Networks).toEqual([{ Target: "zovp1ahadz44zvnkwm7jlj361" }]);
  });

  it("ok/a job keeps its mode; a replicated job's concurrency follows the replicas", () => {
    const jobSpec = { ...plain.Spec, Mode: { ReplicatedJob: { MaxConcurrent: 3, TotalCompletions: 9 } } };
    const { spec } = coreSpecOf({ Spec: jobSpec });
    expect(dockerSpecOf({ ...spec, replicas: 4 }, jobSpec).Mode).toEqual({ ReplicatedJob: { MaxConcurrent: 4, TotalCompletions: 9 } });
  });

  it("ok/custom seccomp: the stored profile's content goes to Docker; a profile read from Docker is kept as it was", () => {
    const spec = defaultServiceSpec({ name: "s", image: "local/busybox:1", container: defaultContainerSpec({ seccomp: { mode: "custom", profile: "strict" } }) });
    const written = dockerSpecOf(spec, undefined, { seccompProfiles: { strict: '{"defaultAction":"SCMP_ACT_ERRNO"}' } });
    expect(written.TaskTemplate?.ContainerSpec?.Privileges?.Seccomp).toEqual({ Mode: "custom", Profile: Buffer.from('{"defaultAction":"SCMP_ACT_ERRNO"}').toString("base64") });
    const fromDocker = { ...plain.Spec, TaskTemplate: { ...plain.Spec.TaskTemplate, ContainerSpec: { ...plain.Spec.TaskTemplate.ContainerSpec, Privileges: { Seccomp: { Mode: "custom", Profile: "e30=" } } } } };
    expect(dockerSpecOf(coreSpecOf({ Spec: fromDocker }).spec, fromDocker)).toEqual(fromDocker);
  });

  it.each([
    ["fail/privileged", defaultContainerSpec({ privileged: true }), "container.privileged", "Docker services cannot run privileged containers"],
    ["fail/a named AppArmor profile", defaultContainerSpec({ apparmor: "my-profile" }), "container.apparmor", "Docker services take AppArmor's default profile or none, not a named profile"],
    [
      "fail/a custom seccomp profile without its content",
      defaultContainerSpec({ seccomp: { mode: "custom", profile: "strict" } }),
      "container.seccomp.profile",
      'the seccomp profile "strict" must be given with its content to run on Docker',
    ],
  ] as const)("%s", (_, container, field, message) => {
    try {
      dockerSpecOf(defaultServiceSpec({ name: "s", image: "local/busybox:1", container }));
      expect.unreachable();
    } catch (error) {
      expect(isRampartError(error) && { field: error.field, message: error.message }).toEqual({ field, message });
    }
  });
});
