import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { chmodSync, closeSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Docker from "dockerode";
import { waitFor } from "./wait.js";

/**
 * Real Docker Engines for tests and benches (../shared/TOOLCHAIN.md): each a private
 * `dockerd` with its own data and exec roots, its own socket, its own hostname (a UTS
 * namespace from `unshare -u`), vfs storage, and no iptables or bridge, so it touches
 * nothing outside its directory. Images are made here from busybox-static and imported:
 * nothing is pulled. A machine without dockerd or busybox fails the test, saying so.
 */
export const TEST_IMAGE = "local/busybox:1";

const APPLETS = ["sh", "cat", "sleep", "echo", "ls", "id", "stat", "touch", "true", "false", "grep", "wc", "kill", "date", "head", "tail", "sha256sum", "env"];

export interface TestEngine {
  name: string;
  socket: string;
  /** For `--docker-host`: `unix://<socket>`. */
  host: string;
  docker: Docker;
  pid: number;
  /** Runs the docker CLI against this engine. */
  cli(...args: string[]): { status: number; stdout: string; stderr: string };
  /** Everything the engine itself has logged so far (dockerd runs at debug level, which logs each API call and its form data). */
  daemonLog(): string;
  stop(): Promise<void>;
}

/** Why this machine cannot run the engine tests, or undefined when it can. */
export function engineProblem(): string | undefined {
  for (const [tool, pkg] of [
    ["/usr/sbin/dockerd", "docker.io"],
    ["/usr/bin/busybox", "busybox-static"],
    ["/usr/bin/unshare", "util-linux"],
  ] as const) {
    if (!existsSync(tool)) return `${tool} is missing: install it with apt-get install -y --no-install-recommends ${pkg} (.ci/run does)`;
  }
  if (process.getuid?.() !== 0) return "the engine tests start dockerd, which needs root";
  return undefined;
}

let rootfs: string | undefined;
/** A folder holding busybox and its applets: the test image's whole file system. */
function busyboxRootfs(): string {
  if (rootfs) return rootfs;
  const dir = mkdtempSync("/tmp/rampart-busybox-");
  // mkdtemp makes 0700; the image's / must be open to the non-root users tasks run as.
  chmodSync(dir, 0o755);
  mkdirSync(join(dir, "bin"));
  copyFileSync("/usr/bin/busybox", join(dir, "bin/busybox"));
  for (const applet of APPLETS) symlinkSync("busybox", join(dir, "bin", applet));
  for (const d of ["etc", "run", "proc", "sys", "dev"]) mkdirSync(join(dir, d), { mode: 0o755 });
  mkdirSync(join(dir, "tmp"), { mode: 0o1777 });
  // A user and group for tasks that run as non-root.
  spawnSync("sh", ["-c", `printf 'root:x:0:0:root:/:/bin/sh\\nnobody:x:65534:65534:nobody:/:/bin/sh\\napp:x:1000:1000:app:/:/bin/sh\\n' > ${dir}/etc/passwd`]);
  spawnSync("sh", ["-c", `printf 'root:x:0:\\nnogroup:x:65534:\\napp:x:1000:\\n' > ${dir}/etc/group`]);
  rootfs = dir;
  return dir;
}

/** A word for `sh -c`, in single quotes. */
const shellWord = (text: string) => `'${text.replaceAll("'", `'\\''`)}'`;

/** An engine's TCP listener with `--tlsverify`: the files of its CA, certificate and key. */
export interface EngineTls {
  port: number;
  caPath: string;
  certPath: string;
  keyPath: string;
}

export interface EngineOptions {
  image?: boolean;
  labels?: Readonly<Record<string, string>>;
  /** Also listen on 127.0.0.1:PORT with TLS, requiring client certificates from the CA. */
  tls?: EngineTls;
}

/**
 * Starts one engine named `name` (its hostname too); imports the test image unless
 * `image` is false. `labels` become the engine's own labels (`dockerd --label k=v`),
 * which a swarm node reports as `engine.labels.*`.
 */
export async function startEngine(name: string, { image = true, labels = {}, tls }: EngineOptions = {}): Promise<TestEngine> {
  const problem = engineProblem();
  if (problem) throw new Error(`cannot start a Docker Engine for this test: ${problem}`);
  const dir = mkdtempSync(`/tmp/rampart-engine-${name}-`);
  const socket = join(dir, "docker.sock");
  const args = [
    "-u",
    "sh",
    "-c",
    `hostname ${name} && exec dockerd --data-root ${dir}/root --exec-root ${dir}/exec -H unix://${socket} --pidfile ${dir}/pid ` +
      "--storage-driver vfs --iptables=false --ip6tables=false --bridge=none --log-level debug" +
      Object.entries(labels)
        .map(([key, value]) => ` --label ${shellWord(`${key}=${value}`)}`)
        .join("") +
      (tls
        ? ` -H tcp://127.0.0.1:${tls.port} --tlsverify --tlscacert ${shellWord(tls.caPath)} --tlscert ${shellWord(tls.certPath)} --tlskey ${shellWord(tls.keyPath)}`
        : ""),
  ];
  const logPath = join(dir, "dockerd.log");
  const logFd = openSync(logPath, "a");
  const child: ChildProcess = spawn("unshare", args, { stdio: ["ignore", "ignore", logFd], detached: false });
  closeSync(logFd);
  const daemonLog = () => (existsSync(logPath) ? readFileSync(logPath, "utf8") : "");
  const stderr = () => daemonLog().slice(-4000);
  const docker = new Docker({ socketPath: socket });
  try {
    await waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error(`dockerd ${name} exited (${child.exitCode}): ${stderr()}`);
        return existsSync(socket) && (await docker.ping().then(() => true, () => false));
      },
      `dockerd ${name} to answer on ${socket}`,
      { timeoutMs: 60_000, intervalMs: 200 },
    );
  } catch (error) {
    child.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const cli = (...command: string[]) => {
    const result = spawnSync("docker", ["-H", `unix://${socket}`, ...command], { encoding: "utf8" });
    return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
  };
  if (image) {
    const imported = spawnSync("sh", ["-c", `tar -C ${busyboxRootfs()} -c . | docker -H unix://${socket} import --change "ENV PATH=/bin" - ${TEST_IMAGE}`], { encoding: "utf8" });
    if (imported.status !== 0) throw new Error(`importing ${TEST_IMAGE} into ${name}: ${imported.stderr}`);
  }
  const pid = Number(readFileSync(join(dir, "pid"), "utf8"));
  return {
    name,
    socket,
    host: `unix://${socket}`,
    docker,
    pid,
    cli,
    daemonLog,
    async stop() {
      // Containers of a stopped engine stop with it.
      child.kill("SIGTERM");
      await waitFor(() => child.exitCode !== null || child.signalCode !== null, `dockerd ${name} to stop`, { timeoutMs: 30_000 }).catch(() => child.kill("SIGKILL"));
      // Mounts the engine left (container roots under vfs need none, but /run/secrets binds may).
      spawnSync("sh", ["-c", `grep -o ' ${dir}[^ ]*' /proc/mounts | sort -r | xargs -r -n1 umount -l`]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Why this machine cannot run the Podman test, or undefined when it can. */
export function podmanProblem(): string | undefined {
  if (!existsSync("/usr/bin/podman")) return "/usr/bin/podman is missing: install it with apt-get install -y --no-install-recommends podman (.ci/run does)";
  return engineProblem();
}

/**
 * Podman's Docker-compatible API (`podman system service`), with its own storage, run
 * and config directories, so it shares nothing with anything else on the machine. Open
 * files are capped below the sandbox's hard limit, which Podman's default would exceed.
 */
export async function startPodman(name: string): Promise<TestEngine> {
  const problem = podmanProblem();
  if (problem) throw new Error(`cannot start Podman for this test: ${problem}`);
  const dir = mkdtempSync(`/tmp/rampart-podman-${name}-`);
  const socket = join(dir, "podman.sock");
  writeFileSync(join(dir, "storage.conf"), `[storage]\ndriver = "vfs"\nrunroot = "${dir}/run"\ngraphroot = "${dir}/root"\n`);
  writeFileSync(
    join(dir, "containers.conf"),
    `[containers]\ndefault_ulimits = ["nofile=1024:1024", "nproc=4096:4096"]\n[engine]\ncgroup_manager = "cgroupfs"\nevents_logger = "file"\ntmp_dir = "${dir}/tmp"\n`,
  );
  const env = { ...process.env, CONTAINERS_STORAGE_CONF: join(dir, "storage.conf"), CONTAINERS_CONF: join(dir, "containers.conf") };
  const child: ChildProcess = spawn("podman", ["--root", `${dir}/root`, "--runroot", `${dir}/run`, "system", "service", "--time=0", `unix://${socket}`], {
    stdio: ["ignore", "ignore", "pipe"],
    env,
  });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => void (stderr = (stderr + chunk.toString()).slice(-4000)));
  const docker = new Docker({ socketPath: socket });
  await waitFor(
    async () => {
      if (child.exitCode !== null) throw new Error(`podman ${name} exited (${child.exitCode}): ${stderr}`);
      return existsSync(socket) && (await docker.ping().then(() => true, () => false));
    },
    `podman ${name} to answer on ${socket}`,
    { timeoutMs: 60_000, intervalMs: 200 },
  );
  const imported = spawnSync("sh", ["-c", `tar -C ${busyboxRootfs()} -c . | podman --root ${dir}/root --runroot ${dir}/run import --change "ENV PATH=/bin" - ${TEST_IMAGE}`], { encoding: "utf8", env });
  if (imported.status !== 0) throw new Error(`importing ${TEST_IMAGE} into podman ${name}: ${imported.stderr}`);
  return {
    name,
    socket,
    host: `unix://${socket}`,
    docker,
    pid: child.pid ?? 0,
    cli: (...command: string[]) => {
      const result = spawnSync("docker", ["-H", `unix://${socket}`, ...command], { encoding: "utf8" });
      return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
    },
    daemonLog: () => stderr,
    async stop() {
      spawnSync("podman", ["--root", `${dir}/root`, "--runroot", `${dir}/run`, "rm", "-af", "-t", "0"], { env });
      child.kill("SIGTERM");
      await waitFor(() => child.exitCode !== null || child.signalCode !== null, `podman ${name} to stop`, { timeoutMs: 30_000 }).catch(() => child.kill("SIGKILL"));
      spawnSync("sh", ["-c", `grep -o ' ${dir}[^ ]*' /proc/mounts | sort -r | xargs -r -n1 umount -l`]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Several engines at once. */
export async function startEngines(names: readonly string[], options?: EngineOptions): Promise<TestEngine[]> {
  return Promise.all(names.map((name) => startEngine(name, options)));
}
