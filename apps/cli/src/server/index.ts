import { existsSync, readFileSync } from "node:fs";
import { createServer as createHttpServer, type Server } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import { networkInterfaces } from "node:os";
import { join } from "node:path";
import type { NextServerOptions, RequestHandler } from "next/dist/server/next.js";
import type { Logger } from "pino";
import { parseListen, isLoopback, type ListenAddress } from "./listen.js";
import { swarmLocked } from "@rampart/manager";
import type { ExternalCa } from "@rampart/core";
import { createRouter, InFlight, UNLOCK_PAGE, type NextHandler } from "./http.js";
import { openRuntime, type LocalNode, type Runtime } from "./runtime.js";
import { listenAdminSocket } from "./socket.js";
import { prepareDataDir, PRIVATE_UMASK, restrictTree } from "./files.js";
import { capConnections, connectionCaps, PUBLIC_LISTENER_OPTIONS, raiseDescriptorLimit } from "./connections.js";
import { createNodeEndpointServer, LOCKED_NODE_ENDPOINT, lockedTls, SWARM_CIPHERS } from "./node-endpoint.js";
import { startTimers, swarmInitText } from "./timers.js";
import { openLocalEngine } from "./local-agent.js";
import type { EngineEnv } from "../agent/runtime/engine.js";

export interface ServerOptions {
  dataDir: string;
  databaseUrl: string | undefined;
  kekFile: string | undefined;
  listen: string;
  nodeListen: string;
  tlsCert: string | undefined;
  tlsKey: string | undefined;
  insecureHttp: boolean;
  trustProxy: boolean;
  /** The address nodes use to reach the node endpoint; derived from --node-listen if unset. */
  advertiseAddr: string | undefined;
  webDir: string;
  version: string;
  log: Logger;
  /** Shows the one-time setup code to the operator (never through the logger). */
  announceSetupCode(code: string, url: string): void;
  /** Shows what `docker swarm init` prints, on the start that created the swarm. */
  announceSwarmInit?(text: string): void;
  /**
   * The engine this server's own node runs its tasks through (`--docker-host`, else
   * DOCKER_HOST, else /var/run/docker.sock). None reachable: the node gets no tasks.
   */
  dockerHost?: string | undefined;
  engineEnv?: EngineEnv;
  /** `--external-ca`, on the start that creates the swarm only (see RuntimeOptions). */
  externalCas?: readonly ExternalCa[] | undefined;
}

export interface RunningServer {
  url: string;
  socketPath: string;
  /** host:port of the node endpoint, as nodes should dial it. */
  nodeAddress: string;
  /** The runtime; Swarm's refusal while the server is locked. */
  readonly runtime: Runtime;
  /** True while the server waits for its unlock key (autolock, ADR 0022). */
  readonly locked: boolean;
  /** Resolves once the server serves: at once, or when it has been unlocked. */
  ready: Promise<Runtime>;
  /** Stops accepting, finishes requests in flight, closes the store. */
  close(): Promise<void>;
}

export interface CheckedOptions {
  listen: ListenAddress;
  nodeListen: ListenAddress;
  tls: { cert: Buffer; key: Buffer } | undefined;
}

/**
 * Checks flags before anything is opened. Plain HTTP is refused off loopback: the
 * session cookie is Secure, and browsers only honour that over HTTPS or on loopback.
 * `--insecure-http` is for a TLS-terminating proxy in front.
 */
export function checkServerOptions(options: Pick<ServerOptions, "listen" | "nodeListen" | "tlsCert" | "tlsKey" | "insecureHttp">): CheckedOptions {
  const listen = parseListen("--listen", options.listen);
  const nodeListen = parseListen("--node-listen", options.nodeListen);
  if (Boolean(options.tlsCert) !== Boolean(options.tlsKey)) {
    throw new Error("--tls-cert and --tls-key must be given together");
  }
  let tls: CheckedOptions["tls"];
  if (options.tlsCert && options.tlsKey) {
    const read = (flag: string, path: string) => {
      try {
        return readFileSync(path);
      } catch {
        throw new Error(`${flag}: cannot read ${path}`);
      }
    };
    tls = { cert: read("--tls-cert", options.tlsCert), key: read("--tls-key", options.tlsKey) };
  }
  if (!tls && !isLoopback(listen.host) && !options.insecureHttp) {
    throw new Error(
      `refusing to serve plain HTTP on ${listen.display}: session cookies are Secure and browsers only send them over HTTPS or loopback. ` +
        "Give --tls-cert and --tls-key, listen on 127.0.0.1, or pass --insecure-http if a TLS-terminating proxy is in front.",
    );
  }
  return { listen, nodeListen, tls };
}

/**
 * The address put in join commands: --advertise-addr if given; else the node endpoint's
 * listen address, with a wildcard host replaced by this machine's first external IPv4.
 */
export function advertiseAddress(advertise: string | undefined, nodeListen: ListenAddress, port: number): string {
  if (advertise) return /:\d+$/.test(advertise) ? advertise : `${advertise}:${port}`;
  let host = nodeListen.host;
  if (host === "0.0.0.0" || host === "::") {
    const external = Object.values(networkInterfaces())
      .flat()
      .find((i) => i && i.family === "IPv4" && !i.internal);
    host = external?.address ?? "127.0.0.1";
  }
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}

type CreateNextServer = (options: NextServerOptions) => {
  prepare(): Promise<void>;
  getRequestHandler(): RequestHandler;
  close(): Promise<void>;
};

async function loadNext(webDir: string, listen: ListenAddress): Promise<{ handle: NextHandler; close(): Promise<void> }> {
  if (!existsSync(join(webDir, ".next", "BUILD_ID"))) {
    throw new Error(`the web UI in ${webDir} is not built; run: pnpm build`);
  }
  // next is CommonJS; Node hands its `exports.default` over as the ESM default.
  const loaded = (await import("next/dist/server/next.js")) as unknown as { default: CreateNextServer };
  const app = loaded.default({ dev: false, dir: webDir, hostname: listen.host, port: listen.port, quiet: true });
  await app.prepare();
  const handle = app.getRequestHandler();
  return { handle: (req, res) => handle(req, res), close: () => app.close() };
}

/**
 * Why a listener could not bind, in one line naming the address and the flag that moves
 * it, or undefined for an error that is not about the address.
 */
export function bindProblem(error: unknown, flag: string, address: ListenAddress): string | undefined {
  const code = (error as { code?: unknown }).code;
  const move = `choose another address with ${flag}`;
  if (code === "EADDRINUSE") {
    if (flag === "--node-listen" && address.port === 2377) {
      return `${flag}: ${address.display} is already in use; a Docker Swarm manager on this host listens on 2377: leave that swarm, or ${move}`;
    }
    return `${flag}: ${address.display} is already in use by another program; ${move}`;
  }
  if (code === "EACCES") return `${flag}: not allowed to listen on ${address.display} (ports below 1024 need privileges); ${move}`;
  if (code === "EADDRNOTAVAIL") return `${flag}: ${address.display} is not an address of this machine; ${move}`;
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") return `${flag}: cannot resolve the host of ${address.display}; ${move}`;
  return undefined;
}

function listenOn(server: Server, flag: string, address: ListenAddress): Promise<number> {
  return new Promise((resolve, reject) => {
    const failed = (error: Error) => reject(new Error(bindProblem(error, flag, address) ?? `${flag}: cannot listen on ${address.display}: ${error.message}`));
    server.once("error", failed);
    server.listen(address.port, address.host, () => {
      server.off("error", failed);
      const bound = server.address();
      resolve(typeof bound === "object" && bound ? bound.port : address.port);
    });
  });
}

/** Stops accepting connections; resolves when the listener is closed (not when requests end). */
function stopListening(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
    server.closeIdleConnections();
  });
}

/** How long requests in flight may take to finish at shutdown before they are cut off. */
const SHUTDOWN_GRACE_MS = 10_000;

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const checked = checkServerOptions(options);
  const { log } = options;
  process.umask(PRIVATE_UMASK);
  prepareDataDir(options.dataDir);
  const openFiles = raiseDescriptorLimit(log);
  const caps = connectionCaps(openFiles);
  // The UI and the store start side by side: each takes about a second.
  const nodeAddress = advertiseAddress(options.advertiseAddr, checked.nodeListen, checked.nodeListen.port);
  const engine = await openLocalEngine({ dockerHost: options.dockerHost, env: options.engineEnv ?? {}, dataDir: options.dataDir, log });
  const [webResult, runtimeResult] = await Promise.allSettled([
    loadNext(options.webDir, checked.listen),
    openRuntime({ ...options, nodeAddress, describeLocal: (base) => engine.describe(base) }),
  ]);
  if (webResult.status === "rejected" || runtimeResult.status === "rejected") {
    if (webResult.status === "fulfilled") await webResult.value.close().catch(() => undefined);
    if (runtimeResult.status === "fulfilled") await runtimeResult.value.close();
    await engine.stop();
    // The store's complaint (locked, wrong key) matters more than the UI's.
    throw runtimeResult.status === "rejected" ? runtimeResult.reason : (webResult as PromiseRejectedResult).reason;
  }
  const web = webResult.value;
  const opened = runtimeResult.value;
  // Locked (ADR 0022): the store is open, nothing sealed in it is, and the server serves its unlock alone until it is given the key.
  const locked = opened.locked ? opened : undefined;
  let runtime: Runtime | undefined = opened.locked ? undefined : opened;
  const socketPath = join(options.dataDir, "rampart.sock");
  const servers: Server[] = [];
  const inFlight = new InFlight();
  let timers: ReturnType<typeof startTimers> | undefined;
  let closing: Promise<void> | undefined;
  try {
    restrictTree(options.dataDir);
    const common = {
      manager: () => runtime?.manager,
      ...(locked ? { locked: { autolock: locked.autolock, store: locked.store, version: options.version } } : {}),
      log,
      trustProxy: options.trustProxy,
      inFlight,
    };
    const httpRouter = createRouter({
      ...common,
      channel: "http",
      tls: Boolean(checked.tls),
      loopbackHostsOnly: isLoopback(checked.listen.host),
      next: web.handle,
    });
    const http = checked.tls
      ? createHttpsServer({ ...PUBLIC_LISTENER_OPTIONS, cert: checked.tls.cert, key: checked.tls.key, minVersion: "TLSv1.2" }, httpRouter)
      : createHttpServer(PUBLIC_LISTENER_OPTIONS, httpRouter);
    capConnections(http, "http", caps, log);
    http.requestTimeout = 60_000;
    http.headersTimeout = 20_000;
    servers.push(http);
    const port = await listenOn(http, "--listen", checked.listen);
    const admin = createHttpServer(createRouter({ ...common, channel: "socket", tls: false, loopbackHostsOnly: false }));
    servers.push(admin);
    await listenAdminSocket(admin, socketPath);

    const nodeTls = (local: LocalNode) => ({
      key: local.keyPem,
      cert: local.certPem,
      ca: [local.rootPem],
      minVersion: "TLSv1.2" as const,
      ciphers: SWARM_CIPHERS,
      honorCipherOrder: true,
    });
    const nodeServer = createNodeEndpointServer(
      () => runtime?.manager.nodeEndpoint ?? LOCKED_NODE_ENDPOINT,
      runtime ? { key: runtime.local.keyPem, cert: runtime.local.certPem, rootPem: runtime.local.rootPem } : lockedTls(),
      log,
      () => inFlight.enter(),
    );
    capConnections(nodeServer, "node", caps, log);
    servers.push(nodeServer);
    const nodePort = await listenOn(nodeServer, "--node-listen", checked.nodeListen);
    // With --node-listen :0 (tests) the real port is known only now.
    const nodeAddressNow = advertiseAddress(options.advertiseAddr, checked.nodeListen, nodePort);

    const scheme = checked.tls ? "https" : "http";
    const host = checked.listen.display.replace(/:\d+$/, "");
    const url = `${scheme}://${host}:${port}`;

    /** The rest of a start, from an open runtime: at once, or in the unlock's request once the key is given. */
    const serve = (rt: Runtime) => {
      if (closing) return;
      runtime = rt;
      const manager = rt.manager;
      manager.deps.nodeAddress = nodeAddressNow;
      if (locked) {
        // The listener takes the node's identity; what was connected under the locked one goes.
        nodeServer.setSecureContext(nodeTls(rt.local));
        nodeServer.closeAllConnections();
        restrictTree(options.dataDir);
      }
      timers = startTimers(rt, log, (local) => {
        nodeServer.setSecureContext(nodeTls(local));
        engine.renewed(local);
      });
      // The server's own node polls its assignments like any agent, on this very listener.
      const wildcard = checked.nodeListen.host === "0.0.0.0" || checked.nodeListen.host === "::";
      engine.start(wildcard ? `127.0.0.1:${nodePort}` : advertiseAddress(undefined, checked.nodeListen, nodePort), rt.local, rt.localDescription);
      log.info(
        {
          url,
          socket: socketPath,
          store: rt.store.kind,
          storeLocation: rt.store.location,
          nodeEndpoint: manager.deps.nodeAddress,
          nodeId: rt.local.nodeId,
          openFileLimit: openFiles?.soft ?? null,
          connectionCaps: caps,
          ...(locked ? { unlocked: true } : {}),
        },
        "rampart server ready",
      );
      // The server's own output may end up in a journal, so it never carries a token:
      // tokens come only through the audited reveal (the Join page, `rampart swarm join-token`).
      if (rt.swarmCreated && options.announceSwarmInit) options.announceSwarmInit(swarmInitText(rt.local.nodeId));
      if (rt.setupCode) options.announceSetupCode(rt.setupCode, `${url}/setup`);
    };
    let ready: Promise<Runtime>;
    if (runtime) {
      serve(runtime);
      ready = Promise.resolve(runtime);
    } else {
      ready = new Promise<Runtime>((resolve) =>
        locked!.onUnlock((rt) => {
          serve(rt);
          resolve(rt);
        }),
      );
      log.info({ url, socket: socketPath, nodeEndpoint: nodeAddressNow, unlockPage: `${url}${UNLOCK_PAGE}` }, "rampart server locked: waiting for the unlock key");
    }

    return {
      url,
      socketPath,
      nodeAddress: nodeAddressNow,
      get runtime(): Runtime {
        if (!runtime) throw swarmLocked();
        return runtime;
      },
      get locked() {
        return runtime === undefined;
      },
      ready,
      close() {
        closing ??= (async () => {
          timers?.stop();
          // Its containers keep running; the next start adopts them.
          await engine.stop().catch((error: unknown) => log.warn({ error: error instanceof Error ? error.message : String(error) }, "stopping the local node's agent"));
          try {
            const stopped = Promise.all(servers.map(stopListening));
            // Acknowledged writes are committed before their response is sent; waiting for
            // every request in flight means none is cut off half-way by closing the store.
            const drained = await inFlight.drained(SHUTDOWN_GRACE_MS);
            if (!drained) log.warn({ graceMs: SHUTDOWN_GRACE_MS }, "requests still running at shutdown were cut off");
            // Every connection goes now, busy or not: a client that keeps sending on a
            // kept-alive connection (an agent polling) would otherwise hold a listener open
            // for ever. Nothing is in flight at this point, unless it was just cut off: the
            // next request could only arrive in a later turn of the event loop.
            for (const server of servers) server.closeAllConnections();
            if (!drained) await inFlight.drained(2_000);
            await stopped;
          } finally {
            await timers?.flush();
            // The connected swarms' recorder and follow-ups write to the store until they have stopped.
            await runtime?.manager.stopped();
            try {
              await web.close();
            } finally {
              await (runtime ?? opened).close();
              log.info({}, "rampart server stopped");
            }
          }
        })();
        return closing;
      },
    };
  } catch (error) {
    for (const server of servers) server.closeAllConnections();
    await Promise.all(servers.map(stopListening));
    await web.close().catch(() => undefined);
    await (runtime ?? opened).close();
    await engine.stop().catch(() => undefined);
    throw error;
  }
}
