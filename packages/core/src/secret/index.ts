export * from "./envelope.js";
export * from "./rules.js";
