import superjson from "superjson";
import { z } from "zod";

/**
 * The API's transformer: superjson both ways, except for a response a procedure marks as
 * plain JSON already. superjson walks every value looking for Dates and Maps; for a
 * large list of primitives that walk costs more than everything else in the request.
 * The mark is a hidden symbol on the object itself, so server-side callers get the very
 * same value, and the client needs nothing special: superjson reads `{ json }` without
 * metadata as is.
 */
const PLAIN = Symbol("rampart.plainJson");

function isPlain(value: unknown): boolean {
  return typeof value === "object" && value !== null && PLAIN in value;
}

/** Marks an object that holds only JSON types, so it is sent without superjson's walk. */
export function plainJson<T extends object>(value: T): T {
  Object.defineProperty(value, PLAIN, { value: true, enumerable: false });
  return value;
}

/** The output schema for a procedure that returns `plainJson(...)`. */
export function plainJsonOutput<T>() {
  return z.custom<T>(isPlain, "expected a plain JSON response");
}

export const transformer = {
  input: superjson,
  output: {
    serialize: (value: unknown) => (isPlain(value) ? { json: value } : superjson.serialize(value)),
    deserialize: (value: unknown) => superjson.deserialize(value as Parameters<typeof superjson.deserialize>[0]),
  },
};
