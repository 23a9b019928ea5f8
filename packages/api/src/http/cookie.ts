import { SESSION_ABSOLUTE_MS } from "@rampart/core";

/**
 * The session cookie. `__Host-` makes the browser insist on Secure, Path=/ and no
 * Domain, so no other host or path can set or read it. Browsers accept Secure cookies
 * over HTTPS and on loopback, which is why the server refuses plain HTTP elsewhere.
 */
export const SESSION_COOKIE = "__Host-rampart_session";

export function sessionCookie(token: string): string {
  const maxAge = Math.floor(SESSION_ABSOLUTE_MS / 1000);
  return `${SESSION_COOKIE}=${token}; Path=/; Max-Age=${maxAge}; Secure; HttpOnly; SameSite=Strict`;
}

export function clearSessionCookie(): string {
  return `${SESSION_COOKIE}=; Path=/; Max-Age=0; Secure; HttpOnly; SameSite=Strict`;
}

/** Reads one cookie from a Cookie header without a dependency. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq === -1) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
