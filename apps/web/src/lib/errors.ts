import { explain } from "@rampart/api/schema";
import { TRPCClientError } from "@trpc/client";

export interface ApiErrorInfo {
  message: string;
  /** The input field the server named, if any. */
  field: string | undefined;
  code: string | undefined;
  httpStatus: number | undefined;
}

/**
 * A server message as a person reads it: the API puts a field's path before a message a
 * schema set (`data: must be base64…`), which the form shows under that field anyway; and
 * Swarm's own words get their plain meaning beside them (`explain`).
 */
export function shownMessage(message: string, field: string | undefined): string {
  const own = field && message.startsWith(`${field}: `) && !message.includes("; ") ? message.slice(field.length + 2) : message;
  return explain(own);
}

/** What to show for a failed call: the server's message, and which field it is about. */
export function describeError(error: unknown): ApiErrorInfo {
  if (error instanceof TRPCClientError) {
    const data = (error.data ?? {}) as { field?: string; code?: string; httpStatus?: number };
    return { message: shownMessage(error.message, data.field), field: data.field, code: data.code, httpStatus: data.httpStatus };
  }
  if (error instanceof Error && error.message === "Failed to fetch") {
    return { message: "the server cannot be reached; check that rampart server is running", field: undefined, code: undefined, httpStatus: undefined };
  }
  return { message: "something went wrong", field: undefined, code: undefined, httpStatus: undefined };
}

export function isUnauthorized(error: unknown): boolean {
  return describeError(error).code === "UNAUTHORIZED";
}
