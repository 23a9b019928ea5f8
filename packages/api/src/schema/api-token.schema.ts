import { API_TOKEN_DEFAULT_DAYS, API_TOKEN_MAX_DAYS, API_TOKEN_NAME_MAX } from "@rampart/core";
import { z } from "zod";
import { dateSchema } from "./common.schema.js";

export const apiTokenInfo = z.object({
  id: z.string(),
  name: z.string(),
  createdAt: dateSchema,
  lastUsedAt: dateSchema.nullable(),
  expiresAt: dateSchema,
  revokedAt: dateSchema.nullable(),
});

export const createApiTokenInput = z.strictObject({
  name: z.string().min(1, "token name is required").max(API_TOKEN_NAME_MAX, `token name must be at most ${API_TOKEN_NAME_MAX} characters`),
  /**
   * Days until it expires: every token does, after a year at most. The bounds are core's
   * (the manager checks them again); zod's issues are worded by schema/messages.ts.
   */
  expiresInDays: z.number().int().min(1).max(API_TOKEN_MAX_DAYS).default(API_TOKEN_DEFAULT_DAYS),
});

export const createApiTokenOutput = z.object({
  /** Shown once. */
  token: z.string(),
  info: apiTokenInfo,
});

export const apiTokenIdInput = z.strictObject({ id: z.string().min(1).max(64) });

export type ApiTokenInfo = z.infer<typeof apiTokenInfo>;
export type CreateApiTokenInput = z.infer<typeof createApiTokenInput>;
