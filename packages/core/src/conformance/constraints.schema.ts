import { z } from "zod";
import { NODE_ROLES } from "../node/index.js";
import { caseNotes, labels, provenance } from "./common.schema.js";

const common = {
  id: z.string(),
  /** All must hold (AND). */
  exprs: z.array(z.string()),
  /** Parse's exact error text, when the case pins it. */
  error: z.string().optional(),
  ...caseNotes,
};

/** value and node cases: the verdict, or that parsing fails. */
const verdict = z.union([z.boolean(), z.literal("parse-error")]);

/** constraints.json: Parse, Constraint.Match and NodeMatches (manager/constraint). */
export const ConstraintsVector = z.strictObject({
  ...provenance,
  /** Informative: the cases' fields in words. */
  shape: z.record(z.string(), z.union([z.string(), z.record(z.string(), z.string())])),
  cases: z.array(
    z.discriminatedUnion(
      "kind",
      [
        z.strictObject({
          ...common,
          kind: z.literal("parse"),
          expect: z.enum(["parse-ok", "parse-error"]),
          parsed: z.array(z.strictObject({ key: z.string(), op: z.enum(["==", "!="]), value: z.string() })).optional(),
        }),
        z.strictObject({ ...common, kind: z.literal("value"), values: z.array(z.string()), expect: verdict }),
        z.strictObject({
          ...common,
          kind: z.literal("node"),
          node: z.strictObject({
            id: z.string(),
            role: z.enum(NODE_ROLES),
            hostname: z.string(),
            labels,
            engine_labels: labels,
            platform: z.strictObject({ os: z.string(), architecture: z.string() }).nullable(),
            addr: z.string().nullable(),
          }),
          expect: verdict,
        }),
      ],
      { error: "expected kind parse, value or node" },
    ),
  ),
});
export type ConstraintsVector = z.infer<typeof ConstraintsVector>;
