/**
 * Where to go after sign-in. The value is resolved the way the browser would resolve
 * it (which drops tabs and newlines, and treats `\` as `/`) and accepted only if it
 * stays on this origin, so the `next` parameter cannot send a user elsewhere.
 */
export function safeNext(value: string | null, origin: string = window.location.origin): string {
  if (!value || !value.startsWith("/")) return "/";
  let url: URL;
  try {
    url = new URL(value, origin);
  } catch {
    return "/";
  }
  if (url.origin !== origin) return "/";
  return `${url.pathname}${url.search}${url.hash}`;
}
