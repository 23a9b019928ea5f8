"use client";

import type { EnvironmentOutput } from "@rampart/api/schema";
import { useQuery } from "@tanstack/react-query";
import { usePathname, useRouter } from "next/navigation";
import { useEffect, useId, useRef, useState, type KeyboardEvent } from "react";
import { backgroundPoll } from "~/lib/background";
import { describeError } from "~/lib/errors";
import { switchEnvHref, useEnv } from "~/lib/env";
import { connectionLabel, connectionTone, connectionWord } from "~/lib/environments";
import { useTRPC } from "~/lib/trpc";

const DOT: Record<"good" | "bad" | "warn" | "native", string> = {
  good: "bg-emerald-500",
  bad: "bg-red-600",
  warn: "bg-amber-500",
  native: "bg-sky-600",
};

/** A connection's state as a coloured dot, with its words (if the text beside it does not say them) for screen readers and on hover. */
export function StateDot({ tone, label }: { tone: keyof typeof DOT; label?: string }) {
  return (
    <span className="inline-flex shrink-0 items-center" title={label}>
      <span aria-hidden="true" className={`inline-block size-2.5 rounded-full ${DOT[tone]}`} />
      {label && <span className="sr-only">{label}</span>}
    </span>
  );
}

interface Option {
  /** The environment's name; undefined for the native cluster. */
  env: string | undefined;
  label: string;
  tone: keyof typeof DOT;
  /** The connection's state in words, for screen readers and the button's name. */
  state: string;
  /** Beside the name, when not connected. */
  note: string;
}

function optionsOf(list: readonly EnvironmentOutput[] | undefined, current: string | undefined): Option[] {
  const options: Option[] = [{ env: undefined, label: "Native cluster", tone: "native", state: "Rampart's own cluster", note: "native" }];
  for (const e of list ?? []) {
    const tone = connectionTone(e.connection);
    options.push({ env: e.name, label: e.name, tone, state: connectionLabel(e.connection), note: tone === "good" ? "" : connectionWord(e.connection) });
  }
  // A swarm the address names but the list has not (yet, or any more): still shown as the one in use.
  if (current !== undefined && !options.some((o) => o.env === current)) {
    options.push({ env: current, label: current, tone: "warn", state: "not among the connected swarms", note: "not connected" });
  }
  return options;
}

/**
 * The environment switcher: a button that opens a list of the native cluster and every
 * connected swarm, each with its connection's state. Arrow keys, Home and End move
 * through it, Enter or Space chooses, Escape closes it with focus back on the button.
 * Choosing goes to the same page in that environment where it has one, else its Overview.
 */
export function EnvSwitcher({ onNavigate }: { onNavigate?: () => void }) {
  const trpc = useTRPC();
  const env = useEnv();
  const pathname = usePathname();
  const router = useRouter();
  const environments = useQuery({ ...trpc.environment.list.queryOptions(undefined, backgroundPoll), refetchInterval: 15_000 });
  const options = optionsOf(environments.data, env);
  const selected = Math.max(0, options.findIndex((o) => o.env === env));
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(selected);
  const id = useId();
  const buttonRef = useRef<HTMLButtonElement>(null);
  const listRef = useRef<HTMLUListElement>(null);
  const boxRef = useRef<HTMLDivElement>(null);
  const current = options[selected]!;

  useEffect(() => {
    if (!open) return;
    listRef.current?.focus();
    function onPointer(event: PointerEvent) {
      if (!boxRef.current?.contains(event.target as Node)) setOpen(false);
    }
    document.addEventListener("pointerdown", onPointer);
    return () => document.removeEventListener("pointerdown", onPointer);
  }, [open]);

  function show() {
    setActive(selected);
    setOpen(true);
  }

  function close() {
    setOpen(false);
    buttonRef.current?.focus();
  }

  function choose(option: Option) {
    setOpen(false);
    if (option.env !== env) {
      router.push(switchEnvHref(pathname, option.env));
      onNavigate?.();
    } else buttonRef.current?.focus();
  }

  function onListKey(event: KeyboardEvent<HTMLUListElement>) {
    const last = options.length - 1;
    const moves: Partial<Record<string, number>> = { ArrowDown: Math.min(active + 1, last), ArrowUp: Math.max(active - 1, 0), Home: 0, End: last };
    const to = moves[event.key];
    if (to !== undefined) {
      event.preventDefault();
      setActive(to);
    } else if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      choose(options[active]!);
    } else if (event.key === "Escape") {
      event.preventDefault();
      close();
    } else if (event.key === "Tab") setOpen(false);
  }

  return (
    <div ref={boxRef} className="relative px-2">
      <button
        ref={buttonRef}
        type="button"
        aria-haspopup="listbox"
        aria-expanded={open}
        aria-controls={`${id}-list`}
        aria-label={`Environment: ${current.label}, ${current.state}`}
        data-testid="env-switcher"
        onClick={() => (open ? setOpen(false) : show())}
        onKeyDown={(event) => {
          if (event.key === "ArrowDown" || event.key === "ArrowUp") {
            event.preventDefault();
            show();
          }
        }}
        className="flex w-full items-center gap-2 rounded-md border border-zinc-300 bg-white px-3 py-2 text-left text-sm hover:bg-zinc-50 focus-visible:outline-2 focus-visible:outline-sky-600 dark:border-zinc-700 dark:bg-zinc-900 dark:hover:bg-zinc-800"
      >
        <StateDot tone={current.tone} label={current.state} />
        <span className="min-w-0 flex-1">
          <span className="block text-[0.625rem] font-semibold uppercase tracking-wide text-zinc-500">Environment</span>
          <span className="block truncate font-medium">{current.label}</span>
        </span>
        <span aria-hidden="true" className="text-zinc-500">
          ▾
        </span>
      </button>
      <ul
        ref={listRef}
        id={`${id}-list`}
        role="listbox"
        aria-label="Environments"
        tabIndex={-1}
        hidden={!open}
        aria-activedescendant={open ? `${id}-option-${active}` : undefined}
        onKeyDown={onListKey}
        onBlur={(event) => {
          if (!boxRef.current?.contains(event.relatedTarget as Node | null)) setOpen(false);
        }}
        className="absolute inset-x-2 top-full z-40 mt-1 max-h-80 overflow-y-auto rounded-md border border-zinc-200 bg-white py-1 shadow-lg focus-visible:outline-2 focus-visible:outline-sky-600 dark:border-zinc-700 dark:bg-zinc-900"
      >
        {options.map((option, i) => (
          <li
            key={option.env ?? ""}
            id={`${id}-option-${i}`}
            role="option"
            aria-selected={i === selected}
            data-testid="env-option"
            onPointerEnter={() => setActive(i)}
            onClick={() => choose(option)}
            className={`flex cursor-pointer items-center gap-2 px-3 py-2 text-sm ${i === active ? "bg-sky-100 dark:bg-sky-900/50" : ""} ${i === selected ? "font-semibold" : ""}`}
          >
            <StateDot tone={option.tone} />
            <span className="min-w-0 flex-1 truncate">
              {option.label}
              <span className="sr-only">, {option.state}</span>
            </span>
            <span className="shrink-0 text-xs font-normal text-zinc-500" aria-hidden="true">
              {option.note}
            </span>
          </li>
        ))}
        {environments.isError && (
          <li role="presentation" className="px-3 py-2 text-xs text-red-700 dark:text-red-400">
            Connected swarms cannot be listed: {describeError(environments.error).message}
          </li>
        )}
      </ul>
    </div>
  );
}
