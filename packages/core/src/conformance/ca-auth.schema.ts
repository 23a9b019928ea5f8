import { z } from "zod";
import { provenance } from "./common.schema.js";

/** ca_auth.json: the mTLS authorisation table (ca/auth.go, ca/forward.go). */
export const CaAuthVector = z.strictObject({
  ...provenance,
  /** Informative: the cases' shape and the outer messages, in words. */
  shape: z.string(),
  note: z.string(),
  cases: z.array(
    z.strictObject({
      /** The verified client certificate's subject, or null for none. */
      peer: z.strictObject({ cn: z.string(), o: z.string(), ous: z.array(z.string()) }).nullable(),
      /** What a forwarding manager attached. */
      forwarded: z.strictObject({ cn: z.string(), org: z.string(), ous: z.array(z.string()) }).optional(),
      blacklist: z.array(z.string()),
      cluster_org: z.string(),
      required: z.array(z.string()),
      expect: z.union([
        z.strictObject({ allow: z.literal(true), node_id: z.string() }),
        z.strictObject({ allow: z.literal(false), error: z.string() }),
      ]),
      note: z.string().optional(),
    }),
  ),
  /** Informative: which RPCs need which role; Rampart's routes declare their own. */
  rpc_roles: z.record(z.string(), z.union([z.string(), z.array(z.string())])),
});
export type CaAuthVector = z.infer<typeof CaAuthVector>;
