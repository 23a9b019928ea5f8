export * from "./audit/index.js";
export * from "./encoding/index.js";
export * from "./errors/index.js";
export * from "./secret/index.js";
export * from "./token/index.js";
export * from "./user/index.js";
