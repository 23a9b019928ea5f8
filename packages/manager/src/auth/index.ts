import {
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
  type User,
} from "@rampart/core";
import {
  createSession,
  createUser,
  deleteExpiredSessions,
  deleteSession,
  findCredentials,
  findSessionByTokenHash,
  getInstallation,
  markSetupComplete,
  storeSetupCodeHash,
  touchSession,
} from "@rampart/db";
import type { AuditService } from "../audit/index.js";
import type { ManagerDeps } from "../deps.js";
import { equalBytes, sha256 } from "../hash.js";
import { burnPasswordCheck, hashPassword, verifyPassword } from "./password.js";
import { accountKey, attemptSucceeded, beginAttempt, ipKey, sweepThrottles } from "./throttle.js";

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

export function createAuthService(deps: ManagerDeps, audit: AuditService) {
  const db = deps.store.prisma;
  const newId = () => toHex(deps.random(16));

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

    async completeSetup(input: { code: string; username: string; password: string }, client: ClientInfo): Promise<User> {
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
        return user;
      });
    },

    async login(input: { username: string; password: string }, client: ClientInfo): Promise<LoginResult> {
      const now = deps.now();
      const username = input.username.trim().toLowerCase();
      const account = accountKey(username);
      const address = ipKey("login", client.ip ?? "unknown");
      await beginAttempt(db, [account, address], now);
      const found = await findCredentials(db, username);
      const ok = found ? await verifyPassword(found.passwordHash, input.password) : (await burnPasswordCheck(input.password), false);
      if (!found || !ok) {
        await audit.record({
          actor: anonymous(client.ip),
          action: "auth.login",
          // The typed name is recorded only if it is an account: it may be a mistyped password.
          target: { type: "user", id: found?.user.id ?? null, name: found?.user.username ?? null },
          outcome: "failure",
          reason: found ? "wrong password" : "unknown user",
          ip: client.ip,
        });
        // One message for both cases, so the response does not reveal which usernames exist.
        throw new RampartError("unauthenticated", "username or password is not correct");
      }
      await attemptSucceeded(db, account, [address]);
      const token = formatSessionToken(deps.random(SESSION_TOKEN_BYTES));
      const expiresAt = new Date(now.getTime() + SESSION_ABSOLUTE_MS);
      await createSession(db, {
        id: newId(),
        tokenHash: sha256(token),
        userId: found.user.id,
        createdAt: now,
        expiresAt,
        ip: client.ip,
        userAgent: client.userAgent?.slice(0, 256) ?? null,
      });
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

    /** Deletes expired sessions and spent login counters; the server runs this periodically. */
    async sweep(): Promise<{ sessions: number; throttles: number }> {
      const now = deps.now();
      const sessions = await deleteExpiredSessions(db, now, new Date(now.getTime() - SESSION_IDLE_MS));
      return { sessions, throttles: await sweepThrottles(db, now) };
    },
  };
}

export type AuthService = ReturnType<typeof createAuthService>;
