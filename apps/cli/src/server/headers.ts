import { randomBytes } from "node:crypto";
import type { ServerResponse } from "node:http";

/**
 * A strict Content-Security-Policy. Scripts run only with this response's nonce (Next
 * puts it on its own script tags when it finds it in the request's CSP header) or when
 * loaded by such a script; nothing may frame the console; forms post only here.
 */
export function contentSecurityPolicy(nonce: string, tls: boolean): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    ...(tls ? ["upgrade-insecure-requests"] : []),
  ].join("; ");
}

export function newNonce(): string {
  return randomBytes(16).toString("base64");
}

/** Headers every response carries, whatever produced it. */
export function setSecurityHeaders(res: ServerResponse, tls: boolean): void {
  res.setHeader("x-content-type-options", "nosniff");
  res.setHeader("x-frame-options", "DENY");
  res.setHeader("referrer-policy", "no-referrer");
  res.setHeader("permissions-policy", "camera=(), microphone=(), geolocation=(), payment=(), usb=()");
  res.setHeader("cross-origin-opener-policy", "same-origin");
  res.setHeader("cross-origin-resource-policy", "same-origin");
  if (tls) res.setHeader("strict-transport-security", "max-age=31536000");
}
