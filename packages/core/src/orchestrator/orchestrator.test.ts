import { describe, expect, it } from "vitest";
import type { ServiceSpec } from "../service/index.js";
import { spec, task } from "../test-support/orchestration.js";
import { planNodeDown, sameSpec, taskSpecChange, toSchedulerTask } from "./index.js";

describe("node down", () => {
  it("ok/tasks a Down node holds (ASSIGNED to RUNNING) are orphaned, whatever their desired state; the restart supervisor does the rest", () => {
    const changes = planNodeDown([
      task("a", 1, { nodeId: "n", state: "running" }),
      task("b", 2, { nodeId: "n", state: "complete" }),
      task("c", 3, { nodeId: "n", state: "assigned", desiredState: "remove" }),
      task("d", null, { nodeId: "n", state: "pending" }),
    ]);
    expect(changes).toEqual([
      { id: "a", state: "orphaned", err: "node is down" },
      { id: "c", state: "orphaned", err: "node is down" },
    ]);
  });
});

describe("task spec change", () => {
  it.each<[string, Partial<ServiceSpec>, "none" | "placement" | "task"]>([
    ["nothing", {}, "none"],
    ["replicas", { replicas: 5 }, "none"],
    ["name", { name: "web-2" }, "none"],
    ["replicas and name", { replicas: 0, name: "api" }, "none"],
    ["constraints", { constraints: ["node.role == worker"] }, "placement"],
    ["preferences", { preferences: ["node.labels.zone"] }, "placement"],
    ["max replicas per node", { maxReplicasPerNode: 2 }, "placement"],
    ["constraints and replicas", { constraints: ["node.role == worker"], replicas: 1 }, "placement"],
    ["image", { image: "nginx:alpine" }, "task"],
    ["reservations", { reservations: { nanoCpus: 1e9, memoryBytes: 0 } }, "task"],
    ["restart policy", { restartPolicy: { condition: "none", delayNs: 0, maxAttempts: 0, windowNs: 0 } }, "task"],
    ["published ports", { ports: [{ protocol: "tcp", targetPort: 80, publishedPort: 8080, publishMode: "host" }] }, "task"],
    ["image and constraints", { image: "nginx:alpine", constraints: ["node.role == worker"] }, "task"],
  ])("ok/%s", (_, change, expected) => {
    expect(taskSpecChange(spec, { ...spec, ...change })).toBe(expected);
  });

  it("ok/key order does not make two specs differ", () => {
    const reordered = Object.fromEntries(Object.entries(spec).reverse()) as unknown as ServiceSpec;
    expect(sameSpec(spec, reordered)).toBe(true);
    expect(taskSpecChange(spec, reordered)).toBe("none");
    expect(taskSpecChange(spec, { ...reordered, constraints: ["node.role == manager"] })).toBe("placement");
  });
});

describe("scheduler hand-over", () => {
  it("ok/a task carries its service's placement spec, reservations (generic ones included), host-mode ports and its error", () => {
    const s: ServiceSpec = {
      ...spec,
      constraints: ["node.role == worker"],
      maxReplicasPerNode: 2,
      reservations: { nanoCpus: 1e9, memoryBytes: 64, generic: { gpu: 1 } },
      ports: [
        { protocol: "tcp", targetPort: 80, publishedPort: 8080, publishMode: "host" },
        { protocol: "udp", targetPort: 53, publishedPort: 53, publishMode: "host" },
        { protocol: "tcp", targetPort: 443, publishedPort: 443, publishMode: "ingress" },
        { protocol: "tcp", targetPort: 9000, publishedPort: 0, publishMode: "host" },
      ],
    };
    expect(toSchedulerTask(task("a", 1, { err: "no suitable node" }), s)).toEqual({
      id: "a",
      serviceId: "svc",
      specVersion: 1,
      nodeId: "",
      state: "pending",
      desiredState: "running",
      error: "no suitable node",
      constraints: ["node.role == worker"],
      preferences: [],
      maxReplicas: 2,
      reservations: { nanoCpus: 1e9, memoryBytes: 64, generic: { gpu: 1 } },
      hostPorts: [
        { protocol: "tcp", port: 8080 },
        { protocol: "udp", port: 53 },
      ],
    });
  });

  it("ok/a task whose service is gone is read by its own spec, so it keeps its reservations until it stops", () => {
    const own: ServiceSpec = { ...spec, reservations: { nanoCpus: 5e8, memoryBytes: 0 } };
    expect(toSchedulerTask(task("a", 1, { nodeId: "n1", state: "running", spec: own }), undefined)).toMatchObject({
      nodeId: "n1",
      reservations: { nanoCpus: 5e8, memoryBytes: 0 },
    });
  });

  it("ok/a task with neither has no spec", () => {
    expect(toSchedulerTask(task("a", 1, { nodeId: "n1", state: "running" }), undefined)).toEqual({
      id: "a",
      serviceId: "svc",
      specVersion: 1,
      nodeId: "n1",
      state: "running",
      desiredState: "running",
    });
  });
});
