/**
 * Wire-level names shared by the server and the UI. They live beside the schemas
 * because `@rampart/api/schema` is the one part of this package the UI may import.
 */

/** Set by the UI on polling requests, which must not keep an idle session alive. */
export const BACKGROUND_HEADER = "x-rampart-background";
