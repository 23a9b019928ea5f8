import { fromBase64, payloadSizeMessage, SECRET_MESSAGES, SECRET_NAME_MAX_LENGTH } from "@rampart/core";
import { z } from "zod";
import { dateSchema } from "./common.schema.js";
import { labelKey, labelValue } from "./node.schema.js";

/**
 * Secrets as the API takes and gives them. The payload travels once, base64 in JSON, at
 * creation; no output schema has a field that could carry it. Names and sizes are
 * checked by the manager with Swarm's words; these schemas only bound the input.
 */

/**
 * The longest base64 text taken: the HTTP body limit (1 MiB) is lower, so a payload that
 * gets through is decoded and refused, if too big, with Swarm's own message.
 */
export const MAX_SECRET_DATA_BASE64 = 1 << 20;

/** A payload: standard, padded base64, decoded here. The size rule is the manager's. */
export const secretDataInput = z
  .string()
  .max(MAX_SECRET_DATA_BASE64, payloadSizeMessage("secret"))
  .transform((text, ctx) => {
    const bytes = fromBase64(text);
    if (bytes) return bytes;
    ctx.addIssue({ code: "custom", message: "must be base64 (standard alphabet, with padding)" });
    return z.NEVER;
  });

/**
 * Swarm's name rule (core's SECRET_NAME_MAX_LENGTH, which the UI's input also takes) is the
 * manager's, so a name too long gets Swarm's message word for word, as clients match on
 * it; this only bounds the input.
 */
export const secretNameInput = z.string().max(SECRET_NAME_MAX_LENGTH * 64, SECRET_MESSAGES.nameInvalid);

const labelsInput = z.record(labelKey, labelValue);

export const createSecretInput = z.strictObject({
  name: secretNameInput,
  data: secretDataInput,
  labels: labelsInput.default({}),
});

/** A secret by ID, ID prefix or name, as docker accepts. */
export const secretRefInput = z.strictObject({ ref: z.string().min(1, "secret is required").max(256) });

export const listSecretsInput = z
  .strictObject({
    /** Matches names (case-insensitively) or an ID prefix. */
    search: z.string().max(128).optional(),
  })
  .optional();

/**
 * Labels only, as Swarm allows. A name may be sent (Swarm's UpdateSecret takes the whole
 * spec) but is refused unless unchanged. A payload is refused whatever it holds, unread:
 * Swarm's "refused unless unchanged" would tell a caller whether a guess is the value.
 */
export const updateSecretInput = z.strictObject({
  ref: z.string().min(1).max(256),
  /** The version the caller read: a stale one is refused, so updates never overwrite silently. */
  version: z.number().int().min(1),
  labels: labelsInput,
  name: secretNameInput.optional(),
  data: z.never({ error: SECRET_MESSAGES.dataInUpdate }).optional(),
});

export const secretServiceUseSchema = z.object({
  id: z.string(),
  name: z.string(),
  references: z.array(z.object({ target: z.string(), uid: z.string(), gid: z.string(), mode: z.number().int() })),
});

export const secretHolderSchema = z.object({
  nodeId: z.string(),
  hostname: z.string().nullable(),
  tasks: z.number().int(),
});

/** Metadata only: what `secret ls` and `secret inspect` show. */
export const secretViewSchema = z.object({
  id: z.string(),
  name: z.string(),
  /** The value's length in bytes; null on a Docker Swarm, whose Engine API never reports it. */
  size: z.number().int().nullable(),
  labels: z.record(z.string(), z.string()),
  version: z.number().int(),
  createdAt: dateSchema,
  updatedAt: dateSchema,
  /** The services whose spec references the secret, with their targets. */
  services: z.array(secretServiceUseSchema),
  /** The nodes that hold it now: tasks from ASSIGNED to RUNNING of those services. */
  nodes: z.array(secretHolderSchema),
  /** What only a Docker Swarm says: the secrets driver holding the value outside the swarm, if any. */
  docker: z.object({ driver: z.string().nullable() }).optional(),
});

export const removedSecretSchema = z.object({ id: z.string(), name: z.string() });

/**
 * A rotation: a new version of `ref` with this payload, and every service that
 * references `ref` moved to it under the same target, owner and mode. The name defaults
 * to the next `_v<N>` (`db_password` → `db_password_v2`, `db_password_v2` →
 * `db_password_v3`), the labels to the old version's.
 */
export const rotateSecretInput = z.strictObject({
  ref: z.string().min(1, "secret is required").max(256),
  data: secretDataInput,
  name: secretNameInput.optional(),
  labels: labelsInput.optional(),
});

const namedObjectSchema = z.object({ id: z.string(), name: z.string() });

export const secretRotationSchema = z.object({
  from: secretViewSchema,
  to: secretViewSchema,
  /** The services moved to the new version. */
  services: z.array(namedObjectSchema),
});

/** A rotation's two versions, by ID, ID prefix or name. */
export const rotationProgressInput = z.strictObject({
  from: z.string().min(1, "the old secret is required").max(256),
  to: z.string().min(1, "the new secret is required").max(256),
});

/** Where a rotation stands; `done` once no service references the old version and no task holds it. */
export const rotationProgressSchema = z.object({
  from: namedObjectSchema,
  to: namedObjectSchema,
  /** The services that reference either version; `updated` once a service references only the new one. */
  services: z.array(namedObjectSchema.extend({ updated: z.boolean() })),
  /** Tasks, ASSIGNED to RUNNING, made with the old version / with the new one. */
  tasksOnOld: z.number().int(),
  tasksOnNew: z.number().int(),
  /** The nodes that hold the old version now (`tasks`: how many of their tasks were made with it). */
  nodesWithOld: z.array(secretHolderSchema),
  done: z.boolean(),
  /** Whether `secret.remove` of the old version would be accepted (no service references it). */
  canRemoveOld: z.boolean(),
  /**
   * On a Docker Swarm, where a rotation is a sequence of service updates that Rampart
   * follows, and removes the old version at the end of: its phase, where and why it
   * stopped (Docker's words), and each service's tasks by version with Docker's update
   * status. `untracked`: not started by this server process, so read from Docker alone.
   */
  docker: z
    .object({
      phase: z.enum(["moving", "rolling-out", "complete", "stopped", "untracked"]),
      why: z.string().nullable(),
      oldRemoved: z.boolean(),
      services: z.array(
        namedObjectSchema.extend({
          updated: z.boolean(),
          tasksOnOld: z.number().int(),
          tasksOnNew: z.number().int(),
          updateState: z.string().nullable(),
          updateMessage: z.string().nullable(),
        }),
      ),
    })
    .optional(),
});

export type CreateSecretInput = z.input<typeof createSecretInput>;
export type SecretViewOutput = z.infer<typeof secretViewSchema>;
export type RotateSecretInput = z.input<typeof rotateSecretInput>;
export type SecretRotationOutput = z.infer<typeof secretRotationSchema>;
export type RotationProgressOutput = z.infer<typeof rotationProgressSchema>;
