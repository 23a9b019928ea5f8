import { invalidArgument } from "../errors/index.js";
import { checkSafeText } from "../text/index.js";

/**
 * Dashboard users: names, password rules, roles and the permissions they grant.
 * Every API procedure names one permission from `PERMISSIONS` (or is public), and a
 * role is just a set of them, so adding a role never means touching procedures.
 */

/** The longest username taken, here, in the API's schema and in the sign-in and setup forms. */
export const USERNAME_MAX_LENGTH = 64;

export const USERNAME_PATTERN = /^[a-z0-9](?:[a-z0-9._-]{0,62}[a-z0-9])?$/;

/** Lower-cases and checks a username; throws naming the `username` field. */
export function normalizeUsername(input: string): string {
  checkSafeText(input, "username");
  const name = input.trim().toLowerCase();
  if (name.length === 0) throw invalidArgument("username", "username is required");
  if (name.length > USERNAME_MAX_LENGTH) throw invalidArgument("username", `username must be at most ${USERNAME_MAX_LENGTH} characters`);
  if (!USERNAME_PATTERN.test(name)) {
    throw invalidArgument(
      "username",
      "username may contain only letters, digits, '.', '_' and '-', and must start and end with a letter or digit",
    );
  }
  return name;
}

/** NIST SP 800-63B: a floor on length, a generous ceiling, no composition rules. */
export const PASSWORD_MIN_LENGTH = 12;
/** Bounds the hashing work an attacker can ask for with one request. */
export const PASSWORD_MAX_LENGTH = 256;

export function checkNewPassword(password: string, username: string): void {
  const length = [...password].length;
  if (length < PASSWORD_MIN_LENGTH) {
    throw invalidArgument("password", `password must be at least ${PASSWORD_MIN_LENGTH} characters`);
  }
  if (length > PASSWORD_MAX_LENGTH) {
    throw invalidArgument("password", `password must be at most ${PASSWORD_MAX_LENGTH} characters`);
  }
  if (password.trim().toLowerCase() === username.toLowerCase()) {
    throw invalidArgument("password", "password must not be the username");
  }
}

export const PERMISSIONS = [
  /** Read server, store and cluster status. */
  "system:read",
  /** Create, list and revoke one's own API tokens. */
  "apitokens:own",
  /** Read the audit log. */
  "audit:read",
  /** Read the swarm: info, nodes, the trust root. */
  "cluster:read",
  /** Change the swarm: settings, token rotation, node labels, roles, availability, removal. */
  "cluster:admin",
  /** Reveal join tokens (each reveal is audited). */
  "tokens:reveal",
  /** Connect and remove Docker Swarm environments: a connection to an engine is root on its host (ADR 0020). */
  "environments:admin",
  /** Unlock sign-ins and reset passwords: granted by role, and allowed on the admin socket alone. */
  "users:admin",
] as const;

export type Permission = (typeof PERMISSIONS)[number];

export const ROLES = ["admin", "viewer"] as const;
export type Role = (typeof ROLES)[number];

const GRANTS: Record<Role, readonly Permission[]> = {
  admin: PERMISSIONS,
  viewer: ["system:read", "apitokens:own", "cluster:read"],
};

export function roleHasPermission(role: Role, permission: Permission): boolean {
  return GRANTS[role].includes(permission);
}

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

export interface User {
  id: string;
  username: string;
  role: Role;
  createdAt: Date;
}

/** Session lifetime rules (DESIGN.md §3): 30 minutes idle, 12 hours in all. */
export const SESSION_IDLE_MS = 30 * 60 * 1000;
export const SESSION_ABSOLUTE_MS = 12 * 60 * 60 * 1000;

export interface SessionTimes {
  createdAt: Date;
  lastSeenAt: Date;
  expiresAt: Date;
}

/** Why a session is no longer valid at `now`, or undefined while it is. */
export function sessionExpiry(session: SessionTimes, now: Date): "idle" | "absolute" | undefined {
  if (now.getTime() >= session.expiresAt.getTime()) return "absolute";
  if (now.getTime() - session.lastSeenAt.getTime() >= SESSION_IDLE_MS) return "idle";
  return undefined;
}

/**
 * Failed-login limits (ADR 0014). A lock falls on one address's attempts at one
 * account, never on the account itself, so nobody can lock an administrator out from
 * addresses of their own. Across addresses an account is only slowed: once it has
 * `LOGIN_ACCOUNT_BACKOFF_AFTER` failures in a window, addresses that have already
 * failed against it take turns, one attempt per growing delay, while an address with
 * no failures against it always gets straight through. Counting per address alone
 * stops one client trying many accounts.
 */
export const LOGIN_WINDOW_MS = 15 * 60 * 1000;
export const LOGIN_LOCK_MS = 15 * 60 * 1000;
export const LOGIN_MAX_FAILURES_PER_PAIR = 5;
export const LOGIN_MAX_FAILURES_PER_IP = 20;
export const LOGIN_ACCOUNT_BACKOFF_AFTER = 5;
export const LOGIN_BACKOFF_BASE_MS = 1000;
export const LOGIN_BACKOFF_MAX_MS = 60 * 1000;

/**
 * How long an account under backoff waits between turns, given its failures in the
 * window: doubling from one second past the threshold, capped at a minute, so guessing
 * from addresses that have failed gets slower and slower without ever stopping a login.
 */
export function loginBackoffMs(failures: number): number {
  const past = Math.max(0, failures - LOGIN_ACCOUNT_BACKOFF_AFTER);
  return Math.min(LOGIN_BACKOFF_MAX_MS, LOGIN_BACKOFF_BASE_MS * 2 ** Math.min(past, 16));
}

export interface ApiTokenInfo {
  id: string;
  name: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  /** Every token expires: a stolen one cannot outlive its owner's attention for long. */
  expiresAt: Date;
  revokedAt: Date | null;
}

export const API_TOKEN_NAME_MAX = 64;
export const API_TOKEN_DEFAULT_DAYS = 90;
export const API_TOKEN_MAX_DAYS = 365;
const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * What is wrong with a token's lifetime in days, or undefined: a whole number of days,
 * a year at most, and none that would already have expired (a mistake, not a wish).
 * The form and the server share it, so both say the same.
 */
export function apiTokenExpiryProblem(days: number): string | undefined {
  if (!Number.isInteger(days)) return "expiresInDays must be a whole number of days";
  if (days < 1) return "expiresInDays must be at least 1: a token cannot expire in the past";
  if (days > API_TOKEN_MAX_DAYS) return `expiresInDays must be at most ${API_TOKEN_MAX_DAYS}: a token lasts a year at most`;
  return undefined;
}

/** When a token made at `now` to last `days` expires; throws naming `expiresInDays` if it may not. */
export function apiTokenExpiry(now: Date, days: number = API_TOKEN_DEFAULT_DAYS): Date {
  const problem = apiTokenExpiryProblem(days);
  if (problem) throw invalidArgument("expiresInDays", problem);
  return new Date(now.getTime() + days * DAY_MS);
}

export function normalizeApiTokenName(input: string): string {
  const name = input.trim();
  if (name.length === 0) throw invalidArgument("name", "token name is required");
  if (name.length > API_TOKEN_NAME_MAX) {
    throw invalidArgument("name", `token name must be at most ${API_TOKEN_NAME_MAX} characters`);
  }
  return checkSafeText(name, "name", "token name");
}
