import { EXTERNAL_ACTOR } from "@rampart/core";
import { describe, expect, it } from "vitest";
import {
  admit,
  eventKey,
  initialResumePoint,
  observedEvent,
  observedReason,
  parseEventLine,
  resumedWithoutGap,
  sinceParam,
  storedKey,
  streamLines,
  streamSince,
  type DockerEvent,
  type ResumePoint,
} from "./events.js";

/** A line as the Engine API streams it (Go's encoder: attributes sorted, one object per line). */
const LINE =
  '{"Type":"node","Action":"update","Actor":{"ID":"nodeid1","Attributes":{"availability.new":"drain","availability.old":"active","name":"alpha"}},"scope":"swarm","time":1764583200,"timeNano":1764583200123456789}';

const event = (timeNano: string, over: Partial<DockerEvent> = {}): DockerEvent => ({ type: "secret", action: "create", id: "s1", attributes: { name: "db" }, timeNano, ...over });

describe("reading the stream", () => {
  it("ok/a line, with its time exact to the nanosecond (beyond what a JSON number holds)", () => {
    expect(parseEventLine(LINE)).toEqual({
      type: "node",
      action: "update",
      id: "nodeid1",
      attributes: { "availability.new": "drain", "availability.old": "active", name: "alpha" },
      timeNano: "1764583200123456789",
    });
  });

  it("ok/an engine that gives only seconds", () => {
    expect(parseEventLine('{"Type":"secret","Action":"create","Actor":{"ID":"x"},"time":1764583200}')?.timeNano).toBe("1764583200000000000");
  });

  it.each(["", "not json", "{}", '{"Type":"secret","Action":"create","Actor":{"ID":"x"}}', "[1,2]"])("fail/%j is not an event", (line) => {
    expect(parseEventLine(line)).toBeUndefined();
  });

  it.each([
    ["1764583200123456789", "1764583200.123456789"],
    ["1764583200000000001", "1764583200.000000001"],
    ["5", "0.000000005"],
  ])("ok/since %s is %s", (nano, expected) => {
    expect(sinceParam(nano)).toBe(expected);
  });
});

describe("what the audit log records", () => {
  it("ok/the action and the names of the attributes that changed, never their values; the actor is outside Rampart", () => {
    const e = parseEventLine(LINE)!;
    expect(observedEvent(e, { id: "env1", name: "prod" })).toEqual({
      actor: EXTERNAL_ACTOR,
      action: "env.observed",
      target: { type: "node", id: "nodeid1", name: "alpha" },
      outcome: "success",
      reason: "update: availability",
      ip: null,
      env: { id: "env1", name: "prod" },
    });
    expect(JSON.stringify(observedEvent(e, { id: "env1", name: "prod" }))).not.toContain("drain");
  });

  it.each([
    [{ action: "create", attributes: { name: "x" } }, "create"],
    [{ action: "update", attributes: { name: "x", "image.new": "a", "image.old": "b", "replicas.new": "3", "replicas.old": "1" } }, "update: image, replicas"],
    [{ action: "remove", attributes: {} }, "remove"],
  ])("ok/reason %#", (e, expected) => {
    expect(observedReason(e)).toBe(expected);
  });

  it("ok/a name with control characters is escaped; a nameless object has no name", () => {
    expect(observedEvent(event("1", { attributes: { name: "a\u001b[2Jb" } }), { id: "e", name: "e" }).target.name).toBe("a\\u{1b}[2Jb");
    expect(observedEvent(event("1", { attributes: {} }), { id: "e", name: "e" }).target.name).toBeNull();
  });
});

describe("resuming without gaps or duplicates", () => {
  /** Feeds events through `admit` from `point`; the IDs recorded, and where it ends. */
  const feed = (point: ResumePoint, events: readonly DockerEvent[]) => {
    const recorded: string[] = [];
    for (const e of events) {
      const { record, next } = admit(point, e);
      if (record) recorded.push(e.id);
      point = next;
    }
    return { recorded, point };
  };
  const fresh = (since: string): ResumePoint => ({ since, recent: new Map(), stored: new Map(), replayed: true });

  it("ok/never followed: from when the swarm was connected (no margin before it), every event recorded", () => {
    const point = initialResumePoint({ eventsSince: null, createdAt: new Date("2025-12-01T10:00:00.000Z") });
    expect(point).toEqual({ since: "1764583200000000000", recent: new Map(), stored: new Map(), replayed: false });
    expect(streamSince(point)).toBe("1764583200.000000000");
    expect(admit(point, event("1764583200000000000")).record).toBe(true);
  });

  it("ok/a resumed stream starts 5 s before the last event recorded", () => {
    expect(streamSince(fresh("1764583200123456789"))).toBe("1764583195.123456789");
  });

  it("ok/a stream replayed from before the resume point records only what is new, at the same nanosecond too", () => {
    const a = event("10000000200", { id: "a" });
    const b = event("10000000200", { id: "b" });
    const c = event("10000000300", { id: "c" });
    const first = feed(fresh("100"), [a, b]);
    expect(first.recorded).toEqual(["a", "b"]);
    expect(first.point).toMatchObject({ since: "10000000200", replayed: true });
    // Disconnected; Docker replays from 5 s before, then what came meanwhile.
    const second = feed(first.point, [a, b, event("10000000200", { id: "d" }), c]);
    expect(second.recorded).toEqual(["d", "c"]);
    expect(feed(second.point, [a, b, c]).recorded).toEqual([]);
  });

  it("ok/an event that reaches the engine late with an earlier time (clocks differ) is recorded once, from the margin's replay", () => {
    const at = (s: number) => `${s}000000000`;
    const { point } = feed(fresh(at(100)), [event(at(200), { id: "a" }), event(at(203), { id: "b" })]);
    // While the stream was cut, another manager's event of time 201 reached the engine.
    const late = event(at(201), { id: "late" });
    const replay = feed(point, [event(at(200), { id: "a" }), late, event(at(203), { id: "b" })]);
    expect(replay.recorded).toEqual(["late"]);
    expect(replay.point.since).toBe(at(203));
    expect(feed(replay.point, [late]).recorded).toEqual([]);
  });

  it("ok/the events kept to recognise a replay are those within the margin of the resume point", () => {
    const at = (s: number) => `${s}000000000`;
    const { point } = feed(fresh(at(100)), [event(at(200), { id: "old" }), event(at(204), { id: "near" }), event(at(210), { id: "last" })]);
    expect([...point.recent.keys()]).toEqual([eventKey(event(at(210), { id: "last" }))]);
  });

  it("ok/after a restart the store's last rows stand for the events they recorded: each recognised once", () => {
    const row = (id: string) => storedKey("secret", id, "create");
    const stored = new Map([
      [row("a"), 1],
      [row("b"), 2],
    ]);
    const point = initialResumePoint({ eventsSince: "10000000200", createdAt: new Date(0) }, stored);
    expect(point).toMatchObject({ since: "10000000200", replayed: true });
    const replayed = [event("9000000000", { id: "a" }), event("9000000001", { id: "b" }), event("9000000002", { id: "b" }), event("9000000003", { id: "b" }), event("10000000200", { id: "a" })];
    // The third `b` and the second `a` at or before the resume point were never recorded: a manager behind the others.
    expect(feed(point, replayed).recorded).toEqual(["b", "a"]);
    expect(feed(point, [event("10000000201", { id: "a" })]).recorded).toEqual(["a"]);
  });

  it("ok/a live event from a clock behind is recorded, and the resume point stays", () => {
    const point = fresh("500");
    const { record, next } = admit(point, event("400"));
    expect(record).toBe(true);
    expect(next.since).toBe("500");
  });

  it.each([
    ["the last event recorded is replayed first", { since: "200", replayed: true }, "200", true],
    ["the engine no longer had it", { since: "200", replayed: true }, "250", false],
    ["never followed: nothing to compare", { since: "200", replayed: false }, "250", true],
  ] as const)("ok/gap check: %s", (_what, point, first, expected) => {
    expect(resumedWithoutGap({ ...point, recent: new Map(), stored: new Map() }, event(first))).toBe(expected);
  });
});

describe("the stream's lines", () => {
  async function* chunks(...parts: string[]) {
    for (const part of parts) yield part;
  }
  const read = async (max: number, ...parts: string[]) => {
    const lines: string[] = [];
    let dropped = 0;
    for await (const line of streamLines(chunks(...parts), max, async () => void dropped++)) lines.push(line);
    return { lines, dropped };
  };

  it("ok/lines split across chunks and several in one", async () => {
    expect(await read(100, "ab", "c\nde\nf", "g\n")).toEqual({ lines: ["abc", "de", "fg"], dropped: 0 });
  });

  it("fail/a line over the limit is dropped whole, once, and the buffer never grows past it", async () => {
    expect(await read(5, "abc", "defgh", "ijk", "lmn\nok\n")).toEqual({ lines: ["ok"], dropped: 1 });
    expect(await read(5, "abcdefgh\nok\n")).toEqual({ lines: ["ok"], dropped: 1 });
    expect(await read(5, "abcdef", "ghijkl", "mnopqr")).toEqual({ lines: [], dropped: 1 });
  });
});
