import { unsafeCharacter } from "@rampart/core";
import pino, { type Logger } from "pino";

/**
 * Structured JSON logs. Redaction is the second line of defence: no code path logs a
 * secret on purpose, and these paths are censored in case one ever does.
 */
export const REDACT_PATHS = [
  "password",
  "*.password",
  "token",
  "*.token",
  "secret",
  "*.secret",
  "code",
  "*.code",
  "cookie",
  "*.cookie",
  "authorization",
  "*.authorization",
  "headers.cookie",
  "headers.authorization",
  "*.headers.cookie",
  "*.headers.authorization",
  "key",
  "*.key",
  "kek",
  "*.kek",
  "input",
  "*.input",
  "sessionToken",
  "*.sessionToken",
  "bearerToken",
  "*.bearerToken",
  "setupCode",
  "*.setupCode",
  "databaseUrl",
  "*.databaseUrl",
  "*.*.password",
  "*.*.token",
  "*.*.secret",
];

export const LOG_FORMATS = ["json", "pretty"] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

const LEVEL_NAMES: Record<number, string> = { 10: "TRACE", 20: "DEBUG", 30: "INFO", 40: "WARN", 50: "ERROR", 60: "FATAL" };

/**
 * One JSON log line as a person reads it on a terminal: `12:00:01 INFO  msg key=value`
 * (the clock is UTC, as in the JSON).
 * It formats what pino wrote, after redaction, so it can show nothing the JSON would not.
 */
export function prettyLine(json: string): string {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json;
  }
  const { level, time, msg, service: _service, ...rest } = record;
  const clock = typeof time === "string" ? time.slice(11, 19) : "";
  const name = (LEVEL_NAMES[Number(level)] ?? String(level)).padEnd(5);
  const fields = Object.entries(rest).map(([k, v]) => `${k}=${typeof v === "string" && PLAIN.test(v) ? v : JSON.stringify(v)}`);
  // The message is quoted only if it holds what a terminal would act on (escapes, newlines).
  const text = typeof msg === "string" && unsafeCharacter(msg) === undefined ? msg : JSON.stringify(msg ?? "");
  return [clock, name, text, ...fields].filter((p) => p !== "").join(" ");
}

/** A value printed bare: printable, with no space, quote or `=` to blur where it ends. */
const PLAIN = /^[\x21\x23-\x3c\x3e-\x7e]+$/u;

/** A destination that writes each JSON line pretty to `out` (the terminal). */
export function prettyDestination(out: { write(text: string): unknown }): pino.DestinationStream {
  let pending = "";
  return {
    write(chunk: string) {
      pending += chunk;
      let newline;
      while ((newline = pending.indexOf("\n")) !== -1) {
        out.write(`${prettyLine(pending.slice(0, newline))}\n`);
        pending = pending.slice(newline + 1);
      }
    },
  };
}

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: "rampart" },
      redact: { paths: REDACT_PATHS, censor: "[redacted]" },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination ?? pino.destination({ fd: 1, sync: false }),
  );
}
