/**
 * Who may call a node-endpoint route (ca/auth.go AuthorizeOrgAndRole and
 * AuthorizeForwardedRoleAndOrg), as a pure decision over a certificate's subject. The
 * TLS layer has already checked that the certificate chains to a current root; this
 * checks role (OU), the deny list, and the cluster (O). Messages are Swarm's own.
 */
export const MANAGER_ROLE = "swarm-manager";
export const WORKER_ROLE = "swarm-worker";
export type CertRole = typeof MANAGER_ROLE | typeof WORKER_ROLE;

export interface PeerSubject {
  cn: string;
  o: string;
  ous: string[];
}

export interface ForwardedSubject {
  cn: string;
  org: string;
  ous: string[];
}

export interface AuthorizeInput {
  /** The verified client certificate's subject, or null for none. */
  peer: PeerSubject | null;
  /** Metadata a manager attached when forwarding a node's call. */
  forwarded?: ForwardedSubject | undefined;
  blacklist: ReadonlySet<string> | readonly string[];
  clusterOrg: string;
  required: readonly string[];
}

export type AuthorizeResult = { allow: true; nodeId: string } | { allow: false; error: string };

/** Go's `%v` of a []string: `[a b]`. */
const goList = (items: readonly string[]) => `[${items.join(" ")}]`;

function isListed(blacklist: AuthorizeInput["blacklist"], cn: string): boolean {
  return "has" in blacklist ? blacklist.has(cn) : blacklist.includes(cn);
}

function orgAndRole(peer: PeerSubject, input: AuthorizeInput, roles: readonly string[]): AuthorizeResult {
  if (!peer.ous.some((ou) => roles.includes(ou))) {
    return { allow: false, error: `Permission denied: remote certificate not part of OUs: ${goList(roles)}` };
  }
  if (isListed(input.blacklist, peer.cn)) {
    return { allow: false, error: `Permission denied: node ${peer.cn} was removed from swarm` };
  }
  if (peer.o !== input.clusterOrg) {
    return { allow: false, error: `Permission denied: remote certificate not part of organization: ${input.clusterOrg}` };
  }
  return { allow: true, nodeId: peer.cn };
}

export function authorizeNode(input: AuthorizeInput): AuthorizeResult {
  if (!input.peer) return { allow: false, error: "Permission denied: no client certificate was presented" };
  if (!input.forwarded) return orgAndRole(input.peer, input, input.required);
  const forwarder = orgAndRole(input.peer, input, [MANAGER_ROLE]);
  if (!forwarder.allow) return forwarder;
  const f = input.forwarded;
  if (f.ous.length === 0 || f.cn === "" || f.org === "") {
    return { allow: false, error: "Permission denied: missing information in forwarded request" };
  }
  if (!f.ous.some((ou) => input.required.includes(ou))) {
    return { allow: false, error: `Permission denied: unauthorized forwarded role, expecting: ${goList(input.required)}` };
  }
  if (f.org !== input.clusterOrg) {
    return { allow: false, error: `Permission denied: organization mismatch, expecting: ${input.clusterOrg}` };
  }
  return { allow: true, nodeId: f.cn };
}

/** The outer message a direct caller sees, wrapping the inner reason as gRPC would. */
export function deniedMessage(inner: string): string {
  return `Permission denied: unauthorized peer role: rpc error: code = PermissionDenied desc = ${inner}`;
}
