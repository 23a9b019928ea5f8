/**
 * The conformance runner's checks (DESIGN.md §4): each vector file from SwarmKit's tests
 * is run against Rampart's own code. Pure: the caller reads the files and supplies a
 * SHA-256. Kept out of core's barrel: production code never needs it.
 */
export type { CaseResult, ConformancePorts, CaConformancePorts } from "./cases.js";
export {
  NOT_IMPLEMENTED_VECTOR_FILES,
  VECTOR_RUNNERS,
  runVectorFile,
  runVectorFiles,
  type ConformanceReport,
  type VectorFile,
} from "./registry.js";
