import { rampart } from "./commands/index.js";
import { readEnv } from "./env.js";

/** `rampart`: the commands are declared in commands/*.cli.ts and listed in commands/index.ts. */
export function main(argv: string[]): Promise<number> {
  return rampart(argv, { out: (line) => console.log(line), err: (line) => console.error(line) }, readEnv);
}

process.exitCode = await main(process.argv.slice(2));
