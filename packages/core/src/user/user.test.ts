import { describe, expect, it } from "vitest";
import {
  apiTokenExpiry,
  checkNewPassword,
  loginBackoffMs,
  normalizeApiTokenName,
  normalizeUsername,
  roleHasPermission,
  SESSION_ABSOLUTE_MS,
  SESSION_IDLE_MS,
  sessionExpiry,
} from "./index.js";

describe("usernames", () => {
  it.each([
    ["ok/lower-cased and trimmed", " Alice ", "alice"],
    ["ok/dots, dashes, underscores", "ops.team-1_a", "ops.team-1_a"],
    ["ok/one character", "a", "a"],
  ])("%s", (_n, input, expected) => expect(normalizeUsername(input)).toBe(expected));

  it.each([
    ["fail/empty", "", "username is required"],
    ["fail/space", "a b", "username may contain only"],
    ["fail/leading dot", ".a", "username may contain only"],
    ["fail/too long", "a".repeat(65), "at most 64"],
  ])("%s", (_n, input, message) => {
    expect(() => normalizeUsername(input)).toThrow(message);
    try {
      normalizeUsername(input);
    } catch (error) {
      expect((error as { field?: string }).field).toBe("username");
    }
  });
});

describe("passwords", () => {
  it("ok/a long passphrase", () => expect(() => checkNewPassword("correct horse battery", "admin")).not.toThrow());
  it.each([
    ["fail/too short", "elevenchars", "at least 12"],
    ["fail/too long", "x".repeat(257), "at most 256"],
    ["fail/the username", "Administrator", "must not be the username"],
  ])("%s", (_n, password, message) => expect(() => checkNewPassword(password, "administrator")).toThrow(message));
  it("ok/length counts characters, not UTF-16 units", () => {
    expect(() => checkNewPassword("🔒".repeat(12), "admin")).not.toThrow();
    expect(() => checkNewPassword("🔒".repeat(6), "admin")).toThrow("at least 12");
  });
});

describe("sessions", () => {
  const created = new Date("2026-01-01T00:00:00Z");
  const at = (ms: number) => new Date(created.getTime() + ms);
  const session = (lastSeen: number) => ({ createdAt: created, lastSeenAt: at(lastSeen), expiresAt: at(SESSION_ABSOLUTE_MS) });
  it.each([
    ["ok/fresh", session(0), 1000, undefined],
    ["ok/just inside the idle limit", session(0), SESSION_IDLE_MS - 1, undefined],
    ["fail/idle", session(0), SESSION_IDLE_MS, "idle"],
    ["fail/absolute even when active", session(SESSION_ABSOLUTE_MS - 1), SESSION_ABSOLUTE_MS, "absolute"],
  ])("%s", (_n, s, now, expected) => expect(sessionExpiry(s, at(now))).toBe(expected));
});

describe("roles", () => {
  it("ok/admins have every permission; viewers cannot read the audit log", () => {
    expect(roleHasPermission("admin", "audit:read")).toBe(true);
    expect(roleHasPermission("viewer", "system:read")).toBe(true);
    expect(roleHasPermission("viewer", "audit:read")).toBe(false);
  });
});

describe("API token names", () => {
  it("ok/trimmed", () => expect(normalizeApiTokenName("  ci  ")).toBe("ci"));
  it.each([
    ["fail/blank", "   ", "required"],
    ["fail/too long", "x".repeat(65), "at most 64"],
    ["fail/control character", "a\u0007b", "token name contains U+0007 (a control character)"],
  ])("%s", (_n, name, message) => expect(() => normalizeApiTokenName(name)).toThrow(message));
});

describe("API token lifetimes", () => {
  const now = new Date("2026-12-05T10:00:00.000Z");
  const days = (n: number) => new Date(now.getTime() + n * 86_400_000);
  it.each([
    ["ok/90 days by default", undefined, days(90)],
    ["ok/one day", 1, days(1)],
    ["ok/a year at most", 365, days(365)],
  ])("%s", (_n, input, expected) => expect(apiTokenExpiry(now, input)).toEqual(expected));
  it.each([
    ["fail/over a year", 366, "expiresInDays must be at most 365: a token lasts a year at most"],
    ["fail/never", Number.POSITIVE_INFINITY, "expiresInDays must be a whole number of days"],
    ["fail/today", 0, "expiresInDays must be at least 1: a token cannot expire in the past"],
    ["fail/in the past", -1, "expiresInDays must be at least 1: a token cannot expire in the past"],
    ["fail/a fraction", 1.5, "expiresInDays must be a whole number of days"],
    ["fail/not a number", Number.NaN, "expiresInDays must be a whole number of days"],
  ])("%s", (_n, input, message) => {
    expect(() => apiTokenExpiry(now, input)).toThrow(expect.objectContaining({ message, field: "expiresInDays" }));
  });
});

describe("sign-in backoff", () => {
  it.each([
    ["ok/one second at the threshold", 5, 1000],
    ["ok/doubles with each failure past it", 8, 8000],
    ["ok/capped at a minute", 11, 60_000],
    ["ok/capped however many", 1_000_000, 60_000],
  ])("%s", (_n, failures, ms) => expect(loginBackoffMs(failures)).toBe(ms));
});
