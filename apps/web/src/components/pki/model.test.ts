import { describe, expect, it } from "vitest";
import {
  NO_FILTERS,
  ROTATE_DEFAULTS,
  bucketLabel,
  bucketText,
  expiringDays,
  externalCasChanged,
  filtered,
  formFieldOf,
  keyAge,
  nodesQuery,
  rotateForm,
  rotateInput,
  settingsDefaults,
  settingsForm,
  type PkiStatus,
} from "./model";

const DAY = 86_400_000;
const NOW = new Date("2026-12-07T12:00:00Z");
const CERT = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";

function status(externalCas: PkiStatus["externalCas"], rotationPem: string | null = null): PkiStatus {
  const root = { pem: CERT, digest: "sha256:aa", fingerprintSha256: "AA", subject: "CN=swarm-ca", notBefore: NOW, notAfter: NOW, key: "ECDSA P-256", keyHeld: true };
  return {
    kind: "native",
    version: 3,
    trustRoot: root,
    rotation: rotationPem ? { startedAt: NOW, target: { ...root, pem: rotationPem }, rotatedTls: 0, rotatedCa: 0, nodes: 1 } : null,
    externalCas,
    certExpiryMs: 2160 * 3_600_000,
    forceRotate: 0,
    autolock: { enabled: false, unlockKeyRotatedAt: null },
    tokens: { workerRotatedAt: null, managerRotatedAt: null },
    lastRotatedAt: null,
    counts: { nodes: 0, ready: 0, needsRotation: 0, unknown: 0, pending: 0, expiringSoon: 0, trustRootCurrent: 0 },
    warnings: [],
    timeline: [],
    notReported: [],
  };
}

describe("the node table's query", () => {
  it.each([
    ["ok/empty", "", undefined],
    ["ok/zero", "0", 0],
    ["ok/days", " 30 ", 30],
    ["ok/most", "3650", 3650],
    ["fail/past the API's bound", "3651", undefined],
    ["fail/not whole", "1.5", undefined],
    ["fail/negative", "-1", undefined],
  ])("%s: expiring within %j", (_, text, days) => {
    expect(expiringDays(text)).toBe(days);
  });

  it("ok/sends only the filters that are set, from the first page", () => {
    expect(nodesQuery(NO_FILTERS, { key: "notAfter", desc: false }, 0)).toEqual({ sort: "notAfter", desc: false, offset: 0, limit: 50 });
    expect(filtered(NO_FILTERS)).toBe(false);
    const filters = { search: "  web ", tlsStatus: "ready" as const, issuer: "current root" as const, expiringWithin: "7" };
    expect(nodesQuery(filters, { key: "hostname", desc: true }, 50)).toEqual({
      sort: "hostname",
      desc: true,
      search: "web",
      tlsStatus: "ready",
      issuer: "current root",
      expiringWithinDays: 7,
      offset: 50,
      limit: 50,
    });
    expect(filtered({ ...NO_FILTERS, expiringWithin: "x" })).toBe(false);
  });
});

describe("the rotate dialog", () => {
  const parse = (values: Partial<typeof ROTATE_DEFAULTS>) => rotateForm.safeParse({ ...ROTATE_DEFAULTS, ...values });
  const fields = (values: Partial<typeof ROTATE_DEFAULTS>) => {
    const result = parse(values);
    return result.success ? [] : result.error.issues.map((i) => i.path.join("."));
  };

  it.each([
    ["ok/generate needs nothing", { mode: "generate" as const }, []],
    ["ok/generate ignores a stale key", { mode: "generate" as const, caKey: "x" }, []],
    ["fail/given needs a certificate and key", { mode: "given" as const }, ["caCert", "caKey"]],
    ["ok/given", { mode: "given" as const, caCert: CERT, caKey: "KEY" }, []],
    ["fail/external needs a URL", { mode: "external" as const, caCert: CERT }, ["externalCas"]],
    ["fail/an empty row among others", { mode: "external" as const, caCert: CERT, externalCas: [{ url: "https://ca" }, { url: "" }] }, ["externalCas.1.url"]],
    ["fail/expiry below Swarm's minimum", { certExpiry: "30m" }, ["certExpiry"]],
    ["fail/expiry that is no duration", { certExpiry: "soon" }, ["certExpiry"]],
    ["ok/expiry", { certExpiry: "720h" }, []],
  ])("%s", (_, values, expected) => {
    expect(fields(values)).toEqual(expected);
  });

  it("ok/each mode sends what docker swarm ca --rotate sends", () => {
    const base = { ...ROTATE_DEFAULTS, caCert: CERT, caKey: "KEY", externalCas: [{ url: " https://ca:8888/sign " }, { url: "" }] };
    expect(rotateInput({ ...base, mode: "generate" }, 4)).toEqual({ version: 4, caCert: "", caKey: "" });
    expect(rotateInput({ ...base, mode: "given", certExpiry: " 720h " }, 4)).toEqual({ version: 4, caCert: CERT, caKey: "KEY", certExpiry: "720h" });
    expect(rotateInput({ ...base, mode: "external" }, 4)).toEqual({
      version: 4,
      caCert: CERT,
      caKey: "",
      externalCas: [{ protocol: "cfssl", url: "https://ca:8888/sign", caCert: CERT }],
    });
  });

  it("ok/the manager's field names become the dialog's", () => {
    expect(formFieldOf("signingCaCert")).toBe("caCert");
    expect(formFieldOf("signingCaKey")).toBe("caKey");
    expect(formFieldOf("externalCas")).toBe("externalCas");
    expect(formFieldOf(undefined)).toBeUndefined();
  });
});

describe("the settings dialog", () => {
  it("ok/rows keep what is known of each CA's root; another root must be pasted again", () => {
    const s = status(
      [
        { protocol: "cfssl", url: "https://a", signsUnder: "current root" },
        { protocol: "cfssl", url: "https://b", signsUnder: "new root" },
        { protocol: "cfssl", url: "https://c", signsUnder: "sha256:ff" },
      ],
      "NEW",
    );
    const values = settingsDefaults(s, "2160h0m0s");
    expect(values.externalCas.map((ca) => [ca.caCert, ca.signsUnder])).toEqual([
      ["", "current root"],
      ["NEW", "new root"],
      ["", "another root"],
    ]);
    expect(externalCasChanged(s, values.externalCas)).toBe(false);
    const result = settingsForm.safeParse(values);
    expect(result.success ? [] : result.error.issues.map((i) => i.path.join("."))).toEqual(["externalCas.2.caCert"]);
    expect(externalCasChanged(s, values.externalCas.slice(0, 2))).toBe(true);
    expect(externalCasChanged(s, values.externalCas.map((ca, i) => (i === 0 ? { ...ca, url: "https://z" } : ca)))).toBe(true);
  });
});

describe("words", () => {
  it("ok/keys' ages turn old past 90 days", () => {
    expect(keyAge(new Date(NOW.getTime() - 90 * DAY), NOW)).toEqual({ old: false, days: 90 });
    expect(keyAge(new Date(NOW.getTime() - 91 * DAY), NOW)).toEqual({ old: true, days: 91 });
  });

  it("ok/timeline buckets say what they count", () => {
    const first = { from: new Date(NOW.getTime() - 3 * DAY), to: new Date(NOW.getTime() + DAY), count: 2 };
    expect(bucketText(first, NOW)).toBe("2 node certificates expired or expiring by 8 Dec 2026");
    expect(bucketLabel(first, 0, NOW)).toBe("1d");
    const week = { from: new Date(NOW.getTime() + 7 * DAY), to: new Date(NOW.getTime() + 14 * DAY), count: 1 };
    expect(bucketText(week, NOW)).toBe("1 node certificate expiring 14 Dec 2026 – 21 Dec 2026");
    expect(bucketLabel(week, 7, NOW)).toBe("2w");
    expect(bucketLabel({ ...week, to: new Date(NOW.getTime() + 400 * DAY) }, 19, NOW)).toBe("later");
  });
});
