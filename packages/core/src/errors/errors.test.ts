import { describe, expect, it } from "vitest";
import { quotePrefix } from "./index.js";

describe("quotePrefix", () => {
  it.each([
    ["ok/short text is quoted whole", "abc", "abc"],
    ["ok/long text is cut to 64 characters and marked", "x".repeat(5000), `${"x".repeat(64)}…`],
    ["ok/a surrogate pair is never cut in half", `${"x".repeat(63)}😀tail`, `${"x".repeat(63)}…`],
  ])("%s", (_n, text, quoted) => {
    expect(quotePrefix(text)).toBe(quoted);
  });
});
