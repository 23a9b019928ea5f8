"use client";

import { roleHasPermission, type Permission } from "@rampart/core/user";
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "./trpc";

/**
 * Whether the signed-in user's role grants `permission`, from the session the shell
 * already read: pages show read-only versions of what a role cannot change. Undefined
 * while the session loads. The server decides regardless; this only spares a refusal.
 */
export function useCan(permission: Permission): boolean | undefined {
  const trpc = useTRPC();
  const me = useQuery(trpc.auth.me.queryOptions());
  const role = me.data?.user.role;
  return role === undefined ? undefined : roleHasPermission(role, permission);
}
