export { BACKGROUND_HEADER } from "@rampart/api/schema";

/** tRPC request options for a query that polls: its requests are marked as background. */
export const backgroundPoll = { trpc: { context: { background: true } } } as const;
