/**
 * A node certificate that ends within this many days is shown in the warning colour and
 * raised on the Overview. Nodes renew at 50–80 % of the lifetime (90 days by default),
 * so a healthy node's certificate never gets this close to its end.
 */
export const CERT_WARN_DAYS = 14;

export const DAY_MS = 86_400_000;

/** True when a certificate ends within `days` (or has already ended). */
export function certExpiresSoon(notAfter: Date | null, now: Date, days = CERT_WARN_DAYS): boolean {
  return notAfter !== null && notAfter.getTime() - now.getTime() < days * DAY_MS;
}

/** The items whose certificate ends within `days`, soonest first. */
export function expiringBy<T>(items: readonly T[], notAfterOf: (item: T) => Date | null, now: Date, days = CERT_WARN_DAYS): T[] {
  return items
    .filter((item) => certExpiresSoon(notAfterOf(item), now, days))
    .sort((a, b) => (notAfterOf(a)?.getTime() ?? 0) - (notAfterOf(b)?.getTime() ?? 0));
}
