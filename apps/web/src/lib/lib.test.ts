import { createApiTokenInput, loginInput, scaleServiceInput, setupInput } from "@rampart/api/schema";
import { TRPCClientError } from "@trpc/client";
import { describe, expect, it } from "vitest";
import { describeError } from "./errors";
import { formatDuration, fromNow } from "./format";
import { serverErrors, serverErrorTarget, validate } from "./forms";
import { safeNext } from "./navigation";
import { pageOf } from "./paging";

describe("safeNext", () => {
  const origin = "http://127.0.0.1:8080";
  it.each([
    ["/settings/api-tokens", "/settings/api-tokens"],
    ["/settings/api-tokens?x=1#y", "/settings/api-tokens?x=1#y"],
    ["/", "/"],
    [null, "/"],
    ["//evil.example/x", "/"],
    ["/\\evil.example", "/"],
    ["/\t/evil.example", "/"],
    ["/\n/evil.example", "/"],
    ["/\r\n/evil.example", "/"],
    ["https://evil.example", "/"],
    ["javascript:alert(1)", "/"],
  ])("%j → %s", (input, expected) => expect(safeNext(input, origin)).toBe(expected));
});

describe("forms", () => {
  it("ok/uses the procedure's own schema and names each field", () => {
    const { data, errors } = validate(setupInput, { code: "", username: "admin", password: "short" });
    expect(data).toBeUndefined();
    expect(errors).toEqual({ code: "setup code is required", password: "password must be at least 12 characters" });
    expect(validate(loginInput, { username: "a", password: "b" }).data).toEqual({ username: "a", password: "b" });
  });

  it("ok/a server error lands under the field it names, or on the form", () => {
    const fieldError = new TRPCClientError("the setup code is not correct", {
      result: { error: { message: "the setup code is not correct", code: -32003, data: { code: "FORBIDDEN", httpStatus: 403, field: "code" } } },
    } as never);
    expect(serverErrors(fieldError, ["code"])).toEqual({ code: "the setup code is not correct" });
    expect(serverErrors(fieldError, ["username"])).toEqual({ form: "the setup code is not correct" });
    expect(describeError(new Error("boom")).message).toBe("something went wrong");
  });
});

/** A failed call as the tRPC client gives it. */
function apiError(message: string, data: Record<string, unknown>) {
  return new TRPCClientError(message, { result: { error: { message, code: -32600, data } } } as never);
}

describe("messages in forms", () => {
  it.each([
    ["NaN", Number.NaN],
    ["a fraction", 2.5],
    ["too many", 100_001],
    ["negative", -1],
    ["a string", "3"],
  ])("ok/replicas, %s, is a sentence with the rule", (_case, replicas) => {
    const { errors } = validate(scaleServiceInput, { ref: "web", replicas });
    expect(errors.replicas).toBe("Replicas must be a whole number from 0 to 100,000");
  });

  it("ok/an expiry that is not a number names the field and its unit", () => {
    expect(validate(createApiTokenInput, { name: "ci", expiresInDays: Number.NaN }).errors).toEqual({
      expiresInDays: "Expiry must be a whole number of days from 1 to 365",
    });
    expect(validate(createApiTokenInput, { name: "", expiresInDays: 30 }).errors).toEqual({ name: "token name is required" });
  });

  it("ok/Swarm's words from the server are explained, and a field's path before a message is dropped", () => {
    const swarm = apiError("name: meta: name must be provided", { code: "BAD_REQUEST", httpStatus: 400, field: "name" });
    expect(describeError(swarm).message).toBe("A name is required (Swarm: meta: name must be provided)");
    expect(serverErrorTarget(swarm, ["name", "image"])).toEqual({ field: "name", message: "A name is required (Swarm: meta: name must be provided)" });
    expect(serverErrorTarget(swarm, ["image"])).toEqual({ field: "form", message: "A name is required (Swarm: meta: name must be provided)" });
    const sentence = apiError("Expiry must be at most 365 days", { code: "BAD_REQUEST", httpStatus: 400, field: "expiresInDays" });
    expect(describeError(sentence).message).toBe("Expiry must be at most 365 days");
    // Two problems joined: each keeps its path, so neither is cut.
    const two = apiError("data: must be base64; name: x", { code: "BAD_REQUEST", httpStatus: 400, field: "data" });
    expect(describeError(two).message).toBe("data: must be base64; name: x");
  });
});

describe("formatting", () => {
  it.each([
    [5, "5s"],
    [65, "1m 5s"],
    [3700, "1h 1m"],
    [90000, "1d 1h"],
  ])("duration %d → %s", (seconds, text) => expect(formatDuration(seconds)).toBe(text));
  it("ok/relative times", () => {
    const now = new Date("2026-01-01T12:00:00Z");
    expect(fromNow(new Date("2026-01-01T11:00:00Z"), now)).toBe("1 hour ago");
    expect(fromNow(new Date("2026-01-03T12:00:00Z"), now)).toBe("in 2 days");
  });
});

describe("pageOf", () => {
  const items = Array.from({ length: 120 }, (_, i) => i);
  it("ok/pages of 50: the first, the last (partial), and the count", () => {
    expect(pageOf(items, 0, 50)).toMatchObject({ page: 0, pages: 3, first: 1, last: 50, total: 120 });
    const last = pageOf(items, 2, 50);
    expect(last).toMatchObject({ page: 2, first: 101, last: 120 });
    expect(last.rows).toEqual(items.slice(100));
  });
  it("ok/a page past the end (the list shrank) shows the last page; a negative one the first", () => {
    expect(pageOf(items.slice(0, 60), 2, 50)).toMatchObject({ page: 1, first: 51, last: 60 });
    expect(pageOf(items, -3, 50)).toMatchObject({ page: 0, first: 1 });
  });
  it("ok/an empty list is one empty page", () => {
    expect(pageOf([], 4, 50)).toEqual({ rows: [], page: 0, pages: 1, first: 0, last: 0, total: 0 });
  });
});
