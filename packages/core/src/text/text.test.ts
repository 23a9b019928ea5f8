import { describe, expect, it } from "vitest";
import { RampartError } from "../errors/index.js";
import { checkLabelKey, checkLabelValue, checkHostname, checkNodeGenericResources } from "../node/index.js";
import { checkSecretName, checkSecretReferences } from "../secret/index.js";
import { checkServiceSpec, defaultServiceSpec } from "../service/index.js";
import { normalizeApiTokenName, normalizeUsername } from "../user/index.js";
import { checkSafeText, escapeUnsafeText, safeJson, unsafeCharacter } from "./index.js";

/** What `fn` threw, as a RampartError. */
function refusal(fn: () => unknown): RampartError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(RampartError);
    return error as RampartError;
  }
  throw new Error("nothing was thrown");
}

describe("unsafe characters", () => {
  it.each([
    ["fail/a C0 control", "a\u0007b", 0x07, "a control character"],
    ["fail/DEL", "a\u007fb", 0x7f, "a control character"],
    ["fail/CSI (U+009B)", "a\u009b31mb", 0x9b, "a C1 control character"],
    ["fail/OSC (U+009D)", "a\u009d0;x\u009c", 0x9d, "a C1 control character"],
    ["fail/U+0080, the first C1", "\u0080", 0x80, "a C1 control character"],
    ["fail/U+009F, the last C1", "\u009f", 0x9f, "a C1 control character"],
    ["fail/left-to-right embedding (U+202A)", "\u202a", 0x202a, "a bidirectional override"],
    ["fail/right-to-left override (U+202E)", "gnp\u202eexe", 0x202e, "a bidirectional override"],
    ["fail/left-to-right isolate (U+2066)", "\u2066", 0x2066, "a bidirectional isolate"],
    ["fail/pop directional isolate (U+2069)", "\u2069", 0x2069, "a bidirectional isolate"],
    ["fail/left-to-right mark (U+200E)", "\u200e", 0x200e, "a bidirectional mark"],
    ["fail/right-to-left mark (U+200F)", "\u200f", 0x200f, "a bidirectional mark"],
    ["fail/Arabic letter mark (U+061C)", "\u061c", 0x061c, "a bidirectional mark"],
  ])("%s", (_name, text, codePoint, kind) => {
    expect(unsafeCharacter(text)).toEqual({ codePoint, kind });
  });

  it.each([
    ["ok/plain ASCII", "web-1.example"],
    ["ok/accented letters (U+00A0 and up are not C1)", "café\u00a0zürich"],
    ["ok/right-to-left script without formatting characters", "שלום"],
    ["ok/U+2029 and U+2070 beside the ranges", "\u2029\u2070\u202f\u2065"],
    ["ok/an emoji (a surrogate pair)", "🚀"],
  ])("%s", (_name, text) => expect(unsafeCharacter(text)).toBeUndefined());

  it("ok/beyond ASCII only: C0 is left to the caller's own pattern, C1 and bidi are still found", () => {
    expect(unsafeCharacter("a\nb", { beyondAsciiOnly: true })).toBeUndefined();
    expect(unsafeCharacter("a\n\u202e", { beyondAsciiOnly: true })).toEqual({ codePoint: 0x202e, kind: "a bidirectional override" });
  });

  it("fail/checkSafeText names the field and the code point, never the text", () => {
    const error = refusal(() => checkSafeText("gnp\u202eexe", "hostname"));
    expect(error.code).toBe("invalid_argument");
    expect(error.field).toBe("hostname");
    expect(error.message).toBe("hostname contains U+202E (a bidirectional override)");
  });
});

describe("every name rule uses the check", () => {
  const RLO = "\u202e";
  const spec = defaultServiceSpec({ name: "web", image: "nginx" });
  it.each<[string, () => unknown, string, string]>([
    ["fail/a hostname", () => checkHostname(`gnp${RLO}exe`), "hostname", "hostname contains U+202E (a bidirectional override)"],
    ["fail/a label key", () => checkLabelKey(`zone${RLO}`, "engineLabels"), "engineLabels", "label key contains U+202E (a bidirectional override)"],
    ["fail/a label value", () => checkLabelValue("a\u009bb"), "labels", "label value contains U+009B (a C1 control character)"],
    ["fail/a generic resource kind", () => checkNodeGenericResources({ [`gpu${RLO}`]: 1 }), "genericResources", "generic resource kind contains U+202E (a bidirectional override)"],
    ["fail/a service name", () => checkServiceSpec({ ...spec, name: `web${RLO}` }), "name", "name contains U+202E (a bidirectional override)"],
    ["fail/an image", () => checkServiceSpec({ ...spec, image: `nginx\u009d` }), "image", "image contains U+009D (a C1 control character)"],
    ["fail/a constraint", () => checkServiceSpec({ ...spec, constraints: ["node.role == worker", `node.labels.a == b${RLO}`] }), "constraints[1]", "constraint contains U+202E (a bidirectional override)"],
    ["fail/a placement preference", () => checkServiceSpec({ ...spec, preferences: [`node.labels.${RLO}`] }), "preferences[0]", "placement preference contains U+202E (a bidirectional override)"],
    ["fail/a secret name", () => checkSecretName(`db${RLO}pw`), "name", "secret name contains U+202E (a bidirectional override)"],
    ["fail/a secret target", () => checkSecretReferences([{ secretId: "i", secretName: "n", target: `a\u2066` }]), "secrets[0].target", "secret target contains U+2066 (a bidirectional isolate)"],
    ["fail/a username", () => normalizeUsername(`admin\u200f`), "username", "username contains U+200F (a bidirectional mark)"],
    ["fail/an API token name", () => normalizeApiTokenName(`ci\u061c`), "name", "token name contains U+061C (a bidirectional mark)"],
  ])("%s", (_name, fn, field, message) => {
    const error = refusal(fn);
    expect(error.field).toBe(field);
    expect(error.message).toBe(message);
  });
});

describe("escaping for terminals", () => {
  it.each([
    ["ok/C1 controls", "a\u009b31mb\u009d", "a\\u{9b}31mb\\u{9d}"],
    ["ok/bidi characters", "gnp\u202eexe\u2066\u200e\u061c", "gnp\\u{202e}exe\\u{2066}\\u{200e}\\u{61c}"],
    ["ok/C0 controls and DEL", "\u001b[31m\u0007\u007f", "\\u{1b}[31m\\u{7}\\u{7f}"],
    ["ok/safe text is unchanged", "café 🚀 שלום", "café 🚀 שלום"],
  ])("%s", (_name, text, escaped) => expect(escapeUnsafeText(text)).toBe(escaped));

  it("ok/a printer's own line breaks and tabs are kept when asked", () => {
    expect(escapeUnsafeText("a\tb\nc\u202e\r", "\t\n")).toBe("a\tb\nc\\u{202e}\\u{d}");
  });

  it("ok/safeJson is valid JSON that decodes to the stored text, with nothing unsafe left raw", () => {
    const value = { hostname: "gnp\u202eexe", os: "a\u009bb", label: "x\u0007" };
    const text = safeJson(value);
    expect(unsafeCharacter(text.replaceAll("\n", ""))).toBeUndefined();
    expect(text).toContain('"hostname": "gnp\\u202eexe"');
    expect(JSON.parse(text)).toEqual(value);
  });
});
