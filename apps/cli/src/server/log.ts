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
