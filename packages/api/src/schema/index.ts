export * from "./common.schema.js";
export * from "./auth.schema.js";
export * from "./api-token.schema.js";
export * from "./system.schema.js";
export * from "./protocol.js";
export * from "./cluster.schema.js";
export * from "./node.schema.js";
export * from "./audit.schema.js";
