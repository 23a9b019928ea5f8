import type { ErrorCode } from "@rampart/core";
import type { TRPC_ERROR_CODE_KEY } from "@trpc/server";

/**
 * The one table from domain error codes to tRPC codes (and so to HTTP statuses).
 * Nothing else in the project decides a status.
 */
export const ERROR_STATUS: Record<ErrorCode, TRPC_ERROR_CODE_KEY> = {
  invalid_argument: "BAD_REQUEST",
  not_found: "NOT_FOUND",
  already_exists: "CONFLICT",
  failed_precondition: "PRECONDITION_FAILED",
  conflict: "CONFLICT",
  unauthenticated: "UNAUTHORIZED",
  permission_denied: "FORBIDDEN",
  rate_limited: "TOO_MANY_REQUESTS",
  payload_too_large: "PAYLOAD_TOO_LARGE",
  unavailable: "SERVICE_UNAVAILABLE",
  sealed_open_failed: "INTERNAL_SERVER_ERROR",
  key_mismatch: "INTERNAL_SERVER_ERROR",
  internal: "INTERNAL_SERVER_ERROR",
};
