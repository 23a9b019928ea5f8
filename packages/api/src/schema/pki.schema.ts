import { z } from "zod";
import { DURATION_TEXT_MAX_LENGTH } from "./cluster.schema.js";
import { dateSchema } from "./common.schema.js";

/** A PEM input: certificates and keys are a few kilobytes; a bundle of a few roots at most. */
const pem = (what: string) => z.string().max(65_536, `${what} must be at most 64 KiB`);

/** `--external-ca protocol=cfssl,url=…[,cacert=…]`, parsed (the CLI parses the flag's CSV). */
export const externalCaInput = z.strictObject({
  protocol: z.string().min(1).max(32),
  url: z.string().min(1).max(2048),
  /** The root it signs under, PEM; empty for the current root. */
  caCert: pem("the external CA's cacert").default(""),
  options: z.record(z.string().max(128), z.string().max(1024)).optional(),
});

/**
 * `swarm ca --rotate`: with neither `caCert` nor `caKey`, a new root is made; with them,
 * that root. `externalCas` replaces the list when given. The key is PEM, never echoed.
 */
export const pkiRotateInput = z.strictObject({
  version: z.number().int().min(1),
  caCert: pem("caCert").default(""),
  caKey: pem("caKey").default(""),
  externalCas: z.array(externalCaInput).max(16).optional(),
  certExpiry: z.string().min(1).max(DURATION_TEXT_MAX_LENGTH).optional(),
});

/** `swarm update --external-ca/--cert-expiry`: the CA configuration without a rotation. */
export const pkiUpdateInput = z
  .strictObject({
    version: z.number().int().min(1),
    externalCas: z.array(externalCaInput).max(16).optional(),
    certExpiry: z.string().min(1).max(DURATION_TEXT_MAX_LENGTH).optional(),
  })
  .refine((v) => v.externalCas !== undefined || v.certExpiry !== undefined, "give externalCas or certExpiry");

const tlsStatus = z.enum(["ready", "needs-rotation", "unknown"]);
const issuer = z.enum(["current root", "new root", "another root", "unknown"]);

export const pkiNodesInput = z.strictObject({
  sort: z.enum(["hostname", "notAfter", "tlsStatus", "issuer", "renewal", "state"]).optional(),
  desc: z.boolean().optional(),
  search: z.string().max(256).optional(),
  tlsStatus: tlsStatus.optional(),
  issuer: issuer.optional(),
  expiringWithinDays: z.number().int().min(0).max(3650).optional(),
  offset: z.number().int().min(0).max(1_000_000).optional(),
  limit: z.number().int().min(1).max(500).optional(),
});

const rootView = z.object({
  pem: z.string(),
  digest: z.string(),
  fingerprintSha256: z.string(),
  subject: z.string(),
  notBefore: dateSchema,
  notAfter: dateSchema,
  key: z.string(),
  keyHeld: z.boolean().nullable(),
});

export const pkiNodeRowOutput = z.object({
  id: z.string(),
  hostname: z.string(),
  role: z.enum(["worker", "manager"]),
  state: z.enum(["ready", "down", "unknown"]),
  tlsStatus,
  issuance: z.object({ state: z.enum(["issued", "renew", "pending", "rotate", "failed"]), reason: z.string().nullable() }).nullable(),
  serial: z.string().nullable(),
  notBefore: dateSchema.nullable(),
  notAfter: dateSchema.nullable(),
  issuer,
  renewal: z.object({ from: dateSchema, to: dateSchema }).nullable(),
  trustRootCurrent: z.boolean().nullable(),
  rotation: z.object({ state: z.enum(["rotated", "pending", "unreachable"]), reason: z.string().nullable() }).nullable(),
});

export const pkiNodesOutput = z.object({ total: z.number().int(), rows: z.array(pkiNodeRowOutput) });

export const pkiStatusOutput = z.object({
  kind: z.enum(["native", "docker"]),
  version: z.number().int(),
  trustRoot: rootView,
  rotation: z
    .object({
      startedAt: dateSchema.nullable(),
      /** Null on a connected Docker Swarm: Docker gives the new root's subject and key, not its certificate. */
      target: rootView.nullable(),
      rotatedTls: z.number().int(),
      rotatedCa: z.number().int().nullable(),
      nodes: z.number().int(),
    })
    .nullable(),
  externalCas: z.array(z.object({ protocol: z.string(), url: z.string(), signsUnder: z.string() })),
  certExpiryMs: z.number(),
  forceRotate: z.number().int(),
  autolock: z.object({ enabled: z.boolean(), unlockKeyRotatedAt: dateSchema.nullable() }),
  tokens: z.object({ workerRotatedAt: dateSchema.nullable(), managerRotatedAt: dateSchema.nullable() }),
  lastRotatedAt: dateSchema.nullable(),
  counts: z.object({
    nodes: z.number().int(),
    ready: z.number().int(),
    needsRotation: z.number().int(),
    unknown: z.number().int(),
    pending: z.number().int(),
    expiringSoon: z.number().int(),
    trustRootCurrent: z.number().int().nullable(),
  }),
  warnings: z.array(
    z.object({
      id: z.string(),
      severity: z.enum(["critical", "warning"]),
      text: z.string(),
      nodeIds: z.array(z.string()).optional(),
      at: dateSchema.optional(),
    }),
  ),
  timeline: z.array(z.object({ from: dateSchema, to: dateSchema, count: z.number().int() })),
  notReported: z.array(z.string()),
});
