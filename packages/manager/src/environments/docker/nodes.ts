import { duplicateHostnames, RampartError, type Actor, type Availability, type NodeRole, type NodeRuntime } from "@rampart/core";
import { z } from "zod";
import type { AuditService } from "../../audit/index.js";
import type { ManagerStatus, NodeDetail, NodeView } from "../../nodes/index.js";
import type { ConnectedEnvironment } from "../index.js";
import { objectRefPath } from "./paths.js";
import { dockerInfoSchema, dockerNodeSchema, readDocker, type DockerNode, type DockerTlsInfo } from "./schema.js";
import { chainsToCurrentRoot, tlsInfoOf, tlsStatusOf, type TlsInfoView } from "./swarm.js";

/**
 * A connected swarm's nodes (ADR 0020) in the native views' shapes, so one page and one
 * CLI table serve both, with what only Docker says in a `docker` part: its own state
 * word and message, the raft member's address and reachability, the CA that issued the
 * node's certificate, and whether that is the swarm's current root.
 *
 * What the native cluster has and Docker's API does not give is null (or empty) in the
 * view and named in `docker.notReported`. Node references are resolved by Docker itself
 * (full ID, then hostname, then a unique ID prefix; more than one match is its 400), and
 * every write carries Docker's version index, so a write that lost a race is its 409.
 */

/** What the native view holds and Docker's API does not report, said on every Docker node. */
export const NODE_FIELDS_NOT_REPORTED = [
  "heartbeat times: Docker reports only the state its dispatcher derives from them (lastHeartbeatAt is null)",
  "the node's certificate (subject, serial, validity and role): Docker reports only the CA that issued it (tls.serial, tls.notBefore, tls.notAfter, tls.role and certificate are null)",
  "the engine's socket and security options: Docker reports them only for the engine it answers from (runtime.detail is empty, runtime.securityOptions is [])",
] as const;

/** What only Docker says of a node. */
export interface DockerNodePart {
  /** Docker's own `Status.State` (`ready`, `down`, `unknown`, `disconnected`): `disconnected` is `down` in the view's `state`. */
  state: string;
  message: string | null;
  /** The raft member's address and Docker's word for its reachability (`unknown` is `unreachable` in `managerStatus`). */
  managerAddr: string | null;
  reachability: string | null;
  tlsInfo: TlsInfoView | null;
  /** The node's certificate was issued by the swarm's current root; null when Docker reports no TLS info. */
  chainsToCurrentRoot: boolean | null;
  /** Named generic resources (`NamedResourceSpec`) by kind; discrete ones are counted in `resources.generic`. */
  namedResources: Record<string, string[]>;
  notReported: readonly string[];
}

export type DockerNodeView = NodeView & { docker: DockerNodePart };
export type DockerNodeDetail = NodeDetail & { docker: DockerNodePart };

/** Every node of a swarm runs its tasks on its own engine; Docker does not say more of it (NODE_FIELDS_NOT_REPORTED). */
const dockerRuntime = (): NodeRuntime => ({ kind: "docker", detail: "", securityOptions: [] });

const STATE_OF: Readonly<Record<string, NodeView["state"]>> = { ready: "ready", down: "down", disconnected: "down", unknown: "unknown" };

function managerStatusOf(status: DockerNode["ManagerStatus"]): ManagerStatus {
  if (!status) return null;
  if (status.Leader) return "leader";
  return status.Reachability === "reachable" ? "reachable" : "unreachable";
}

/** A Docker node in the native view's shape (pure: the tests feed it Docker's own JSON). */
export function nodeViewOf(n: DockerNode, swarmTls: DockerTlsInfo | null | undefined): DockerNodeView {
  const d = n.Description ?? {};
  const resources = d.Resources ?? {};
  const discrete: Record<string, number> = {};
  const named: Record<string, string[]> = {};
  for (const r of resources.GenericResources ?? []) {
    if (r.DiscreteResourceSpec) discrete[r.DiscreteResourceSpec.Kind] = (discrete[r.DiscreteResourceSpec.Kind] ?? 0) + r.DiscreteResourceSpec.Value;
    if (r.NamedResourceSpec) (named[r.NamedResourceSpec.Kind] ??= []).push(r.NamedResourceSpec.Value);
  }
  const manager = n.ManagerStatus;
  return {
    id: n.ID,
    hostname: d.Hostname ?? "",
    role: n.Spec.Role,
    availability: n.Spec.Availability,
    labels: { ...(n.Spec.Labels ?? {}) },
    engineLabels: { ...(d.Engine?.Labels ?? {}) },
    platform: { os: d.Platform?.OS ?? "", arch: d.Platform?.Architecture ?? "" },
    resources: { nanoCpus: resources.NanoCPUs ?? 0, memoryBytes: resources.MemoryBytes ?? 0, generic: discrete },
    engineVersion: d.Engine?.EngineVersion ?? "",
    runtime: dockerRuntime(),
    addr: n.Status.Addr ?? null,
    isLeader: manager?.Leader === true,
    createdAt: new Date(n.CreatedAt),
    updatedAt: new Date(n.UpdatedAt),
    version: n.Version.Index,
    lastHeartbeatAt: null,
    state: STATE_OF[n.Status.State] ?? "unknown",
    managerStatus: managerStatusOf(manager),
    tls: { status: tlsStatusOf(d.TLSInfo, swarmTls), role: null, notBefore: null, notAfter: null, serial: null, issuance: null },
    docker: {
      state: n.Status.State,
      message: n.Status.Message ? n.Status.Message : null,
      managerAddr: manager?.Addr ?? null,
      reachability: manager?.Reachability ?? null,
      tlsInfo: tlsInfoOf(d.TLSInfo),
      chainsToCurrentRoot: chainsToCurrentRoot(d.TLSInfo, swarmTls),
      namedResources: named,
      notReported: NODE_FIELDS_NOT_REPORTED,
    },
  };
}

export interface NodeChange {
  version?: number | undefined;
  labelAdd?: Record<string, string> | undefined;
  labelRm?: string[] | undefined;
  availability?: Availability | undefined;
}

/** The node spec to send for a change: Docker's as read, with the labels and availability asked for. */
export function updatedNodeSpec(node: DockerNode, change: NodeChange): DockerNode["Spec"] {
  // Own keys only, and copied by spreading (never assigned): a label named `constructor` or `__proto__` is a label like any other.
  const kept = { ...(node.Spec.Labels ?? {}) };
  for (const key of change.labelRm ?? []) {
    if (!Object.hasOwn(kept, key)) throw new RampartError("not_found", `label ${key} does not exist on node ${node.Description?.Hostname ?? node.ID}`, { field: "labelRm" });
    delete kept[key];
  }
  return { ...node.Spec, Labels: { ...kept, ...(change.labelAdd ?? {}) }, ...(change.availability ? { Availability: change.availability } : {}) };
}

/** A connected swarm's nodes: list, inspect, labels and availability, roles, removal. Writes audited with the environment. */
export function dockerNodes(env: ConnectedEnvironment, audit: AuditService) {
  async function swarmTls(): Promise<DockerTlsInfo | null> {
    const info = readDocker(dockerInfoSchema, await env.call((d) => d.info()), "the engine's info");
    return info.Swarm.Cluster?.TLSInfo ?? null;
  }

  async function inspect(ref: string): Promise<DockerNode> {
    const path = objectRefPath(ref, "node");
    return readDocker(dockerNodeSchema, await env.call((d) => d.getNode(path).inspect()), `node ${ref}`);
  }

  async function view(id: string): Promise<DockerNodeView> {
    const [node, tls] = await Promise.all([inspect(id), swarmTls()]);
    return nodeViewOf(node, tls);
  }

  const target = (node: DockerNode) => ({ type: "node", id: node.ID, name: node.Description?.Hostname ?? null });

  /** Writes the node's spec at `version`: Docker refuses a stale one with its 409. */
  async function write(node: DockerNode, spec: DockerNode["Spec"], version: number): Promise<void> {
    await env.call((d) => d.getNode(node.ID).update({ _query: { version }, _body: spec }));
  }

  async function changeRole(ref: string, role: NodeRole, actor: Actor, ip: string | null): Promise<DockerNodeView> {
    const node = await inspect(ref);
    if (node.Spec.Role === role) return view(node.ID);
    await write(node, { ...node.Spec, Role: role }, node.Version.Index);
    await audit.record({ actor, action: role === "manager" ? "node.promote" : "node.demote", target: target(node), outcome: "success", ip, env: env.auditEnv });
    return view(node.ID);
  }

  return {
    async list(): Promise<DockerNodeView[]> {
      const [nodes, tls] = await Promise.all([env.call((d) => d.listNodes()), swarmTls()]);
      return readDocker(z.array(dockerNodeSchema), nodes, "the swarm's nodes").map((n) => nodeViewOf(n, tls));
    },

    async get(ref: string): Promise<DockerNodeDetail> {
      const [node, all, tls] = await Promise.all([inspect(ref), env.call((d) => d.listNodes()), swarmTls()]);
      const hostnames = readDocker(z.array(dockerNodeSchema), all, "the swarm's nodes").map((n) => ({ hostname: n.Description?.Hostname ?? "" }));
      const v = nodeViewOf(node, tls);
      return { ...v, certificate: null, sharesHostname: v.hostname !== "" && duplicateHostnames(hostnames).has(v.hostname.toLowerCase()) };
    },

    /**
     * Labels and availability, at the caller's version when given (else the one just
     * read): Docker's `update out of sequence` is the 409 for a stale one. Audited.
     */
    async update(ref: string, change: NodeChange, actor: Actor, ip: string | null): Promise<DockerNodeView> {
      const node = await inspect(ref);
      await write(node, updatedNodeSpec(node, change), change.version ?? node.Version.Index);
      await audit.record({ actor, action: "node.update", target: target(node), outcome: "success", ip, env: env.auditEnv });
      return view(node.ID);
    },

    /** Spec.Role; a node already in the role is left as it is, unaudited, as on the native cluster. */
    promote: (ref: string, actor: Actor, ip: string | null) => changeRole(ref, "manager", actor, ip),
    demote: (ref: string, actor: Actor, ip: string | null) => changeRole(ref, "worker", actor, ip),

    /** `docker node rm [--force]`: Docker refuses a manager, and a Ready node without force, in its own words. Audited. */
    async remove(ref: string, force: boolean, actor: Actor, ip: string | null): Promise<{ id: string }> {
      const node = await inspect(ref);
      await env.call((d) => d.getNode(node.ID).remove({ force }));
      await audit.record({ actor, action: "node.remove", target: target(node), outcome: "success", reason: force ? "forced" : null, ip, env: env.auditEnv });
      return { id: node.ID };
    },
  };
}

export type DockerNodes = ReturnType<typeof dockerNodes>;
