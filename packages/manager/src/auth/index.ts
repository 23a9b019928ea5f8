import {
  LOGIN_ACCOUNT_BACKOFF_AFTER,
  LOGIN_LOCK_MS,
  LOGIN_MAX_FAILURES_PER_IP,
  LOGIN_MAX_FAILURES_PER_PAIR,
  LOGIN_WINDOW_MS,
  RampartError,
  SESSION_ABSOLUTE_MS,
  SESSION_IDLE_MS,
  SESSION_TOKEN_BYTES,
  SETUP_CODE_BYTES,
  checkNewPassword,
  formatSessionToken,
  formatSetupCode,
  isWellFormedSessionToken,
  normalizeSetupCode,
  normalizeUsername,
  sessionExpiry,
  toHex,
  type Actor,
  type AuditEventInput,
  type User,
} from "@rampart/core";
import {
  createSession,
  createUser,
  deleteExpiredSessions,
  deleteSession,
  deleteSessionsOfUser,
  findCredentials,
  findSessionByTokenHash,
  findUserByName,
  getInstallation,
  markSetupComplete,
  setPasswordHash,
  storeSetupCodeHash,
  touchSession,
  type Db,
} from "@rampart/db";
import type { AuditService } from "../audit/index.js";
import type { ManagerDeps } from "../deps.js";
import { equalBytes, sha256 } from "../hash.js";
import { burnPasswordCheck, hashPassword, verifyPassword } from "./password.js";
import { beginAttempt, beginLogin, clearAccount, ipKey, loginKeys, loginSucceeded, sweepThrottles, type LoginKeys, type ThrottleKey } from "./throttle.js";

export interface ClientInfo {
  ip: string | null;
  userAgent: string | null;
}

export interface LoginResult {
  /** The session token, for the cookie only. Never logged or returned in a body. */
  token: string;
  user: User;
  expiresAt: Date;
}

export interface AuthenticatedSession {
  user: User;
  sessionId: string;
  expiresAt: Date;
}

/** How often a session's last-seen time is written: idle expiry is accurate to this. */
const TOUCH_EVERY_MS = 60 * 1000;

const anonymous = (ip: string | null): Actor => ({ type: "anonymous", id: null, name: ip ?? "unknown" });
const minutes = (ms: number) => `${ms / 60_000} minutes`;

/**
 * One event for each counter this attempt locked (or, for the account, began to slow):
 * counting is atomic, so exactly one attempt hits each limit, and a lockout is told once
 * however hard it is hammered. The account is named only if it exists.
 */
function lockoutEvents(reached: ThrottleKey[], keys: LoginKeys, user: User | null, ip: string | null): AuditEventInput[] {
  const account = { type: "user", id: user?.id ?? null, name: user?.username ?? null };
  const address = { type: "address", name: ip ?? "unknown" };
  return reached.map((key) => {
    const base = { actor: anonymous(ip), action: "auth.lockout" as const, outcome: "denied" as const, ip };
    if (key === keys.address) {
      return { ...base, target: address, reason: `${LOGIN_MAX_FAILURES_PER_IP} failed sign-ins: this address may not sign in for ${minutes(LOGIN_LOCK_MS)}` };
    }
    if (key === keys.pair) {
      return {
        ...base,
        target: account,
        context: address,
        reason: `${LOGIN_MAX_FAILURES_PER_PAIR} failed sign-ins: this address may not sign in to this account for ${minutes(LOGIN_LOCK_MS)}`,
      };
    }
    return {
      ...base,
      target: account,
      reason: `${LOGIN_ACCOUNT_BACKOFF_AFTER} failed sign-ins in ${minutes(LOGIN_WINDOW_MS)}: addresses that failed are slowed`,
    };
  });
}

export function createAuthService(deps: ManagerDeps, audit: AuditService) {
  const db = deps.store.prisma;
  const newId = () => toHex(deps.random(16));

  async function existingUser(username: string): Promise<User> {
    const name = username.trim().toLowerCase();
    const user = await findUserByName(db, name);
    if (!user) throw new RampartError("not_found", `user ${name} does not exist`, { field: "username" });
    return user;
  }

  /** A new session for a user who has just proved who they are: the token (for the cookie only) and its expiry. */
  async function startSession(tx: Db, user: User, client: ClientInfo, now: Date): Promise<{ token: string; expiresAt: Date }> {
    const token = formatSessionToken(deps.random(SESSION_TOKEN_BYTES));
    const expiresAt = new Date(now.getTime() + SESSION_ABSOLUTE_MS);
    await createSession(tx, {
      id: newId(),
      tokenHash: sha256(token),
      userId: user.id,
      createdAt: now,
      expiresAt,
      ip: client.ip,
      userAgent: client.userAgent?.slice(0, 256) ?? null,
    });
    return { token, expiresAt };
  }

  return {
    async setupNeeded(): Promise<boolean> {
      return (await getInstallation(db)).setupCompletedAt === null;
    },

    /**
     * On a start before setup, issues a fresh one-time code and stores only its hash.
     * The caller prints it to the operator's terminal; it never goes to a log.
     */
    async issueSetupCode(): Promise<string | undefined> {
      if ((await getInstallation(db)).setupCompletedAt !== null) return undefined;
      const code = formatSetupCode(deps.random(SETUP_CODE_BYTES));
      await storeSetupCodeHash(db, sha256(code), deps.now());
      return code;
    },

    /**
     * Creates the first administrator and signs them in: the session is made in the same
     * transaction, so the person who just chose the password is not asked for it again.
     */
    async completeSetup(input: { code: string; username: string; password: string }, client: ClientInfo): Promise<LoginResult> {
      const now = deps.now();
      const ipThrottle = ipKey("setup", client.ip ?? "unknown");
      const state = await getInstallation(db);
      if (state.setupCompletedAt !== null) {
        throw new RampartError("failed_precondition", "setup has already been completed; sign in instead");
      }
      await beginAttempt(db, [ipThrottle], now);
      const code = normalizeSetupCode(input.code);
      if (!code || !state.setupCodeHash || !equalBytes(sha256(code), state.setupCodeHash)) {
        await audit.record({
          actor: anonymous(client.ip),
          action: "setup.complete",
          target: { type: "installation" },
          outcome: "denied",
          reason: "wrong setup code",
          ip: client.ip,
        });
        throw new RampartError("permission_denied", "the setup code is not correct; use the code the server printed", {
          field: "code",
        });
      }
      const username = normalizeUsername(input.username);
      checkNewPassword(input.password, username);
      const passwordHash = await hashPassword(input.password);
      return deps.store.transaction(async (tx) => {
        if (!(await markSetupComplete(tx, now))) {
          throw new RampartError("failed_precondition", "setup has already been completed; sign in instead");
        }
        const user = await createUser(tx, { id: newId(), username, passwordHash, role: "admin" });
        await audit.record(
          {
            actor: { type: "user", id: user.id, name: user.username },
            action: "setup.complete",
            target: { type: "user", id: user.id, name: user.username },
            outcome: "success",
            ip: client.ip,
          },
          tx,
        );
        const session = await startSession(tx, user, client, now);
        await audit.record(
          {
            actor: { type: "user", id: user.id, name: user.username },
            action: "auth.login",
            target: { type: "user", id: user.id, name: user.username },
            outcome: "success",
            reason: "signed in by setup",
            ip: client.ip,
          },
          tx,
        );
        return { ...session, user };
      });
    },

    async login(input: { username: string; password: string }, client: ClientInfo): Promise<LoginResult> {
      const now = deps.now();
      const username = input.username.trim().toLowerCase();
      const keys = loginKeys(username, client.ip ?? "unknown");
      const attempt = await beginLogin(db, keys, now);
      if (attempt.refusal) {
        if (attempt.reached.length > 0) {
          await audit.recordMany(lockoutEvents(attempt.reached, keys, await findUserByName(db, username), client.ip));
        }
        throw attempt.refusal;
      }
      const found = await findCredentials(db, username);
      const ok = found ? await verifyPassword(found.passwordHash, input.password) : (await burnPasswordCheck(input.password), false);
      if (!found || !ok) {
        await audit.recordMany([
          {
            actor: anonymous(client.ip),
            action: "auth.login",
            // The typed name is recorded only if it is an account: it may be a mistyped password.
            target: { type: "user", id: found?.user.id ?? null, name: found?.user.username ?? null },
            outcome: "failure",
            reason: found ? "wrong password" : "unknown user",
            ip: client.ip,
          },
          ...lockoutEvents(attempt.reached, keys, found?.user ?? null, client.ip),
        ]);
        // One message for both cases, so the response does not reveal which usernames exist.
        throw new RampartError("unauthenticated", "username or password is not correct");
      }
      await loginSucceeded(db, keys);
      const { token, expiresAt } = await startSession(db, found.user, client, now);
      await audit.record({
        actor: { type: "user", id: found.user.id, name: found.user.username },
        action: "auth.login",
        target: { type: "user", id: found.user.id, name: found.user.username },
        outcome: "success",
        ip: client.ip,
      });
      return { token, user: found.user, expiresAt };
    },

    /**
     * The session a cookie token belongs to, or null if it is unknown or expired. A
     * background request (the UI polling) does not count as activity, so an open tab
     * left alone still reaches the idle limit.
     */
    async authenticate(token: string, options: { activity: boolean } = { activity: true }): Promise<AuthenticatedSession | null> {
      if (!isWellFormedSessionToken(token)) return null;
      const found = await findSessionByTokenHash(db, sha256(token));
      if (!found) return null;
      const now = deps.now();
      if (sessionExpiry(found.session, now)) {
        await deleteSession(db, found.session.id);
        return null;
      }
      if (options.activity && now.getTime() - found.session.lastSeenAt.getTime() >= TOUCH_EVERY_MS) {
        await touchSession(db, found.session.id, now);
      }
      return { user: found.user, sessionId: found.session.id, expiresAt: found.session.expiresAt };
    },

    async logout(sessionId: string, actor: Actor, client: ClientInfo): Promise<void> {
      await deleteSession(db, sessionId);
      await audit.record({
        actor,
        action: "auth.logout",
        target: { type: "session", id: sessionId },
        outcome: "success",
        ip: client.ip,
      });
    },

    /** Lifts every sign-in lock and backoff on an account (the admin socket's `user unlock`). */
    async unlock(username: string, actor: Actor, client: ClientInfo): Promise<{ username: string; cleared: number }> {
      const user = await existingUser(username);
      const cleared = await clearAccount(db, user.username);
      await audit.record({
        actor,
        action: "user.unlock",
        target: { type: "user", id: user.id, name: user.username },
        outcome: "success",
        reason: cleared === 0 ? "nothing was locked" : null,
        ip: client.ip,
      });
      return { username: user.username, cleared };
    },

    /**
     * Sets a user's password under the same rules as setup, ends all their sessions and
     * lifts their sign-in locks (the admin socket's `user reset-password`).
     */
    async resetPassword(
      input: { username: string; password: string },
      actor: Actor,
      client: ClientInfo,
    ): Promise<{ username: string; sessionsEnded: number }> {
      const user = await existingUser(input.username);
      checkNewPassword(input.password, user.username);
      const passwordHash = await hashPassword(input.password);
      const sessionsEnded = await deps.store.transaction(async (tx) => {
        await setPasswordHash(tx, user.id, passwordHash);
        const ended = await deleteSessionsOfUser(tx, user.id);
        await clearAccount(tx, user.username);
        await audit.record(
          {
            actor,
            action: "user.reset-password",
            target: { type: "user", id: user.id, name: user.username },
            outcome: "success",
            ip: client.ip,
          },
          tx,
        );
        return ended;
      });
      return { username: user.username, sessionsEnded };
    },

    /** Deletes expired sessions and spent login counters; the server runs this periodically. */
    async sweep(): Promise<{ sessions: number; throttles: number }> {
      const now = deps.now();
      const sessions = await deleteExpiredSessions(db, now, new Date(now.getTime() - SESSION_IDLE_MS));
      return { sessions, throttles: await sweepThrottles(db, now) };
    },
  };
}

export type AuthService = ReturnType<typeof createAuthService>;
