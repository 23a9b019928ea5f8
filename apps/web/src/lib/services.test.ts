import { describe, expect, it } from "vitest";
import { defaultContainerSpec, defaultServiceSpec } from "@rampart/core/service";
import {
  failingSlots,
  checkForm,
  constraintsSummary,
  DRAFT_FALLBACK,
  EMPTY_FORM,
  formField,
  formFromSpec,
  EMPTY_PORT_ROW,
  formatPort,
  isSettling,
  isWaitingRestart,
  parseRestartDuration,
  restartWait,
  restartPolicySummary,
  serverErrorField,
  parseCpus,
  parseMemory,
  previewSpec,
  specChanges,
  taskStateTone,
  updateSpec,
  type ServiceForm,
} from "./services";

const form = (over: Partial<ServiceForm>): ServiceForm => ({ ...EMPTY_FORM, name: "web-fe", image: "nginx", ...over });

describe("parseCpus", () => {
  it.each([
    ["ok/blank is none", "", { nanoCpus: 0 }],
    ["ok/whole", "2", { nanoCpus: 2e9 }],
    ["ok/decimal", "0.5", { nanoCpus: 5e8 }],
    ["ok/leading dot", ".25", { nanoCpus: 2.5e8 }],
    ["ok/nine digits", "0.000000001", { nanoCpus: 1 }],
    ["ok/trailing zeros beyond nine digits", "1.5000000000", { nanoCpus: 1.5e9 }],
    ["fail/too precise", "0.0000000001", { error: "value is too precise" }],
    ["fail/not a number", "two", { error: "failed to parse two as a rational number" }],
    ["fail/negative", "-1", { error: "failed to parse -1 as a rational number" }],
    ["fail/lone dot", ".", { error: "failed to parse . as a rational number" }],
  ])("%s", (_, text, expected) => expect(parseCpus(text)).toEqual(expected));
});

describe("parseMemory", () => {
  it.each([
    ["ok/blank is none", "", "MiB", { memoryBytes: 0 }],
    ["ok/MiB", "512", "MiB", { memoryBytes: 512 * 2 ** 20 }],
    ["ok/GiB decimal", "1.5", "GiB", { memoryBytes: 1.5 * 2 ** 30 }],
    ["ok/truncates to whole bytes", "0.1", "MiB", { memoryBytes: 104857 }],
    ["fail/letters", "1g", "GiB", { error: "invalid size: '1gGiB'" }],
  ] as const)("%s", (_, text, unit, expected) => expect(parseMemory(text, unit)).toEqual(expected));
});

describe("checkForm", () => {
  it("ok/builds the spec, dropping blank rows and mapping rows back", () => {
    const checked = checkForm(
      form({
        replicas: "3",
        constraints: ["", "node.labels.zone == a", "  "],
        preferences: ["spread=node.labels.rack"],
        maxReplicasPerNode: "1",
        reserveCpu: "0.5",
        reserveMemory: "1",
        memoryUnit: "GiB",
      }),
    );
    expect(checked.errors).toEqual({});
    expect(checked.spec).toEqual(
      defaultServiceSpec({
        name: "web-fe",
        image: "nginx",
        replicas: 3,
        constraints: ["node.labels.zone == a"],
        preferences: ["node.labels.rack"],
        maxReplicasPerNode: 1,
        reservations: { nanoCpus: 5e8, memoryBytes: 2 ** 30 },
      }),
    );
    expect(checked.constraintRows).toEqual([1]);
  });

  it.each([
    ["fail/empty name", { name: "" }, { name: "meta: name must be provided" }],
    ["fail/name not a DNS label", { name: "web fe" }, { name: "name must be valid as a DNS name component" }],
    ["fail/no image", { image: " " }, { image: "ContainerSpec: image reference must be provided" }],
    ["fail/replicas", { replicas: "1.5" }, { replicas: "replicas must be a whole number from 0 to 100000" }],
    ["fail/constraint without operator", { constraints: ["ok == 1", "node.labels.zone"] }, { "constraints.1": "constraint expected one operator from ==, !=" }],
    ["fail/constraint key", { constraints: ["no de == a"] }, { "constraints.0": "key 'no de' is invalid" }],
    ["fail/preference strategy", { preferences: ["binpack=node.labels.zone"] }, { "preferences.0": "unsupported placement preference binpack=node.labels.zone (only spread is supported)" }],
    ["fail/cpu floor, Swarm's message", { reserveCpu: "0.0001" }, { reserveCpu: "invalid cpu value 0.0001: Must be at least 0.001" }],
    ["fail/memory floor, Swarm's message", { reserveMemory: "1" }, { reserveMemory: "invalid memory value 1048576: Must be at least 4MiB" }],
  ])("%s", (_, over, errors) => expect(checkForm(form(over)).errors).toEqual(errors));

  it("ok/untouched restart, ports and generic sections add no keys (Swarm's defaults)", () => {
    const { spec, errors } = checkForm(form({ ports: [{ ...EMPTY_PORT_ROW }], generic: [{ key: " ", value: "" }] }));
    expect(errors).toEqual({});
    expect(spec).toEqual(defaultServiceSpec({ name: "web-fe", image: "nginx" }));
    expect("restartPolicy" in spec || "ports" in spec || "generic" in spec.reservations).toBe(false);
  });

  it("ok/restart policy, ports and generic resources", () => {
    const checked = checkForm(
      form({
        restart: { condition: "on-failure", delay: "10s", maxAttempts: "3", window: "1m30s" },
        ports: [{ ...EMPTY_PORT_ROW }, { published: "8080", target: "80", protocol: "tcp", mode: "host" }, { published: "", target: "53", protocol: "udp", mode: "ingress" }],
        generic: [{ key: "gpu", value: "2" }],
      }),
    );
    expect(checked.errors).toEqual({});
    expect(checked.spec.restartPolicy).toEqual({ condition: "on-failure", delayNs: 10e9, maxAttempts: 3, windowNs: 90e9 });
    expect(checked.spec.ports).toEqual([
      { publishedPort: 8080, targetPort: 80, protocol: "tcp", publishMode: "host" },
      { publishedPort: 0, targetPort: 53, protocol: "udp", publishMode: "ingress" },
    ]);
    expect(checked.portRows).toEqual([1, 2]);
    expect(checked.spec.reservations.generic).toEqual({ gpu: 2 });
  });

  it("ok/only the condition changed: the other fields take Swarm's defaults", () => {
    expect(checkForm(form({ restart: { condition: "none", delay: "", maxAttempts: "", window: "" } })).spec.restartPolicy).toEqual({
      condition: "none",
      delayNs: 5e9,
      maxAttempts: 0,
      windowNs: 0,
    });
  });

  const port = (published: string, target: string, protocol: "tcp" | "udp" = "tcp") => ({ published, target, protocol, mode: "ingress" as const });
  it.each([
    ["fail/bad delay names the field and value", { restart: { condition: "any", delay: "5x", maxAttempts: "", window: "" } }, { restartDelay: 'invalid duration "5x" for restart delay: use a number and a unit, such as 5s or 1m30s' }],
    ["fail/delay without a unit", { restart: { condition: "any", delay: "10", maxAttempts: "", window: "" } }, { restartDelay: 'invalid duration "10" for restart delay: use a number and a unit, such as 5s or 1m30s' }],
    ["fail/negative window, Swarm's message", { restart: { condition: "any", delay: "", maxAttempts: "", window: "-1s" } }, { restartWindow: "TaskSpec: restart-window cannot be negative" }],
    ["fail/max attempts", { restart: { condition: "any", delay: "", maxAttempts: "-1", window: "" } }, { restartMaxAttempts: "restart-max-attempts must be a whole number, 0 for unlimited" }],
    ["fail/delay over the API's limit", { restart: { condition: "any", delay: "3000h", maxAttempts: "", window: "" } }, { restartDelay: 'restart delay "3000h" is too long: at most 2501h' }],
    ["fail/duplicate published port, Swarm's message", { ports: [port("8080", "80"), port("8080", "81")] }, { "ports.1": "EndpointSpec: duplicate published ports provided" }],
    ["fail/a target is required", { ports: [port("8080", "")] }, { "ports.0.target": 'missing mandatory field "target"' }],
    ["fail/target out of range", { ports: [port("", "70000")] }, { "ports.0.target": 'invalid target port "70000": must be a whole number from 1 to 65535' }],
    ["fail/published not a number", { ports: [port("web", "80")] }, { "ports.0.published": 'invalid published port "web": must be a whole number from 1 to 65535, or blank for none' }],
    ["fail/generic without a kind", { generic: [{ key: "", value: "1" }] }, { "generic.0.key": "a generic resource needs a kind, e.g. gpu" }],
    ["fail/generic count", { generic: [{ key: "gpu", value: "0" }] }, { "generic.0.value": 'invalid count "0" for generic resource gpu: use a whole number, at least 1' }],
    ["fail/generic kind twice", { generic: [{ key: "gpu", value: "1" }, { key: "gpu", value: "2" }] }, { "generic.1.key": "generic resource gpu is listed twice" }],
  ] as const)("%s", (_, over, errors) => expect(checkForm(form(over as Partial<ServiceForm>)).errors).toEqual(errors));

  it("ok/the same published port on two protocols is no duplicate", () => {
    expect(checkForm(form({ ports: [port("53", "53", "tcp"), port("53", "53", "udp")] })).errors).toEqual({});
  });

  it("ok/a global service has no replica count or per-node limit", () => {
    const { spec, errors } = checkForm(form({ mode: "global", replicas: "junk", maxReplicasPerNode: "junk" }));
    expect(errors).toEqual({});
    expect(spec).toMatchObject({ mode: "global", replicas: 0, maxReplicasPerNode: 0 });
  });
});

describe("formFromSpec", () => {
  it("ok/round-trips through checkForm", () => {
    const spec = defaultServiceSpec({
      name: "web-fe",
      image: "nginx",
      replicas: 3,
      constraints: ["node.labels.pcidss == yes"],
      preferences: ["node.labels.zone"],
      maxReplicasPerNode: 2,
      reservations: { nanoCpus: 2.5e8, memoryBytes: 3 * 2 ** 29 },
    });
    const f = formFromSpec(spec);
    expect(f).toMatchObject({ reserveCpu: "0.25", reserveMemory: "1536", memoryUnit: "MiB", maxReplicasPerNode: "2" });
    expect(checkForm(f).spec).toEqual(spec);
    const full = {
      ...spec,
      reservations: { ...spec.reservations, generic: { gpu: 1 } },
      restartPolicy: { condition: "on-failure" as const, delayNs: 10e9, maxAttempts: 3, windowNs: 0 },
      ports: [{ protocol: "udp" as const, targetPort: 53, publishedPort: 0, publishMode: "host" as const }],
    };
    expect(formFromSpec(full)).toMatchObject({ restart: { condition: "on-failure", delay: "10s", maxAttempts: "3", window: "" }, generic: [{ key: "gpu", value: "1" }] });
    expect(checkForm(formFromSpec(full)).spec).toEqual(full);
    // A stored policy equal to the defaults is still sent back as it was.
    const defaults = { ...spec, restartPolicy: { condition: "any" as const, delayNs: 5e9, maxAttempts: 0, windowNs: 0 } };
    expect(checkForm(formFromSpec(defaults)).spec).toEqual(defaults);
    expect(formFromSpec({ ...spec, reservations: { nanoCpus: 0, memoryBytes: 2 ** 31 } })).toMatchObject({ reserveCpu: "", reserveMemory: "2", memoryUnit: "GiB" });
  });
});

describe("formField", () => {
  it.each([
    ["ok/manager field", "name", [], "name"],
    ["ok/zod path under spec", "spec.image", [], "image"],
    ["ok/manager constraint index maps to its row", "constraints[1]", [0, 3], "constraints.3"],
    ["ok/zod constraint index", "spec.constraints.0", [2], "constraints.2"],
    ["ok/restart delay", "spec.restartPolicy.delayNs", [], "restartDelay"],
    ["ok/restart max attempts by manager name", "restartPolicy.maxAttempts", [], "restartMaxAttempts"],
    ["ok/restart window", "restartPolicy.windowNs", [], "restartWindow"],
    ["ok/unknown restart condition", "spec.restartPolicy.condition", [], "restartCondition"],
    ["ok/generic resources", "spec.reservations.generic.gpu", [], "generic"],
    ["ok/reservations", "spec.reservations.memoryBytes", [], "reserveMemory"],
    ["ok/cpu by manager name", "reserveCpu", [], "reserveCpu"],
    ["ok/unknown goes on the form", "version", [], "form"],
    ["ok/none goes on the form", undefined, [], "form"],
  ] as const)("%s", (_, field, rows, expected) => expect(formField(field, { constraintRows: rows })).toBe(expected));

  it.each([
    ["ok/a port's field maps to its row", "spec.ports.1.targetPort", "ports.4.target"],
    ["ok/published port", "ports[0].publishedPort", "ports.2.published"],
    ["ok/the port row", "ports.1", "ports.4"],
    ["ok/the section", "ports", "ports"],
  ] as const)("%s", (_, field, expected) => expect(formField(field, { portRows: [2, 4] })).toBe(expected));
});

describe("serverErrorField", () => {
  const checked = checkForm(form({ ports: [{ ...EMPTY_PORT_ROW, target: "80" }] }));
  it.each([
    ["ok/Swarm's EndpointSpec error names no field but belongs to the ports", undefined, "EndpointSpec: duplicate published ports provided", "ports"],
    ["ok/other errors without a field go on the form", undefined, "something else", "form"],
    ["ok/a named field wins", "name", "EndpointSpec: whatever", "name"],
  ] as const)("%s", (_, field, message, expected) => expect(serverErrorField({ field, message }, checked)).toBe(expected));
});

describe("restart and port text", () => {
  it.each([
    ["ok/absent is Swarm's defaults", undefined, "restarted on any exit after 5s, no attempt limit (Swarm's defaults)"],
    ["ok/none", { condition: "none", delayNs: 5e9, maxAttempts: 0, windowNs: 0 }, "never restarted (condition none)"],
    ["ok/attempts in a window", { condition: "on-failure", delayNs: 90e9, maxAttempts: 1, windowNs: 3600e9 }, "restarted on failure after 1m30s, at most 1 attempt in 1h0m0s"],
  ] as const)("%s", (_, policy, text) => expect(restartPolicySummary(policy)).toBe(text));

  it("ok/ports", () => {
    expect(formatPort({ protocol: "udp", targetPort: 53, publishedPort: 0, publishMode: "ingress" })).toBe("—:53/udp (ingress)");
  });

  it.each([
    ["ok/blank is the default", "", { ns: 7 }],
    ["ok/Go's units", "1m30s", { ns: 90e9 }],
    ["ok/milliseconds", "250ms", { ns: 250e6 }],
    ["ok/zero", "0", { ns: 0 }],
  ] as const)("parseRestartDuration %s", (_, text, expected) => expect(parseRestartDuration(text, "restart delay", 7)).toEqual(expected));
});

describe("previewSpec", () => {
  it("ok/fields in error read as the fallback and bad constraints are left out", () => {
    const checked = checkForm(form({ name: "", replicas: "x", constraints: ["node.labels.zone == a", "broken"] }));
    const { spec, ignored } = previewSpec(checked, { ...DRAFT_FALLBACK, replicas: 2 });
    expect(spec).toMatchObject({ name: "draft", replicas: 2, constraints: ["node.labels.zone == a"] });
    expect(ignored).toEqual(["name", "replicas", "1 constraint"]);
  });
});

describe("specChanges", () => {
  it("ok/lists only what changed, in words", () => {
    const before = checkForm(form({ replicas: "2" })).spec;
    const after = checkForm(form({ replicas: "3", constraints: ["node.labels.zone == a"], reserveMemory: "512" })).spec;
    expect(specChanges(before, after)).toEqual([
      { label: "Replicas", before: "2", after: "3" },
      { label: "Constraints", before: "none", after: "node.labels.zone == a" },
      { label: "Reserved memory", before: "none", after: "512 MiB" },
    ]);
    // A create lists every field, and of the container only what is not the default.
    expect(specChanges(null, after)).toHaveLength(14);
    const unconfined = checkForm(form({ container: { ...EMPTY_FORM.container, seccomp: "unconfined" } })).spec;
    expect(specChanges(null, unconfined).filter((c) => c.label === "Seccomp")).toEqual([{ label: "Seccomp", before: "—", after: "unconfined" }]);
    expect(specChanges(before, unconfined)).toEqual([
      { label: "Replicas", before: "2", after: "1" },
      { label: "Seccomp", before: "default", after: "unconfined" },
    ]);
    const restarted = checkForm(form({ restart: { condition: "on-failure", delay: "10s", maxAttempts: "3", window: "" }, ports: [{ published: "8080", target: "80", protocol: "tcp", mode: "host" }] })).spec;
    expect(specChanges(before, { ...restarted, replicas: 2 })).toEqual([
      { label: "Restart policy", before: "restarted on any exit after 5s, no attempt limit (Swarm's defaults)", after: "restarted on failure after 10s, at most 3 attempts" },
      { label: "Published ports", before: "none", after: "8080:80/tcp (host)" },
    ]);
  });
});

describe("tasks", () => {
  const task = (state: string, desiredState = "running") => ({ state, desiredState });
  it.each([
    ["ok/all running", { running: 2, desired: 2, tasks: [task("running"), task("running"), task("shutdown", "shutdown")] }, false],
    ["ok/a task on its way", { running: 1, desired: 2, tasks: [task("running"), task("assigned")] }, true],
    ["ok/pending", { running: 2, desired: 2, tasks: [task("running"), task("running"), task("pending")] }, true],
  ])("%s", (_, service, expected) => expect(isSettling(service)).toBe(expected));

  it.each([
    ["running", "good"],
    ["pending", "warn"],
    ["assigned", "warn"],
    ["failed", "bad"],
    ["rejected", "bad"],
    ["shutdown", "neutral"],
  ])("ok/state %s is %s", (state, tone) => expect(taskStateTone(state)).toBe(tone));

  it("ok/a replacement held at desired READY waits for its restart", () => {
    expect(isWaitingRestart(task("pending", "ready"))).toBe(true);
    expect(isWaitingRestart(task("pending"))).toBe(false);
    expect(isWaitingRestart(task("shutdown", "shutdown"))).toBe(false);
  });

  it("ok/restart wait: made at 12:00:00 with a 10s delay starts at 12:00:10", () => {
    const service = { specVersion: 2, spec: { restartPolicy: { condition: "on-failure" as const, delayNs: 10e9, maxAttempts: 0, windowNs: 0 } } };
    const createdAt = new Date("2025-01-01T12:00:00Z");
    expect(restartWait({ createdAt, specVersion: 2 }, service, new Date("2025-01-01T12:00:04Z"))).toEqual({ delay: "10s", startsAt: new Date("2025-01-01T12:00:10Z"), over: false });
    expect(restartWait({ createdAt, specVersion: 2 }, service, new Date("2025-01-01T12:00:11Z"))?.over).toBe(true);
    expect(restartWait({ createdAt, specVersion: 1 }, service, createdAt)).toBeNull();
    expect(restartWait({ createdAt, specVersion: 2 }, { specVersion: 2, spec: {} }, createdAt)?.delay).toBe("5s");
  });

  it("ok/constraints summary", () => {
    expect(constraintsSummary([])).toBe("—");
    expect(constraintsSummary(["a == b", "c != d"])).toBe("a == b && c != d");
  });
});

describe("failingSlots", () => {
  const at = (s: number) => new Date(Date.UTC(2026, 11, 5, 12, 0, s));
  const task = (id: string, slot: number | null, state: string, desiredState: string, t: number, extra: { err?: string; message?: string; nodeId?: string } = {}) => ({
    id,
    slot,
    state,
    desiredState,
    nodeId: extra.nodeId ?? "n1",
    err: extra.err ?? null,
    message: extra.message ?? null,
    updatedAt: at(t),
  });

  it("ok/a slot whose last task failed leads with that task's own words, counting the failures kept", () => {
    const tasks = [
      task("a", 1, "failed", "shutdown", 1, { message: "first" }),
      task("b", 1, "failed", "shutdown", 5, { message: "secret target escapes", nodeId: "n2" }),
      task("c", 1, "pending", "ready", 6),
      task("d", 2, "running", "running", 2),
    ];
    expect(failingSlots(tasks)).toEqual([{ slot: 1, nodeId: "n2", state: "failed", reason: "secret target escapes", at: at(5), failures: 2 }]);
  });

  it("ok/the error field wins over the message, and a rejection counts", () => {
    expect(failingSlots([task("a", 3, "rejected", "shutdown", 1, { err: "no runtime", message: "rejected" })])[0]).toMatchObject({ reason: "no runtime", state: "rejected" });
  });

  it("ok/a slot that runs again, or whose last task was only shut down, is not failing", () => {
    expect(failingSlots([task("a", 1, "failed", "shutdown", 1, { message: "x" }), task("b", 1, "running", "running", 2)])).toEqual([]);
    expect(failingSlots([task("a", 1, "failed", "shutdown", 1, { message: "x" }), task("b", 1, "shutdown", "shutdown", 2)])).toEqual([]);
  });

  it("ok/a global service's tasks are grouped by node, newest failure first", () => {
    const out = failingSlots([task("a", null, "failed", "shutdown", 1, { nodeId: "n1", message: "old" }), task("b", null, "failed", "shutdown", 3, { nodeId: "n2", message: "new" })]);
    expect(out.map((f) => f.reason)).toEqual(["new", "old"]);
  });
});

describe("checkForm ends with the API's schema", () => {
  it("fail/an image longer than the API takes is refused in the form, in a sentence", () => {
    const checked = checkForm(form({ image: "x".repeat(513) }));
    expect(checked.errors).toEqual({ image: "Image must be at most 512 characters" });
  });

  it("fail/more constraints than the API takes are refused under the constraints", () => {
    const checked = checkForm(form({ constraints: Array.from({ length: 65 }, (_, i) => `node.labels.k${i} == v`) }));
    expect(checked.errors).toEqual({ constraints: "Constraints must have at most 64 items" });
  });

  it("ok/core's checks speak first, with Swarm's words", () => {
    expect(checkForm(form({ name: "" })).errors).toEqual({ name: "meta: name must be provided" });
    expect(checkForm(form({})).errors).toEqual({});
  });
});

describe("checkForm with limits and a container", () => {
  it("ok/an untouched container and no limits leave both out of the spec", () => {
    const { spec, errors } = checkForm(form({}));
    expect(errors).toEqual({});
    expect(spec).not.toHaveProperty("container");
    expect(spec).not.toHaveProperty("limits");
  });

  it("ok/limits and a container are sent, and read back", () => {
    const f = form({
      limitCpu: "1.5",
      limitMemory: "256",
      container: {
        ...EMPTY_FORM.container,
        args: `nginx -g 'daemon off;'`,
        env: [{ key: "MODE", value: "prod" }, { key: "", value: "" }],
        readOnly: true,
        capDrop: ["ALL"],
        mounts: [{ type: "tmpfs", source: "", target: "/cache", readOnly: false, tmpfsSize: "64", tmpfsMode: "1777" }],
      },
    });
    const checked = checkForm(f);
    expect(checked.errors).toEqual({});
    expect(checked.spec.limits).toEqual({ nanoCpus: 1.5e9, memoryBytes: 256 * 2 ** 20 });
    expect(checked.spec.container).toMatchObject({
      args: ["nginx", "-g", "daemon off;"],
      env: ["MODE=prod"],
      readOnly: true,
      capDrop: ["ALL"],
      mounts: [{ type: "tmpfs", source: "", target: "/cache", readOnly: false, tmpfsSizeBytes: 64 * 2 ** 20, tmpfsMode: 0o1777 }],
      seccomp: { mode: "default" },
      noNewPrivileges: true,
    });
    const stored = { ...checked.spec, container: checked.spec.container!, limits: checked.spec.limits! };
    expect(checkForm(formFromSpec(stored as never)).spec).toEqual(stored);
  });

  it.each([
    ["fail/limit below Swarm's floor", { limitMemory: "1" }, { limitMemory: "invalid memory value 1048576: Must be at least 4MiB" }],
    ["fail/limit not a number", { limitCpu: "x" }, { limitCpu: "failed to parse x as a rational number" }],
    ["fail/relative workdir, core's words", { container: { ...EMPTY_FORM.container, workdir: "app" } }, { "container.workdir": "the working directory 'app' is invalid. It needs to be an absolute path" }],
  ] as const)("%s", (_, over, errors) => expect(checkForm(form(over as Partial<ServiceForm>)).errors).toEqual(errors));

  it("ok/a container in error previews as the fallback's", () => {
    const checked = checkForm(form({ container: { ...EMPTY_FORM.container, user: "bad user!" } }));
    expect(Object.keys(checked.errors)).toEqual(["container.user"]);
    expect(previewSpec(checked, DRAFT_FALLBACK).spec).not.toHaveProperty("container");
  });
});

describe("formField for the container and limits", () => {
  it.each([
    ["ok/a mount's source by the manager, row mapped", "container.mounts[1].source", { mountRows: [0, 2] }, "container.mounts.2.source"],
    ["ok/privileged", "container.privileged", {}, "container.privileged"],
    ["ok/host network under spec", "spec.container.hostNetwork", {}, "container.hostNetwork"],
    ["ok/custom seccomp profile", "container.seccomp.profile", {}, "container.seccompProfile"],
    ["ok/an env entry by zod", "spec.container.env.0", { envRows: [3] }, "container.env.3.key"],
    ["ok/limit by manager name", "limitMemory", {}, "limitMemory"],
    ["ok/limit by zod path", "spec.limits.nanoCpus", {}, "limitCpu"],
  ] as const)("%s", (_, field, rows, expected) => expect(formField(field, rows)).toBe(expected));
});

describe("updateSpec", () => {
  it("ok/an update says the container even when it is the defaults (left out, the service would keep its own)", () => {
    const { spec } = checkForm(form({}));
    expect(spec).not.toHaveProperty("container");
    expect(updateSpec(spec).container).toEqual(defaultContainerSpec());
    const unconfined = checkForm(form({ container: { ...EMPTY_FORM.container, seccomp: "unconfined" } })).spec;
    expect(updateSpec(unconfined).container?.seccomp).toEqual({ mode: "unconfined" });
  });
});
