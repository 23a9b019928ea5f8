import { invalidArgument } from "../errors/index.js";

/**
 * Go's time.Duration text, which the docker CLI takes (`--cert-expiry 720h`) and shows
 * (`2160h0m0s`). Values are whole milliseconds here; Rampart has no use for less.
 */
const UNITS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

export function parseGoDuration(text: string, field: string): number {
  const value = text.trim();
  const invalid = () => invalidArgument(field, `invalid duration "${text}": use a number and a unit, such as 720h or 90m`);
  if (value === "0") return 0;
  const match = /^([+-]?)((?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|ms|s|m|h))+$/.exec(value);
  if (!match) throw invalid();
  let total = 0;
  for (const part of value.replace(/^[+-]/, "").matchAll(/(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/g)) {
    total += Number(part[1]) * UNITS[part[2]!]!;
  }
  if (!Number.isFinite(total) || total > 9.2e15) throw invalid();
  return Math.round(match[1] === "-" ? -total : total);
}

/** Go's Duration.String for whole seconds and more: `2160h0m0s`, `1h0m0s`, `1m30s`, `5s`. */
export function formatGoDuration(ms: number): string {
  if (ms === 0) return "0s";
  const sign = ms < 0 ? "-" : "";
  let rest = Math.abs(ms);
  const h = Math.floor(rest / 3_600_000);
  rest -= h * 3_600_000;
  const m = Math.floor(rest / 60_000);
  rest -= m * 60_000;
  const s = rest / 1000;
  const seconds = Number.isInteger(s) ? String(s) : String(Number(s.toFixed(3)));
  if (h > 0) return `${sign}${h}h${m}m${seconds}s`;
  if (m > 0) return `${sign}${m}m${seconds}s`;
  return `${sign}${seconds}s`;
}

/** docker/go-units HumanDuration, as `docker info` prints (`3 months`, `5 seconds`). */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < 1) return "Less than a second";
  if (seconds === 1) return "1 second";
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.floor(ms / 60_000);
  if (minutes === 1) return "About a minute";
  if (minutes < 60) return `${minutes} minutes`;
  const hours = Math.floor(ms / 3_600_000 + 0.5);
  if (hours === 1) return "About an hour";
  if (hours < 48) return `${hours} hours`;
  if (hours < 24 * 7 * 2) return `${Math.floor(hours / 24)} days`;
  if (hours < 24 * 30 * 2) return `${Math.floor(hours / 24 / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24 / 30)} months`;
  return `${Math.floor(Math.floor(ms / 3_600_000) / 24 / 365)} years`;
}

/** Go's time.quote: `"` and `\\` escaped, bytes outside printable ASCII as `\\xNN`. */
function timeQuote(text: string): string {
  let out = "";
  for (const c of text) {
    const code = c.codePointAt(0)!;
    if (code >= 0x80 || code < 0x20) for (const byte of new TextEncoder().encode(c)) out += `\\x${byte.toString(16).padStart(2, "0")}`;
    else out += c === '"' || c === "\\" ? `\\${c}` : c;
  }
  return `"${out}"`;
}

const NS_UNITS: Record<string, bigint> = { ns: 1n, us: 1_000n, "µs": 1_000n, "μs": 1_000n, ms: 1_000_000n, s: 1_000_000_000n, m: 60_000_000_000n, h: 3_600_000_000_000n };

/**
 * Go's time.ParseDuration, to the nanosecond, with its error texts: how the docker CLI
 * reads `--restart-delay 1m30s` or `500ms`. Rampart's specs hold nanoseconds as numbers,
 * so a duration past Number.MAX_SAFE_INTEGER ns (about 104 days) is refused as Go
 * refuses one past int64.
 */
export function parseGoDurationNs(text: string): number {
  const invalid = () => new Error(`time: invalid duration ${timeQuote(text)}`);
  let s = text;
  let negative = false;
  if (s[0] === "-" || s[0] === "+") {
    negative = s[0] === "-";
    s = s.slice(1);
  }
  if (s === "0") return 0;
  if (s === "") throw invalid();
  let total = 0n;
  while (s !== "") {
    const number = /^(\d*)(?:\.(\d*))?/.exec(s)!;
    const whole = number[1]!;
    const fraction = number[2] ?? "";
    if (whole === "" && fraction === "") throw invalid();
    s = s.slice(number[0].length);
    const unitText = /^[^\d.]*/.exec(s)![0];
    s = s.slice(unitText.length);
    if (unitText === "") throw new Error(`time: missing unit in duration ${timeQuote(text)}`);
    const unit = NS_UNITS[unitText];
    if (unit === undefined) throw new Error(`time: unknown unit ${timeQuote(unitText)} in duration ${timeQuote(text)}`);
    total += BigInt(whole || "0") * unit;
    // Go scales the fraction by the unit in floating point; integers keep it exact here.
    if (fraction !== "") total += (BigInt(fraction) * unit) / 10n ** BigInt(fraction.length);
    if (total > BigInt(Number.MAX_SAFE_INTEGER)) throw invalid();
  }
  return Number(negative ? -total : total);
}

/** Go's Duration.String: `0s`, `500ms`, `1.5µs`, `5s`, `1m30s`, `2h0m0.5s`. */
export function formatGoDurationNs(ns: number): string {
  if (ns === 0) return "0s";
  const sign = ns < 0 ? "-" : "";
  const abs = BigInt(Math.abs(ns));
  const decimal = (value: bigint, unit: bigint, suffix: string) => {
    const whole = value / unit;
    const fraction = (value % unit).toString().padStart(unit.toString().length - 1, "0").replace(/0+$/, "");
    return `${whole}${fraction === "" ? "" : `.${fraction}`}${suffix}`;
  };
  if (abs < 1_000n) return `${sign}${abs}ns`;
  if (abs < 1_000_000n) return `${sign}${decimal(abs, 1_000n, "µs")}`;
  if (abs < 1_000_000_000n) return `${sign}${decimal(abs, 1_000_000n, "ms")}`;
  const hours = abs / NS_UNITS.h!;
  const minutes = (abs % NS_UNITS.h!) / NS_UNITS.m!;
  const seconds = decimal(abs % NS_UNITS.m!, NS_UNITS.s!, "s");
  if (hours > 0n) return `${sign}${hours}h${minutes}m${seconds}`;
  if (minutes > 0n) return `${sign}${minutes}m${seconds}`;
  return `${sign}${seconds}`;
}
