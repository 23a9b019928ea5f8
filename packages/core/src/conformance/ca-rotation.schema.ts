import { z } from "zod";
import { provenance } from "./common.schema.js";

/**
 * ca_rotation.json: `validateCAConfig`'s decision table, in words. Each case describes
 * the current root and the request in prose; the runner holds one scenario per case,
 * built from real certificates, and checks the prose is still the one it was written for.
 */
export const CaRotationVector = z.strictObject({
  ...provenance,
  invalid: z.array(
    z.strictObject({
      current: z.string(),
      request: z.string(),
      error_contains: z.string(),
      /** For people: the rule behind a case, and where a case not in the upstream table comes from. */
      rule: z.string().optional(),
      source: z.string().optional(),
    }),
  ),
  valid: z.array(z.strictObject({ request: z.string(), result: z.string() })),
});
export type CaRotationVector = z.infer<typeof CaRotationVector>;
