import { DOCKER_HOST_MAX_LENGTH, ENV_NAME_MAX_LENGTH } from "@rampart/core";
import { z } from "zod";
import { dateSchema } from "./common.schema.js";

/** PEM material is small; a chain of a few certificates fits easily. */
export const PEM_MAX_LENGTH = 32 * 1024;

const pem = (what: string) => z.string().min(1, `${what} is empty`).max(PEM_MAX_LENGTH, `${what} is longer than ${PEM_MAX_LENGTH} characters`);

export const envNameSchema = z.string().min(1, "environment is required").max(ENV_NAME_MAX_LENGTH);

/**
 * The environment a cluster procedure acts on (ADR 0020): a connected swarm's name, or
 * absent (or `native`) for Rampart's own cluster. Every cluster procedure's input takes it.
 */
export const envField = { env: envNameSchema.optional() };

/** For procedures that took no input before: `{ env }` or nothing at all. */
export const envOnlyInput = z.strictObject(envField).optional();

export const addEnvironmentInput = z
  .strictObject({
    name: envNameSchema,
    dockerHost: z.string().min(1, "docker host is required").max(DOCKER_HOST_MAX_LENGTH),
    tlsCa: pem("the CA certificate").optional(),
    tlsCert: pem("the client certificate").optional(),
    tlsKey: pem("the client key").optional(),
    insecure: z.boolean().default(false),
  })
  .superRefine((input, ctx) => {
    const given = [input.tlsCa, input.tlsCert, input.tlsKey].filter((v) => v !== undefined).length;
    if (given > 0 && given < 3) {
      for (const field of ["tlsCa", "tlsCert", "tlsKey"] as const) {
        if (input[field] === undefined) ctx.addIssue({ code: "custom", path: [field], message: "TLS needs all three: the CA certificate, the client certificate and the client key" });
      }
    }
    if (given === 3 && input.insecure) ctx.addIssue({ code: "custom", path: ["insecure"], message: "insecure and TLS material together: give one or the other" });
  });

export const envRefInput = z.strictObject({ name: envNameSchema });

export const connectionSchema = z.object({
  state: z.enum(["connected", "unreachable", "manager-lost"]),
  since: dateSchema.nullable(),
  detail: z.string().nullable(),
  checkedAt: dateSchema.nullable(),
  apiVersion: z.string().nullable(),
  engineVersion: z.string().nullable(),
});

/** A connected swarm as the API shows it: never the client key, only whether there is one. */
export const environmentSchema = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.literal("docker"),
  dockerHost: z.string(),
  tlsCa: z.string().nullable(),
  tlsCert: z.string().nullable(),
  hasTlsKey: z.boolean(),
  insecure: z.boolean(),
  clusterId: z.string(),
  createdAt: dateSchema,
  createdBy: z.string(),
  connection: connectionSchema,
});

export type EnvironmentOutput = z.infer<typeof environmentSchema>;
export type AddEnvironmentInput = z.infer<typeof addEnvironmentInput>;
