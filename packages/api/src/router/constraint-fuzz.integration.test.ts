import { isRampartError, parseConstraint } from "@rampart/core";
import { testStoreKinds } from "@rampart/db/testing";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHarness, serveApi, type Harness } from "../test-support/harness.js";

/**
 * 10,000 constraint strings, most of them broken in some way, sent to a real HTTP
 * endpoint as the second constraint of a service update. None may get a 5xx; each
 * valid one is accepted; each invalid one gets a 4xx whose message is Swarm's and names
 * the bad part (the key, the value, or the missing operator) and whose field is
 * `constraints[1]`. fast-check generates them from a fixed seed, so a failure replays and
 * shrinks. All 10,000 run on each store.
 */
const CASES: Record<string, number> = { pglite: 10_000, postgres: 10_000 };

const KEYS = ["node.id", "node.hostname", "node.role", "node.ip", "node.platform.os", "node.platform.arch", "node.labels.zone", "engine.labels.disk", "NODE.LABELS.Zone", "node.labels.", "node", "n", "9key", "_k", "node labels", "node.labels.ü", "", " ", "node.labels.a=b", "node.labels.zone!"];
const OPERATORS = ["==", "!=", "=", "!", "~", "<>", "===", "!==", "= =", "", " == ", "==!="];
const VALUES = ["eu-1", "yes", "manager", "10.0.0.0/8", "192.168.1.1", "fe80::1", "*", "a.b:c", "(x)", "[a]", "^$|/", "", " ", "ü", "a\"b", "a'b", "a,b", "a;b", "a=b", "x\u00a0", "\t", "😀", "<script>", "%00", "a b", "1e9"];
const JUNK = ["\u0000", "\u0001", "\u007f", "\u2028", "\u00a0", "\u3000", "\\", "\"", "'", "{", "}", "#", "@", "&", "=", "!", " ", "\n", "é", "ß", "İ", "\ud83d\ude00"];

/** One edit of an expression: insert junk, delete, replace with a printable character, or repeat the whole. */
const edit = fc.record({
  at: fc.nat(),
  kind: fc.integer({ min: 0, max: 9 }),
  junk: fc.constantFrom(...JUNK),
  char: fc.integer({ min: 32, max: 126 }),
  times: fc.integer({ min: 1, max: 3 }),
});

/** Half the parts come from the well-formed ones, so valid expressions are common too. */
const part = (list: readonly string[], wellFormed: number) => fc.oneof(fc.constantFrom(...list.slice(0, wellFormed)), fc.constantFrom(...list));

const fuzzed = fc
  .tuple(
    part(KEYS, 9),
    part(OPERATORS, 2),
    part(VALUES, 12),
    fc.oneof({ weight: 4, arbitrary: fc.constant([]) }, { weight: 6, arbitrary: fc.array(edit, { maxLength: 3 }) }),
    fc.integer({ min: 0, max: 99 }),
    fc.integer({ min: 0, max: 99 }),
  )
  .map(([key, operator, value, edits, pad, long]) => {
    let text = `${key}${operator}${value}`;
    for (const e of edits) {
      const at = e.at % (text.length + 1);
      if (e.kind < 4) text = text.slice(0, at) + e.junk + text.slice(at);
      else if (e.kind < 7) text = text.slice(0, at) + text.slice(at + 1);
      else if (e.kind < 9) text = text.slice(0, at) + String.fromCharCode(e.char) + text.slice(at + 1);
      else text = text.repeat(e.times);
    }
    if (pad < 10) text = ` ${text}\t`;
    if (long < 1) text = text.padEnd(600, "x");
    return text;
  });

/** tRPC's answer over HTTP, as far as this test reads it. */
interface Reply {
  result?: { data: { json: { version: number } } };
  error?: { json: { message: string; data: { field?: string } } };
}

/** What Swarm says about one expression: null when it is valid. */
function swarmVerdict(expression: string): string | null {
  try {
    parseConstraint(expression);
    return null;
  } catch (error) {
    if (isRampartError(error)) return error.message;
    throw error;
  }
}

describe.each(testStoreKinds())("fuzzed constraints through the API on %s", (kind) => {
  let h: Harness;
  let api: Awaited<ReturnType<typeof serveApi>>;
  let base: string;
  let host: string;
  let cookie: string;

  beforeAll(async () => {
    h = await createHarness(kind);
    const admin = await h.setupAdmin();
    cookie = `__Host-rampart_session=${await h.login(admin.username, admin.password)}`;
    api = await serveApi(h, { maxBodyBytes: 64 * 1024 });
    ({ base, host } = api);
  });
  afterAll(async () => {
    await api.close();
    await h.dispose();
  });

  it("ok/no 5xx; valid ones are taken; each invalid one gets Swarm's message naming the bad part", async () => {
    const runs = CASES[kind] ?? 10_000;
    const spec = (constraints: string[]) => ({
      name: "fuzz",
      image: "nginx:alpine",
      replicas: 0,
      constraints,
    });
    const call = async (path: string, input: unknown) => {
      const response = await fetch(`${base}/${path}`, {
        method: "POST",
        headers: { "content-type": "application/json", origin: `http://${host}`, cookie },
        body: JSON.stringify({ json: input }),
      });
      return { status: response.status, body: (await response.json()) as Reply };
    };
    const created = await call("service.create", spec([]));
    expect(created.status).toBe(200);
    let version = created.body.result!.data.json.version;

    const tally = { valid: 0, invalid: 0, tooLong: 0, status5xx: 0 };
    const failures: string[] = [];
    const check = async (expression: string): Promise<void> => {
      const { status, body } = await call("service.update", { ref: "fuzz", version, spec: spec(["node.role == worker", expression]) });
      if (status >= 500) {
        tally.status5xx++;
        failures.push(`${JSON.stringify(expression)}: ${status}`);
      }
      // NUL is refused before anything else reads the input; then the length; then Swarm.
      const verdict = expression.includes("\0") ? "NUL" : expression.length > 512 ? "too long" : swarmVerdict(expression);
      if (verdict === null) {
        tally.valid++;
        if (status !== 200) failures.push(`${JSON.stringify(expression)}: valid, but got ${status}`);
        else version = body.result!.data.json.version;
        return;
      }
      tally.invalid++;
      const error = body.error?.json;
      if (status < 400 || status >= 500 || !error) {
        failures.push(`${JSON.stringify(expression)}: invalid, but got ${status}`);
        return;
      }
      if (verdict === "NUL") {
        if (!/constraints\.1: must not contain NUL characters$/.test(error.message)) failures.push(`${JSON.stringify(expression)}: ${error.message}`);
        return;
      }
      if (verdict === "too long") {
        tally.tooLong++;
        if (error.data.field !== "spec.constraints.1") failures.push(`${JSON.stringify(expression)}: field ${error.data.field}`);
        return;
      }
      if (error.message !== verdict) failures.push(`${JSON.stringify(expression)}: message ${JSON.stringify(error.message)}, Swarm says ${JSON.stringify(verdict)}`);
      if (error.data.field !== "constraints[1]") failures.push(`${JSON.stringify(expression)}: field ${error.data.field}`);
      // The message quotes the part that is wrong, or says which operator is missing.
      const named = /^(key|value) '([\s\S]*)' is invalid$/.exec(error.message);
      if (named) {
        if (!expression.includes(named[2]!)) failures.push(`${JSON.stringify(expression)}: ${JSON.stringify(error.message)} quotes text not in the expression`);
      } else if (error.message !== "constraint expected one operator from ==, !=") {
        failures.push(`${JSON.stringify(expression)}: unexpected message ${JSON.stringify(error.message)}`);
      }
    };
    await fc.assert(
      fc.asyncProperty(fuzzed, async (expression) => {
        const before = failures.length;
        await check(expression);
        // A failure stops the run and shrinks to the smallest expression that shows it.
        expect(failures.slice(before)).toEqual([]);
      }),
      { numRuns: runs, seed: 0x5eed },
    );
    console.log(`constraint fuzz (${kind}): ${JSON.stringify(tally)}`);
    expect(failures.slice(0, 20)).toEqual([]);
    expect(tally.status5xx).toBe(0);
    // The generator must exercise both sides, or the test proves little.
    expect(tally.valid).toBeGreaterThan(runs / 10);
    expect(tally.invalid).toBeGreaterThan((runs * 4) / 10);
    expect(h.log.lines.filter((l) => l.level === "error")).toEqual([]);
  }, 600_000);
});
