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

/**
 * A refusal carries two texts. `error` is the reason ca/auth.go gives (what the vectors
 * state); `message` is what the caller is told, wrapped as the gRPC status of
 * AuthorizeForwardedRoleAndOrg reads: a direct caller's reason behind `unauthorized peer
 * role`, a failing forwarder's behind `unauthorized forwarder role`, and the forwarded
 * subject's own faults as they are.
 */
export type AuthorizeResult = { allow: true; nodeId: string } | { allow: false; error: string; message: string };

/** getCertificateSubject when the caller sent no certificate. */
export const NO_CLIENT_CERTIFICATE = "no client certificates in request";
/** getCertificateSubject when the certificate sent chains to no current root. */
export const NO_VERIFIED_CHAIN = "no verified chains for remote certificate";

/** Go's `%v` of a []string: `[a b]`. */
const goList = (items: readonly string[]) => `[${items.join(" ")}]`;

/** Go's `%v` of a gRPC status error. */
const statusText = (inner: string) => `rpc error: code = PermissionDenied desc = ${inner}`;

/** What a direct caller is told when its own certificate is refused. */
export function deniedMessage(inner: string): string {
  return `Permission denied: unauthorized peer role: ${statusText(inner)}`;
}

/** What a forwarded call is told when the manager that forwarded it is refused. */
export function forwarderDeniedMessage(inner: string): string {
  return `Permission denied: unauthorized forwarder role: ${statusText(inner)}`;
}

function isListed(blacklist: AuthorizeInput["blacklist"], cn: string): boolean {
  return "has" in blacklist ? blacklist.has(cn) : blacklist.includes(cn);
}

/** AuthorizeOrgAndRole: the reason a certificate is refused, or its node ID. */
function orgAndRole(peer: PeerSubject | null, input: AuthorizeInput, roles: readonly string[]): { nodeId: string } | { error: string } {
  if (!peer) return { error: NO_CLIENT_CERTIFICATE };
  if (!peer.ous.some((ou) => roles.includes(ou))) return { error: `Permission denied: remote certificate not part of OUs: ${goList(roles)}` };
  if (isListed(input.blacklist, peer.cn)) return { error: `Permission denied: node ${peer.cn} was removed from swarm` };
  if (peer.o !== input.clusterOrg) return { error: `Permission denied: remote certificate not part of organization: ${input.clusterOrg}` };
  return { nodeId: peer.cn };
}

const deny = (error: string, message = error): AuthorizeResult => ({ allow: false, error, message });

export function authorizeNode(input: AuthorizeInput): AuthorizeResult {
  if (!input.forwarded) {
    const direct = orgAndRole(input.peer, input, input.required);
    return "error" in direct ? deny(direct.error, deniedMessage(direct.error)) : { allow: true, nodeId: direct.nodeId };
  }
  const forwarder = orgAndRole(input.peer, input, [MANAGER_ROLE]);
  if ("error" in forwarder) return deny(forwarder.error, forwarderDeniedMessage(forwarder.error));
  const f = input.forwarded;
  if (f.ous.length === 0 || f.cn === "" || f.org === "") return deny("Permission denied: missing information in forwarded request");
  if (!f.ous.some((ou) => input.required.includes(ou))) {
    return deny(`Permission denied: unauthorized forwarded role, expecting: ${goList(input.required)}`);
  }
  if (f.org !== input.clusterOrg) return deny(`Permission denied: organization mismatch, expecting: ${input.clusterOrg}`);
  return { allow: true, nodeId: f.cn };
}
