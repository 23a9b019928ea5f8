/**
 * Where to go after sign-in. Only a path on this site is accepted, never another
 * origin (`//evil.example`, `https://…`), so the `next` parameter cannot be used to
 * send a user elsewhere.
 */
export function safeNext(value: string | null): string {
  if (!value || !value.startsWith("/") || value.startsWith("//") || value.startsWith("/\\")) return "/";
  return value;
}
