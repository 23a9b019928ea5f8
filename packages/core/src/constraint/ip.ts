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

/**
 * A CIDR block as net.ParseCIDR returns it. Go keeps an IPv4 block in 4 bytes and an
 * IPv6 block in 16, and the family decides what it can contain (IPNet.Contains): an
 * IPv6 block never holds an IPv4 address, so `::/0` matches no IPv4 node, unless its
 * masked network is itself an IPv4-mapped address (`::ffff:10.0.0.0/104`), which Go
 * then treats as the IPv4 block it maps.
 */
export interface Cidr {
  /** The address with its host bits cleared, 16 bytes (IPv4 in its mapped form). */
  network: Ip16;
  /** The prefix length as written: 0–32 for an IPv4 block, 0–128 for IPv6. */
  bits: number;
  family: 4 | 6;
}

/** Go's net.dtoi refuses a number once it reaches this (0xFFFFFF), however it is padded. */
const DTOI_BIG = 0xffffff;

/** net.dtoi on the whole text: ASCII digits only, any number of leading zeros. */
function goDecimal(text: string): number | undefined {
  if (!/^[0-9]+$/.test(text)) return undefined;
  let n = 0;
  for (const c of text) {
    n = n * 10 + (c.charCodeAt(0) - 0x30);
    if (n >= DTOI_BIG) return undefined;
  }
  return n;
}

function isMapped(ip: Ip16): boolean {
  for (let i = 0; i < 10; i++) if (ip[i] !== 0) return false;
  return ip[10] === 0xff && ip[11] === 0xff;
}

/** The first `bits` bits of `ip`, the rest cleared. */
function masked(ip: Ip16, bits: number): Ip16 {
  const out = new Uint8Array(16);
  for (let i = 0; i < 16; i++) {
    const keep = Math.max(0, Math.min(8, bits - i * 8));
    out[i] = ip[i]! & ((0xff00 >> keep) & 0xff);
  }
  return out;
}

/**
 * net.ParseCIDR: an address (host bits allowed), `/`, and a prefix length read by Go's
 * dtoi, so `/08` and `/0008` are 8 while `/+8`, `/ 8` and `/8 ` are refused. The family
 * is the address's as written: `::ffff:10.0.0.0` is IPv6, with up to 128 bits.
 */
export function parseCidr(text: string): Cidr | undefined {
  const slash = text.indexOf("/");
  if (slash === -1) return undefined;
  const addr = text.slice(0, slash);
  const ip = parseIp(addr);
  const n = goDecimal(text.slice(slash + 1));
  if (!ip || n === undefined) return undefined;
  const family = addr.includes(":") ? 6 : 4;
  if (n > (family === 4 ? 32 : 128)) return undefined;
  return { network: masked(ip, family === 4 ? 96 + n : n), bits: n, family };
}

export function ipEqual(a: Ip16, b: Ip16): boolean {
  for (let i = 0; i < 16; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * IPNet.Contains. Both sides are reduced as Go reduces them: an address or a network that
 * is IPv4-mapped counts as 4 bytes (To4), anything else as 16, and sides of different
 * lengths never match. An IPv6 block's mask then keeps only its last 32 bits.
 */
export function cidrContains(cidr: Cidr, ip: Ip16): boolean {
  const networkIsV4 = cidr.family === 4 || isMapped(cidr.network);
  if (networkIsV4 !== isMapped(ip)) return false;
  const bits = networkIsV4 ? (cidr.family === 4 ? cidr.bits : Math.max(0, cidr.bits - 96)) + 96 : cidr.bits;
  for (let bit = 0; bit < bits; bit++) {
    const byte = bit >> 3;
    const mask = 0x80 >> (bit & 7);
    if ((cidr.network[byte]! & mask) !== (ip[byte]! & mask)) return false;
  }
  return true;
}
