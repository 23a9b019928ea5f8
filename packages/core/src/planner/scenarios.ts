import { defaultServiceSpec } from "../service/index.js";
import type { PlannerCluster, PlannerNode, Sandbox } from "./types.js";

/**
 * Swarm's PCI-DSS example (docker's swarm security material): a compliance-scoped
 * front end must run only on nodes audited for PCI DSS, marked with a node label and
 * pinned there with a constraint.
 *
 * Six ready, active nodes, node-1..node-6, each with 4 CPUs and 8 GiB. node-1 is the
 * manager and carries no `pcidss` label; node-2, node-3 and node-4 are labelled
 * `pcidss=yes`; node-5 and node-6 are labelled `pcidss=no`. Both kinds of "not audited"
 * are there on purpose: the why-not matrix then shows a missing label ("nothing") and a
 * different value side by side. Nothing runs yet. The sandbox plans the draft service
 * `web-fe` (nginx:alpine, 3 replicas, `node.labels.pcidss == yes`), which lands one task
 * on each of node-2, node-3 and node-4.
 */
export function pciDssScenario(): { cluster: PlannerCluster; sandbox: Sandbox } {
  const pcidss: Record<string, string | undefined> = { "node-2": "yes", "node-3": "yes", "node-4": "yes", "node-5": "no", "node-6": "no" };
  const nodes = Array.from({ length: 6 }, (_, i): PlannerNode => {
    const id = `node-${i + 1}`;
    const label = pcidss[id];
    return {
      id,
      hostname: id,
      role: i === 0 ? "manager" : "worker",
      state: "ready",
      availability: "active",
      labels: label ? { pcidss: label } : {},
      engineLabels: {},
      platform: { os: "linux", architecture: "x86_64" },
      addr: `10.0.0.${i + 11}`,
      resources: { nanoCpus: 4e9, memoryBytes: 8 * 2 ** 30 },
    };
  });
  return {
    cluster: { nodes, services: [], tasks: [] },
    sandbox: {
      service: {
        spec: defaultServiceSpec({ name: "web-fe", image: "nginx:alpine", replicas: 3, constraints: ["node.labels.pcidss == yes"] }),
      },
    },
  };
}
