import { resolve } from "node:path";
import { command, UsageError } from "./cli.js";
import { conformanceCommand } from "./conformance.js";

/** `rampart conformance --vectors DIR`: needs no server. */
export const conformance = command({
  name: "conformance",
  summary: "Run the SwarmKit conformance vectors",
  usage: "Usage:  rampart conformance --vectors DIR",
  options: { vectors: { type: "string" } },
  positionals: false,
  async run({ values, io }) {
    if (!values.vectors) throw new UsageError("--vectors DIR is required");
    return conformanceCommand(resolve(values.vectors), io.out, io.err);
  },
});
