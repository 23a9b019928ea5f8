import { describe, expect, it } from "vitest";
import { NETWORKS, SERVICES } from "../../test-support/docker-swarm.js";
import { networkCreateBody, networkViewOf, servicesByNetwork } from "./networks.js";
import { dockerNetworkSchema } from "./schema.js";

const views = () => {
  const byNetwork = servicesByNetwork(SERVICES);
  return NETWORKS.map((n) => networkViewOf(dockerNetworkSchema.parse(n), byNetwork));
};

describe("a Docker network in Rampart's view", () => {
  it("ok/flags, subnets and the services on each, from Docker's own JSON", () => {
    const [ingress, net1, n3] = views();
    expect(ingress).toMatchObject({ name: "ingress", driver: "overlay", scope: "swarm", ingress: true, encrypted: false, services: [], labels: {} });
    expect(net1).toMatchObject({
      id: "r9j2hrb43s4tpbfkhi1l1p3q8",
      name: "net1",
      encrypted: true,
      internal: false,
      attachable: false,
      subnets: [{ subnet: "10.0.1.0/24", gateway: "10.0.1.1" }],
      labels: { a: "b" },
      services: [{ id: "i9n6nor9shwipqj01ezwv83l2", name: "s1" }],
    });
    expect(net1?.createdAt?.toISOString()).toBe("2026-12-06T22:43:51.548Z");
    expect(n3).toMatchObject({ encrypted: false, internal: true, attachable: true, services: [{ name: "s1" }] });
  });

  it("ok/a spec that names a network by its name counts, once", () => {
    const service = { ...SERVICES[0]!, Spec: { ...SERVICES[0]!.Spec, TaskTemplate: { Networks: [{ Target: "net1" }] } } };
    const net1 = networkViewOf(dockerNetworkSchema.parse(NETWORKS[1]), servicesByNetwork([service]));
    expect(net1.services).toEqual([{ id: service.ID, name: "s1" }]);
  });

  it("ok/'encrypted' is the option's presence, as libnetwork reads it", () => {
    const net = networkViewOf(dockerNetworkSchema.parse({ ...NETWORKS[2], Options: { encrypted: "false" } }), new Map());
    expect(net.encrypted).toBe(true);
  });
});

describe("the body of a network's creation", () => {
  it("ok/encrypted: the overlay driver's option", () => {
    expect(networkCreateBody({ name: "backend", encrypted: true, internal: false, attachable: false })).toEqual({
      Name: "backend",
      Driver: "overlay",
      CheckDuplicate: true,
      Internal: false,
      Attachable: false,
      Labels: {},
      Options: { encrypted: "" },
    });
  });

  it("ok/not encrypted, internal, attachable, with a subnet and labels", () => {
    expect(networkCreateBody({ name: "db", encrypted: false, internal: true, attachable: true, subnet: "10.20.0.0/24", labels: { tier: "db" } })).toEqual({
      Name: "db",
      Driver: "overlay",
      CheckDuplicate: true,
      Internal: true,
      Attachable: true,
      Labels: { tier: "db" },
      Options: {},
      IPAM: { Driver: "default", Config: [{ Subnet: "10.20.0.0/24" }] },
    });
  });
});
