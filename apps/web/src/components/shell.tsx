"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { usePathname, useRouter } from "next/navigation";
import { useCallback, useEffect, useRef, useState, type ReactNode } from "react";
import { envHref, splitEnvPath, useEnv } from "~/lib/env";
import { isUnauthorized } from "~/lib/errors";
import { useTRPC } from "~/lib/trpc";
import { EnvStatus } from "./env-status";
import { EnvSwitcher } from "./env-switcher";
import { ThemeToggle } from "./theme-toggle";
import { ErrorState } from "./states";
import { Button, buttonClass, Skeleton } from "./ui";

interface NavItem {
  /** The page as the native cluster writes it; a cluster page goes under `/env/NAME` on a swarm. */
  href: string;
  label: string;
  /** Which environments have the page: both, or only connected swarms. */
  only?: "docker";
}

/** A cluster's pages, in the environment the page shows. Only features that exist are listed. */
const CLUSTER_NAV: readonly NavItem[] = [
  { href: "/", label: "Overview" },
  { href: "/nodes", label: "Nodes" },
  { href: "/services", label: "Services" },
  { href: "/secrets", label: "Secrets" },
  { href: "/networks", label: "Networks", only: "docker" },
  { href: "/planner", label: "Planner" },
  { href: "/join", label: "Join" },
  { href: "/pki", label: "PKI" },
  { href: "/settings/swarm", label: "Swarm settings" },
];

/** Rampart's own pages: the same whichever environment is chosen. */
const RAMPART_NAV: readonly NavItem[] = [
  { href: "/audit", label: "Audit" },
  { href: "/settings/api-tokens", label: "API tokens" },
  { href: "/settings/environments", label: "Environments" },
];

function NavLink({ item, env, onNavigate }: { item: NavItem; env: string | undefined; onNavigate?: () => void }) {
  const pathname = usePathname();
  const { path } = splitEnvPath(pathname);
  const active = item.href === "/" ? path === "/" : path === item.href || path.startsWith(`${item.href}/`);
  return (
    <Link
      href={envHref(env, item.href)}
      onClick={onNavigate}
      aria-current={active ? "page" : undefined}
      className={
        "block rounded-md px-3 py-2 text-sm font-medium " +
        (active
          ? "bg-zinc-200 text-zinc-900 dark:bg-zinc-800 dark:text-white"
          : "text-zinc-600 hover:bg-zinc-200/60 hover:text-zinc-900 dark:text-zinc-400 dark:hover:bg-zinc-800/60 dark:hover:text-white")
      }
    >
      {item.label}
    </Link>
  );
}

/** The environment switcher, the chosen environment's pages, then Rampart's own. */
function MainNav({ onNavigate }: { onNavigate?: () => void }) {
  const env = useEnv();
  return (
    <div className="space-y-3">
      <EnvSwitcher onNavigate={onNavigate} />
      <nav aria-label="Main" className="flex flex-col gap-1 px-2">
        {CLUSTER_NAV.filter((item) => item.only === undefined || env !== undefined).map((item) => (
          <NavLink key={item.href} item={item} env={env} onNavigate={onNavigate} />
        ))}
        <p className="mt-3 px-3 pb-1 text-[0.625rem] font-semibold uppercase tracking-wide text-zinc-500" aria-hidden="true">
          Rampart
        </p>
        {RAMPART_NAV.map((item) => (
          <NavLink key={item.href} item={item} env={env} onNavigate={onNavigate} />
        ))}
      </nav>
    </div>
  );
}

/** The theme, who is signed in, and sign-out: the foot of the sidebar and of the menu. */
function Account({ user, onSignOut, signingOut }: { user: { username: string; role: string } | undefined; onSignOut: () => void; signingOut: boolean }) {
  return (
    <div className="space-y-2 border-t border-zinc-200 p-3 dark:border-zinc-800">
      <ThemeToggle />
      {user && (
        <div className="flex items-center justify-between gap-2 px-2 text-sm">
          <div className="min-w-0" title={`Signed in as ${user.username} (${user.role})`}>
            <p className="truncate font-medium" data-testid="current-user">
              {user.username}
            </p>
            <p className="text-xs capitalize text-zinc-500">{user.role}</p>
          </div>
          <Button variant="secondary" className="shrink-0 px-2 py-1 text-xs" onClick={onSignOut} busy={signingOut}>
            Sign out
          </Button>
        </div>
      )}
    </div>
  );
}

/**
 * The navigation on a narrow screen: a bar with a Menu button that opens the same links
 * in a panel. The panel closes on navigation, on Escape (focus goes back to the button),
 * on a click outside it, and when focus leaves it.
 */
function MobileMenu({ children }: { children: (close: () => void) => ReactNode }) {
  const pathname = usePathname();
  // The page the menu was opened on: navigating anywhere else closes it.
  const [openOn, setOpenOn] = useState<string | null>(null);
  const open = openOn === pathname;
  const barRef = useRef<HTMLDivElement>(null);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const panelRef = useRef<HTMLDivElement>(null);
  const close = useCallback(() => setOpenOn(null), []);

  useEffect(() => {
    if (!open) return;
    const panel = panelRef.current;
    (panel?.querySelector<HTMLElement>('[aria-current="page"]') ?? panel?.querySelector<HTMLElement>("a, button"))?.focus();
    function onKey(event: KeyboardEvent) {
      if (event.key !== "Escape") return;
      close();
      buttonRef.current?.focus();
    }
    function onPointer(event: PointerEvent) {
      if (!barRef.current?.contains(event.target as Node)) close();
    }
    document.addEventListener("keydown", onKey);
    document.addEventListener("pointerdown", onPointer);
    return () => {
      document.removeEventListener("keydown", onKey);
      document.removeEventListener("pointerdown", onPointer);
    };
  }, [open, close]);

  return (
    <div
      ref={barRef}
      className="sticky top-0 z-30 border-b border-zinc-200 bg-zinc-100 md:hidden dark:border-zinc-800 dark:bg-zinc-900"
      onBlur={(event) => {
        if (open && event.relatedTarget && !barRef.current?.contains(event.relatedTarget as Node)) close();
      }}
    >
      <div className="flex items-center justify-between gap-4 px-4 py-2">
        <span className="text-lg font-bold tracking-tight">Rampart</span>
        <button
          ref={buttonRef}
          type="button"
          className={buttonClass("secondary")}
          aria-expanded={open}
          aria-controls="main-menu"
          onClick={() => setOpenOn(open ? null : pathname)}
        >
          <span aria-hidden="true">{open ? "✕" : "☰"}</span>
          Menu
        </button>
      </div>
      <div
        ref={panelRef}
        id="main-menu"
        hidden={!open}
        className="absolute inset-x-0 top-full max-h-[calc(100dvh-3.5rem)] overflow-y-auto border-b border-zinc-200 bg-zinc-100 pt-2 shadow-lg dark:border-zinc-800 dark:bg-zinc-900"
      >
        {open && children(close)}
      </div>
    </div>
  );
}

/**
 * The signed-in console: navigation, the user, sign-out. It checks the session first
 * and sends an anonymous visitor to sign-in (or to setup, on a new install).
 */
export function Shell({ children }: { children: ReactNode }) {
  const trpc = useTRPC();
  const router = useRouter();
  const pathname = usePathname();
  const env = useEnv();
  const queryClient = useQueryClient();
  const me = useQuery(trpc.auth.me.queryOptions());
  const setup = useQuery({ ...trpc.auth.setupStatus.queryOptions(), enabled: me.isError && isUnauthorized(me.error) });
  const logout = useMutation(trpc.auth.logout.mutationOptions());
  // Signing out goes to /login itself; the session check below must not race it to /login?next=….
  const [signingOut, setSigningOut] = useState(false);

  useEffect(() => {
    if (signingOut || !me.isError || !isUnauthorized(me.error) || !setup.data) return;
    if (setup.data.setupNeeded) router.replace("/setup");
    else router.replace(`/login?next=${encodeURIComponent(pathname)}`);
  }, [signingOut, me.isError, me.error, setup.data, router, pathname]);

  if (me.isPending || (me.isError && isUnauthorized(me.error))) {
    return (
      <div className="flex min-h-screen flex-col md:flex-row" aria-busy="true" aria-label="Loading">
        <div className="border-b border-zinc-200 px-4 py-3 md:hidden dark:border-zinc-800">
          <Skeleton className="h-6 w-24" />
        </div>
        <div className="hidden w-56 shrink-0 space-y-3 border-r border-zinc-200 p-4 md:block dark:border-zinc-800">
          <Skeleton className="h-6 w-24" />
          <Skeleton className="h-8" />
          <Skeleton className="h-8" />
        </div>
        <div className="min-w-0 flex-1 space-y-4 px-4 py-6 md:p-8">
          <Skeleton className="h-7 w-48 max-w-full" />
          <Skeleton className="h-32" />
        </div>
      </div>
    );
  }
  if (me.isError) {
    return (
      <main className="mx-auto max-w-lg p-8">
        <ErrorState title="Rampart cannot load your session" error={me.error} onRetry={() => me.refetch()} />
      </main>
    );
  }

  const user = me.data?.user;
  async function signOut() {
    setSigningOut(true);
    try {
      await logout.mutateAsync();
    } finally {
      queryClient.clear();
      router.replace("/login");
    }
  }

  return (
    <div className="flex min-h-screen flex-col md:flex-row">
      <a href="#main" className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:z-50 focus:rounded focus:bg-white focus:px-3 focus:py-2 dark:focus:bg-zinc-900">
        Skip to content
      </a>
      <MobileMenu>
        {(close) => (
          <>
            <MainNav onNavigate={close} />
            <div className="mt-2">
              <Account user={user} onSignOut={signOut} signingOut={logout.isPending} />
            </div>
          </>
        )}
      </MobileMenu>
      <aside className="hidden w-56 shrink-0 flex-col border-r border-zinc-200 bg-zinc-100/60 md:flex dark:border-zinc-800 dark:bg-zinc-900/40">
        <div className="px-4 py-4 text-lg font-bold tracking-tight">Rampart</div>
        <MainNav />
        <div className="mt-auto">
          <Account user={user} onSignOut={signOut} signingOut={logout.isPending} />
        </div>
      </aside>
      <main id="main" className="min-w-0 flex-1 px-4 py-6 md:px-8">
        {env !== undefined && <EnvStatus key={env} env={env} />}
        {children}
      </main>
    </div>
  );
}
