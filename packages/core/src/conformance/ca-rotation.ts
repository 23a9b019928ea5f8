import { validateCaConfig, type CaConfigRequest, type ExternalCa, type RootCaState } from "../cluster/ca-config.js";
import { isRampartError } from "../errors/index.js";
import { parseCertificate } from "../pki/cert.js";
import { fromPem } from "../pki/pem.js";
import { canonical, type CaConformancePorts, type Verdict } from "./cases.js";
import { CaRotationVector } from "./ca-rotation.schema.js";
import { vectorKind } from "./vector-kind.js";

type Root = { cert: string; key: string };

/** The roots and servers a scenario is built from: A is the swarm's root, B the one asked for, C a stranger. */
interface World {
  p: CaConformancePorts;
  A: Root;
  B: Root;
  C: Root;
  /** https URLs of TLS servers whose certificates A, B and C issued, and of a port nobody answers on. */
  serverA: string;
  serverB: string;
  serverC: string;
  closed: string;
}

const local = (root: Root, extra: Partial<RootCaState> = {}): RootCaState => ({ caCert: root.cert, caKey: root.key, lastForcedRotation: 0, rotation: null, ...extra });
const external = (root: Root, extra: Partial<RootCaState> = {}): RootCaState => ({ ...local(root, extra), caKey: null });
const request = (extra: Partial<CaConfigRequest> = {}): CaConfigRequest => ({ signingCaCert: "", signingCaKey: "", forceRotate: 0, externalCas: [], ...extra });
const cfssl = (url: string, caCert = ""): ExternalCa => ({ protocol: "cfssl", url, caCert });
const unknownProtocol = (url: string, caCert = ""): ExternalCa => ({ protocol: "acme", url, caCert });
const rotatingTo = (w: World, to: Root, key: string | null) => ({ caCert: to.cert, caKey: key, crossSignedCaCert: w.p.crossSign(w.A, to.cert) });

interface Scenario {
  /** The vector's prose for `current`, or undefined for the `valid` list, which does not say. */
  current?: string;
  request: string;
  /** Sub-cases: the same prose often covers several inputs ("unreachable or serving the wrong chain"). */
  build(w: World): Array<[label: string, current: RootCaState, request: CaConfigRequest]>;
}

const INVALID: Scenario[] = [
  {
    current: "local root (has key)",
    request: "SigningCAKey without SigningCACert",
    build: (w) => [["", local(w.A), request({ signingCaKey: w.B.key })]],
  },
  {
    current: "external root with a rotation in progress",
    request: "external CAs list has only a wrong protocol entry and an entry for the rotation cert",
    build: (w) => [
      [
        "",
        external(w.A, { rotation: rotatingTo(w, w.B, w.B.key) }),
        request({ externalCas: [unknownProtocol(w.serverA), cfssl(w.serverB, w.B.cert)] }),
      ],
    ],
  },
  {
    current: "external root",
    request:
      "new SigningCACert; external CAs for the current cert are unreachable/invalid URLs ('invalidurl', 'https://too:many:colons:1:2:3') or serve a cert not signed by the current root",
    build: (w) =>
      (
        [
          ["invalidurl", "invalidurl"],
          ["too-many-colons", "https://too:many:colons:1:2:3"],
          ["unreachable", w.closed],
          ["wrong-root", w.serverC],
        ] as const
      ).map(([label, url]) => [label, external(w.A), request({ signingCaCert: w.B.cert, signingCaKey: w.B.key, externalCas: [cfssl(url)] })]),
  },
  {
    current: "local root",
    request: "new SigningCACert without key; external CAs are wrong protocol or lack CACert (defaults to the current cert)",
    build: (w) => [
      ["wrong-protocol", local(w.A), request({ signingCaCert: w.B.cert, externalCas: [unknownProtocol(w.serverB, w.B.cert)] })],
      ["no-cacert", local(w.A), request({ signingCaCert: w.B.cert, externalCas: [cfssl(w.serverB)] })],
    ],
  },
  {
    current: "local root",
    request: "new SigningCACert without key; external CA entries for it point at a server whose cert is not signed by it / invalid URLs",
    build: (w) => [
      ["wrong-root", local(w.A), request({ signingCaCert: w.B.cert, externalCas: [cfssl(w.serverC, w.B.cert)] })],
      ["invalidurl", local(w.A), request({ signingCaCert: w.B.cert, externalCas: [cfssl("invalidurl", w.B.cert)] })],
    ],
  },
  {
    current: "local root with an external-CA rotation in progress",
    request: "no cert change; external CAs for the next cert wrong protocol / wrong cert",
    build: (w) => [
      ["wrong-protocol", local(w.A, { rotation: rotatingTo(w, w.B, null) }), request({ externalCas: [unknownProtocol(w.serverB, w.B.cert)] })],
      ["wrong-cert", local(w.A, { rotation: rotatingTo(w, w.B, null) }), request({ externalCas: [cfssl(w.serverC, w.C.cert)] })],
    ],
  },
  {
    current: "local root with an external-CA rotation in progress",
    request: "no cert change; external CA for the next cert unreachable or serving the wrong chain",
    build: (w) => [
      ["unreachable", local(w.A, { rotation: rotatingTo(w, w.B, null) }), request({ externalCas: [cfssl(w.closed, w.B.cert)] })],
      ["wrong-chain", local(w.A, { rotation: rotatingTo(w, w.B, null) }), request({ externalCas: [cfssl(w.serverC, w.B.cert)] })],
    ],
  },
  {
    current: "external root",
    request: "empty CAConfig (removing the current external CA)",
    build: (w) => [["", external(w.A), request()]],
  },
  {
    current: "external root",
    request: "new SigningCACert without key + external CAs for both certs",
    build: (w) => [["", external(w.A), request({ signingCaCert: w.B.cert, externalCas: [cfssl(w.serverA, w.A.cert), cfssl(w.serverB, w.B.cert)] })]],
  },
  {
    current: "local root",
    request: "SigningCACert containing two certificates + key",
    build: (w) => [["", local(w.A), request({ signingCaCert: w.B.cert + w.C.cert, signingCaKey: w.B.key })]],
  },
  {
    current: "local root",
    request: "new cert valid for only 364 days + key",
    build: (w) => {
      const short = w.p.root({ days: 364 });
      return [["", local(w.A), request({ signingCaCert: short.cert, signingCaKey: short.key })]];
    },
  },
  {
    current: "local root",
    request: "current cert with a different key",
    build: (w) => [["", local(w.A), request({ signingCaCert: w.A.cert, signingCaKey: w.B.key })]],
  },
  {
    current: "local root",
    request: "expired cert + its key",
    build: (w) => {
      const old = w.p.root({ expired: true });
      return [["", local(w.A), request({ signingCaCert: old.cert, signingCaKey: old.key })]];
    },
  },
  {
    current: "local root",
    request: "different cert but SigningCAKey byte-identical to the current key",
    build: (w) => {
      const again = w.p.root({ key: w.A.key });
      return [["", local(w.A), request({ signingCaCert: again.cert, signingCaKey: w.A.key })]];
    },
  },
];

interface ValidScenario extends Scenario {
  expect(w: World, before: RootCaState, after: RootCaState, req: CaConfigRequest): Verdict;
}

const same = (a: unknown, b: unknown, what: string): Verdict => ({ ok: canonical(a) === canonical(b), detail: `${what}: expected ${canonical(b)}, got ${canonical(a)}` });
const all = (...verdicts: Verdict[]): Verdict => verdicts.find((v) => !v.ok) ?? { ok: true };

/** A new rotation's intermediate: the wanted root's subject and key, issued and signed by the current root. */
function crossSignedBy(w: World, after: RootCaState, current: Root): Verdict {
  const rotation = after.rotation;
  if (!rotation) return { ok: false, detail: "expected a rotation in progress, got none" };
  const inter = parseCertificate(fromPem(rotation.crossSignedCaCert, "CERTIFICATE")[0]!);
  const wanted = parseCertificate(fromPem(rotation.caCert, "CERTIFICATE")[0]!);
  const issuer = parseCertificate(fromPem(current.cert, "CERTIFICATE")[0]!);
  const eq = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);
  return all(
    { ok: eq(inter.subjectName, wanted.subjectName) && eq(inter.spki, wanted.spki), detail: "the intermediate's subject and key are not the new root's" },
    { ok: eq(inter.issuerName, issuer.subjectName), detail: "the intermediate's issuer is not the current root" },
    { ok: w.p.verifies(rotation.crossSignedCaCert, current.cert), detail: "the intermediate does not verify with the current root's key" },
  );
}

const VALID: ValidScenario[] = [
  {
    request: "no change",
    build: (w) => [["", local(w.A), request()]],
    expect: (_w, before, after) => same(after, before, "root"),
  },
  {
    request: "same cert (and key) as current, ForceRotate changed",
    build: (w) => [["", local(w.A, { rotation: rotatingTo(w, w.B, w.B.key) }), request({ signingCaCert: w.A.cert, signingCaKey: w.A.key, forceRotate: 1 })]],
    expect: (w, _b, after) => same(after, local(w.A, { lastForcedRotation: 1 }), "root"),
  },
  {
    request: "same cert as current, key supplied where there was none (external->internal)",
    build: (w) => [["", external(w.A), request({ signingCaCert: w.A.cert, signingCaKey: w.A.key })]],
    expect: (w, _b, after) => same(after, local(w.A), "root"),
  },
  {
    request: "same cert as current, no key + reachable external CA (internal->external)",
    build: (w) => [["", local(w.A), request({ signingCaCert: w.A.cert, externalCas: [cfssl(w.serverA)] })]],
    expect: (w, _b, after) => same(after, external(w.A), "root"),
  },
  {
    request: "same cert as the in-progress rotation's cert",
    build: (w) => [
      ["", local(w.A, { rotation: rotatingTo(w, w.B, w.B.key) }), request({ signingCaCert: w.B.cert, forceRotate: 3, externalCas: [cfssl(w.serverB, w.B.cert)] })],
    ],
    expect: (_w, before, after) => same(after, { ...before, rotation: { ...before.rotation!, caKey: null }, lastForcedRotation: 3 }, "root"),
  },
  {
    request: "different cert (even same subject/key as the rotation cert, e.g. renewed)",
    build: (w) => {
      const renewed = w.p.root({ key: w.B.key });
      return [["", local(w.A, { rotation: rotatingTo(w, w.B, w.B.key) }), request({ signingCaCert: renewed.cert, signingCaKey: w.B.key })]];
    },
    expect: (w, before, after, req) =>
      all(
        same(after.rotation?.caCert, req.signingCaCert, "rotation's root"),
        same(after.rotation?.caKey, w.B.key, "rotation's key"),
        { ok: after.rotation?.crossSignedCaCert !== before.rotation?.crossSignedCaCert, detail: "the intermediate was not made again" },
        crossSignedBy(w, after, w.A),
      ),
  },
  {
    request: "only ForceRotate changed (docker swarm ca --rotate with no files)",
    build: (w) => [["", local(w.A), request({ forceRotate: 1 })]],
    expect: (w, _b, after) => {
      const fresh = after.rotation ? parseCertificate(fromPem(after.rotation.caCert, "CERTIFICATE")[0]!) : undefined;
      return all(
        same([after.caCert, after.caKey, after.lastForcedRotation], [w.A.cert, w.A.key, 1], "current root and forced rotation"),
        { ok: fresh?.subject.commonName === "swarm-ca" && after.rotation?.caCert !== w.A.cert, detail: "the new root is not a fresh swarm-ca" },
        { ok: typeof after.rotation?.caKey === "string" && after.rotation.caKey.length > 0, detail: "the new root has no key" },
        crossSignedBy(w, after, w.A),
      );
    },
  },
];

const outcome = async (run: () => Promise<RootCaState>): Promise<{ error: string } | { value: RootCaState }> => {
  try {
    return { value: await run() };
  } catch (error) {
    if (isRampartError(error)) return { error: error.message };
    throw error;
  }
};

/** ca_rotation.json: the root-CA change decisions, on real certificates and real TLS servers. */
export const caRotation = vectorKind("ca_rotation.json", CaRotationVector, async (data, c, ports) => {
  const p = ports.ca;
  if (!p) {
    c.check("ports", () => ({ ok: false, detail: "this run was given no CA ports (certificates, keys and TLS servers); `rampart conformance` gives them" }));
    return;
  }
  const [A, B, C] = [p.root(), p.root(), p.root()];
  const world: World = { p, A, B, C, serverA: await p.server(A), serverB: await p.server(B), serverC: await p.server(C), closed: await p.closedUrl() };
  try {
    for (const [i, item] of data.invalid.entries()) {
      const scenario = INVALID[i];
      if (!scenario || scenario.current !== item.current || scenario.request !== item.request) {
        c.check(`invalid/${i}`, () => ({ ok: false, detail: `the runner has no scenario for ${JSON.stringify(item.current)} / ${JSON.stringify(item.request)}` }));
        continue;
      }
      for (const [label, current, req] of scenario.build(world)) {
        await c.checkAsync(`invalid/${i}${label ? `/${label}` : ""}`, async () => {
          const got = await outcome(() => validateCaConfig(current, req, p, p.now()));
          if ("value" in got) return { ok: false, detail: `expected an error containing ${JSON.stringify(item.error_contains)}, but it was accepted` };
          return { ok: got.error.includes(item.error_contains), detail: `expected an error containing ${JSON.stringify(item.error_contains)}, got ${JSON.stringify(got.error)}` };
        });
      }
    }
    for (const [i, item] of data.valid.entries()) {
      const scenario = VALID[i];
      if (!scenario || scenario.request !== item.request) {
        c.check(`valid/${i}`, () => ({ ok: false, detail: `the runner has no scenario for ${JSON.stringify(item.request)}` }));
        continue;
      }
      for (const [label, current, req] of scenario.build(world)) {
        await c.checkAsync(`valid/${i}${label ? `/${label}` : ""}`, async () => {
          const got = await outcome(() => validateCaConfig(current, req, p, p.now()));
          if ("error" in got) return { ok: false, detail: `expected ${item.result}, got the error ${JSON.stringify(got.error)}` };
          return scenario.expect(world, current, got.value, req);
        });
      }
    }
  } finally {
    await p.close();
  }
});
