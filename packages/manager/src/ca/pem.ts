import { RampartError } from "@rampart/core";

/**
 * PEM with Node's native base64, for the issuance path: core's portable decoder (which
 * also runs in browsers) costs more per certificate than the rest of building one.
 */
export function pemToDer(text: string, label: string): Uint8Array {
  const begin = `-----BEGIN ${label}-----`;
  const end = `-----END ${label}-----`;
  const start = text.indexOf(begin);
  const stop = text.indexOf(end, start + begin.length);
  if (start === -1 || stop === -1) {
    throw new RampartError("invalid_argument", `invalid PEM: expected one ${label} block`, { field: "pem" });
  }
  const body = text.slice(start + begin.length, stop).replace(/\s+/g, "");
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(body) || body.length % 4 !== 0) {
    throw new RampartError("invalid_argument", `invalid PEM: the ${label} block is not base64`, { field: "pem" });
  }
  return new Uint8Array(Buffer.from(body, "base64"));
}

export function derToPem(der: Uint8Array, label: string): string {
  const b64 = Buffer.from(der.buffer, der.byteOffset, der.byteLength).toString("base64");
  let out = `-----BEGIN ${label}-----\n`;
  for (let i = 0; i < b64.length; i += 64) out += `${b64.slice(i, i + 64)}\n`;
  return `${out}-----END ${label}-----\n`;
}
