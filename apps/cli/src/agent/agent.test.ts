import { describe, expect, it } from "vitest";
import { MAX_TIMER_MS, timerStep } from "./agent.js";

describe("renewal timer steps", () => {
  const now = new Date("2026-01-01T00:00:00Z");
  const days = (n: number) => new Date(now.getTime() + n * 86400_000);
  it("ok/a moment 45 days away is reached in capped steps, never early", () => {
    expect(timerStep(days(45), now)).toBe(MAX_TIMER_MS);
    // After the first step (~24.8 days) it is still ahead: wait again, do not renew.
    const afterFirst = new Date(now.getTime() + MAX_TIMER_MS);
    expect(timerStep(days(45), afterFirst)).toBe(days(45).getTime() - afterFirst.getTime());
    expect(timerStep(days(45), days(45))).toBe(0);
  });
  it("ok/a moment in the past is now", () => expect(timerStep(days(-1), now)).toBe(0));
});
