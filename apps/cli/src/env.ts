import { z } from "zod";

/**
 * The only module that reads the environment. Everything else receives values from
 * here, so a typo in a variable name is an error at start, not a silent default.
 */
const schema = z.object({
  RAMPART_DATA_DIR: z.string().min(1).optional(),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "DATABASE_URL must be a postgres:// or postgresql:// URL")
    .optional()
    .or(z.literal("").transform(() => undefined)),
  RAMPART_KEK_FILE: z.string().min(1).optional(),
  RAMPART_LOG_LEVEL: z.enum(["trace", "debug", "info", "warn", "error", "fatal", "silent"]).optional(),
  RAMPART_LOG_FORMAT: z.enum(["json", "pretty"]).optional(),
  RAMPART_HOST: z.string().min(1).optional(),
  RAMPART_TOKEN: z.string().min(1).optional(),
  /** The environment cluster commands act on (ADR 0020): a connected swarm's name, or `native`. */
  RAMPART_ENV: z.string().min(1).optional(),
  /** A join token for `rampart agent join`, kept out of the process's arguments. */
  RAMPART_JOIN_TOKEN: z.string().min(1).optional(),
  /** The container engine (as the docker CLI reads them): `unix:///path`, `tcp://host:port`, `ssh://host`. */
  DOCKER_HOST: z.string().min(1).optional(),
  DOCKER_TLS_VERIFY: z.string().optional(),
  DOCKER_CERT_PATH: z.string().min(1).optional(),
  /** Where the built web UI is; defaults to apps/web beside this package. */
  RAMPART_WEB_DIR: z.string().min(1).optional(),
});

export type Env = z.infer<typeof schema>;

export function readEnv(source: NodeJS.ProcessEnv = process.env): Env {
  const result = schema.safeParse(source);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new Error(`environment variable ${issue.path.join(".")}: ${issue.message}`);
  }
  return result.data;
}
