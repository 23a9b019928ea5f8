import { toHex } from "../encoding/index.js";
import { newId } from "../id/index.js";
import { formatJoinToken, joinTokenDigest, joinTokenSecret, parseJoinToken, formatUnlockKey, parseUnlockKey } from "../token/index.js";
import { Cases, errorOf, hex, type CaseResult, type ConformancePorts, type Json } from "./cases.js";

/** A parsed token in the vectors' field names. */
function asVector(token: string): Json {
  const p = parseJoinToken(token);
  return { version: p.version, fips: p.fips, root_digest: p.rootDigest, secret: p.secret };
}

/** tokens.json: join tokens, unlock keys and node IDs, byte for byte. */
export function runTokens(data: Json, ports: ConformancePorts): CaseResult[] {
  const c = new Cases("tokens.json");
  const w = data.worked_example as Json;
  const pem = new TextEncoder().encode(w.root_ca_pem as string);
  const other = w.token_v1_other_secret as Json;
  c.equal("worked_example/sha256", () => ports.sha256Hex(pem), w.root_ca_sha256_hex);
  c.equal("worked_example/digest", () => joinTokenDigest(w.root_ca_sha256_hex as string), w.digest_base36_padded50);
  c.equal("worked_example/secret", () => joinTokenSecret(hex(w.secret_bytes_hex as string)), w.secret_base36_padded25);
  c.equal("worked_example/token_v1", () => formatJoinToken(ports.sha256Hex(pem), hex(w.secret_bytes_hex as string)), w.token_v1);
  c.equal("worked_example/token_v1_other_secret", () => formatJoinToken(ports.sha256Hex(pem), hex(other.secret_bytes_hex as string)), other.token);
  c.equal("worked_example/token_v2_fips", () => formatJoinToken(ports.sha256Hex(pem), hex(w.secret_bytes_hex as string), true), w.token_v2_fips);
  c.equal("worked_example/all_zero_secret", () => formatJoinToken(ports.sha256Hex(pem), new Uint8Array(16)), w.token_with_all_zero_secret);
  c.equal("worked_example/parse", () => asVector(w.token_v1 as string), w.parse_of_token_v1);
  for (const [i, item] of (data.parse_cases as Json[]).entries()) {
    const expect = item.expect as Json;
    c.equal(`parse_cases/${i}`, () => {
      const r = errorOf(() => asVector(item.token as string));
      return "error" in r ? { error: r.error } : r.value;
    }, expect);
  }
  const unlock = data.unlock_key as Json;
  const example = unlock.example as Json;
  c.equal("unlock_key/example", () => formatUnlockKey(hex(example.key_bytes_hex as string)), example.unlock_key);
  c.equal("unlock_key/example_length", () => (example.unlock_key as string).length, example.length);
  for (const [i, item] of (unlock.parse_cases as Json[]).entries()) {
    c.equal(`unlock_key/parse_cases/${i}`, () => {
      const r = errorOf(() => parseUnlockKey(item.input as string));
      return "error" in r ? { error: r.error } : { key_bytes_hex: toHex(r.value as Uint8Array) };
    }, item.expect);
  }
  for (const [i, item] of ((data.node_ids as Json).examples as Json[]).entries()) {
    c.equal(`node_ids/${i}`, () => newId(hex(item.bytes_hex as string)), item.id);
  }
  return c.results;
}
