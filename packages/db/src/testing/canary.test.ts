import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { countCanary, newCanary } from "./index.js";

describe("canary search", () => {
  it.each([0, 1, 2, 3, 4, 5])("ok/finds a canary base64-encoded inside a longer text after %i other bytes", (before) => {
    const canary = newCanary();
    for (const alphabet of ["base64", "base64url"] as const) {
      const text = Buffer.concat([randomBytes(before), Buffer.from(canary), randomBytes(7)]).toString(alphabet);
      // The canary starts `before` bytes in, so its characters line up as the form for `before mod 3`.
      const form = before % 3 === 0 ? alphabet : `${alphabet}+${before % 3}`;
      expect(countCanary(Buffer.from(`{"blob":"${text}"}`), canary).get(form), `${form} after ${before} bytes`).toBe(1);
    }
  });

  it("ok/finds the raw, hex, URL and UTF-16 forms, and nothing in unrelated text", () => {
    const canary = newCanary();
    const haystack = Buffer.concat([
      Buffer.from(canary),
      Buffer.from(Buffer.from(canary).toString("hex")),
      Buffer.from(encodeURIComponent(`${canary}/`)),
      Buffer.from(canary, "utf16le"),
    ]);
    // A canary's characters need no URL escaping: its URL form is the canary itself, so
    // the raw and URL searches each find it twice (as itself and in the URL text).
    expect(Object.fromEntries(countCanary(haystack, canary))).toEqual({
      raw: 2,
      base64: 0,
      "base64+1": 0,
      "base64+2": 0,
      base64url: 0,
      "base64url+1": 0,
      "base64url+2": 0,
      hex: 1,
      HEX: 0,
      url: 2,
      utf16le: 1,
      utf16be: 0,
    });
    expect([...countCanary(randomBytes(4096), canary).values()].every((n) => n === 0)).toBe(true);
  });
});
