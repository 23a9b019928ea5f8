import { RampartError } from "@rampart/core";

/**
 * Exactly one PEM block, with Node's native base64, for the issuance path: core's
 * portable decoder (which also runs in browsers) costs more per certificate than the
 * rest of building one. A second block, of any label, is refused rather than skipped:
 * which one the sender meant is not ours to guess. Errors read `<what>: …` on `field`.
 */
export function pemToDer(text: string, label: string, what = "invalid PEM", field = "pem"): Uint8Array {
  const refuse = (reason: string) => new RampartError("invalid_argument", `${what}: ${reason}`, { field });
  const begin = `-----BEGIN ${label}-----`;
  const end = `-----END ${label}-----`;
  const start = text.indexOf(begin);
  const stop = start === -1 ? -1 : text.indexOf(end, start + begin.length);
  if (start === -1 || stop === -1) throw refuse(`expected one PEM ${label} block`);
  if (text.indexOf("-----BEGIN ") !== start || text.includes("-----BEGIN ", stop)) {
    throw refuse(`expected one PEM ${label} block, found more than one PEM block`);
  }
  const body = text.slice(start + begin.length, stop).replace(/\s+/g, "");
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(body) || body.length % 4 !== 0) throw refuse(`the ${label} block is not base64`);
  return new Uint8Array(Buffer.from(body, "base64"));
}

export function derToPem(der: Uint8Array, label: string): string {
  const b64 = Buffer.from(der.buffer, der.byteOffset, der.byteLength).toString("base64");
  let out = `-----BEGIN ${label}-----\n`;
  for (let i = 0; i < b64.length; i += 64) out += `${b64.slice(i, i + 64)}\n`;
  return `${out}-----END ${label}-----\n`;
}
