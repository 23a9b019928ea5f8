import type { Actor, Role, User } from "@rampart/core";
import type { ClientInfo, Manager } from "@rampart/manager";

/** What the transport knows about a request, before any credential is checked. */
export interface RequestMeta {
  /** `socket` is the local admin channel: whoever can open it is root, like docker.sock. */
  channel: "http" | "socket";
  ip: string | null;
  userAgent: string | null;
  sessionToken: string | undefined;
  bearerToken: string | undefined;
  /** True when the client marked the request as background polling, not user activity. */
  background: boolean;
  /** Adds a Set-Cookie header to the response. */
  setCookie(cookie: string): void;
}

export type Principal =
  | { via: "session"; user: User; role: Role; actor: Actor; sessionId: string; expiresAt: Date }
  | { via: "apitoken"; user: User; role: Role; actor: Actor; tokenId: string }
  | { via: "local"; user: null; role: Role; actor: Actor };

export interface Context {
  manager: Manager;
  request: RequestMeta;
  principal: Principal | null;
  /** Why a presented credential was not accepted, for a clear 401. */
  credentialProblem: string | null;
}

export const LOCAL_ACTOR: Actor = { type: "local", id: null, name: "local-admin" };

export async function createContext(manager: Manager, request: RequestMeta): Promise<Context> {
  const base = { manager, request };
  if (request.channel === "socket") {
    return { ...base, principal: { via: "local", user: null, role: "admin", actor: LOCAL_ACTOR }, credentialProblem: null };
  }
  if (request.bearerToken !== undefined) {
    const found = await manager.apiTokens.authenticate(request.bearerToken);
    if (!found) return { ...base, principal: null, credentialProblem: "the API token is not valid, expired or revoked" };
    return {
      ...base,
      principal: {
        via: "apitoken",
        user: found.user,
        role: found.user.role,
        actor: { type: "apitoken", id: found.tokenId, name: found.user.username },
        tokenId: found.tokenId,
      },
      credentialProblem: null,
    };
  }
  if (request.sessionToken !== undefined) {
    const session = await manager.auth.authenticate(request.sessionToken, { activity: !request.background });
    if (!session) return { ...base, principal: null, credentialProblem: "your session has expired; sign in again" };
    return {
      ...base,
      principal: {
        via: "session",
        user: session.user,
        role: session.user.role,
        actor: { type: "user", id: session.user.id, name: session.user.username },
        sessionId: session.sessionId,
        expiresAt: session.expiresAt,
      },
      credentialProblem: null,
    };
  }
  return { ...base, principal: null, credentialProblem: null };
}

/** Only the address and user agent go on to services: never the credentials. */
export function clientOf(ctx: Pick<Context, "request">): ClientInfo {
  return { ip: ctx.request.ip, userAgent: ctx.request.userAgent };
}
