import { parseOptions } from "@node-rs/argon2";
import { describe, expect, it } from "vitest";
import { burnPasswordCheck, hashPassword, verifyPassword } from "./password.js";

describe("password hashing", () => {
  it("ok/argon2id with OWASP's parameters and a fresh salt each time", async () => {
    const a = await hashPassword("correct horse battery");
    const b = await hashPassword("correct horse battery");
    expect(a).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(a).not.toBe(b);
    expect(parseOptions(a)).toMatchObject({ memoryCost: 19456, timeCost: 2, parallelism: 1 });
  });

  it("ok/verifies the right password and refuses others", async () => {
    const hash = await hashPassword("correct horse battery");
    expect(await verifyPassword(hash, "correct horse battery")).toBe(true);
    expect(await verifyPassword(hash, "correct horse batterY")).toBe(false);
    expect(await verifyPassword(hash, "")).toBe(false);
  });

  it("fail/a malformed stored hash is a refusal, not a crash", async () => {
    expect(await verifyPassword("not-a-hash", "anything")).toBe(false);
  });

  it("ok/the timing equaliser completes", async () => {
    await expect(burnPasswordCheck("whatever")).resolves.toBeUndefined();
  });
});
