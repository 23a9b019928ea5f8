import { describe, expect, it } from "vitest";
import { defaultServiceSpec } from "@rampart/core/service";
import {
  checkForm,
  constraintsSummary,
  DRAFT_FALLBACK,
  EMPTY_FORM,
  formField,
  formFromSpec,
  isSettling,
  parseCpus,
  parseMemory,
  previewSpec,
  specChanges,
  taskStateTone,
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
    expect(formFromSpec({ ...spec, reservations: { nanoCpus: 0, memoryBytes: 2 ** 31 } })).toMatchObject({ reserveCpu: "", reserveMemory: "2", memoryUnit: "GiB" });
  });
});

describe("formField", () => {
  it.each([
    ["ok/manager field", "name", [], "name"],
    ["ok/zod path under spec", "spec.image", [], "image"],
    ["ok/manager constraint index maps to its row", "constraints[1]", [0, 3], "constraints.3"],
    ["ok/zod constraint index", "spec.constraints.0", [2], "constraints.2"],
    ["ok/reservations", "spec.reservations.memoryBytes", [], "reserveMemory"],
    ["ok/cpu by manager name", "reserveCpu", [], "reserveCpu"],
    ["ok/unknown goes on the form", "version", [], "form"],
    ["ok/none goes on the form", undefined, [], "form"],
  ] as const)("%s", (_, field, rows, expected) => expect(formField(field, rows)).toBe(expected));
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
    expect(specChanges(null, after)).toHaveLength(9);
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

  it("ok/constraints summary", () => {
    expect(constraintsSummary([])).toBe("—");
    expect(constraintsSummary(["a == b", "c != d"])).toBe("a == b && c != d");
  });
});
