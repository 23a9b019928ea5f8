import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { countCanary, newCanary } from "./index.js";

describe("canary search", () => {
  it.each([0, 1, 2, 3, 4, 5])("ok/finds a canary base64-encoded inside a longer text after %i other bytes", (before) => {
    const canary = newCanary();
    for (const alphabet of ["base64", "base64url"] as const) {
      const text = Buffer.concat([randomBytes(before), Buffer.from(canary), randomBytes(7)]).toString(alphabet);
      const found = [...countCanary(Buffer.from(`{"blob":"${text}"}`), canary).entries()].filter(([, n]) => n > 0).map(([form]) => form);
      expect(found.some((form) => form.startsWith(alphabet)), `${alphabet} after ${before} bytes`).toBe(true);
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
    const counts = countCanary(haystack, canary);
    for (const form of ["raw", "hex", "url", "utf16le"]) expect(counts.get(form), form).toBeGreaterThan(0);
    expect([...countCanary(randomBytes(4096), canary).values()].every((n) => n === 0)).toBe(true);
  });
});
