import type { Actor } from "@rampart/core";
import type Docker from "dockerode";
import { z } from "zod";
import type { AuditService } from "../../audit/index.js";
import type { ConnectedEnvironment } from "../index.js";
import { inspectNetworkInSwarm } from "./paths.js";
import { dockerIdSchema, dockerNetworkSchema, dockerServiceSchema, readDocker, type DockerNetwork, type DockerService } from "./schema.js";

/**
 * A connected swarm's networks (ADR 0020): its swarm-scoped (overlay) networks with the
 * flags that matter to security (`encrypted`, `internal`, `attachable`, ingress) and the
 * services attached to each; creation of overlay networks, encrypted unless asked
 * otherwise; removal. Rampart's own cluster has no networks, so there is no native
 * counterpart. Docker's name rules and refusals (a name in use, a network in use) come
 * back in its own words. Creations and removals are audited with the environment.
 */

/** The overlay driver's option that encrypts the data plane: present (whatever its value) means encrypted, as libnetwork reads it. */
export const ENCRYPTED_OPTION = "encrypted";

export interface NetworkView {
  id: string;
  name: string;
  driver: string;
  scope: string;
  encrypted: boolean;
  internal: boolean;
  attachable: boolean;
  ingress: boolean;
  ipv6: boolean;
  subnets: Array<{ subnet: string; gateway: string | null }>;
  labels: Record<string, string>;
  /** The driver's options as Docker holds them (`encrypted`, the VXLAN IDs it chose, …). */
  options: Record<string, string>;
  createdAt: Date | null;
  /** The services attached to it: by their task template, or by a virtual IP Docker gave them on it (ingress, for published ports). */
  services: Array<{ id: string; name: string }>;
}

/** Each network's services, from the services' specs and endpoints (pure). */
export function servicesByNetwork(services: ReadonlyArray<Pick<DockerService, "ID" | "Spec" | "Endpoint">>): Map<string, Array<{ id: string; name: string }>> {
  const out = new Map<string, Array<{ id: string; name: string }>>();
  for (const s of services) {
    const refs = new Set<string>();
    for (const n of [...(s.Spec.TaskTemplate?.Networks ?? []), ...(s.Spec.Networks ?? [])]) if (n.Target) refs.add(n.Target);
    for (const vip of s.Endpoint?.VirtualIPs ?? []) if (vip.NetworkID) refs.add(vip.NetworkID);
    for (const ref of refs) {
      const list = out.get(ref) ?? [];
      list.push({ id: s.ID, name: s.Spec.Name ?? s.ID });
      out.set(ref, list);
    }
  }
  return out;
}

/** A Docker network in Rampart's view (pure). Services name networks by ID; an older spec may name one by its name. */
export function networkViewOf(n: DockerNetwork, byNetwork: Map<string, Array<{ id: string; name: string }>>): NetworkView {
  const options = { ...(n.Options ?? {}) };
  const services = [...(byNetwork.get(n.Id) ?? []), ...(byNetwork.get(n.Name) ?? [])];
  const unique = [...new Map(services.map((s) => [s.id, s])).values()].sort((a, b) => a.name.localeCompare(b.name));
  return {
    id: n.Id,
    name: n.Name,
    driver: n.Driver,
    scope: n.Scope,
    encrypted: ENCRYPTED_OPTION in options,
    internal: n.Internal ?? false,
    attachable: n.Attachable ?? false,
    ingress: n.Ingress ?? false,
    ipv6: n.EnableIPv6 ?? false,
    subnets: (n.IPAM?.Config ?? []).flatMap((c) => (c.Subnet ? [{ subnet: c.Subnet, gateway: c.Gateway ? c.Gateway : null }] : [])),
    labels: { ...(n.Labels ?? {}) },
    options,
    createdAt: n.Created ? new Date(n.Created) : null,
    services: unique,
  };
}

export interface NewNetwork {
  name: string;
  encrypted: boolean;
  internal: boolean;
  attachable: boolean;
  labels?: Record<string, string> | undefined;
  subnet?: string | undefined;
}

/** `POST /networks/create`'s body for an overlay network, as `docker network create -d overlay` sends it. */
export function networkCreateBody(input: NewNetwork): Docker.NetworkCreateOptions {
  return {
    Name: input.name,
    Driver: "overlay",
    CheckDuplicate: true,
    Internal: input.internal,
    Attachable: input.attachable,
    Labels: input.labels ?? {},
    Options: input.encrypted ? { [ENCRYPTED_OPTION]: "" } : {},
    ...(input.subnet ? { IPAM: { Driver: "default", Config: [{ Subnet: input.subnet }] } } : {}),
  };
}

const SWARM_SCOPE = JSON.stringify({ scope: ["swarm"] });
const ALLOCATION_CHECKS = 100;

/** A connected swarm's networks: list, inspect, create, remove. Writes audited with the environment. */
export function dockerNetworks(env: ConnectedEnvironment, audit: AuditService) {
  async function attached(): Promise<Map<string, Array<{ id: string; name: string }>>> {
    return servicesByNetwork(readDocker(z.array(dockerServiceSchema), await env.call((d) => d.listServices()), "the swarm's services"));
  }

  async function inspect(ref: string): Promise<DockerNetwork> {
    return readDocker(dockerNetworkSchema, await env.call((d) => inspectNetworkInSwarm(d, ref)), `network ${ref}`);
  }

  /**
   * A new network as Docker reports it once the swarm's allocator has run: until then its
   * driver, driver options (`encrypted` among them) and subnets are empty in every answer.
   * Allocation takes milliseconds; after ALLOCATION_CHECKS reads 50 ms apart, the network
   * is shown as Docker has it then.
   */
  async function allocated(id: string): Promise<DockerNetwork> {
    for (let check = 1; ; check++) {
      const network = await inspect(id);
      if (network.Driver !== "" || check >= ALLOCATION_CHECKS) return network;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  const target = (n: { Id: string; Name: string }) => ({ type: "network", id: n.Id, name: n.Name });

  return {
    /** The swarm-scoped networks (Docker's `scope=swarm` filter: ingress and the overlay networks). */
    async list(): Promise<NetworkView[]> {
      const [networks, byNetwork] = await Promise.all([env.call((d) => d.listNetworks({ filters: SWARM_SCOPE })), attached()]);
      return readDocker(z.array(dockerNetworkSchema), networks, "the swarm's networks")
        .map((n) => networkViewOf(n, byNetwork))
        .sort((a, b) => a.name.localeCompare(b.name));
    },

    /** One swarm network by ID, name or unique ID prefix, as Docker resolves it. */
    async get(ref: string): Promise<NetworkView> {
      const [network, byNetwork] = await Promise.all([inspect(ref), attached()]);
      return networkViewOf(network, byNetwork);
    },

    /** An overlay network; Docker checks the name (and refuses one in use). Audited, with the flags asked for. */
    async create(input: NewNetwork, actor: Actor, ip: string | null): Promise<NetworkView> {
      // dockerode answers with its handle on the new network, named by the ID Docker gave.
      const created: { id?: unknown } = await env.call((d) => d.createNetwork(networkCreateBody(input)));
      const id = readDocker(dockerIdSchema, created.id, "the new network's ID");
      const flags = [input.encrypted ? "encrypted" : "not encrypted", ...(input.internal ? ["internal"] : []), ...(input.attachable ? ["attachable"] : [])];
      await audit.record({ actor, action: "network.create", target: { type: "network", id, name: input.name }, outcome: "success", reason: `overlay, ${flags.join(", ")}`, ip, env: env.auditEnv });
      return networkViewOf(await allocated(id), new Map());
    },

    /** Docker refuses a network a service still uses, in its own words. Audited. */
    async remove(ref: string, actor: Actor, ip: string | null): Promise<{ id: string; name: string }> {
      const network = await inspect(ref);
      await env.call((d) => d.getNetwork(network.Id).remove());
      await audit.record({ actor, action: "network.remove", target: target(network), outcome: "success", ip, env: env.auditEnv });
      return { id: network.Id, name: network.Name };
    },
  };
}

export type DockerNetworks = ReturnType<typeof dockerNetworks>;
