import { SECRET_MESSAGES } from "@rampart/core";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { createApiTokenInput } from "./api-token.schema.js";
import { loginInput, setupInput } from "./auth.schema.js";
import { explain, fieldWords, isLibraryMessage, issueMessage, sentenceErrorMap, swarmExplanation } from "./messages.js";
import { updateNodeInput } from "./node.schema.js";
import { createSecretInput } from "./secret.schema.js";
import { scaleServiceInput, serviceSpecInput } from "./service.schema.js";

/** What the API says: zod's finished issues, mapped after the parse. */
function afterParse(schema: z.ZodType, value: unknown): string[] {
  const result = schema.safeParse(value);
  if (result.success) throw new Error("expected a refusal");
  return result.error.issues.map(issueMessage);
}

/** What the forms say: the map runs while zod makes each issue, with its schema at hand. */
function whileParsing(schema: z.ZodType, value: unknown): string[] {
  const result = schema.safeParse(value, { error: sentenceErrorMap });
  if (result.success) throw new Error("expected a refusal");
  return result.error.issues.map(issueMessage);
}

const spec = { name: "web", image: "nginx" };
const RAW = /Invalid input|expected|received|NaN|Too (big|small)|>=|<=/;

describe("zod issues as sentences", () => {
  it.each<[string, z.ZodType, unknown, string, string]>([
    // [case, schema, value, after the parse (API), while parsing (forms)]
    ["ok/number, NaN", scaleServiceInput, { ref: "a", replicas: Number.NaN }, "Replicas must be a number", "Replicas must be a whole number from 0 to 100,000"],
    ["ok/number, a fraction", scaleServiceInput, { ref: "a", replicas: 1.5 }, "Replicas must be a whole number", "Replicas must be a whole number from 0 to 100,000"],
    ["ok/number, too big", scaleServiceInput, { ref: "a", replicas: 100_001 }, "Replicas must be at most 100,000", "Replicas must be a whole number from 0 to 100,000"],
    ["ok/number, too small", scaleServiceInput, { ref: "a", replicas: -1 }, "Replicas must be at least 0", "Replicas must be a whole number from 0 to 100,000"],
    ["ok/number, a string", scaleServiceInput, { ref: "a", replicas: "3" }, "Replicas must be a number", "Replicas must be a whole number from 0 to 100,000"],
    ["ok/number with a unit", createApiTokenInput, { name: "t", expiresInDays: 0 }, "Expiry must be at least 1 day", "Expiry must be a whole number of days from 1 to 365"],
    ["ok/number with a unit, missing", createApiTokenInput, { name: "t", expiresInDays: null }, "Expiry must be a number of days", "Expiry must be a whole number of days from 1 to 365"],
    ["ok/string, too long", serviceSpecInput, { ...spec, image: "x".repeat(513) }, "Image must be at most 512 characters", "Image must be at most 512 characters"],
    ["ok/string, empty", updateNodeInput, { ref: "" }, "Reference is required", "Reference is required"],
    ["ok/string, missing", z.strictObject({ ref: z.string() }), {}, "Reference is required", "Reference is required"],
    ["ok/string, a number", z.strictObject({ ref: z.string() }), { ref: 4 }, "Reference must be text", "Reference must be text"],
    ["ok/array, too long", serviceSpecInput, { ...spec, preferences: Array.from({ length: 9 }, () => "node.labels.a") }, "Placement preferences must have at most 8 items", "Placement preferences must have at most 8 items"],
    ["ok/record entry, too long", updateNodeInput, { ref: "n", labelAdd: { zone: "v".repeat(1025) } }, "Label value must be at most 1,024 characters", "Label value must be at most 1,024 characters"],
    ["ok/record entry named like a field", updateNodeInput, { ref: "n", labelAdd: { name: "v".repeat(1025) } }, "Label value must be at most 1,024 characters", "Label value must be at most 1,024 characters"],
    ["ok/record key, too long", updateNodeInput, { ref: "n", labelAdd: { ["k".repeat(129)]: "v" } }, "Label key must be at most 128 characters", "Label key must be at most 128 characters"],
    ["ok/record key, empty", updateNodeInput, { ref: "n", labelAdd: { "": "v" } }, "Label key is required", "Label key is required"],
    ["ok/enum", updateNodeInput, { ref: "n", availability: "gone" }, "Availability must be one of active, pause or drain", "Availability must be one of active, pause or drain"],
    ["ok/a single value", z.strictObject({ mode: z.literal("global") }), { mode: "x" }, "Mode must be global", "Mode must be global"],
    ["ok/format", z.strictObject({ id: z.uuid() }), { id: "x" }, "ID must be a UUID", "ID must be a UUID"],
    ["ok/unknown field", loginInput, { username: "a", password: "b", admin: true }, 'The field "admin" is not one this takes', 'The field "admin" is not one this takes'],
    ["ok/not an object", loginInput, [1, 2], "The input must be a JSON object", "The input must be a JSON object"],
    ["ok/a field named by its path", z.strictObject({ maxReplicasPerNode: z.boolean() }), { maxReplicasPerNode: 1 }, "Max replicas per node must be true or false", "Max replicas per node must be true or false"],
    ["ok/custom message kept", setupInput, { code: "", username: "admin", password: "long enough password" }, "setup code is required", "setup code is required"],
    ["ok/Swarm's message kept", createSecretInput, { name: "n".repeat(64 * 64 + 1), data: "eA==" }, SECRET_MESSAGES.nameInvalid, SECRET_MESSAGES.nameInvalid],
    ["ok/custom refinement kept", createSecretInput, { name: "n", data: "not base64!" }, "must be base64 (standard alphabet, with padding)", "must be base64 (standard alphabet, with padding)"],
  ])("%s", (_case, schema, value, api, form) => {
    expect(afterParse(schema, value)[0]).toBe(api);
    expect(whileParsing(schema, value)[0]).toBe(form);
  });

  it("ok/no sentence quotes the library", () => {
    const cases: Array<[z.ZodType, unknown]> = [
      [scaleServiceInput, { ref: "a", replicas: Number.NaN }],
      [scaleServiceInput, { ref: "a", replicas: Number.POSITIVE_INFINITY }],
      [scaleServiceInput, {}],
      [serviceSpecInput, { name: 1, image: [], mode: "x", replicas: "y", constraints: "z" }],
      [createApiTokenInput, { name: "", expiresInDays: "90" }],
    ];
    for (const [schema, value] of cases) {
      for (const message of [...afterParse(schema, value), ...whileParsing(schema, value)]) expect(message).not.toMatch(RAW);
    }
  });

  it("ok/a message zod made is told from one a schema set", () => {
    const made = z.number().safeParse("x").error!.issues[0]!;
    expect(isLibraryMessage(made)).toBe(true);
    const set = z.number("give a number").safeParse("x").error!.issues[0]!;
    expect(isLibraryMessage(set)).toBe(false);
    expect(isLibraryMessage({ code: "custom", message: "Invalid input", path: [] })).toBe(true);
  });

  it("ok/fields are named by the innermost segment the table knows", () => {
    expect(fieldWords(["spec", "reservations", "nanoCpus"]).label).toBe("CPU reservation");
    expect(fieldWords(["labelAdd", "zone"]).label).toBe("Label value");
    // A label key that is also a field's name is the user's data, not that field.
    expect(fieldWords(["labelAdd", "name"]).label).toBe("Label value");
    expect(fieldWords(["spec", "labels", "replicas"]).label).toBe("Label value");
    expect(fieldWords(["labels", "password"]).label).toBe("Label value");
    expect(fieldWords(["constraints", 2]).label).toBe("Constraint");
    expect(fieldWords(["constraints"]).label).toBe("Constraints");
    expect(fieldWords(["someNewField"]).label).toBe("Some new field");
    expect(fieldWords([]).label).toBe("The input");
    // A field named like an Object method is not found on the prototype.
    expect(fieldWords(["constructor"]).label).toBe("Constructor");
  });
});

describe("Swarm's words, explained", () => {
  it.each([
    ["meta: name must be provided", "A name is required (Swarm: meta: name must be provided)"],
    ["ContainerSpec: image reference must be provided", "An image is required (Swarm: ContainerSpec: image reference must be provided)"],
    ["name must be 63 characters or fewer", "A service name must be at most 63 characters (Swarm: name must be 63 characters or fewer)"],
    [SECRET_MESSAGES.nameRequired, `A name is required (Swarm: ${SECRET_MESSAGES.nameRequired})`],
    [
      SECRET_MESSAGES.nameInvalid,
      `A secret name must be 1 to 64 letters, digits, '-', '_' or '.', starting and ending with a letter or digit (Swarm: ${SECRET_MESSAGES.nameInvalid})`,
    ],
    [
      "secret data must be larger than 0 and less than 512000 bytes",
      "The value must be from 1 to 511,999 bytes (Swarm: secret data must be larger than 0 and less than 512000 bytes)",
    ],
    ["constraint expected one operator from ==, !=", "A constraint compares a key and a value with == or != (Swarm: constraint expected one operator from ==, !=)"],
    ["key 'no de.id' is invalid", "A constraint's key starts with a letter or '_' and holds letters, digits, '-', '_' and '.' (Swarm: key 'no de.id' is invalid)"],
    ['invalid RestartCondition: "sometimes"', 'The restart condition must be none, on-failure or any (Swarm: invalid RestartCondition: "sometimes")'],
  ])("ok/%s", (swarm, shown) => {
    expect(explain(swarm)).toBe(shown);
  });

  it("ok/other messages pass through, and explaining twice changes nothing", () => {
    expect(explain("Replicas must be at most 100,000")).toBe("Replicas must be at most 100,000");
    expect(swarmExplanation("secret taken already exists")).toBeUndefined();
    const once = explain("meta: name must be provided");
    expect(explain(once)).toBe(once);
  });
});
