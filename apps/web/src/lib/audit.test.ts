import type { AuditEventOutput } from "@rampart/api/schema";
import { describe, expect, it } from "vitest";
import { AUDIT_CSV_COLUMNS, auditCsv, auditFileName, auditJson, csvCell, describeObject, objectHref, toCsv } from "./audit";

/** An RFC 4180 reader, written apart from the writer, to read back what it wrote. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let i = 0;
  while (i < text.length) {
    if (text[i] === '"') {
      i++;
      for (;;) {
        if (i >= text.length) throw new Error("unterminated quoted cell");
        if (text[i] === '"' && text[i + 1] === '"') {
          cell += '"';
          i += 2;
        } else if (text[i] === '"') {
          i++;
          break;
        } else cell += text[i++];
      }
    } else if (text[i] === ",") {
      row.push(cell);
      cell = "";
      i++;
    } else if (text.startsWith("\r\n", i)) {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = "";
      i += 2;
    } else {
      if (text[i] === '"' || text[i] === "\r" || text[i] === "\n") throw new Error(`bare ${JSON.stringify(text[i])} at ${i}`);
      cell += text[i++];
    }
  }
  if (cell !== "" || row.length > 0) throw new Error("the last line has no CRLF");
  return rows;
}

const event = (over: Partial<AuditEventOutput> = {}): AuditEventOutput => ({
  id: "42",
  at: new Date("2026-11-28T12:00:00.000Z"),
  actorType: "user",
  actorId: "u1",
  actorName: "admin",
  actorNow: { exists: true, name: "admin" },
  action: "secret.grant",
  targetType: "secret",
  targetId: "s1",
  targetName: "db_password",
  targetNow: { exists: true, name: "db_password" },
  contextType: "service",
  contextId: "v1",
  contextName: "web",
  contextNow: { exists: false, name: null },
  outcome: "success",
  reason: null,
  ip: "192.0.2.1",
  envId: null,
  envName: null,
  ...over,
});

describe("csvCell", () => {
  it.each([
    ["ok/plain text is left alone", "web-1", "web-1"],
    ["ok/null and undefined are empty", null, ""],
    ["ok/a comma is quoted", "a,b", '"a,b"'],
    ["ok/a quote is doubled inside quotes", 'say "hi"', '"say ""hi"""'],
    ["ok/a LF is quoted", "two\nlines", '"two\nlines"'],
    ["ok/a CRLF is quoted", "two\r\nlines", '"two\r\nlines"'],
    ["ok/an inner = is harmless", "a=b", "a=b"],
    ["injection/= starts a formula", "=HYPERLINK(\"http://x\")", "\"'=HYPERLINK(\"\"http://x\"\")\""],
    ["injection/+", "+1+2", "'+1+2"],
    ["injection/-", "-2+3", "'-2+3"],
    ["injection/@", "@SUM(A1)", "'@SUM(A1)"],
    ["injection/a leading tab", "\t=1", "'\t=1"],
    ["injection/a leading CR is also quoted", "\r=1", "\"'\r=1\""],
    ["injection/a formula with a comma is prefixed, then quoted", "=1,2", "\"'=1,2\""],
  ])("%s", (_name, input, expected) => {
    expect(csvCell(input)).toBe(expected);
  });
});

describe("toCsv", () => {
  const hostile = ["", "plain", "a,b", '"', '""', "x\ny", "x\r\ny", "\r", "\n", ",", "=cmd|' /C calc'!A0", "+", "-", "@", "\t", "' already", "ünïcödé ✓", " spaced "];

  it("ok/every line ends with CRLF, a header first", () => {
    expect(toCsv(["a", "b"], [["1", "2"]])).toBe("a,b\r\n1,2\r\n");
  });

  it("ok/hostile cells read back whole by an RFC 4180 reader, formulas as text", () => {
    const rows = hostile.map((h, i) => [String(i), h, `${h}${h}`]);
    const back = parseCsv(toCsv(["n", "value", "twice"], rows));
    expect(back[0]).toEqual(["n", "value", "twice"]);
    expect(back).toHaveLength(hostile.length + 1);
    back.slice(1).forEach((row, i) => {
      const guard = (v: string) => (/^[=+\-@\t\r]/.test(v) ? `'${v}` : v);
      expect(row).toEqual([String(i), guard(hostile[i]!), guard(`${hostile[i]}${hostile[i]}`)]);
    });
  });
});

describe("auditCsv", () => {
  it("ok/one row per event under the header, IDs beside recorded names and names now", () => {
    const rows = parseCsv(auditCsv([event(), event({ id: "41", reason: "=2+2", actorNow: null, actorType: "system", actorId: null, actorName: "rampart" })]));
    expect(rows[0]).toEqual(AUDIT_CSV_COLUMNS);
    const first = Object.fromEntries(AUDIT_CSV_COLUMNS.map((c, i) => [c, rows[1]![i]]));
    expect(first).toMatchObject({
      id: "42",
      time: "2026-11-28T12:00:00.000Z",
      actor_id: "u1",
      actor_name: "admin",
      actor_name_now: "admin",
      target_id: "s1",
      target_name: "db_password",
      target_name_now: "db_password",
      context_id: "v1",
      context_name: "web",
      context_name_now: "(removed)",
      reason: "",
    });
    const second = Object.fromEntries(AUDIT_CSV_COLUMNS.map((c, i) => [c, rows[2]![i]]));
    expect(second).toMatchObject({ id: "41", actor_id: "", actor_name: "rampart", actor_name_now: "", reason: "'=2+2" });
  });

  it("ok/an event on a connected swarm names the environment; Docker's own events have the external actor", () => {
    const observed = event({ actorType: "external", actorId: null, actorName: "outside Rampart", actorNow: null, action: "env.observed", envId: "e1", envName: "prod" });
    const rows = parseCsv(auditCsv([observed, event()]));
    const row = (n: number) => Object.fromEntries(AUDIT_CSV_COLUMNS.map((c, i) => [c, rows[n]![i]]));
    expect(row(1)).toMatchObject({ actor_type: "external", actor_name: "outside Rampart", env_id: "e1", env_name: "prod" });
    expect(row(2)).toMatchObject({ env_id: "", env_name: "" });
  });

  it("ok/no events is the header alone", () => {
    expect(auditCsv([])).toBe(`${AUDIT_CSV_COLUMNS.join(",")}\r\n`);
  });
});

describe("auditJson", () => {
  it("ok/says which filters made it, whether it was capped, and holds every event", () => {
    const doc = JSON.parse(auditJson([event()], { exportedAt: new Date("2026-11-28T12:00:01Z"), filters: { action: "secret.grant", search: "", outcome: undefined }, truncated: false, cap: 10_000 })) as Record<string, unknown>;
    expect(doc).toMatchObject({ exportedAt: "2026-11-28T12:00:01.000Z", filters: { action: "secret.grant" }, truncated: false, cap: 10_000, count: 1 });
    expect(doc.events).toEqual([{ ...event(), at: "2026-11-28T12:00:00.000Z" }]);
  });
});

describe("auditFileName", () => {
  it("ok/a UTC timestamp with no colons", () => {
    expect(auditFileName(new Date("2026-11-28T12:03:04.567Z"), "csv")).toBe("rampart-audit-20261128T120304Z.csv");
    expect(auditFileName(new Date("2026-11-28T12:03:04.567Z"), "json")).toBe("rampart-audit-20261128T120304Z.json");
  });
});

describe("describeObject", () => {
  it("ok/a live object shows its name now, linked, with its ID beside", () => {
    expect(describeObject("service", "v1", "web", { exists: true, name: "web" })).toEqual({ label: "web", href: "/services/v1", removed: false, recordedAs: null, id: "v1" });
  });
  it("ok/a renamed node shows its hostname now and the one recorded", () => {
    expect(describeObject("node", "n1", "old", { exists: true, name: "new" })).toMatchObject({ label: "new", href: "/nodes/n1", recordedAs: "old" });
  });
  it("ok/a removed object keeps the name it recorded, unlinked, beside its ID", () => {
    expect(describeObject("secret", "s1", "db_password", { exists: false, name: null })).toEqual({ label: "db_password", href: null, removed: true, recordedAs: null, id: "s1" });
  });
  it("ok/a removed object with no recorded name is (removed) beside its ID", () => {
    expect(describeObject("node", "n1", null, { exists: false, name: null })).toEqual({ label: "(removed)", href: null, removed: true, recordedAs: null, id: "n1" });
  });
  it("ok/a user exists but has no page", () => {
    expect(describeObject("user", "u1", "admin", { exists: true, name: "admin" })).toMatchObject({ label: "admin", href: null, id: "u1" });
  });
  it("ok/kinds with no lookup show what was recorded; an ID alone is not repeated", () => {
    expect(describeObject("cluster", "c1", null, null)).toEqual({ label: "c1", href: null, removed: false, recordedAs: null, id: null });
    expect(describeObject("route", null, "/v1/join", null)).toEqual({ label: "/v1/join", href: null, removed: false, recordedAs: null, id: null });
  });
  it("ok/IDs are escaped in links", () => {
    expect(objectHref("node", "a/b")).toBe("/nodes/a%2Fb");
    expect(objectHref("cluster", "c1")).toBeNull();
  });
});
