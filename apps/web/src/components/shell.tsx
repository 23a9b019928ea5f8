"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { usePathname, useRouter } from "next/navigation";
import { useEffect, useState, type ReactNode } from "react";
import { isUnauthorized } from "~/lib/errors";
import { useTRPC } from "~/lib/trpc";
import { ThemeToggle } from "./theme-toggle";
import { ErrorState } from "./states";
import { Button, Skeleton } from "./ui";

/** Only features that exist are listed; each later feature adds its own entry. */
const NAV = [
  { href: "/", label: "Overview" },
  { href: "/nodes", label: "Nodes" },
  { href: "/services", label: "Services" },
  { href: "/secrets", label: "Secrets" },
  { href: "/planner", label: "Planner" },
  { href: "/join", label: "Join" },
  { href: "/audit", label: "Audit" },
  { href: "/settings/api-tokens", label: "API tokens" },
  { href: "/settings/swarm", label: "Swarm settings" },
] as const;

function NavLink({ href, label }: { href: string; label: string }) {
  const pathname = usePathname();
  const active = href === "/" ? pathname === "/" : pathname.startsWith(href);
  return (
    <Link
      href={href}
      aria-current={active ? "page" : undefined}
      className={
        "block rounded-md px-3 py-2 text-sm font-medium " +
        (active
          ? "bg-zinc-200 text-zinc-900 dark:bg-zinc-800 dark:text-white"
          : "text-zinc-600 hover:bg-zinc-200/60 hover:text-zinc-900 dark:text-zinc-400 dark:hover:bg-zinc-800/60 dark:hover:text-white")
      }
    >
      {label}
    </Link>
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
      <div className="flex min-h-screen" aria-busy="true" aria-label="Loading">
        <div className="w-56 space-y-3 border-r border-zinc-200 p-4 dark:border-zinc-800">
          <Skeleton className="h-6 w-24" />
          <Skeleton className="h-8" />
          <Skeleton className="h-8" />
        </div>
        <div className="flex-1 space-y-4 p-8">
          <Skeleton className="h-7 w-48" />
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
      <aside className="flex shrink-0 flex-col border-b border-zinc-200 bg-zinc-100/60 md:w-56 md:border-b-0 md:border-r dark:border-zinc-800 dark:bg-zinc-900/40">
        <div className="px-4 py-4 text-lg font-bold tracking-tight">Rampart</div>
        <nav aria-label="Main" className="flex gap-1 overflow-x-auto px-2 md:flex-col md:overflow-visible">
          {NAV.map((item) => (
            <NavLink key={item.href} {...item} />
          ))}
        </nav>
        <div className="mt-auto space-y-2 border-t border-zinc-200 p-3 dark:border-zinc-800">
          <ThemeToggle />
          {user && (
            <div className="flex items-center justify-between gap-2 px-2 text-sm">
              <div className="min-w-0" title={`Signed in as ${user.username} (${user.role})`}>
                <p className="truncate font-medium" data-testid="current-user">
                  {user.username}
                </p>
                <p className="text-xs capitalize text-zinc-500">{user.role}</p>
              </div>
              <Button variant="secondary" className="shrink-0 px-2 py-1 text-xs" onClick={signOut} busy={logout.isPending}>
                Sign out
              </Button>
            </div>
          )}
        </div>
      </aside>
      <main id="main" className="min-w-0 flex-1 px-4 py-6 md:px-8">
        {children}
      </main>
    </div>
  );
}
