import { z } from "zod";
import { dateSchema } from "./common.schema.js";

export const storeStatusSchema = z.object({
  kind: z.enum(["pglite", "postgres"]),
  location: z.string(),
  reachable: z.boolean(),
  migrated: z.boolean(),
  appliedMigrations: z.number().int(),
  pendingMigrations: z.array(z.string()),
  problem: z.string().optional(),
});

export const systemStatusOutput = z.object({
  version: z.string(),
  startedAt: dateSchema,
  uptimeSeconds: z.number().int(),
  runtime: z.object({ node: z.string(), platform: z.string(), arch: z.string(), pid: z.number().int() }),
  store: storeStatusSchema,
  setupComplete: z.boolean(),
  healthy: z.boolean(),
});

export type SystemStatus = z.infer<typeof systemStatusOutput>;
