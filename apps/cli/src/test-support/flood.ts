import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { request } from "node:http";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * A connection flood against a real `rampart server` in a process of its own, run under a
 * lowered open-file limit (`ulimit -n`) so that a flood of a thousand or two connections is
 * enough to reach its caps, and the descriptors it has left can be counted.
 */
const MAIN = fileURLToPath(new URL("../../dist/main.js", import.meta.url));

export interface LimitedServer {
  pid: number;
  url: string;
  nodeHost: string;
  nodePort: number;
  socketPath: string;
  dataDir: string;
  /** The caps the server reported when it was ready. */
  caps: { perAddress: number; total: number };
  /** Its log, one parsed JSON line each. */
  logs: Array<Record<string, unknown>>;
  /** Descriptors the process holds now. */
  openDescriptors(): number;
  stop(): Promise<void>;
}

/** Starts the built server with `ulimit -n openFiles`, on loopback, and waits until it is ready. */
export async function startLimitedServer(openFiles: number): Promise<LimitedServer> {
  const dataDir = mkdtempSync(join(tmpdir(), "rampart-flood-"));
  // `ulimit -n` sets the soft and the hard limit: the server cannot raise it again.
  const child: ChildProcess = spawn(
    "sh",
    ["-c", `ulimit -n ${openFiles} && exec "$0" "$@"`, process.execPath, MAIN, "server", "--data-dir", dataDir, "--listen", "127.0.0.1:0", "--node-listen", "127.0.0.1:0"],
    { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, DATABASE_URL: "", RAMPART_LOG_LEVEL: "info" } },
  );
  const logs: Array<Record<string, unknown>> = [];
  let stderr = "";
  child.stderr!.on("data", (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const ready = await new Promise<Record<string, unknown>>((resolve, reject) => {
    let buffered = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      buffered += chunk.toString();
      let newline;
      while ((newline = buffered.indexOf("\n")) !== -1) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        if (!line.startsWith("{")) continue;
        const entry = JSON.parse(line) as Record<string, unknown>;
        logs.push(entry);
        if (entry.msg === "rampart server ready") resolve(entry);
      }
    });
    child.once("exit", (code) => reject(new Error(`the server exited with ${code}: ${stderr}`)));
  });
  const [nodeHost, nodePort] = String(ready.nodeEndpoint).split(":");
  return {
    pid: child.pid!,
    url: String(ready.url),
    nodeHost: nodeHost!,
    nodePort: Number(nodePort),
    socketPath: String(ready.socket),
    dataDir,
    caps: ready.connectionCaps as LimitedServer["caps"],
    logs,
    openDescriptors: () => readdirSync(`/proc/${child.pid}/fd`).length,
    async stop() {
      child.kill("SIGTERM");
      await exited;
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Idle connections, opened and never written to, and whether each is still open. */
export interface Flood {
  sockets: Array<{ from: string; socket: Socket; open: boolean }>;
  /** How many are still open, in all and per source address. */
  open(): { total: number; maxPerAddress: number };
  end(): void;
}

/**
 * Opens `perAddress` idle connections to host:port from each of `from` (loopback
 * addresses: Linux answers for all of 127.0.0.0/8), and waits until each has connected
 * or been closed.
 */
export async function flood(host: string, port: number, from: readonly string[], perAddress: number): Promise<Flood> {
  const sockets: Flood["sockets"] = [];
  await Promise.all(
    from.flatMap((localAddress) =>
      Array.from(
        { length: perAddress },
        () =>
          new Promise<void>((resolve) => {
            const socket = connect({ host, port, localAddress });
            const entry = { from: localAddress, socket, open: false };
            sockets.push(entry);
            socket.once("connect", () => {
              entry.open = true;
              resolve();
            });
            socket.on("error", () => undefined);
            // Whatever the server says (a 408) is read and dropped, so its close is seen.
            socket.resume();
            socket.once("close", () => {
              entry.open = false;
              resolve();
            });
          }),
      ),
    ),
  );
  return {
    sockets,
    open() {
      const perSource = new Map<string, number>();
      for (const s of sockets) if (s.open) perSource.set(s.from, (perSource.get(s.from) ?? 0) + 1);
      return { total: [...perSource.values()].reduce((a, b) => a + b, 0), maxPerAddress: Math.max(0, ...perSource.values()) };
    },
    end() {
      for (const s of sockets) s.socket.destroy();
    },
  };
}

/** `count` loopback source addresses other than 127.0.0.1: 127.0.0.2 and on. */
export const floodAddresses = (count: number) => Array.from({ length: count }, (_, i) => `127.0.0.${i + 2}`);

/** One GET on a fresh connection from 127.0.0.1; its status, body and milliseconds. */
export function timedGet(url: string): Promise<{ status: number; body: string; ms: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false }, (res) => {
      let body = "";
      res.on("data", (c: Buffer) => (body += c.toString()));
      res.on("end", () => resolve({ status: res.statusCode!, body, ms: performance.now() - started }));
    });
    req.on("error", reject);
    req.end();
  });
}
