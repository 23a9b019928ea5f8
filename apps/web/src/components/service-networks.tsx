"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useId } from "react";
import { envHref } from "~/lib/env";
import { describeError } from "~/lib/errors";
import { naturalCompare } from "~/lib/nodes";
import { useTRPC } from "~/lib/trpc";
import { FieldError, hintClass } from "./form-parts";
import { Badge, linkClass } from "./ui";

/**
 * The overlay networks a swarm service's tasks join (`docker service create --network`),
 * chosen from the swarm's own, each with whether its traffic between nodes is encrypted.
 * A network the service names that the list does not have stays ticked, marked. The
 * native cluster has no overlay networks, so its form has no such section.
 */
export function ServiceNetworksFields({ env, value, onChange, error }: { env: string; value: readonly string[]; onChange: (next: string[]) => void; error: string | undefined }) {
  const trpc = useTRPC();
  const id = useId();
  const networks = useQuery({ ...trpc.network.list.queryOptions({ env }), staleTime: 30_000 });
  const choices = (networks.data ?? []).filter((n) => n.scope === "swarm" && !n.ingress).sort((a, b) => naturalCompare(a.name, b.name));
  const known = new Set(choices.flatMap((n) => [n.name, n.id]));
  const missing = networks.data ? value.filter((v) => !known.has(v)) : [];
  const toggle = (name: string, on: boolean) => onChange(on ? [...value, name] : value.filter((v) => v !== name));

  return (
    <fieldset className="space-y-2" aria-describedby={`${id}-hint`}>
      <legend className="block text-sm font-medium text-zinc-800 dark:text-zinc-200">Networks</legend>
      <p id={`${id}-hint`} className={hintClass}>
        The swarm&apos;s overlay networks the tasks join. Unticking one on an edit takes the service off it.{" "}
        <Link href={envHref(env, "/networks")} className={linkClass}>
          Networks
        </Link>
      </p>
      {networks.isError && <p className="text-sm text-amber-800 dark:text-amber-300">The networks could not be listed ({describeError(networks.error).message}); the service&apos;s own are kept.</p>}
      {networks.data && choices.length === 0 && <p className="text-sm text-zinc-500">This swarm has no overlay network of its own yet: the tasks are on the ingress network only.</p>}
      <ul className="space-y-1">
        {choices.map((n) => {
          const on = value.includes(n.name) || value.includes(n.id);
          return (
            <li key={n.id}>
              <label className="flex flex-wrap items-center gap-2 text-sm">
                <input type="checkbox" checked={on} onChange={(e) => toggle(n.name, e.target.checked)} className="size-4 accent-sky-700" />
                <span className="font-mono text-xs">{n.name}</span>
                {n.encrypted ? <Badge tone="good">encrypted</Badge> : <Badge tone="warn">not encrypted</Badge>}
                {n.internal && <Badge>internal</Badge>}
                {n.attachable && <Badge>attachable</Badge>}
              </label>
            </li>
          );
        })}
        {missing.map((name) => (
          <li key={name}>
            <label className="flex items-center gap-2 text-sm">
              <input type="checkbox" checked onChange={() => toggle(name, false)} className="size-4 accent-sky-700" />
              <span className="font-mono text-xs">{name}</span>
              <span className="text-xs text-amber-800 dark:text-amber-300">(not found in this swarm)</span>
            </label>
          </li>
        ))}
      </ul>
      {error && (
        <div role="alert">
          <FieldError>{error}</FieldError>
        </div>
      )}
    </fieldset>
  );
}
