import { z } from "zod";
import { newPasswordField, usernameField } from "./auth.schema.js";

/** Account recovery on the admin socket: `rampart user unlock` and `rampart user reset-password`. */
export const userNameInput = z.strictObject({ username: usernameField });

export const resetPasswordInput = z.strictObject({ username: usernameField, password: newPasswordField });

export const unlockOutput = z.object({
  username: z.string(),
  /** How many sign-in counters were cleared: 0 when nothing was locked or slowed. */
  cleared: z.number().int(),
});

export const resetPasswordOutput = z.object({
  username: z.string(),
  /** How many of the user's sessions the reset ended. */
  sessionsEnded: z.number().int(),
});

export type ResetPasswordInput = z.infer<typeof resetPasswordInput>;
