"use client";

import type { ServiceViewOutput } from "@rampart/api/schema";
import { containerOf, DEFAULT_STOP_GRACE_PERIOD_NS, weakenedProtections, type ContainerSpec, type Weakening } from "@rampart/core/service";
import Link from "next/link";
import { useState, type ReactNode } from "react";
import { capabilityName, formatOctal, joinWords } from "~/lib/containers";
import { useEnv } from "~/lib/env";
import { formatMemory, formatNs } from "~/lib/services";
import { RUNTIME_POLICY_HREF } from "./service-container";
import { Badge, Button, Card, linkClass } from "./ui";

/**
 * A service's container and its hardening, read-only, for the service page: every
 * setting, with what the image or the engine decides when the spec leaves it blank,
 * and each protection the spec gives up marked (core's `weakenedProtections`).
 */

type Spec = ServiceViewOutput["spec"];

function Row({ label, weakened = false, testId, children }: { label: string; weakened?: boolean; testId?: string; children: ReactNode }) {
  return (
    <div
      data-testid={testId}
      data-weakened={weakened || undefined}
      className={`grid grid-cols-1 gap-1 py-2 text-sm sm:grid-cols-[11rem_minmax(0,1fr)] sm:gap-4 ${weakened ? "-mx-2 rounded bg-amber-50 px-2 dark:bg-amber-950/30" : ""}`}
    >
      <dt className="text-zinc-600 dark:text-zinc-400">{label}</dt>
      <dd className="min-w-0 break-words">{children}</dd>
    </div>
  );
}

const Muted = ({ children }: { children: ReactNode }) => <span className="text-zinc-500">{children}</span>;
const Code = ({ children }: { children: ReactNode }) => <code className="rounded bg-zinc-100 px-1.5 py-0.5 font-mono text-xs break-all dark:bg-zinc-800">{children}</code>;

function Weak({ items }: { items: readonly Weakening[] }) {
  if (items.length === 0) return null;
  return (
    <span className="mt-1 flex flex-wrap items-baseline gap-x-2 text-xs text-amber-800 dark:text-amber-300" data-testid="weakened-flag">
      <Badge tone="warn">
        <span aria-hidden="true">⚠&nbsp;</span>Weakened
      </Badge>
      {items.map((w) => w.text).join("; ")}
    </span>
  );
}

function Chips({ items, empty, tone = "neutral" }: { items: readonly string[]; empty: string; tone?: "neutral" | "warn" }) {
  if (items.length === 0) return <Muted>{empty}</Muted>;
  return (
    <ul className="flex flex-wrap gap-1">
      {items.map((item) => (
        <li key={item} className={`rounded px-1.5 py-0.5 font-mono text-xs break-all ${tone === "warn" ? "bg-amber-100 text-amber-900 dark:bg-amber-900/60 dark:text-amber-100" : "bg-zinc-100 dark:bg-zinc-800"}`}>
          {item}
        </li>
      ))}
    </ul>
  );
}

/** Env values may be sensitive in practice, if not by design: shown on request. */
function Environment({ env }: { env: readonly string[] }) {
  const [shown, setShown] = useState(false);
  if (env.length === 0) return <Muted>none (the image&apos;s own)</Muted>;
  return (
    <div className="space-y-1">
      <ul className="space-y-0.5 font-mono text-xs" data-testid="service-env">
        {env.map((entry, i) => {
          const at = entry.indexOf("=");
          const name = at < 0 ? entry : entry.slice(0, at);
          const value = at < 0 ? "" : entry.slice(at + 1);
          return (
            <li key={i} className="break-all">
              {name}=<span className={shown ? undefined : "text-zinc-400"}>{shown ? value : value === "" ? "" : "••••••"}</span>
            </li>
          );
        })}
      </ul>
      <Button variant="ghost" className="px-2 py-0.5 text-xs" aria-pressed={shown} onClick={() => setShown(!shown)}>
        {shown ? "Hide values" : "Show values"}
      </Button>
    </div>
  );
}

function words(list: readonly string[], fallback: string): ReactNode {
  return list.length === 0 ? <Muted>{fallback}</Muted> : <Code>{joinWords(list)}</Code>;
}

export function ContainerPanel({ spec }: { spec: Spec }) {
  const c = containerOf(spec);
  const binds = weakenedProtections(c).filter((w) => w.field === "container.mounts");
  return (
    <Card title="Container">
      <dl className="divide-y divide-zinc-100 dark:divide-zinc-800" data-testid="service-container">
        <Row label="Entrypoint">{words(c.command, "the image's")}</Row>
        <Row label="Command">{words(c.args, "the image's")}</Row>
        <Row label="Environment">
          <Environment env={c.env} />
        </Row>
        <Row label="Working directory">{c.workdir === "" ? <Muted>the image&apos;s</Muted> : <Code>{c.workdir}</Code>}</Row>
        <Row label="User">{c.user === "" ? <Muted>the image&apos;s (often root)</Muted> : <Code>{c.user}</Code>}</Row>
        <Row label="Hostname">{c.hostname === "" ? <Muted>the engine&apos;s</Muted> : <Code>{c.hostname}</Code>}</Row>
        <Row label="Container labels">
          <Chips items={Object.entries(c.labels).map(([k, v]) => `${k}=${v}`)} empty="none" />
        </Row>
        <Row label="Stop signal">{c.stopSignal === "" ? <Muted>the image&apos;s, else SIGTERM</Muted> : <Code>{c.stopSignal}</Code>}</Row>
        <Row label="Stop grace period">
          <span className="font-mono text-xs">{formatNs(c.stopGracePeriodNs)}</span>
          {c.stopGracePeriodNs === DEFAULT_STOP_GRACE_PERIOD_NS && <Muted> (the default)</Muted>}
        </Row>
        <Row label="Init process">{c.init ? "yes (--init)" : <Muted>no</Muted>}</Row>
        <Row label="Mounts" weakened={binds.length > 0} testId="service-mounts">
          {c.mounts.length === 0 ? (
            <Muted>none</Muted>
          ) : (
            <ul className="space-y-1">
              {c.mounts.map((m, i) => (
                <li key={i} className="flex flex-wrap items-baseline gap-x-2 text-xs">
                  <Badge tone={m.type === "bind" ? "warn" : "neutral"}>{m.type}</Badge>
                  {m.source !== "" && <Code>{m.source}</Code>}
                  {m.source !== "" && <span aria-hidden="true">→</span>}
                  <Code>{m.target}</Code>
                  <span className="text-zinc-500">
                    {[m.readOnly ? "read-only" : "read-write", m.tmpfsSizeBytes !== undefined ? formatMemory(m.tmpfsSizeBytes) : null, m.tmpfsMode !== undefined ? `mode ${formatOctal(m.tmpfsMode)}` : null]
                      .filter(Boolean)
                      .join(", ")}
                  </span>
                </li>
              ))}
            </ul>
          )}
          <Weak items={binds} />
        </Row>
      </dl>
    </Card>
  );
}

const by = (weak: readonly Weakening[], field: string) => weak.filter((w) => w.field === field);

export function SecurityPanel({ spec }: { spec: Spec }) {
  const c: ContainerSpec = containerOf(spec);
  const weak = weakenedProtections(c);
  const seccomp = by(weak, "container.seccomp");
  const apparmor = by(weak, "container.apparmor");
  const nnp = by(weak, "container.noNewPrivileges");
  const capAdd = by(weak, "container.capAdd");
  const privileged = by(weak, "container.privileged");
  const hostNetwork = by(weak, "container.hostNetwork");
  const env = useEnv();
  return (
    <Card
      title="Security"
      actions={
        weak.length === 0 ? (
          <Badge tone="good">Secure defaults</Badge>
        ) : (
          <span data-testid="security-weakened-count">
            <Badge tone="warn">{`${weak.length} protection${weak.length === 1 ? "" : "s"} given up`}</Badge>
          </span>
        )
      }
    >
      <dl className="divide-y divide-zinc-100 dark:divide-zinc-800" data-testid="service-security">
        <Row label="Seccomp" weakened={seccomp.length > 0} testId="security-seccomp">
          {c.seccomp.mode === "default" ? (
            "the engine's default profile"
          ) : c.seccomp.mode === "unconfined" ? (
            "unconfined"
          ) : (
            <>
              custom profile{" "}
              {env === undefined ? (
                <Link href={`/settings/swarm/seccomp/${encodeURIComponent(c.seccomp.profile ?? "")}`} className={`font-mono text-xs ${linkClass}`}>
                  {c.seccomp.profile}
                </Link>
              ) : (
                <Code>{c.seccomp.profile ?? ""}</Code>
              )}
            </>
          )}
          <Weak items={seccomp} />
        </Row>
        <Row label="AppArmor" weakened={apparmor.length > 0} testId="security-apparmor">
          {c.apparmor === "" ? "the engine's default (docker-default)" : <Code>{c.apparmor}</Code>}
          <Weak items={apparmor} />
        </Row>
        <Row label="No new privileges" weakened={nnp.length > 0} testId="security-no-new-privileges">
          {c.noNewPrivileges ? "on" : "off"}
          <Weak items={nnp} />
        </Row>
        <Row label="Root file system">{c.readOnly ? "read-only" : <Muted>writable</Muted>}</Row>
        <Row label="Capabilities dropped">
          <Chips items={c.capDrop.map(capabilityName)} empty="none: the engine's default set" />
        </Row>
        <Row label="Capabilities added" weakened={capAdd.length > 0} testId="security-cap-add">
          <Chips items={c.capAdd.map(capabilityName)} empty="none" tone="warn" />
          <Weak items={capAdd} />
        </Row>
        <Row label="Privileged" weakened={privileged.length > 0} testId="security-privileged">
          {c.privileged ? "yes" : "no"}
          <Weak items={privileged} />
        </Row>
        <Row label="Host network" weakened={hostNetwork.length > 0} testId="security-host-network">
          {c.hostNetwork ? "yes: the node's own network namespace" : "no"}
          <Weak items={hostNetwork} />
        </Row>
      </dl>
      {env === undefined && (privileged.length > 0 || hostNetwork.length > 0 || by(weak, "container.mounts").length > 0) && (
        <p className="mt-3 text-xs text-zinc-500">
          Allowed by the{" "}
          <Link href={RUNTIME_POLICY_HREF} className={linkClass}>
            runtime policy
          </Link>
          .
        </p>
      )}
    </Card>
  );
}
