"use client";

import { useCallback, useEffect, useRef, useState } from "react";
import { describeError } from "~/lib/errors";
import { useTRPCClient } from "~/lib/trpc";
import { Alert, Button, Card, Select } from "./ui";

/**
 * A service's (or one task's) container logs, as the agents running its tasks send them
 * (ADR 0019): the last lines, then new ones as they come while following. Each opening
 * is audited on the server. The session is closed when the view goes away or is paused,
 * so the agents stop sending. Lines are shown as text, never as markup.
 */
interface Line {
  key: number;
  taskId: string;
  slot: number | null;
  nodeId: string;
  stream: "stdout" | "stderr";
  time: Date;
  line: string;
}

/** Lines kept on the page; older ones scroll away. */
const KEEP = 5000;
const TAILS = [
  { value: "100", label: "Last 100 lines" },
  { value: "1000", label: "Last 1,000 lines" },
  { value: "all", label: "Whole log" },
];

export function ServiceLogs({ serviceRef, tasks }: { serviceRef: string; tasks: ReadonlyArray<{ id: string; slot: number | null; state: string }> }) {
  const client = useTRPCClient();
  const [lines, setLines] = useState<Line[]>([]);
  const [follow, setFollow] = useState(true);
  const [tail, setTail] = useState("100");
  const [task, setTask] = useState("");
  const [error, setError] = useState<string | undefined>();
  const [dropped, setDropped] = useState(0);
  const [status, setStatus] = useState<"idle" | "reading" | "done">("idle");
  const [timestamps, setTimestamps] = useState(false);
  const box = useRef<HTMLDivElement>(null);
  const live = tasks.filter((t) => t.state === "running" || t.state === "starting");
  // The running tasks as one key: when they change (a scale, a restart), the logs are opened again to include them.
  const liveKey = live
    .map((t) => t.id)
    .sort()
    .join(",");
  const atBottom = useRef(true);
  const counter = useRef(0);

  const read = useCallback(
    (signal: { stopped: boolean }) => {
      void (async () => {
        setLines([]);
        setDropped(0);
        setError(undefined);
        setStatus("reading");
        let cursor: string | undefined;
        try {
          ({ cursor } = await client.service.openLogs.mutate({ ref: task || serviceRef, follow, ...(tail === "all" ? {} : { tail: Number(tail) }) }));
          while (!signal.stopped) {
            const page = await client.service.readLogs.mutate({ cursor });
            cursor = page.cursor;
            if (page.dropped > 0) setDropped((d) => d + page.dropped);
            if (page.lines.length > 0) {
              setLines((old) => [...old, ...page.lines.map((l) => ({ ...l, key: counter.current++ }))].slice(-KEEP));
            }
            if (page.done) {
              setStatus("done");
              return;
            }
          }
        } catch (err) {
          if (!signal.stopped) {
            setError(describeError(err).message);
            setStatus("idle");
          }
        } finally {
          if (signal.stopped && cursor) void client.service.closeLogs.mutate({ cursor }).catch(() => undefined);
        }
      })();
    },
    // eslint-disable-next-line react-hooks/exhaustive-deps -- liveKey reopens the logs when the running tasks change.
    [client, serviceRef, task, follow, tail, liveKey],
  );

  useEffect(() => {
    const signal = { stopped: false };
    read(signal);
    return () => {
      signal.stopped = true;
    };
  }, [read]);

  // Keeps the newest line in view while the reader is at the bottom.
  useEffect(() => {
    const el = box.current;
    if (el && atBottom.current) el.scrollTop = el.scrollHeight;
  }, [lines]);

  return (
    <Card
      title="Logs"
      actions={
        <div className="flex flex-wrap items-center gap-2">
          <Select
            label="Task"
            value={task}
            onChange={(e) => setTask(e.target.value)}
            options={[
              { value: "", label: "All running tasks" },
              ...live.map((t) => ({ value: t.id, label: t.slot === null ? t.id.slice(0, 12) : `Replica ${t.slot} (${t.id.slice(0, 12)})` })),
            ]}
          />
          <Select label="Lines" value={tail} onChange={(e) => setTail(e.target.value)} options={TAILS} />
          <label className="flex items-center gap-1 text-sm">
            <input type="checkbox" checked={timestamps} onChange={(e) => setTimestamps(e.target.checked)} /> Times
          </label>
          <Button variant="secondary" onClick={() => setFollow((f) => !f)} aria-pressed={follow}>
            {follow ? "Pause" : "Follow"}
          </Button>
        </div>
      }
    >
      {error ? (
        <Alert title="The logs could not be read">{error}</Alert>
      ) : null}
      {dropped > 0 ? <Alert tone="warning">{dropped} lines were dropped because they came faster than this page read them.</Alert> : null}
      <div
        ref={box}
        role="log"
        aria-live="off"
        aria-label="Container log lines"
        tabIndex={0}
        onScroll={(e) => {
          const el = e.currentTarget;
          atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 24;
        }}
        className="mt-2 h-96 overflow-auto rounded border border-neutral-200 bg-neutral-950 p-2 font-mono text-xs leading-5 text-neutral-100 dark:border-neutral-700"
      >
        {lines.length === 0 ? (
          <p className="text-neutral-400">
            {status === "reading"
              ? live.length === 0
                ? "No task of this service is running, so there is no container to read."
                : "Waiting for lines…"
              : status === "done"
                ? "The log is empty."
                : ""}
          </p>
        ) : (
          lines.map((l) => (
            <div key={l.key} className={l.stream === "stderr" ? "whitespace-pre-wrap break-all text-amber-300" : "whitespace-pre-wrap break-all"}>
              {timestamps ? <span className="text-neutral-500">{l.time.toISOString()} </span> : null}
              <span className="text-sky-300">{l.slot === null ? l.taskId.slice(0, 12) : `${l.slot}.${l.taskId.slice(0, 12)}`}</span>
              <span className="text-neutral-500"> | </span>
              {l.line}
            </div>
          ))
        )}
      </div>
      <p className="mt-1 text-xs text-neutral-500">
        {follow ? "Following: new lines appear as the containers write them." : "Paused."} Reading logs is recorded in the audit log.
      </p>
    </Card>
  );
}
