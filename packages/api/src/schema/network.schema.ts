import { z } from "zod";
import { dateSchema } from "./common.schema.js";
import { labelKey, labelValue } from "./node.schema.js";

/**
 * A connected swarm's networks (ADR 0020). Rampart's own cluster has none; on it these
 * procedures are refused. `encrypted`: the overlay driver's `encrypted` option is set
 * (IPsec between nodes); `internal`: no route out of the swarm; `attachable`: standalone
 * containers may join it, not only services.
 */
export const networkSchema = z.object({
  id: z.string(),
  name: z.string(),
  driver: z.string(),
  scope: z.string(),
  encrypted: z.boolean(),
  internal: z.boolean(),
  attachable: z.boolean(),
  ingress: z.boolean(),
  ipv6: z.boolean(),
  subnets: z.array(z.object({ subnet: z.string(), gateway: z.string().nullable() })),
  labels: z.record(z.string(), z.string()),
  options: z.record(z.string(), z.string()),
  createdAt: dateSchema.nullable(),
  /** The services on it, by their task template or by a virtual IP Docker gave them there. */
  services: z.array(z.object({ id: z.string(), name: z.string() })),
});

/** A network by ID, name or unique ID prefix, as docker accepts. */
export const networkRefInput = z.strictObject({ ref: z.string().min(1, "give the network's name or ID").max(255) });

/** Names longer than this are refused before Docker sees them (its own rule is a DNS label's form). */
export const NETWORK_NAME_MAX_LENGTH = 255;

/**
 * `docker network create -d overlay`: encrypted unless `encrypted: false` is given, since
 * traffic between nodes otherwise crosses the hosts' network in the clear. Docker checks
 * the name and the subnet, and says what is wrong in its own words.
 */
export const createNetworkInput = z.strictObject({
  name: z.string().min(1, "give the network a name").max(NETWORK_NAME_MAX_LENGTH),
  driver: z.literal("overlay", { error: "Rampart creates overlay networks only: a swarm's services attach to overlay networks" }).default("overlay"),
  encrypted: z.boolean().default(true),
  internal: z.boolean().default(false),
  attachable: z.boolean().default(false),
  labels: z.record(labelKey, labelValue).optional(),
  /** A subnet in CIDR form (`10.20.0.0/24`); Docker chooses one from its pool when left out. */
  subnet: z.string().min(1).max(64).optional(),
});

export type NetworkOutput = z.infer<typeof networkSchema>;
export type CreateNetworkInput = z.input<typeof createNetworkInput>;
