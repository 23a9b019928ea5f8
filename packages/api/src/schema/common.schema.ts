import { z } from "zod";

/** Dates cross the wire as Dates (superjson), so output schemas say so. */
export const dateSchema = z.date();

export const roleSchema = z.enum(["admin", "viewer"]);

export const userSchema = z.object({
  id: z.string(),
  username: z.string(),
  role: roleSchema,
  createdAt: dateSchema,
});
