import { RampartError, invalidArgument } from "../errors/index.js";
import { fromPem, toPem } from "../pki/pem.js";

/**
 * A change of the swarm's CA configuration, decided as SwarmKit's `validateCAConfig`
 * decides it (manager/controlapi/ca_rotation.go; swarm-semantics.md §4.8, §4.9). What
 * needs keys, clocks or the network comes in through `CaChangePorts`, so this module
 * holds the rules alone: which certificate is wanted, which external CA must answer for
 * which, and when a rotation starts, stays, is replaced or stops.
 */

/** A new root must be good for at least a year (`minRootExpiration`). */
export const MIN_ROOT_EXPIRATION_MS = 8760 * 3_600_000;
/** Nodes asked to renew at one time while a rotation converges (`IssuanceStateRotateMaxBatchSize`). */
export const ROTATE_BATCH_SIZE = 30;
/** How often the rotation reconciler looks again (`defaultRootReconciliationInterval`). */
export const ROOT_RECONCILIATION_INTERVAL_MS = 3_000;

/** `--external-ca protocol=cfssl,url=…[,cacert=…]`: only `cfssl` exists. */
export interface ExternalCa {
  protocol: string;
  url: string;
  /** The root this CA signs under, as PEM; empty means the current trust root. */
  caCert: string;
  /** Other `key=value` pairs of the flag, kept as Swarm keeps them. */
  options?: Record<string, string>;
}

/** A root rotation in progress (`api.RootRotation`). Keys are PEM, and null when the root is external. */
export interface RootRotation {
  caCert: string;
  caKey: string | null;
  /** The new root's certificate re-signed by the old root: the intermediate every node certificate carries meanwhile. */
  crossSignedCaCert: string;
}

/** `api.RootCA` without the join tokens, which the caller regenerates when a rotation finishes. */
export interface RootCaState {
  caCert: string;
  caKey: string | null;
  lastForcedRotation: number;
  rotation: RootRotation | null;
}

/** What an administrator asks for (`Spec.CAConfig`). Empty strings mean "not given". */
export interface CaConfigRequest {
  signingCaCert: string;
  signingCaKey: string;
  forceRotate: number;
  externalCas: readonly ExternalCa[];
}

/** What a checked root says of itself (`ca.NewRootCA`). */
export interface RootSummary {
  /** How many certificates the bundle holds. */
  certificates: number;
  /** The first certificate's end of validity. */
  notAfter: Date;
}

export interface CaChangePorts {
  /**
   * `ca.NewRootCA(certs, signingCert, key)`: every certificate self-signed with an allowed
   * algorithm and currently valid, and the key matching the signing certificate. Throws
   * an invalid_argument RampartError with Swarm's words otherwise.
   */
  checkRoot(certPem: string, signingCertPem: string, keyPem: string): RootSummary;
  /** A TLS handshake with `url` succeeds, trusting only `wantedCertPem` (`validateExternalCAURL`). */
  reachable(url: string, wantedCertPem: string): Promise<boolean>;
  /** A fresh self-signed root (`ca.CreateRootCA("swarm-ca")`). */
  createRoot(): { cert: string; key: string };
  /** The new root's certificate re-signed with the old root's key (`CrossSignCACertificate`). */
  crossSign(oldRoot: { cert: string; key: string }, newCertPem: string): string;
  /** The same, through the current external CA with CFSSL's `CA` profile (`CrossSignRootCA`). */
  crossSignExternal(urls: readonly string[], currentRootPem: string, newRoot: { cert: string; key: string | null }): Promise<string>;
}

/** `ca.NormalizePEMs`: each block re-encoded without headers, in order; nothing else kept. */
export function normalizePems(text: string): string {
  const blocks: string[] = [];
  const re = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g;
  for (const match of text.matchAll(re)) {
    const label = match[1]!;
    try {
      for (const der of fromPem(match[0], label)) blocks.push(toPem(der, label));
    } catch {
      // A block that does not decode stops the reading, as pem.Decode does.
      break;
    }
  }
  return blocks.join("");
}

const hasKey = (key: string | null | undefined): key is string => typeof key === "string" && key.length > 0;

/** The external CAs of a request, grouped by the root they sign under (`getNormalizedExtCAs`). */
function byCertificate(externalCas: readonly ExternalCa[], currentRoot: string): Map<string, ExternalCa[]> {
  const groups = new Map<string, ExternalCa[]>();
  for (const ca of externalCas) {
    const cert = ca.caCert.length > 0 ? normalizePems(ca.caCert) : currentRoot;
    groups.set(cert, [...(groups.get(cert) ?? []), ca]);
  }
  return groups;
}

/** `validateHasAtLeastOneExternalCA`: the first CFSSL entry for `wanted` that answers, or Swarm's refusal. */
async function oneReachable(
  groups: Map<string, ExternalCa[]>,
  wanted: string,
  which: "current" | "desired" | "next",
  ports: CaChangePorts,
): Promise<ExternalCa[]> {
  const specific = groups.get(wanted);
  if (specific) {
    for (const ca of specific) {
      if (ca.protocol === "cfssl" && (await ports.reachable(ca.url, wanted))) return specific;
    }
  }
  throw invalidArgument("externalCas", `there must be at least one valid, reachable external CA corresponding to the ${which} CA certificate`);
}

/** `newRootRotationObject`: cross-signs the new root with whatever signs today, and starts a rotation to it. */
async function startRotation(
  current: RootCaState,
  next: { cert: string; key: string | null },
  currentCas: readonly ExternalCa[],
  forceRotate: number,
  ports: CaChangePorts,
): Promise<RootCaState> {
  let crossSigned: string;
  if (hasKey(current.caKey)) {
    crossSigned = ports.crossSign({ cert: current.caCert, key: current.caKey }, next.cert);
  } else if (!hasKey(next.key)) {
    throw invalidArgument("signingCaCert", "rotating from one external CA to a different external CA is not supported");
  } else {
    const urls = currentCas.filter((ca) => ca.protocol === "cfssl").map((ca) => ca.url);
    if (urls.length === 0) {
      throw invalidArgument("externalCas", "must provide an external CA for the current external root CA to generate a cross-signed certificate");
    }
    try {
      crossSigned = await ports.crossSignExternal(urls, current.caCert, next);
    } catch (error) {
      // Swarm says only this (its own log has the cause); so do we, and the caller logs the rest.
      throw new RampartError("failed_precondition", "unable to generate a cross-signed certificate for root rotation", { cause: error });
    }
  }
  return {
    ...current,
    rotation: { caCert: next.cert, caKey: hasKey(next.key) ? next.key : null, crossSignedCaCert: normalizePems(crossSigned) },
    lastForcedRotation: forceRotate,
  };
}

/**
 * What the swarm's root becomes under `request`: unchanged, a key added or dropped, a
 * rotation started, kept, replaced or stopped. Throws an invalid_argument RampartError
 * with Swarm's words for a request Swarm refuses.
 */
export async function validateCaConfig(current: RootCaState, request: CaConfigRequest, ports: CaChangePorts, now: Date): Promise<RootCaState> {
  const signingCert = normalizePems(request.signingCaCert);
  const wantsKey = request.signingCaKey.length > 0;
  if (wantsKey && signingCert.length === 0) {
    throw invalidArgument("signingCaKey", "if a signing CA key is provided, the signing CA cert must also be provided");
  }
  const currentRoot = normalizePems(current.caCert);
  const groups = byCertificate(request.externalCas, currentRoot);
  const withKey = wantsKey && signingCert.length > 0;

  let currentCas: ExternalCa[] = [];
  if (!hasKey(current.caKey)) {
    // External today: giving the current certificate with its key turns the CA internal.
    if (currentRoot === signingCert && withKey) {
      ports.checkRoot(signingCert, signingCert, request.signingCaKey);
      return { ...current, caKey: request.signingCaKey, rotation: null, lastForcedRotation: request.forceRotate };
    }
    currentCas = await oneReachable(groups, currentRoot, "current", ports);
  }

  if (signingCert.length === 0) {
    if (current.lastForcedRotation !== request.forceRotate) {
      return startRotation(current, ports.createRoot(), currentCas, request.forceRotate, ports);
    }
    if (current.rotation && !hasKey(current.rotation.caKey)) {
      await oneReachable(groups, normalizePems(current.rotation.caCert), "next", ports);
    }
    return current;
  }

  const summary = ports.checkRoot(signingCert, withKey ? signingCert : "", withKey ? request.signingCaKey : "");
  if (summary.certificates !== 1) throw invalidArgument("signingCaCert", "the desired CA certificate cannot contain multiple certificates");
  if (summary.notAfter.getTime() < now.getTime() + MIN_ROOT_EXPIRATION_MS) throw invalidArgument("signingCaCert", "CA certificate expires too soon");
  if (!withKey) await oneReachable(groups, signingCert, "desired", ports);

  if (currentRoot === signingCert) {
    // The current root again: no rotation, and any in progress stops.
    return { ...current, caKey: withKey ? request.signingCaKey : null, rotation: null, lastForcedRotation: request.forceRotate };
  }
  if (withKey && hasKey(current.caKey) && request.signingCaKey === current.caKey) {
    throw invalidArgument("signingCaKey", "Cannot update to a cert with an identical key");
  }
  if (current.rotation && normalizePems(current.rotation.caCert) === signingCert) {
    // The rotation already under way: only its key changes.
    return {
      ...current,
      rotation: { ...current.rotation, caKey: withKey ? request.signingCaKey : null },
      lastForcedRotation: request.forceRotate,
    };
  }
  return startRotation(current, { cert: signingCert, key: withKey ? request.signingCaKey : null }, currentCas, request.forceRotate, ports);
}
