"use client";

import { labelCatalogue, type PlannerCluster } from "@rampart/core/planner";
import { useQuery } from "@tanstack/react-query";
import { useMemo } from "react";
import { useEnv } from "./env";
import { keyOptions, toPlannerCluster, type KeyOption } from "./planner";
import { useTRPC } from "./trpc";

/** The cluster as the planner reads it; shared by the planner and the service forms' pickers. */
export function useSnapshot() {
  const trpc = useTRPC();
  const env = useEnv();
  return useQuery({ ...trpc.planner.snapshot.queryOptions({ env }), select: toPlannerCluster, staleTime: 30_000 });
}

/** The constraint picker's keys and values for a set of nodes. */
export function useKeyOptions(nodes: PlannerCluster["nodes"] | undefined): KeyOption[] | undefined {
  return useMemo(() => (nodes ? keyOptions(nodes, labelCatalogue(nodes)) : undefined), [nodes]);
}
