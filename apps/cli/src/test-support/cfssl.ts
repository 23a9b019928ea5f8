import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:tls";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./swarm.js";

/**
 * A real CFSSL (Debian's golang-cfssl) serving its `sign` API over TLS, as a Swarm
 * external CA: a root made with `cfssl gencert -initca` (ECDSA P-256, CN swarm-ca), a
 * default profile for node certificates and a `CA` profile for cross-signing roots.
 * Missing cfssl is a failure that says how to install it, never a skip.
 */
export interface Cfssl {
  /** The `sign` endpoint, as `--external-ca url=` takes it. */
  url: string;
  rootPem: string;
  dir: string;
  /** Stops the server (the CA becomes unreachable); start() brings it back on the same port. */
  stop(): Promise<void>;
  start(): Promise<void>;
  dispose(): Promise<void>;
}

const CONFIG = {
  signing: {
    default: { usages: ["signing", "key encipherment", "server auth", "client auth"], expiry: "2160h" },
    profiles: {
      CA: { usages: ["cert sign", "crl sign"], expiry: "87600h", ca_constraint: { is_ca: true } },
      server: { usages: ["signing", "key encipherment", "server auth"], expiry: "8760h" },
    },
  },
};

function cfssl(dir: string, args: string[], bare: string): void {
  let json: string;
  try {
    json = execFileSync("cfssl", args, { cwd: dir, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === "ENOENT") throw new Error("cfssl is not installed: apt-get install -y golang-cfssl (the external-CA tests need a real CFSSL)", { cause: error });
    throw error;
  }
  execFileSync("cfssljson", ["-bare", bare], { cwd: dir, input: json, stdio: ["pipe", "ignore", "pipe"] });
}

async function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port, rejectUnauthorized: false, timeout: 1000 }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on("error", () => resolve(false));
    socket.on("timeout", () => {
      socket.destroy();
      resolve(false);
    });
  });
}

export async function startCfssl(): Promise<Cfssl> {
  const dir = mkdtempSync(join(tmpdir(), "rampart-cfssl-"));
  writeFileSync(join(dir, "ca-csr.json"), JSON.stringify({ CN: "swarm-ca", key: { algo: "ecdsa", size: 256 } }));
  writeFileSync(join(dir, "server-csr.json"), JSON.stringify({ CN: "cfssl", hosts: ["127.0.0.1", "localhost"], key: { algo: "ecdsa", size: 256 } }));
  writeFileSync(join(dir, "config.json"), JSON.stringify(CONFIG));
  cfssl(dir, ["gencert", "-initca", "ca-csr.json"], "ca");
  cfssl(dir, ["gencert", "-ca", "ca.pem", "-ca-key", "ca-key.pem", "-config", "config.json", "-profile", "server", "server-csr.json"], "server");
  const port = await freePort();
  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawn(
      "cfssl",
      ["serve", "-address", "127.0.0.1", "-port", String(port), "-ca", "ca.pem", "-ca-key", "ca-key.pem", "-config", "config.json", "-tls-cert", "server.pem", "-tls-key", "server-key.pem"],
      { cwd: dir, stdio: "ignore" },
    );
    const deadline = Date.now() + 15_000;
    while (!(await answers(port))) {
      if (Date.now() > deadline) throw new Error(`cfssl serve did not answer on 127.0.0.1:${port} within 15 s`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const stop = async () => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      running.once("exit", () => resolve());
      running.kill("SIGTERM");
    });
  };
  await start();
  return {
    url: `https://127.0.0.1:${port}/api/v1/cfssl/sign`,
    rootPem: readFileSync(join(dir, "ca.pem"), "utf8"),
    dir,
    stop,
    start,
    async dispose() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
