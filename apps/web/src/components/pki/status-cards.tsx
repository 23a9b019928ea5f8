"use client";

import { formatGoDuration, humanDuration } from "@rampart/core";
import Link from "next/link";
import type { ReactNode } from "react";
import { Badge, Card, linkClass } from "~/components/ui";
import { envHref } from "~/lib/env";
import { keyAge, type PkiStatus } from "./model";
import { Fact, Facts, Mono, OrNotReported, RootFacts, When } from "./parts";

/** Where autolock is turned on and its unlock key rotated (the Swarm settings' Autolock section). */
export const AUTOLOCK_SETTINGS = "/settings/swarm#autolock";

export function TrustRootCard({ status, now }: { status: PkiStatus; now: Date }) {
  return (
    <Card title="Trust root" className="min-w-0">
      <p className="mb-2 text-sm text-zinc-600 dark:text-zinc-400">
        The root CA every node trusts: node certificates chain to it, and join tokens carry its digest so a joining node can check it.
      </p>
      <RootFacts root={status.trustRoot} kind={status.kind} now={now} testId="trust-root" />
    </Card>
  );
}

/** Which root an external CA signs under, in words; another root by its digest. */
function signsUnderText(signsUnder: string): ReactNode {
  if (signsUnder === "current root") return "the current root";
  if (signsUnder === "new root") return "the rotation's new root";
  return (
    <>
      another root, <Mono>{signsUnder}</Mono>
    </>
  );
}

/** `swarm update --cert-expiry/--external-ca`: who signs node certificates, and for how long. */
export function CaSettingsCard({ status }: { status: PkiStatus }) {
  return (
    <Card title="CA settings" className="min-w-0">
      <Facts>
        <Fact label="Certificate expiry" testId="cert-expiry">
          {humanDuration(status.certExpiryMs)} <span className="font-mono text-xs text-zinc-500">({formatGoDuration(status.certExpiryMs)})</span>
          <span className="block text-xs text-zinc-500 dark:text-zinc-400">How long each node certificate is valid. Nodes renew at a random point between 50 % and 80 % of it.</span>
        </Fact>
        <Fact label="External CAs">
          {status.externalCas.length === 0 ? (
            <span data-testid="external-cas-none">None: the swarm signs node certificates with its own key.</span>
          ) : (
            <ul className="space-y-2" data-testid="external-cas">
              {status.externalCas.map((ca, i) => (
                <li key={`${i}-${ca.url}`} className="space-y-0.5">
                  <span className="flex flex-wrap items-center gap-2">
                    <Badge>{ca.protocol}</Badge>
                    <Mono>{ca.url}</Mono>
                  </span>
                  <span className="block text-xs text-zinc-600 dark:text-zinc-400">Signs under {signsUnderText(ca.signsUnder)}</span>
                </li>
              ))}
            </ul>
          )}
        </Fact>
        <Fact label="Forced rotations">{status.forceRotate.toLocaleString("en")}</Fact>
      </Facts>
    </Card>
  );
}

/** A key's or token's age, amber past 90 days (core's warning). */
function Age({ at, now }: { at: Date; now: Date }) {
  const age = keyAge(at, now);
  return (
    <>
      <When date={at} now={now} warn={age.old} />
      {age.old && <span className="block text-xs text-amber-800 dark:text-amber-300">Older than 90 days: worth rotating.</span>}
    </>
  );
}

/** Autolock, and how old the unlock key and both join tokens are. */
export function KeysCard({ status, now, env }: { status: PkiStatus; now: Date; env: string | undefined }) {
  const { autolock, tokens } = status;
  return (
    <Card
      title="Autolock and keys"
      className="min-w-0"
      actions={autolock.enabled ? <Badge tone="good">Autolock on</Badge> : <Badge tone="warn">Autolock off</Badge>}
    >
      <Facts>
        <Fact label="Autolock" testId="autolock">
          {autolock.enabled ? "On: a restarted manager stays locked until it is given the unlock key." : "Off: a copy of a manager's data opens without a key."}{" "}
          <Link href={envHref(env, AUTOLOCK_SETTINGS)} className={linkClass}>
            Autolock settings
          </Link>
        </Fact>
        <Fact label="Unlock key made">
          {!autolock.enabled ? (
            "no unlock key: autolock is off"
          ) : (
            <OrNotReported kind={status.kind} value={autolock.unlockKeyRotatedAt} native="not known">
              {autolock.unlockKeyRotatedAt && <Age at={autolock.unlockKeyRotatedAt} now={now} />}
            </OrNotReported>
          )}
        </Fact>
        <Fact label="Worker join token made">
          <OrNotReported kind={status.kind} value={tokens.workerRotatedAt} native="not known">
            {tokens.workerRotatedAt && <Age at={tokens.workerRotatedAt} now={now} />}
          </OrNotReported>
        </Fact>
        <Fact label="Manager join token made">
          <OrNotReported kind={status.kind} value={tokens.managerRotatedAt} native="not known">
            {tokens.managerRotatedAt && <Age at={tokens.managerRotatedAt} now={now} />}
          </OrNotReported>
        </Fact>
      </Facts>
      <p className="mt-2 text-xs text-zinc-600 dark:text-zinc-400">
        Join tokens are rotated on the{" "}
        <Link href={envHref(env, "/join")} className={linkClass}>
          Join page
        </Link>
        ; a root rotation makes both again when it finishes.
      </p>
    </Card>
  );
}
