import { z } from "zod";
import { caseNotes, failure, hexBytes, provenance } from "./common.schema.js";

const parsedToken = z.strictObject({ version: z.number().int(), fips: z.boolean(), root_digest: z.string(), secret: z.string() });

/** tokens.json: join tokens, unlock keys and node IDs (ca/config.go, manager/encryption, identity). */
export const TokensVector = z.strictObject({
  ...provenance,
  /** Informative: the formats in words. */
  join_token_format: z.record(z.string(), z.string()),
  worked_example: z.strictObject({
    note: z.string(),
    root_ca_pem: z.string(),
    root_ca_sha256_hex: z.string(),
    /** Informative: Docker's spelling of the same digest. */
    cluster_ca_cert_hash: z.string(),
    digest_base36_padded50: z.string(),
    secret_bytes_hex: hexBytes,
    secret_base36_padded25: z.string(),
    token_v1: z.string(),
    token_v1_other_secret: z.strictObject({ secret_bytes_hex: hexBytes, token: z.string() }),
    token_v2_fips: z.string(),
    token_with_all_zero_secret: z.string(),
    parse_of_token_v1: parsedToken,
  }),
  parse_cases: z.array(z.strictObject({ token: z.string(), expect: z.union([parsedToken, failure]), ...caseNotes })),
  unlock_key: z.strictObject({
    /** Informative: the format in words. */
    format: z.string(),
    example: z.strictObject({ key_bytes_hex: hexBytes, unlock_key: z.string(), length: z.number().int() }),
    parse_cases: z.array(
      z.strictObject({ input: z.string(), expect: z.union([z.strictObject({ key_bytes_hex: z.string() }), failure]), ...caseNotes }),
    ),
  }),
  node_ids: z.strictObject({
    /** Informative: the rule in words. */
    rule: z.string(),
    source: z.string(),
    examples: z.array(z.strictObject({ bytes_hex: hexBytes, id: z.string() })),
  }),
});
export type TokensVector = z.infer<typeof TokensVector>;
