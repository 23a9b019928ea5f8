import { toHex } from "../encoding/index.js";
import { newId } from "../id/index.js";
import { formatJoinToken, formatUnlockKey, joinTokenDigest, joinTokenSecret, parseJoinToken, parseUnlockKey } from "../token/index.js";
import { errorOf } from "./cases.js";
import { vectorKind } from "./vector-kind.js";
import { TokensVector } from "./tokens.schema.js";

/** A parsed token in the vectors' field names. */
function asVector(token: string) {
  const p = parseJoinToken(token);
  return { version: p.version, fips: p.fips, root_digest: p.rootDigest, secret: p.secret };
}

/** tokens.json: join tokens, unlock keys and node IDs, byte for byte. */
export const tokens = vectorKind("tokens.json", TokensVector, (data, c, ports) => {
  const w = data.worked_example;
  const pem = new TextEncoder().encode(w.root_ca_pem);
  c.equal("worked_example/sha256", () => ports.sha256Hex(pem), w.root_ca_sha256_hex);
  c.equal("worked_example/digest", () => joinTokenDigest(w.root_ca_sha256_hex), w.digest_base36_padded50);
  c.equal("worked_example/secret", () => joinTokenSecret(w.secret_bytes_hex), w.secret_base36_padded25);
  c.equal("worked_example/token_v1", () => formatJoinToken(ports.sha256Hex(pem), w.secret_bytes_hex), w.token_v1);
  c.equal("worked_example/token_v1_other_secret", () => formatJoinToken(ports.sha256Hex(pem), w.token_v1_other_secret.secret_bytes_hex), w.token_v1_other_secret.token);
  c.equal("worked_example/token_v2_fips", () => formatJoinToken(ports.sha256Hex(pem), w.secret_bytes_hex, true), w.token_v2_fips);
  c.equal("worked_example/all_zero_secret", () => formatJoinToken(ports.sha256Hex(pem), new Uint8Array(16)), w.token_with_all_zero_secret);
  c.equal("worked_example/parse", () => asVector(w.token_v1), w.parse_of_token_v1);
  for (const [i, item] of data.parse_cases.entries()) {
    c.equal(`parse_cases/${i}`, () => {
      const r = errorOf(() => asVector(item.token));
      return "error" in r ? { error: r.error } : r.value;
    }, item.expect);
  }
  const example = data.unlock_key.example;
  c.equal("unlock_key/example", () => formatUnlockKey(example.key_bytes_hex), example.unlock_key);
  c.equal("unlock_key/example_length", () => example.unlock_key.length, example.length);
  for (const [i, item] of data.unlock_key.parse_cases.entries()) {
    c.equal(`unlock_key/parse_cases/${i}`, () => {
      const r = errorOf(() => parseUnlockKey(item.input));
      return "error" in r ? { error: r.error } : { key_bytes_hex: toHex(r.value) };
    }, item.expect);
  }
  for (const [i, item] of data.node_ids.examples.entries()) {
    c.equal(`node_ids/${i}`, () => newId(item.bytes_hex), item.id);
  }
});
