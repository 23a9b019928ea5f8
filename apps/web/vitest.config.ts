import { fileURLToPath } from "node:url";
import { mergeConfig } from "vitest/config";
import shared from "../../tooling/vitest.shared.js";

export default mergeConfig(shared, {
  resolve: { alias: { "~": fileURLToPath(new URL("./src", import.meta.url)) } },
});
