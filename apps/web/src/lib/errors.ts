import { TRPCClientError } from "@trpc/client";

export interface ApiErrorInfo {
  message: string;
  /** The input field the server named, if any. */
  field: string | undefined;
  code: string | undefined;
  httpStatus: number | undefined;
}

/** What to show for a failed call: the server's message, and which field it is about. */
export function describeError(error: unknown): ApiErrorInfo {
  if (error instanceof TRPCClientError) {
    const data = (error.data ?? {}) as { field?: string; code?: string; httpStatus?: number };
    return { message: error.message, field: data.field, code: data.code, httpStatus: data.httpStatus };
  }
  if (error instanceof Error && error.message === "Failed to fetch") {
    return { message: "the server cannot be reached; check that rampart server is running", field: undefined, code: undefined, httpStatus: undefined };
  }
  return { message: "something went wrong", field: undefined, code: undefined, httpStatus: undefined };
}

export function isUnauthorized(error: unknown): boolean {
  return describeError(error).code === "UNAUTHORIZED";
}
