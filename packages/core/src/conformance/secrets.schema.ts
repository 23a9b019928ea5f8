import { z } from "zod";
import { caseNotes, provenance } from "./common.schema.js";

/** gRPC codes as the vectors spell them. */
export const GrpcCode = z.enum(["InvalidArgument", "AlreadyExists", "NotFound"]);
export type GrpcCode = z.infer<typeof GrpcCode>;

const sizeRule = {
  min_bytes: z.number().int(),
  max_bytes_inclusive: z.number().int(),
  /** Informative: Swarm's constant, in words. */
  limit_constant: z.string(),
  error: z.string(),
};

/** `0444 (octal)`: a Go octal mode with its explanation, read as a number. */
const octalMode = z.string().transform((text, ctx) => {
  const digits = /^0?([0-7]+)\b/.exec(text)?.[1];
  if (digits) return Number.parseInt(digits, 8);
  ctx.issues.push({ code: "custom", message: "expected an octal mode such as 0444", input: text });
  return z.NEVER;
});

/** secrets.json: secret and config rules (manager/controlapi, docker/cli, moby's mount paths). */
export const SecretsVector = z.strictObject({
  ...provenance,
  /** Informative: the name rule as a regular expression; checkSecretName states it in code. */
  name_regex: z.string(),
  name_max_length: z.number().int(),
  names: z.array(
    z.strictObject({ name: z.string(), valid: z.boolean(), error: z.string().optional(), code: GrpcCode.optional(), ...caseNotes }),
  ),
  payload: z.strictObject({
    /** Informative `skipped_when`: a secret with a driver gets its value from the plugin. */
    secret: z.strictObject({ ...sizeRule, skipped_when: z.string() }),
    config: z.strictObject(sizeRule),
    cases: z.array(
      z.strictObject({
        kind: z.enum(["secret", "config"]),
        bytes: z.number().int().optional(),
        data_utf8: z.string().optional(),
        driver: z.strictObject({ name: z.string() }).optional(),
        valid: z.boolean(),
        error: z.string().optional(),
        ...caseNotes,
      }),
    ),
  }),
  update_rules: z.strictObject({ allowed: z.string(), error: z.string(), code: GrpcCode }),
  create_conflict: z.strictObject({ error_secret: z.string(), error_config: z.string(), code: GrpcCode }),
  remove_in_use: z.strictObject({ rule: z.string(), error_secret: z.string(), error_config: z.string(), code: GrpcCode, example: z.string() }),
  reference_cases: z.array(
    z.strictObject({
      refs: z.array(
        z.strictObject({
          /** The stored secret's name; the case's store holds one under `id-<name>`. */
          secret: z.string().optional(),
          secret_id: z.string().optional(),
          secret_name: z.string().optional(),
          target: z.string().optional(),
        }),
      ),
      valid: z.boolean(),
      error: z.string().optional(),
      ...caseNotes,
    }),
  ),
  cli_defaults: z.strictObject({
    source: z.string(),
    file_name: z.string(),
    uid: z.string(),
    gid: z.string(),
    mode: octalMode,
    /** Informative: the flag's syntax in words. */
    syntax: z.string(),
  }),
  mount_paths: z.strictObject({
    source: z.string(),
    secret_linux: z.string(),
    secret_windows: z.string(),
    config_linux: z.string(),
    config_windows: z.string(),
  }),
});
export type SecretsVector = z.infer<typeof SecretsVector>;
