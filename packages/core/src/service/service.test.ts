import { describe, expect, it } from "vitest";
import {
  checkGenericReservations,
  checkPorts,
  checkReservations,
  checkRestartPolicy,
  checkServiceName,
  checkServiceSpec,
  DEFAULT_RESTART_POLICY,
  defaultServiceSpec,
  goG,
  parsePlacementPreference,
  type PortConfig,
  type RestartPolicy,
} from "./index.js";

const spec = defaultServiceSpec({
  name: "web-fe",
  image: "nginx:1.27",
  replicas: 3,
  constraints: ["node.labels.pcidss == yes"],
  preferences: ["node.labels.zone"],
});

describe("defaultServiceSpec", () => {
  it("ok/the docker CLI's defaults: one replica, no placement rules, no limit per node, no reservations", () => {
    expect(defaultServiceSpec()).toStrictEqual({
      name: "",
      image: "",
      mode: "replicated",
      replicas: 1,
      constraints: [],
      preferences: [],
      maxReplicasPerNode: 0,
      reservations: { nanoCpus: 0, memoryBytes: 0 },
    });
  });

  it("ok/overrides replace whole fields, and each call is a fresh object", () => {
    const a = defaultServiceSpec({ name: "web", reservations: { nanoCpus: 1e9, memoryBytes: 0 } });
    expect(a).toMatchObject({ name: "web", replicas: 1, reservations: { nanoCpus: 1e9, memoryBytes: 0 } });
    a.constraints.push("node.role == worker");
    expect(defaultServiceSpec().constraints).toEqual([]);
  });
});

describe("service specs", () => {
  it("ok/a valid spec returns its parsed constraints", () => {
    expect(checkServiceSpec(spec)).toEqual([{ key: "node.labels.pcidss", op: "==", value: "yes" }]);
  });

  it.each([
    ["", "meta: name must be provided"],
    ["-web", "name must be valid as a DNS name component"],
    ["web.fe", "name must be valid as a DNS name component"],
    ["a".repeat(64), "name must be 63 characters or fewer"],
  ])("fail/name %j: %s", (name, message) => expect(() => checkServiceName(name)).toThrow(message));

  it.each([["web_fe"], ["w"], ["web-2-fe"]])("ok/name %s", (name) => expect(checkServiceName(name)).toBe(name));

  it.each([
    [{ nanoCpus: 500_000, memoryBytes: 0 }, "invalid cpu value 0.0005: Must be at least 0.001"],
    [{ nanoCpus: 10_000, memoryBytes: 0 }, "invalid cpu value 1e-05: Must be at least 0.001"],
    [{ nanoCpus: 0, memoryBytes: 1024 }, "invalid memory value 1024: Must be at least 4MiB"],
  ])("fail/reservations %j", (r, message) => expect(() => checkReservations(r)).toThrow(message));

  it("ok/Go's %g", () => {
    expect([goG(0.001), goG(0.0005), goG(0.00001), goG(1.5), goG(0)]).toEqual(["0.001", "0.0005", "1e-05", "1.5", "0"]);
  });

  it.each([
    ["spread=node.labels.zone", "node.labels.zone"],
    ["SPREAD=engine.labels.disk", "engine.labels.disk"],
  ])("ok/preference %s", (text, descriptor) => expect(parsePlacementPreference(text)).toBe(descriptor));

  it.each(["pack=node.labels.zone", "spread", "spread="])("fail/preference %s", (text) => {
    expect(() => parsePlacementPreference(text)).toThrow(`unsupported placement preference ${text} (only spread is supported)`);
  });

  it.each([
    [{ constraints: ["node.labels.zone ~ eu"] }, "constraint expected one operator from ==, !=", "constraints[0]"],
    [{ replicas: -1 }, "replicas must be a whole number", "replicas"],
    // The docker CLI's words for a global service with replicas (cli/command/service/opts.go).
    [{ mode: "global" as const }, "replicas can only be used with replicated or replicated-job mode", "replicas"],
    [{ mode: "global" as const, replicas: 0, maxReplicasPerNode: 1 }, "replicas-max-per-node can only be used with replicated or replicated-job mode", "maxReplicasPerNode"],
    // CreateService's (manager/controlapi/service.go validateContainerSpec).
    [{ image: "" }, "ContainerSpec: image reference must be provided", "image"],
    [{ image: " " }, "ContainerSpec: image reference must be provided", "image"],
  ])("fail/%j", (change, message, field) => {
    try {
      checkServiceSpec({ ...spec, ...change });
      expect.unreachable();
    } catch (error) {
      expect((error as Error).message).toContain(message);
      expect((error as { field?: string }).field).toBe(field);
    }
  });
});

describe("restart policies", () => {
  const base = { condition: "any", delayNs: 5e9, maxAttempts: 0, windowNs: 0 } as const;

  it.each([
    [{ condition: "always" }, 'invalid RestartCondition: "always"', "restartPolicy.condition"],
    [{ delayNs: -1 }, "TaskSpec: restart-delay cannot be negative", "restartPolicy.delayNs"],
    [{ windowNs: -1e9 }, "TaskSpec: restart-window cannot be negative", "restartPolicy.windowNs"],
    [{ maxAttempts: -1 }, "restart-max-attempts must be a whole number, 0 for unlimited", "restartPolicy.maxAttempts"],
    [{ delayNs: 0.5 }, "restart-delay must be a whole number of nanoseconds", "restartPolicy.delayNs"],
  ])("fail/%j", (change, message, field) => {
    try {
      checkRestartPolicy({ ...base, ...change } as RestartPolicy);
      expect.unreachable();
    } catch (error) {
      expect((error as Error).message).toBe(message);
      expect((error as { field?: string }).field).toBe(field);
    }
  });

  it("ok/absent, the defaults, and every condition pass; the spec check runs it after reservations", () => {
    expect(() => checkRestartPolicy(undefined)).not.toThrow();
    for (const condition of ["none", "on-failure", "any"] as const) expect(() => checkRestartPolicy({ ...base, condition })).not.toThrow();
    expect(() => checkServiceSpec({ ...spec, restartPolicy: { ...base, delayNs: -1 } })).toThrow("TaskSpec: restart-delay cannot be negative");
    expect(() => checkServiceSpec({ ...spec, reservations: { nanoCpus: 1, memoryBytes: 0 }, restartPolicy: { ...base, delayNs: -1 } })).toThrow(
      "invalid cpu value",
    );
  });
});

/** The field and message a check refuses with. */
function refusal(run: () => unknown): { message: string; field: string | undefined } {
  try {
    run();
  } catch (error) {
    return { message: (error as Error).message, field: (error as { field?: string }).field };
  }
  return expect.unreachable("accepted");
}

describe("published ports (validateEndpointSpec)", () => {
  const port = (change: Partial<PortConfig>): PortConfig => ({ protocol: "tcp", targetPort: 80, publishedPort: 8080, publishMode: "ingress", ...change });
  const duplicate = { message: "EndpointSpec: duplicate published ports provided", field: "ports" };

  it.each([
    ["the same published port and protocol", [port({}), port({ targetPort: 81 })]],
    ["the same published port in host and ingress mode", [port({ publishMode: "host" }), port({ targetPort: 81 })]],
    ["the same published port, both in host mode", [port({ publishMode: "host" }), port({ targetPort: 81, publishMode: "host" })]],
  ])("fail/%s", (_name, ports) => expect(refusal(() => checkPorts(ports))).toEqual(duplicate));

  it.each([
    ["no ports", undefined],
    ["one port per protocol", [port({}), port({ protocol: "udp" }), port({ protocol: "sctp" })]],
    ["unpublished ports never conflict", [port({ publishedPort: 0 }), port({ publishedPort: 0 })]],
    ["two published ports", [port({}), port({ publishedPort: 8081 })]],
  ])("ok/%s", (_name, ports) => expect(() => checkPorts(ports)).not.toThrow());

  it.each([
    [port({ targetPort: 65536 }), "invalid target port (65536): value must be from 0 to 65535"],
    [port({ publishedPort: -1 }), "invalid published port (-1): value must be from 0 to 65535"],
    [port({ protocol: "icmp" as PortConfig["protocol"] }), 'invalid protocol value "icmp"'],
    [port({ publishMode: "dnsrr" as PortConfig["publishMode"] }), "invalid publish mode value (dnsrr): must be either 'ingress' or 'host'"],
  ])("fail/%j", (p, message) => expect(refusal(() => checkPorts([port({ publishedPort: 0 }), p]))).toEqual({ message, field: "ports[1]" }));

  it("ok/the spec check runs it last, after the constraints, as validateServiceSpec checks the endpoint after the task spec", () => {
    const ports = [port({}), port({})];
    expect(refusal(() => checkServiceSpec({ ...spec, ports }))).toEqual(duplicate);
    expect(refusal(() => checkServiceSpec({ ...spec, ports, constraints: ["node.id ~ x"] })).field).toBe("constraints[0]");
  });
});

describe("generic resource reservations (genericresource.ValidateTask, Parse)", () => {
  it.each([
    [{ gpu: -1 }, "could not parse GenericResource: cannot ask for negative resource gpu"],
    [{ gpu: 1.5 }, "invalid argument for resource gpu"],
    [{ "": 1 }, "a generic resource needs a kind, e.g. gpu=1"],
    [{ "g pu": 1 }, "invalid generic resource kind \"g pu\": at most 128 characters, without spaces, '=' or ','"],
    [{ "a=b": 1 }, "invalid generic resource kind \"a=b\": at most 128 characters, without spaces, '=' or ','"],
  ])("fail/%j", (generic, message) => expect(refusal(() => checkGenericReservations(generic))).toEqual({ message, field: "reservations.generic" }));

  it.each([[undefined], [{}], [{ gpu: 0 }], [{ gpu: 2, "fpga.intel": 1 }]])("ok/%j", (generic) => expect(() => checkGenericReservations(generic)).not.toThrow());

  it("ok/the spec check runs it with the reservations, before the restart policy", () => {
    const change = { reservations: { nanoCpus: 0, memoryBytes: 0, generic: { gpu: -2 } }, restartPolicy: { ...DEFAULT_RESTART_POLICY, delayNs: -1 } };
    expect(refusal(() => checkServiceSpec({ ...spec, ...change })).message).toBe("could not parse GenericResource: cannot ask for negative resource gpu");
  });
});
