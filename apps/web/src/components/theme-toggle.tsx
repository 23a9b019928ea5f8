"use client";

import { useEffect, useSyncExternalStore } from "react";
import { applyTheme, readThemeChoice, type ThemeChoice } from "~/lib/theme";

const next: Record<ThemeChoice, ThemeChoice> = { system: "light", light: "dark", dark: "system" };
const labels: Record<ThemeChoice, string> = { system: "Theme: system", light: "Theme: light", dark: "Theme: dark" };

// The stored choice is external state; every toggle on the page reads it from here.
const listeners = new Set<() => void>();
function subscribe(listener: () => void) {
  listeners.add(listener);
  window.addEventListener("storage", listener);
  return () => {
    listeners.delete(listener);
    window.removeEventListener("storage", listener);
  };
}
function choose(value: ThemeChoice) {
  applyTheme(value);
  for (const listener of listeners) listener();
}

/** Cycles system → light → dark. "System" keeps following the OS as it changes. */
export function ThemeToggle() {
  const choice = useSyncExternalStore(subscribe, readThemeChoice, () => "system" as const);
  useEffect(() => {
    if (choice !== "system") return;
    const media = matchMedia("(prefers-color-scheme: dark)");
    const follow = () => applyTheme("system");
    media.addEventListener("change", follow);
    return () => media.removeEventListener("change", follow);
  }, [choice]);
  return (
    <button
      type="button"
      onClick={() => choose(next[choice])}
      aria-label={`${labels[choice]}. Switch to ${next[choice]}`}
      title={labels[choice]}
      className="inline-flex items-center gap-2 rounded-md px-2 py-1.5 text-sm text-zinc-600 hover:bg-zinc-200/70 dark:text-zinc-300 dark:hover:bg-zinc-800"
    >
      <span aria-hidden="true">{choice === "dark" ? "☾" : choice === "light" ? "☀" : "◐"}</span>
      <span className="capitalize">{choice}</span>
    </button>
  );
}
