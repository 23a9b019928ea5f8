import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, USERNAME_MAX_LENGTH } from "@rampart/core";
import { z } from "zod";
import { dateSchema, userSchema } from "./common.schema.js";

/**
 * One schema per concept, shared by the procedures and the forms that call them. The
 * server applies the full rules (core's `normalizeUsername`, `checkNewPassword`); these
 * bound sizes and types so that nothing oversized reaches them.
 */
export const usernameField = z
  .string()
  .min(1, "username is required")
  .max(USERNAME_MAX_LENGTH, `username must be at most ${USERNAME_MAX_LENGTH} characters`);

/** The one-time setup code's bound (the code itself is 19 characters, `XXXX-XXXX-XXXX-XXXX`). */
export const SETUP_CODE_MAX_LENGTH = 64;
export const passwordField = z
  .string()
  .min(1, "password is required")
  .max(PASSWORD_MAX_LENGTH, `password must be at most ${PASSWORD_MAX_LENGTH} characters`);

/** A password being chosen: the length rule is checked in the form as well as on the server. */
export const newPasswordField = z
  .string()
  .min(PASSWORD_MIN_LENGTH, `password must be at least ${PASSWORD_MIN_LENGTH} characters`)
  .max(PASSWORD_MAX_LENGTH, `password must be at most ${PASSWORD_MAX_LENGTH} characters`);

export const setupInput = z.strictObject({
  code: z.string().min(1, "setup code is required").max(SETUP_CODE_MAX_LENGTH, "setup code is too long"),
  username: usernameField,
  password: newPasswordField,
});

export const loginInput = z.strictObject({
  username: usernameField,
  password: passwordField,
});

export const sessionOutput = z.object({
  user: userSchema,
  /** When the session ends at the latest; null for an API token. */
  expiresAt: dateSchema.nullable(),
  /** Which credential this request used. */
  via: z.enum(["session", "apitoken", "local"]),
});

export const setupStatusOutput = z.object({ setupNeeded: z.boolean() });

export type SetupInput = z.infer<typeof setupInput>;
export type LoginInput = z.infer<typeof loginInput>;
