import { defaultServiceSpec, type PortConfig, type ServiceSpec } from "@rampart/core";
import { describe, expect, it } from "vitest";
import { UsageError } from "./cli.js";
import { applySpecChanges, draftSpec, formatServicePretty, parseSpecChanges } from "./service.js";
import { parseGenericResourceFlags, parsePortSpec, parsePublishFlags, parseRestartFlags, updatePorts } from "./task-flags.js";

const spec = (over: Partial<ServiceSpec> = {}): ServiceSpec => defaultServiceSpec({ name: "web", image: "nginx:alpine", ...over });
const port = (over: Partial<PortConfig> = {}): PortConfig => ({ protocol: "tcp", targetPort: 80, publishedPort: 8080, publishMode: "ingress", ...over });

describe("restart flags (DurationOpt, Uint64Opt)", () => {
  it("ok/each flag sets its own field, durations in Go's syntax", () => {
    expect(parseRestartFlags({})).toEqual({});
    expect(
      parseRestartFlags({ "restart-condition": "on-failure", "restart-delay": "1m30s", "restart-max-attempts": "0x10", "restart-window": "500ms" }),
    ).toEqual({ condition: "on-failure", delayNs: 90e9, maxAttempts: 16, windowNs: 5e8 });
  });

  it.each([
    [{ "restart-delay": "x" }, 'invalid argument "x" for "--restart-delay" flag: time: invalid duration "x"'],
    [{ "restart-window": "5" }, 'invalid argument "5" for "--restart-window" flag: time: missing unit in duration "5"'],
    [{ "restart-delay": "5d" }, 'invalid argument "5d" for "--restart-delay" flag: time: unknown unit "d" in duration "5d"'],
    [{ "restart-max-attempts": "-1" }, 'invalid argument "-1" for "--restart-max-attempts" flag: strconv.ParseUint: parsing "-1": invalid syntax'],
    [{ "restart-condition": "always" }, 'invalid argument "always" for "--restart-condition" flag: invalid RestartCondition: "always"'],
  ])("fail/%j", (values, message) => expect(() => parseRestartFlags(values)).toThrow(new UsageError(message)));

  it("ok/create: no flag leaves the policy to Swarm's defaults; one flag fills the rest from them", () => {
    expect(draftSpec(parseSpecChanges({}), "web", "nginx").restartPolicy).toBeUndefined();
    expect(draftSpec(parseSpecChanges({ "restart-max-attempts": "3" }), "web", "nginx").restartPolicy).toEqual({
      condition: "any",
      delayNs: 5e9,
      maxAttempts: 3,
      windowNs: 0,
    });
  });

  it("ok/update: only the fields given change, on top of the current policy", () => {
    const current = spec({ restartPolicy: { condition: "on-failure", delayNs: 1e9, maxAttempts: 2, windowNs: 60e9 } });
    expect(applySpecChanges(current, parseSpecChanges({ "restart-delay": "10s" })).restartPolicy).toEqual({
      condition: "on-failure",
      delayNs: 10e9,
      maxAttempts: 2,
      windowNs: 60e9,
    });
    expect(applySpecChanges(current, parseSpecChanges({})).restartPolicy).toBe(current.restartPolicy);
    expect(applySpecChanges(spec(), parseSpecChanges({ "restart-condition": "none" })).restartPolicy).toEqual({
      condition: "none",
      delayNs: 5e9,
      maxAttempts: 0,
      windowNs: 0,
    });
  });
});

describe("published ports (swarmopts.PortOpt)", () => {
  it.each([
    ["8080:80", [port()]],
    ["80", [port({ publishedPort: 0 })]],
    ["53:53/udp", [port({ protocol: "udp", targetPort: 53, publishedPort: 53 })]],
    ["8080-8081:80-81/SCTP", [port({ protocol: "sctp" }), port({ protocol: "sctp", targetPort: 81, publishedPort: 8081 })]],
    ["8080-8081:80", [port(), port({ publishedPort: 8081 })]],
    ["published=8080,target=80", [port()]],
    ["target=53,protocol=udp,mode=host", [port({ protocol: "udp", targetPort: 53, publishedPort: 0, publishMode: "host" })]],
    ["Published=9000,TARGET=90,Mode=HOST", [port({ targetPort: 90, publishedPort: 9000, publishMode: "host" })]],
  ])("ok/%s", (text, ports) => expect(parsePortSpec(text)).toEqual(ports));

  it.each([
    ["published=8080", "missing mandatory field 'target'"],
    ["target=80,protocol=icmp", "invalid protocol value 'icmp'"],
    ["target=80,mode=vip", "invalid publish mode value (vip): must be either 'ingress' or 'host'"],
    ["target=99999", "invalid target port (99999): value must be an integer: value out of range"],
    ["target=80,published=x1", "invalid published port (x1): value must be an integer: invalid syntax"],
    ["target=80,name=web", "invalid field key: name"],
    ["target=80,=x", "invalid field: =x"],
    ["127.0.0.1:8080:80", "hostip is not supported"],
    ["8080:http", "invalid containerPort: http"],
    ["x:80", "invalid hostPort: x"],
    ["8080:80/icmp", "invalid proto: icmp"],
    ["8080-8082:80-81", "invalid ranges specified for container and host Ports: 80-81 and 8080-8082"],
    ["8080:", "no port specified: 8080:<empty>"],
  ])("fail/%s: %s", (text, reason) => {
    expect(() => parsePublishFlags([text], "publish", "p")).toThrow(new UsageError(`invalid argument "${text}" for "-p, --publish" flag: ${reason}`));
  });

  it("ok/--publish-rm names its own flag", () => {
    expect(() => parsePublishFlags(["x"], "publish-rm")).toThrow(new UsageError('invalid argument "x" for "--publish-rm" flag: invalid containerPort: x'));
  });

  it("ok/update: a removal matches target, protocol and mode; additions not there already are appended; the list sorted as docker sorts it", () => {
    const current = [port({ targetPort: 443, publishedPort: 8443 }), port(), port(), port({ protocol: "udp", targetPort: 53, publishedPort: 53 })];
    const next = updatePorts(current, [port(), port({ targetPort: 9000, publishedPort: 10000 })], parsePortSpec("1234:53/udp"));
    expect(next).toEqual([port({ targetPort: 9000, publishedPort: 10000 }), port(), port({ targetPort: 443, publishedPort: 8443 })]);
    expect(updatePorts(current, [], parsePortSpec("target=80,mode=host"))).toHaveLength(3);
  });

  it("ok/create keeps the order given; update merges through --publish-add and --publish-rm", () => {
    const created = draftSpec(parseSpecChanges({ publish: ["9090:90", "8080:80"] }), "web", "nginx");
    expect(created.ports).toEqual([port({ targetPort: 90, publishedPort: 9090 }), port()]);
    const updated = applySpecChanges(created, parseSpecChanges({ "publish-rm": ["90"], "publish-add": ["53:53/udp"] }));
    expect(updated.ports).toEqual([port({ protocol: "udp", targetPort: 53, publishedPort: 53 }), port()]);
    expect(applySpecChanges(created, parseSpecChanges({})).ports).toBe(created.ports);
  });
});

describe("generic resources (ParseGenericResources, add and remove)", () => {
  it("ok/discrete counts by kind", () => {
    expect(parseGenericResourceFlags(["gpu=2", " fpga = 1"], "generic-resource")).toEqual({ gpu: 2, fpga: 1 });
  });

  it.each([
    ["gpu", 'invalid argument "gpu" for "--generic-resource" flag: invalid generic-resource format `gpu` expected `name=value`'],
    ["gpu=-1", "invalid generic resource specification: could not parse GenericResource: cannot ask for negative resource gpu"],
    ["gpu=1=2", "invalid generic resource specification: could not parse GenericResource: incorrect term gpu=1=2, missing '=' or malformed expression"],
    ["gpu=UUID1", "invalid generic-resource request `gpu=UUID1`, Named Generic Resources is not supported for service create or update"],
    ["=1", "a generic resource needs a kind, e.g. gpu=1"],
  ])("fail/%s", (text, message) => expect(() => parseGenericResourceFlags([text], "generic-resource")).toThrow(new UsageError(message)));

  it("fail/one kind twice is not a discrete request", () => {
    expect(() => parseGenericResourceFlags(["gpu=1", "gpu=2"], "generic-resource")).toThrow(
      "invalid generic resource specification: could not parse GenericResource: mixed discrete and named resources in expression 'gpu=[1 2]'",
    );
  });

  it("ok/update: an added kind replaces the one there, a removed one goes; removing one not reserved is an error", () => {
    const current = spec({ reservations: { nanoCpus: 0, memoryBytes: 0, generic: { gpu: 1, fpga: 1 } } });
    const next = applySpecChanges(current, parseSpecChanges({ "generic-resource-add": ["gpu=2"], "generic-resource-rm": ["fpga"] }));
    expect(next.reservations).toEqual({ nanoCpus: 0, memoryBytes: 0, generic: { gpu: 2 } });
    expect(applySpecChanges(next, parseSpecChanges({ "generic-resource-rm": ["gpu"] })).reservations).toEqual({ nanoCpus: 0, memoryBytes: 0 });
    expect(() => applySpecChanges(current, parseSpecChanges({ "generic-resource-rm": ["tpu"] }))).toThrow(
      new UsageError("could not find generic-resource `tpu` to remove it"),
    );
    expect(draftSpec(parseSpecChanges({ "generic-resource": ["gpu=1"] }), "web", "nginx").reservations.generic).toEqual({ gpu: 1 });
  });
});

describe("service inspect --pretty: restart policy, generic reservations, ports", () => {
  it("ok/in docker's template's places and style", () => {
    const lines = formatServicePretty({
      id: "id1",
      name: "web",
      spec: spec({
        restartPolicy: { condition: "on-failure", delayNs: 90e9, maxAttempts: 3, windowNs: 5e8 },
        reservations: { nanoCpus: 0, memoryBytes: 0, generic: { gpu: 2, fpga: 1 } },
        ports: [port(), port({ protocol: "udp", targetPort: 53, publishedPort: 0, publishMode: "host" })],
      }),
    });
    expect(lines).toEqual([
      "",
      "ID:\t\tid1",
      "Name:\t\tweb",
      "Service Mode:\tReplicated",
      " Replicas:\t1",
      "Placement:",
      "Restart Policy:",
      " Condition:\ton-failure",
      " Max Attempts:\t3",
      " Delay:\t\t1m30s",
      " Window:\t500ms",
      "ContainerSpec:",
      " Image:\t\tnginx:alpine",
      "Security:",
      " Seccomp:\t\tdefault",
      " AppArmor:\t\tdefault",
      " No New Privileges:\ttrue",
      " Privileged:\t\tfalse",
      "Resources:",
      " Reservations:",
      "  Generic Resources:",
      "   fpga=1",
      "   gpu=2",
      "Ports:",
      " PublishedPort = 8080",
      "  Protocol = tcp",
      "  TargetPort = 80",
      "  PublishMode = ingress",
      " PublishedPort = 0",
      "  Protocol = udp",
      "  TargetPort = 53",
      "  PublishMode = host",
    ]);
  });
});
