import { z } from "zod";
import { fromHex } from "../encoding/index.js";

/**
 * Pieces every vector file's schema shares. Fields that are there for people (where a
 * case comes from, why it holds) are declared too, so that every schema can be strict:
 * a field the runner does not know is a failure, not a case quietly left out.
 */

/** Where a file's cases come from. Informative: read by people, not run. */
export const provenance = {
  description: z.string(),
  upstream: z.strictObject({ repo: z.string(), commit: z.string() }),
};

/** Beside a case, for people: the SwarmKit test it comes from, and why it holds. Not run. */
export const caseNotes = {
  source: z.string().optional(),
  origin: z.enum(["test-assert", "derived"]).optional(),
  note: z.string().optional(),
};

export const labels = z.record(z.string(), z.string());

/** Bytes written as hex in a vector file, read as bytes. */
export const hexBytes = z.string().transform((text, ctx) => {
  const bytes = fromHex(text);
  if (bytes) return bytes;
  ctx.issues.push({ code: "custom", message: "expected hex bytes", input: text });
  return z.NEVER;
});

/** `{ error }`: the vectors' form for "this fails with Swarm's message". */
export const failure = z.strictObject({ error: z.string() });
