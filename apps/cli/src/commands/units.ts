import { badFlag } from "./task-flags.js";

/**
 * docker's number flags: sizes as go-units reads them (`--reserve-memory 512MiB`,
 * `--limit-memory 1g`, a mount's `tmpfs-size=64m`) and CPUs as opts.ParseCPUs reads them
 * (`--reserve-cpu 0.5`, `--limit-cpu 1/4`), with their texts.
 */

/** Go's strconv.ParseFloat on decimal input (the only kind go-units hands it), or its error. */
function goParseFloat(text: string): number {
  if (!/^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/.test(text)) {
    throw new Error(`strconv.ParseFloat: parsing ${JSON.stringify(text)}: invalid syntax`);
  }
  const value = Number(text);
  if (!Number.isFinite(value)) throw new Error(`strconv.ParseFloat: parsing ${JSON.stringify(text)}: value out of range`);
  return value;
}

const BINARY: Record<string, number> = { k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4, p: 1024 ** 5 };

/**
 * go-units RAMInBytes: a decimal number, an optional space, then an optional unit
 * `b`, `k`, `m`, `g`, `t` or `p`, itself optionally followed by `b` or `ib`, in any
 * case; units are binary (`1k` = `1kb` = `1KiB` = 1024). Throws go-units' message.
 */
export function ramInBytes(size: string): number {
  let sep = -1;
  for (let i = size.length - 1; i >= 0; i--) {
    if ("0123456789. ".includes(size[i]!)) {
      sep = i;
      break;
    }
  }
  if (sep === -1) throw new Error(`invalid size: '${size}'`);
  const num = size[sep] === " " ? size.slice(0, sep) : size.slice(0, sep + 1);
  const raw = size.slice(sep + 1);
  const value = goParseFloat(num);
  if (value < 0) throw new Error(`invalid size: '${size}'`);
  if (raw.length === 0) return Math.trunc(value);
  const badSuffix = (sfx: string) => new Error(`invalid suffix: '${sfx}'`);
  if (raw.length > 3) throw badSuffix(raw);
  const sfx = raw.toLowerCase();
  if (sfx[0] === "b") {
    if (sfx.length > 1) throw badSuffix(sfx);
    return Math.trunc(value);
  }
  const multiplier = BINARY[sfx[0]!];
  if (multiplier === undefined) throw badSuffix(sfx);
  if ((sfx.length === 2 && sfx[1] !== "b") || (sfx.length === 3 && sfx.slice(1) !== "ib")) throw badSuffix(sfx);
  return Math.trunc(value * multiplier);
}

/** `--reserve-memory 512MiB`: bytes, or docker's flag error. */
export function parseMemoryBytes(value: string, flag = "reserve-memory"): number {
  try {
    return ramInBytes(value);
  } catch (error) {
    throw badFlag(flag, value, (error as Error).message);
  }
}

/** A big.Rat as Go's Rat.SetString reads decimal input: `a/b`, or a decimal with an optional exponent. */
function parseRational(text: string): { num: bigint; den: bigint } | undefined {
  const fraction = /^([+-]?)(\d+)\/(\d+)$/.exec(text);
  if (fraction) {
    const den = BigInt(fraction[3]!);
    if (den === 0n) return undefined;
    return { num: BigInt(fraction[2]!) * (fraction[1] === "-" ? -1n : 1n), den };
  }
  const decimal = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (!decimal) return undefined;
  const whole = decimal[2]!;
  const fractional = decimal[3] ?? "";
  if (whole === "" && fractional === "") return undefined;
  const exponent = Number(decimal[4] ?? "0") - fractional.length;
  // Go refuses exponents this large outright; it keeps the number from eating memory.
  if (Math.abs(exponent) > 10_000) return undefined;
  let num = BigInt(whole + fractional || "0") * (decimal[1] === "-" ? -1n : 1n);
  let den = 1n;
  if (exponent > 0) num *= 10n ** BigInt(exponent);
  else den = 10n ** BigInt(-exponent);
  return { num, den };
}

/**
 * `--reserve-cpu 0.5`: decimal CPUs to NanoCPUs, exactly as docker's opts.ParseCPUs
 * (a rational number; anything finer than a nanoCPU is "too precise").
 */
export function parseNanoCpus(value: string, flag = "reserve-cpu"): number {
  const rational = parseRational(value);
  if (!rational) throw badFlag(flag, value, `failed to parse ${value} as a rational number`);
  const scaled = rational.num * 1_000_000_000n;
  if (scaled % rational.den !== 0n) throw badFlag(flag, value, "value is too precise");
  return Number(scaled / rational.den);
}

/** go-units BytesSize: `%.4g` of the size in the largest binary unit below it. */
export function bytesSize(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB"];
  let size = bytes;
  let i = 0;
  while (size >= 1024 && i < units.length - 1) {
    size /= 1024;
    i++;
  }
  return `${Number(size.toPrecision(4))}${units[i]}`;
}
