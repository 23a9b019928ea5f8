import { checkSecretReferences, checkSecretsExist, completeSecretReference, referencedSecretIds, type Actor, type AuditEnv, type AuditEventInput, type SecretReference, type ServiceSpec } from "@rampart/core";
import { lockSecretNames, type Db } from "@rampart/db";
import type { AuditService } from "../audit/index.js";

/**
 * How services reference secrets: the check a service spec's references go through, and
 * the audit of what a service change grants or revokes. Services call these; nothing
 * here depends on the service code, so secrets and services do not import each other.
 */

/**
 * The references of a service spec, checked as Swarm's CreateService and UpdateService
 * check them (validateSecretRefsSpec, then checkSecretExistence), inside the caller's
 * transaction. The secrets named are locked until it commits, so none of them can be
 * removed under a service that is about to reference it. Returns the spec to store:
 * references complete with their defaults, and no `secrets` field when there are none,
 * so a spec without secrets stays byte for byte what it was.
 *
 * On update, a spec that leaves `secrets` out keeps the service's current references
 * (`previous`): a client that does not know about secrets (an older form, the placement
 * planner) cannot revoke them by accident. `secrets: []` removes them all.
 */
export async function checkServiceSecrets(tx: Db, spec: ServiceSpec, previous?: ServiceSpec): Promise<ServiceSpec> {
  const refs = spec.secrets ?? previous?.secrets ?? [];
  checkSecretReferences(refs, previous?.secrets);
  const names = await lockSecretNames(tx, referencedSecretIds(refs));
  checkSecretsExist(refs, (id) => names.get(id));
  const { secrets: _omitted, ...rest } = spec;
  return refs.length > 0 ? { ...rest, secrets: refs.map(completeSecretReference) } : rest;
}

/**
 * Audits what a service change did to secret access: `secret.grant` for each secret the
 * service now references and did not, `secret.revoke` for each it no longer does. The
 * secret is the target (so its history reads whole) and the service the context. On a
 * connected Docker Swarm `env` names it, and there is no transaction to write in.
 */
export async function auditSecretGrants(
  audit: Pick<AuditService, "recordMany">,
  tx: Db | undefined,
  change: {
    actor: Actor;
    ip: string | null;
    service: { id: string; name: string };
    before?: readonly SecretReference[] | undefined;
    after?: readonly SecretReference[] | undefined;
    env?: AuditEnv | undefined;
  },
): Promise<void> {
  const before = new Map((change.before ?? []).map((r) => [r.secretId, r]));
  const after = new Map((change.after ?? []).map((r) => [r.secretId, r]));
  const context = { type: "service", id: change.service.id, name: change.service.name };
  const event = (action: "secret.grant" | "secret.revoke", r: SecretReference): AuditEventInput => ({
    actor: change.actor,
    action,
    target: { type: "secret", id: r.secretId, name: r.secretName },
    context,
    outcome: "success",
    ip: change.ip,
    ...(change.env ? { env: change.env } : {}),
  });
  const events = [
    ...[...after.values()].filter((r) => !before.has(r.secretId)).map((r) => event("secret.grant", r)),
    ...[...before.values()].filter((r) => !after.has(r.secretId)).map((r) => event("secret.revoke", r)),
  ];
  if (events.length > 0) await audit.recordMany(events, tx);
}

