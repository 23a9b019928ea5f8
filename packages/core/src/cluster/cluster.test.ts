import { describe, expect, it } from "vitest";
import { checkCertExpiry, formatGoDuration, formatGoDurationNs, humanDuration, parseGoDuration, parseGoDurationNs, renewalTime } from "./index.js";

const H = 3_600_000;

describe("Go durations", () => {
  it.each([
    ["720h", 720 * H],
    ["2160h0m0s", 2160 * H],
    ["1h30m", 1.5 * H],
    ["1.5h", 1.5 * H],
    ["90s", 90_000],
    ["500ms", 500],
    ["0", 0],
  ])("ok/parse %s", (text, ms) => expect(parseGoDuration(text, "d")).toBe(ms));

  it.each(["", "1", "h", "1d", "1 h", "10x", "--1h"])("fail/parse %j", (text) => {
    expect(() => parseGoDuration(text, "certExpiry")).toThrow(/invalid duration/);
  });

  it.each([
    [2160 * H, "2160h0m0s"],
    [H, "1h0m0s"],
    [90_000, "1m30s"],
    [5000, "5s"],
    [0, "0s"],
  ])("ok/format %d as %s", (ms, text) => expect(formatGoDuration(ms)).toBe(text));

  it.each([
    [500, "Less than a second"],
    [1000, "1 second"],
    [5000, "5 seconds"],
    [60_000, "About a minute"],
    [30 * 60_000, "30 minutes"],
    [H, "About an hour"],
    [30 * H, "30 hours"],
    [5 * 24 * H, "5 days"],
    [21 * 24 * H, "3 weeks"],
    [2160 * H, "3 months"],
    [3 * 365 * 24 * H, "3 years"],
  ])("ok/human %d is %s", (ms, text) => expect(humanDuration(ms)).toBe(text));
});

describe("Go durations to the nanosecond (time.ParseDuration, Duration.String)", () => {
  it.each([
    ["0", 0, "0s"],
    ["5s", 5e9, "5s"],
    ["1m30s", 90e9, "1m30s"],
    ["500ms", 5e8, "500ms"],
    ["1.5us", 1500, "1.5µs"],
    ["2µs", 2000, "2µs"],
    ["7ns", 7, "7ns"],
    ["+1h", 3600e9, "1h0m0s"],
    ["-1.5s", -1.5e9, "-1.5s"],
    ["2h0m0.5s", 7200.5e9, "2h0m0.5s"],
    [".5m", 30e9, "30s"],
  ])("ok/%s", (text, ns, shown) => {
    expect(parseGoDurationNs(text)).toBe(ns);
    expect(formatGoDurationNs(ns)).toBe(shown);
  });

  it.each([
    ["x", 'time: invalid duration "x"'],
    ["", 'time: invalid duration ""'],
    ["-", 'time: invalid duration "-"'],
    [".s", 'time: invalid duration ".s"'],
    ["5", 'time: missing unit in duration "5"'],
    ["1m5", 'time: missing unit in duration "1m5"'],
    ["5d", 'time: unknown unit "d" in duration "5d"'],
    ["5é", 'time: unknown unit "\\xc3\\xa9" in duration "5\\xc3\\xa9"'],
    ["200000h", 'time: invalid duration "200000h"'],
  ])("fail/%j", (text, message) => expect(() => parseGoDurationNs(text)).toThrow(message));
});

describe("certificate expiry", () => {
  it("fail/less than an hour, with Swarm's words", () => {
    expect(() => checkCertExpiry(59 * 60_000)).toThrow("minimum certificate expiry time is: 1h0m0s");
  });
  it("ok/an hour and the default", () => {
    expect(() => checkCertExpiry(H)).not.toThrow();
    expect(() => checkCertExpiry(2160 * H)).not.toThrow();
  });
});

describe("renewal time", () => {
  const notBefore = new Date("2026-01-01T00:00:00Z");
  const notAfter = new Date(notBefore.getTime() + 2161 * H);
  const before = new Date("2025-12-31T00:00:00Z");
  it("ok/falls in whole minutes between 50 % and 80 % of the lifetime", () => {
    for (const r of [0, 0.25, 0.5, 0.999999]) {
      const at = renewalTime(notBefore, notAfter, r, before);
      const minutes = (at.getTime() - notBefore.getTime()) / 60_000;
      expect(Number.isInteger(minutes)).toBe(true);
      expect(minutes).toBeGreaterThanOrEqual(64_830);
      expect(minutes).toBeLessThan(103_728);
    }
  });
  it("ok/at once when the window has passed", () => {
    const late = new Date(notAfter.getTime() - 1000);
    expect(renewalTime(notBefore, notAfter, 0.5, late)).toEqual(late);
  });
});
