/**
 * IP addresses and CIDR blocks as Go's net package reads them, for `node.ip`
 * constraints. Every address is kept as 16 bytes, IPv4 in its IPv4-mapped IPv6 form, so
 * that `10.0.0.1` and `::ffff:10.0.0.1` are the same address, as net.IP.Equal says.
 */
export type Ip16 = Uint8Array;

function parseIpv4(text: string): number[] | undefined {
  const parts = text.split(".");
  if (parts.length !== 4) return undefined;
  const out: number[] = [];
  for (const p of parts) {
    // Go refuses leading zeros ("010") and empty parts.
    if (!/^(0|[1-9]\d{0,2})$/.test(p)) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    out.push(n);
  }
  return out;
}

function mapped(v4: number[]): Ip16 {
  const ip = new Uint8Array(16);
  ip[10] = 0xff;
  ip[11] = 0xff;
  ip.set(v4, 12);
  return ip;
}

function parseIpv6(text: string): Ip16 | undefined {
  if (text.includes("%")) return undefined;
  let body = text;
  if (text.includes(".")) {
    // An embedded IPv4 address (::ffff:10.0.0.1) is two more 16-bit groups.
    const lastColon = text.lastIndexOf(":");
    const v4 = parseIpv4(text.slice(lastColon + 1));
    if (!v4) return undefined;
    const hex = (a: number, b: number) => ((a << 8) | b).toString(16);
    body = `${text.slice(0, lastColon + 1)}${hex(v4[0]!, v4[1]!)}:${hex(v4[2]!, v4[3]!)}`;
  }
  const halves = body.split("::");
  if (halves.length > 2) return undefined;
  const groups = (s: string) => (s === "" ? [] : s.split(":"));
  const head = groups(halves[0]!);
  const rest = halves.length === 2 ? groups(halves[1]!) : [];
  for (const g of [...head, ...rest]) if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
  const count = head.length + rest.length;
  if (halves.length === 1 ? count !== 8 : count > 7) return undefined;
  const words = [...head, ...Array<string>(8 - count).fill("0"), ...rest].map((g) => Number.parseInt(g, 16));
  const ip = new Uint8Array(16);
  words.forEach((w, i) => {
    ip[i * 2] = w >> 8;
    ip[i * 2 + 1] = w & 0xff;
  });
  return ip;
}

/** net.ParseIP: undefined for anything that is not exactly one IPv4 or IPv6 address. */
export function parseIp(text: string): Ip16 | undefined {
  if (text.includes(":")) return parseIpv6(text);
  const v4 = parseIpv4(text);
  return v4 ? mapped(v4) : undefined;
}

export interface Cidr {
  network: Ip16;
  /** Prefix length in the 128-bit space (an IPv4 /24 is /120 here). */
  bits: number;
}

/** net.ParseCIDR: the address may have host bits set; the prefix must fit its family. */
export function parseCidr(text: string): Cidr | undefined {
  const slash = text.indexOf("/");
  if (slash === -1) return undefined;
  const addr = text.slice(0, slash);
  const prefix = text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(prefix)) return undefined;
  const ip = parseIp(addr);
  if (!ip) return undefined;
  const v4 = !addr.includes(":");
  const n = Number(prefix);
  if (n > (v4 ? 32 : 128)) return undefined;
  return { network: ip, bits: v4 ? 96 + n : n };
}

export function ipEqual(a: Ip16, b: Ip16): boolean {
  for (let i = 0; i < 16; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function cidrContains(cidr: Cidr, ip: Ip16): boolean {
  for (let bit = 0; bit < cidr.bits; bit++) {
    const byte = bit >> 3;
    const mask = 0x80 >> (bit & 7);
    if ((cidr.network[byte]! & mask) !== (ip[byte]! & mask)) return false;
  }
  return true;
}
