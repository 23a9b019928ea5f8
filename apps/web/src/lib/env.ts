import { NATIVE_ENV } from "@rampart/core";
import { useParams } from "next/navigation";

/**
 * Environments in the UI (ADR 0020). The native cluster's pages keep their addresses; a
 * connected swarm's are the same pages under `/env/NAME/…`. The route's `env` parameter
 * is the one source of which environment a page shows: every cluster query and mutation
 * passes it as the input's `env` (so each environment has its own cache entries), and
 * every link between cluster pages is built with `envHref`, so navigation stays inside
 * the environment.
 */

export { NATIVE_ENV };

/**
 * What a page shows for a field the native cluster has and Docker's Engine API does not
 * give (the API sends null): said so, never a dash that looks like a real empty value.
 */
export const NOT_REPORTED_BY_DOCKER = "not reported by Docker";

/** The connected swarm this page shows, or undefined on Rampart's own cluster. */
export function useEnv(): string | undefined {
  const params = useParams<{ env?: string | string[] }>();
  const env = params?.env;
  return typeof env === "string" && env !== NATIVE_ENV ? env : undefined;
}

/** Pages that are Rampart's own, not a cluster's: the same whichever environment is chosen. */
const GLOBAL_PAGES = ["/audit", "/settings/api-tokens", "/settings/environments"] as const;

const pathnameOf = (path: string) => path.split(/[?#]/, 1)[0] ?? "/";

/** Whether a page belongs to Rampart itself rather than to a cluster (it has no `/env/…` twin). */
export function isGlobalPath(path: string): boolean {
  const pathname = pathnameOf(path);
  return GLOBAL_PAGES.some((page) => pathname === page || pathname.startsWith(`${page}/`));
}

/**
 * A cluster page's address in an environment: `path` as the native cluster writes it
 * (`/nodes/ID`, `/settings/swarm#runtime-policy`), under `/env/NAME` on a connected
 * swarm. Rampart's own pages (the audit log, API tokens, environments) are left as they are.
 */
export function envHref(env: string | undefined, path: string): string {
  if (env === undefined || isGlobalPath(path)) return path;
  const prefix = `/env/${encodeURIComponent(env)}`;
  return pathnameOf(path) === "/" ? `${prefix}${path.slice(1)}` : `${prefix}${path}`;
}

/** An address split into its environment (undefined for the native cluster) and the page as the native cluster writes it. */
export function splitEnvPath(pathname: string): { env: string | undefined; path: string } {
  const match = /^\/env\/([^/]+)(\/.*)?$/.exec(pathname);
  if (!match) return { env: undefined, path: pathname };
  return { env: decodeURIComponent(match[1]!), path: match[2] ?? "/" };
}

type Kind = "native" | "docker";

/**
 * The cluster pages, by address pattern: which kinds of environment have them, and for a
 * page about one object (a node, a service), the list it belongs to (one every kind has),
 * since an object of one environment is not in another.
 */
const CLUSTER_PAGES: ReadonlyArray<{ pattern: RegExp; kinds: readonly Kind[]; list?: string }> = [
  { pattern: /^\/$/, kinds: ["native", "docker"] },
  { pattern: /^\/nodes$/, kinds: ["native", "docker"] },
  { pattern: /^\/nodes\/[^/]+$/, kinds: ["native", "docker"], list: "/nodes" },
  { pattern: /^\/services(\/new)?$/, kinds: ["native", "docker"] },
  { pattern: /^\/services\/[^/]+(\/edit)?$/, kinds: ["native", "docker"], list: "/services" },
  { pattern: /^\/secrets(\/new)?$/, kinds: ["native", "docker"] },
  { pattern: /^\/secrets\/[^/]+$/, kinds: ["native", "docker"], list: "/secrets" },
  { pattern: /^\/networks$/, kinds: ["docker"] },
  { pattern: /^\/planner$/, kinds: ["native", "docker"] },
  { pattern: /^\/join$/, kinds: ["native", "docker"] },
  { pattern: /^\/pki$/, kinds: ["native", "docker"] },
  { pattern: /^\/settings\/swarm$/, kinds: ["native", "docker"] },
  { pattern: /^\/settings\/swarm\/seccomp\/[^/]+$/, kinds: ["native"], list: "/settings/swarm" },
];

/**
 * Where the environment switcher goes from `pathname` when `target` is chosen: the same
 * page in that environment where it has one (a page about one object becomes its list),
 * else the environment's Overview. Rampart's own pages have no twin, so they lead to the
 * Overview too.
 */
export function switchEnvHref(pathname: string, target: string | undefined): string {
  const { path } = splitEnvPath(pathname);
  const kind: Kind = target === undefined ? "native" : "docker";
  const page = CLUSTER_PAGES.find((p) => p.pattern.test(path));
  const next = !page ? "/" : (page.list ?? (page.kinds.includes(kind) ? path : "/"));
  return envHref(target, next);
}
