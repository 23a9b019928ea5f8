import { decodeNodeList } from "@rampart/api/schema";
import type { AdminClient } from "../client/index.js";
import { UsageError } from "./cli.js";
import type { Out } from "./swarm.js";

export interface LogFlags {
  follow: boolean;
  tail: string | undefined;
  since: string | undefined;
  timestamps: boolean;
  /** Only the lines, as `docker service logs --raw` prints them. */
  raw: boolean;
  noTaskIds: boolean;
  noTrunc: boolean;
}

/** Resolves on the first SIGINT or SIGTERM: a followed log ends then, and the agents stop sending. */
export function interrupted(): Promise<void> {
  return new Promise((resolve) => {
    process.once("SIGINT", () => resolve());
    process.once("SIGTERM", () => resolve());
  });
}

/** `--tail all` or a whole number, as docker takes it. */
export function parseTail(text: string | undefined): number | undefined {
  if (text === undefined || text === "all") return undefined;
  if (!/^\d{1,6}$/.test(text)) throw new UsageError(`--tail must be a whole number of lines or "all", not ${JSON.stringify(text)}`);
  return Number(text);
}

/**
 * `rampart service logs [-f] [--tail N] [--since T] SERVICE|TASK`: the containers' own
 * lines, streamed from the agents that run them, with docker's `name.slot.task@node |`
 * prefix. Following stops on SIGINT, and the agents stop sending.
 */
export async function serviceLogs(client: AdminClient, out: Out, err: Out, ref: string | undefined, flags: LogFlags, stop: Promise<unknown> = new Promise(() => undefined)): Promise<number> {
  if (!ref) throw new UsageError('"rampart service logs" requires exactly 1 argument: a service or a task');
  const tail = parseTail(flags.tail);
  const { cursor: first } = await client.service.openLogs.mutate({ ref, follow: flags.follow, ...(tail !== undefined ? { tail } : {}), ...(flags.since ? { since: flags.since } : {}) });
  const hostnames = new Map(decodeNodeList(await client.node.list.query()).map((n) => [n.id, n.hostname]));
  let cursor = first;
  let stopped = false;
  void stop.then(() => {
    stopped = true;
    void client.service.closeLogs.mutate({ cursor }).catch(() => undefined);
  });
  for (;;) {
    const page = await client.service.readLogs.mutate({ cursor });
    cursor = page.cursor;
    if (page.dropped > 0) err(`warning: ${page.dropped} log lines were dropped because they came faster than they were read`);
    for (const line of page.lines) {
      let prefix = "";
      if (!flags.raw) {
        const task = flags.noTaskIds ? "" : `.${flags.noTrunc ? line.taskId : line.taskId.slice(0, 12)}`;
        prefix = `${line.serviceName}.${line.slot ?? line.nodeId}${task}@${hostnames.get(line.nodeId) ?? line.nodeId}    | `;
      }
      const time = flags.timestamps ? `${line.time.toISOString()} ` : "";
      (line.stream === "stderr" ? err : out)(`${time}${prefix}${line.line}`);
    }
    if (page.done || stopped) return 0;
  }
}
