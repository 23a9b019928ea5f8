import { createHash } from "node:crypto";
import { defaultContainerSpec, defaultServiceSpec, isRampartError, SYSTEM_ACTOR, type AuditAction } from "@rampart/core";
import { createUser } from "@rampart/db";
import { testStoreKinds } from "@rampart/db/testing";
import { TRPCError } from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ZodError } from "zod";
import { describeZodError } from "../trpc.js";
import { createHarness, type Harness } from "../test-support/harness.js";

/**
 * The runtime policy and seccomp profiles through the API (ADR 0019): what a service's
 * container may reach of its node is refused without an administrator's leave, with
 * nothing written; what it gives up is on its audit event; profiles are shared by name
 * and cannot be removed while a service names one.
 */

interface Refusal {
  status: number;
  code: string;
  message: string;
  field: string | undefined;
}

/** How the API answers a refused call, as its error formatter (trpc.ts) words it: status, code, message and field. */
async function refusalOf(call: Promise<unknown>): Promise<Refusal> {
  try {
    await call;
  } catch (error) {
    if (!(error instanceof TRPCError)) throw error;
    const cause = error.cause;
    const said = cause instanceof ZodError ? describeZodError(cause) : { message: error.message, field: isRampartError(cause) ? cause.field : undefined };
    return { status: getHTTPStatusCodeFromError(error), code: error.code, ...said };
  }
  throw new Error("the call was not refused");
}

const PROFILE = JSON.stringify({ defaultAction: "SCMP_ACT_ERRNO", architectures: ["SCMP_ARCH_X86_64"], syscalls: [{ names: ["read", "write", "exit"], action: "SCMP_ACT_ALLOW" }] });
const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

describe.each(testStoreKinds())("runtime policy and seccomp profiles on %s", (kind) => {
  let h: Harness;
  let admin: Awaited<ReturnType<Harness["caller"]>>;
  let viewer: Awaited<ReturnType<Harness["caller"]>>;

  beforeEach(async () => {
    h = await createHarness(kind);
    // Both through API tokens: what is tested is the runtime, not sign-in (whose password
    // hashing would cost each of these tests a second or more).
    const tokenFor = async (id: string, role: "admin" | "viewer") => {
      const user = await createUser(h.t.store.prisma, { id, username: id, passwordHash: "x", role });
      return h.caller({ bearerToken: (await h.manager.apiTokens.create(user, { name: id }, null)).token });
    };
    admin = await tokenFor("admin", "admin");
    viewer = await tokenFor("runtime-viewer", "viewer");
  });
  afterEach(async () => {
    await h.dispose();
  });

  const db = () => h.t.store.prisma;
  const events = (action: AuditAction, targetId?: string) => h.manager.audit.list({ action, targetId, limit: 100 });
  /** Everything a refused write must leave as it was. */
  const written = async () => ({
    services: await db().service.count(),
    tasks: await db().task.count(),
    profiles: await db().seccompProfile.count(),
    cluster: (await db().cluster.findFirstOrThrow({ select: { version: true } })).version,
    audit: (await h.manager.audit.list({ outcome: "success", limit: 1000 })).map((e) => e.id),
  });
  const allow = async (change: { allowedHostPaths?: string[]; allowHostNetwork?: boolean; allowPrivileged?: boolean }) => {
    const { version, allowedHostPaths, allowHostNetwork, allowPrivileged } = await admin.swarm.runtimePolicy();
    return admin.swarm.setRuntimePolicy({ version, allowedHostPaths, allowHostNetwork, allowPrivileged, ...change });
  };

  type ContainerInput = NonNullable<Parameters<typeof admin.service.create>[0]["container"]>;
  const socket: ContainerInput = { mounts: [{ type: "bind", source: "/var/run/docker.sock", target: "/var/run/docker.sock" }] };
  const hostPath: ContainerInput = { mounts: [{ type: "bind", source: "/srv/data/reports", target: "/reports", readOnly: true }] };
  const leave = "under Swarm settings → Runtime policy";
  const refusals: [string, ContainerInput, string, string][] = [
    ["the engine's socket", socket, "container.mounts[0].source", `mounting the container engine's socket /var/run/docker.sock gives the task root on its node; an administrator can allow it ${leave}`],
    ["a host path", hostPath, "container.mounts[0].source", `host path /srv/data/reports is not in the runtime policy's allowed host paths; an administrator can allow it ${leave}`],
    ["a privileged container", { privileged: true }, "container.privileged", `privileged containers are not allowed by the runtime policy; an administrator can allow them ${leave}`],
    ["host networking", { hostNetwork: true }, "container.hostNetwork", `host networking is not allowed by the runtime policy; an administrator can allow it ${leave}`],
  ];

  it.each(refusals)("fail/%s without the policy's leave is a 403 naming the field, and nothing is written", async (_what, container, field, message) => {
    const before = await written();
    const refused = await refusalOf(admin.service.create({ name: "web", image: "nginx", replicas: 2, container }));
    expect(refused).toEqual({ status: 403, code: "FORBIDDEN", field, message });
    expect(await written()).toEqual(before);
    expect(await events("service.create")).toEqual([]);

    // The same on an update: the service keeps its spec and version.
    const created = await admin.service.create({ name: "web", image: "nginx", replicas: 2 });
    const after = await written();
    const update = await refusalOf(admin.service.update({ ref: "web", version: created.version, spec: { name: "web", image: "nginx", replicas: 2, container } }));
    expect(update).toMatchObject({ status: 403, code: "FORBIDDEN", field });
    expect(await written()).toEqual(after);
    expect(await events("service.update")).toEqual([]);
    const kept = await admin.service.get({ ref: "web" });
    expect(kept.version).toBe(created.version);
    expect(kept.spec.container).toEqual(defaultContainerSpec());
  });

  it("ok/once the policy allows the path and the switches, the same specs are taken; the policy's event records what it allows", async () => {
    const initial = await admin.swarm.runtimePolicy();
    expect(initial).toMatchObject({ allowedHostPaths: [], allowHostNetwork: false, allowPrivileged: false });
    const set = await admin.swarm.setRuntimePolicy({
      version: initial.version,
      allowedHostPaths: ["/srv/data/", "/var/run/docker.sock", "/srv//data"],
      allowHostNetwork: true,
      allowPrivileged: true,
    });
    expect(set).toEqual({ version: initial.version + 1, allowedHostPaths: ["/srv/data", "/var/run/docker.sock"], allowHostNetwork: true, allowPrivileged: true });
    expect(await viewer.swarm.runtimePolicy()).toEqual(set);
    const [event, ...more] = await events("runtime.policy");
    expect(more).toEqual([]);
    expect(event).toMatchObject({
      outcome: "success",
      actorName: "admin",
      targetType: "cluster",
      reason: "host paths: /srv/data, /var/run/docker.sock; host network: allowed; privileged: allowed",
    });

    for (const [i, [, container]] of refusals.entries()) {
      const created = await admin.service.create({ name: `svc-${i}`, image: "nginx", container });
      expect(created.spec.container).toMatchObject(container);
    }
    const reasons = await Promise.all((await admin.service.list()).map(async (s) => (await events("service.create", s.id))[0]!.reason));
    expect(reasons.sort()).toEqual(
      [
        "weakens: host path mounted: /var/run/docker.sock",
        "weakens: host path mounted: /srv/data/reports (read-only)",
        "weakens: privileged: every capability and every device of the host",
        "weakens: host networking: the host's network namespace",
      ].sort(),
    );

    // A folder above the socket is not the socket: only its own entry admits it.
    await allow({ allowedHostPaths: ["/var/run"] });
    expect(await refusalOf(admin.service.create({ name: "sock-2", image: "nginx", container: socket }))).toMatchObject({ status: 403, field: "container.mounts[0].source" });
    // `/srv/data` allows what is under it, never a sibling that shares its prefix.
    await allow({ allowedHostPaths: ["/srv/data"] });
    const sibling: ContainerInput = { mounts: [{ type: "bind", source: "/srv/database", target: "/db" }] };
    expect(await refusalOf(admin.service.create({ name: "sibling", image: "nginx", container: sibling }))).toMatchObject({ status: 403, field: "container.mounts[0].source" });
  });

  it("ok/after the policy is tightened, a service keeps the host access it was given: scale and other updates go on; anything new is refused", async () => {
    await allow({ allowedHostPaths: ["/srv/data"], allowPrivileged: true });
    const created = await admin.service.create({ name: "keeper", image: "nginx", replicas: 1, container: { ...hostPath, privileged: true } });
    await allow({ allowedHostPaths: [], allowPrivileged: false });
    // The same access, another replica count and an env entry: taken.
    await admin.service.scale({ ref: "keeper", replicas: 3 });
    const current = await admin.service.get({ ref: "keeper" });
    const updated = await admin.service.update({
      ref: "keeper",
      version: current.version,
      spec: { name: "keeper", image: "nginx", replicas: 3, container: { ...hostPath, privileged: true, env: ["A=1"] } },
    });
    expect(updated.spec.container).toMatchObject({ privileged: true, env: ["A=1"], mounts: [expect.objectContaining({ source: "/srv/data/reports" })] });
    // A new host path, or host networking, is held against the tightened policy.
    const more = await refusalOf(
      admin.service.update({
        ref: "keeper",
        version: updated.version,
        spec: { name: "keeper", image: "nginx", replicas: 3, container: { mounts: [...hostPath.mounts!, { type: "bind", source: "/etc", target: "/host-etc" }], privileged: true } },
      }),
    );
    expect(more).toMatchObject({ status: 403, field: "container.mounts[1].source" });
    expect(created.version).toBeLessThan(updated.version);
  });

  it("ok/an update without a container keeps the service's, as one without secrets keeps its references", async () => {
    const created = await admin.service.create({ name: "same", image: "nginx", container: { user: "1000", readOnly: true, capDrop: ["ALL"] } });
    const updated = await admin.service.update({ ref: "same", version: created.version, spec: { name: "same", image: "nginx", replicas: 2 } });
    expect(updated.spec.container).toMatchObject({ user: "1000", readOnly: true, capDrop: ["ALL"] });
  });

  it("fail/a viewer cannot change the policy, and a stale version is a conflict; neither changes it", async () => {
    const { version } = await admin.swarm.runtimePolicy();
    const before = await written();
    const input = { version, allowedHostPaths: ["/srv"], allowHostNetwork: true, allowPrivileged: true };
    expect(await refusalOf(viewer.swarm.setRuntimePolicy(input))).toMatchObject({ status: 403, code: "FORBIDDEN" });
    expect(await written()).toEqual(before);

    await allow({ allowedHostPaths: ["/srv/a"] });
    const stale = await refusalOf(admin.swarm.setRuntimePolicy(input));
    expect(stale).toMatchObject({ status: 409, code: "CONFLICT", field: "version" });
    expect(await admin.swarm.runtimePolicy()).toMatchObject({ version: version + 1, allowedHostPaths: ["/srv/a"], allowHostNetwork: false, allowPrivileged: false });
    expect(await events("runtime.policy")).toHaveLength(1);
  });

  it.each<[string, { allowedHostPaths?: unknown; extra?: Record<string, unknown> }, string, RegExp]>([
    ["a relative path", { allowedHostPaths: ["/srv", "srv/data"] }, "allowedHostPaths[1]", /host path "srv\/data" must be absolute/],
    ["/", { allowedHostPaths: ["/"] }, "allowedHostPaths[0]", /allowing \/ would allow every host path/],
    ["/ written long", { allowedHostPaths: ["//./"] }, "allowedHostPaths[0]", /allowing \/ would allow every host path/],
    ["a path that climbs", { allowedHostPaths: ["/srv/../etc"] }, "allowedHostPaths[0]", /must be absolute/],
    ["65 paths", { allowedHostPaths: Array.from({ length: 65 }, (_, i) => `/srv/${i}`) }, "allowedHostPaths", /at most 64 host paths may be allowed/],
    ["an empty path", { allowedHostPaths: [""] }, "allowedHostPaths.0", /a host path cannot be empty/],
    ["a path of 5,000 characters", { allowedHostPaths: [`/${"a".repeat(4999)}`] }, "allowedHostPaths.0", /.+/],
    ["a control character", { allowedHostPaths: ["/srv/\u009b31m"] }, "allowedHostPaths[0]", /host path contains U\+009B/],
    ["an unknown setting", { extra: { allowAll: true } }, "allowAll", /.+/],
  ])("fail/%s in the policy is a 400 naming the field, and nothing changes", async (_what, { allowedHostPaths, extra }, field, message) => {
    const { version } = await admin.swarm.runtimePolicy();
    const before = await written();
    const input = { version, allowedHostPaths: allowedHostPaths ?? [], allowHostNetwork: false, allowPrivileged: false, ...extra };
    const refused = await refusalOf(admin.swarm.setRuntimePolicy(input as never));
    expect(refused).toMatchObject({ status: 400, code: "BAD_REQUEST", field });
    expect(refused.message).toMatch(message);
    expect(await written()).toEqual(before);
  });

  it("ok/a spec that gives up protections is taken, and its audit event lists each; a default service's reason is null", async () => {
    const weak = await admin.service.create({
      name: "weak",
      image: "nginx",
      container: { seccomp: { mode: "unconfined" }, capAdd: ["net_admin"], noNewPrivileges: false },
    });
    expect(weak.spec.container).toMatchObject({ seccomp: { mode: "unconfined" }, capAdd: ["net_admin"], noNewPrivileges: false });
    const [created] = await events("service.create", weak.id);
    expect(created).toMatchObject({
      outcome: "success",
      reason:
        "weakens: seccomp unconfined: every system call allowed; no-new-privileges off: setuid programs can gain privileges; capability added: CAP_NET_ADMIN",
    });

    const plain = await admin.service.create({ name: "plain", image: "nginx" });
    expect((await events("service.create", plain.id))[0]!.reason).toBeNull();
    // An update is judged the same way: what the new spec gives up, or null.
    await admin.service.update({ ref: "plain", version: plain.version, spec: { name: "plain", image: "nginx", container: { apparmor: "unconfined" } } });
    const weakened = await admin.service.get({ ref: "plain" });
    await admin.service.update({ ref: "plain", version: weakened.version, spec: { name: "plain", image: "nginx", container: {} } });
    expect((await events("service.update", plain.id)).map((e) => e.reason)).toEqual([null, "weakens: AppArmor unconfined"]);
  });

  it("fail/a profile that hands system calls to a listener outside the container is refused; a log read with a since out of range is a 400, not a 500", async () => {
    const notify = JSON.stringify({ defaultAction: "SCMP_ACT_ALLOW", syscalls: [{ names: ["mkdir"], action: "SCMP_ACT_NOTIFY" }] });
    expect(await refusalOf(admin.swarm.createSeccompProfile({ name: "notify", content: notify }))).toMatchObject({ status: 400, field: "content" });
    const listener = JSON.stringify({ defaultAction: "SCMP_ACT_ERRNO", listenerPath: "/run/listener.sock" });
    expect(await refusalOf(admin.swarm.createSeccompProfile({ name: "listener", content: listener }))).toMatchObject({ status: 400, field: "content" });
    await admin.service.create({ name: "quiet", image: "nginx" });
    for (const since of ["2500000000h", "99999999999999999999h", "+275760-09-14T00:00:00Z"]) {
      const refused = await refusalOf(admin.service.openLogs({ ref: "quiet", since }));
      expect(refused.status, since).toBe(400);
    }
  });

  describe("seccomp profiles", () => {
    it("ok/create, list and get: the digest and size are the content's; create is audited; a viewer reads but cannot write", async () => {
      const created = await admin.swarm.createSeccompProfile({ name: "strict.v1", content: PROFILE });
      expect(created).toMatchObject({ name: "strict.v1", digest: sha256(PROFILE), size: Buffer.byteLength(PROFILE) });
      expect(await admin.swarm.seccompProfiles()).toEqual([created]);
      expect(await viewer.swarm.seccompProfile({ name: "strict.v1" })).toEqual({ ...created, content: PROFILE, usedBy: [] });
      const [event] = await events("seccomp.create");
      expect(event).toMatchObject({ outcome: "success", actorName: "admin", targetType: "seccomp", targetId: created.id, targetName: "strict.v1" });

      const before = await written();
      expect(await refusalOf(viewer.swarm.createSeccompProfile({ name: "mine", content: PROFILE }))).toMatchObject({ status: 403, code: "FORBIDDEN" });
      expect(await refusalOf(viewer.swarm.removeSeccompProfile({ name: "strict.v1" }))).toMatchObject({ status: 403, code: "FORBIDDEN" });
      expect(await written()).toEqual(before);
      expect(await refusalOf(admin.swarm.seccompProfile({ name: "missing" }))).toMatchObject({ status: 404, code: "NOT_FOUND", field: "name" });
    });

    it.each<[string, { name: string; content: string }, number, string, RegExp]>([
      ["content that is not JSON", { name: "p", content: "{bad" }, 400, "content", /^the seccomp profile is not valid JSON: /],
      ["a JSON array", { name: "p", content: "[]" }, 400, "content", /^a seccomp profile is a JSON object$/],
      ["JSON null", { name: "p", content: "null" }, 400, "content", /^a seccomp profile is a JSON object$/],
      ["no defaultAction", { name: "p", content: '{"syscalls":[]}' }, 400, "content", /needs a "defaultAction"/],
      ["a defaultAction that is no action", { name: "p", content: '{"defaultAction":"ALLOW"}' }, 400, "content", /needs a "defaultAction"/],
      ["a name like a path", { name: "../etc/passwd", content: PROFILE }, 400, "name", /a seccomp profile's name is 1 to 64 letters/],
      ["a name with a space", { name: "my profile", content: PROFILE }, 400, "name", /a seccomp profile's name is 1 to 64 letters/],
      ["a name ending in a dot", { name: "strict.", content: PROFILE }, 400, "name", /a seccomp profile's name is 1 to 64 letters/],
      ["a name of 65 characters", { name: "p".repeat(65), content: PROFILE }, 400, "name", /.+/],
      ["no name", { name: "", content: PROFILE }, 400, "name", /give the profile a name/],
      ["no content", { name: "p", content: "" }, 400, "content", /paste the profile's JSON/],
      ["300 KiB of content", { name: "p", content: `{"defaultAction":"SCMP_ACT_ERRNO","x":"${"a".repeat(300 * 1024)}"}` }, 400, "content", /at most 256 KiB/],
      ["200,000 two-byte characters (over 256 KiB as UTF-8)", { name: "p", content: `{"defaultAction":"SCMP_ACT_ERRNO","x":"${"é".repeat(200_000)}"}` }, 400, "content", /at most 256 KiB/],
    ])("fail/%s is a 4xx naming the field, and nothing is written", async (_what, input, status, field, message) => {
      const before = await written();
      const refused = await refusalOf(admin.swarm.createSeccompProfile(input));
      expect(refused).toMatchObject({ status, field });
      expect(refused.message).toMatch(message);
      expect(await written()).toEqual(before);
    });

    it("fail/a JSON error quotes the content escaped, never a raw control character", async () => {
      const refused = await refusalOf(admin.swarm.createSeccompProfile({ name: "p", content: "\u009b31m{" }));
      expect(refused).toMatchObject({ status: 400, field: "content" });
      expect(refused.message).not.toMatch(/[\u0080-\u009f\u202a-\u202e]/);
      expect(refused.message).toContain("\\u{9b}");
    });

    it("fail/a second profile with a taken name is a conflict naming the name; the first is kept", async () => {
      await admin.swarm.createSeccompProfile({ name: "strict", content: PROFILE });
      const before = await written();
      const other = JSON.stringify({ defaultAction: "SCMP_ACT_ALLOW" });
      expect(await refusalOf(admin.swarm.createSeccompProfile({ name: "strict", content: other }))).toMatchObject({ status: 409, code: "CONFLICT", field: "name" });
      expect(await written()).toEqual(before);
      expect((await admin.swarm.seccompProfile({ name: "strict" })).content).toBe(PROFILE);
    });

    it("ok/a service naming a missing profile is refused; naming a stored one is taken; removal waits until no service names it", async () => {
      const custom = { seccomp: { mode: "custom" as const, profile: "strict" } };
      const before = await written();
      expect(await refusalOf(admin.service.create({ name: "web", image: "nginx", container: custom }))).toMatchObject({
        status: 404,
        code: "NOT_FOUND",
        field: "container.seccomp.profile",
        message: expect.stringContaining("seccomp profile strict not found"),
      });
      expect(await written()).toEqual(before);

      await admin.swarm.createSeccompProfile({ name: "strict", content: PROFILE });
      const web = await admin.service.create({ name: "web", image: "nginx", container: custom });
      expect(web.spec.container!.seccomp).toEqual({ mode: "custom", profile: "strict" });
      // A custom profile is not a weakening.
      expect((await events("service.create", web.id))[0]!.reason).toBeNull();
      await admin.service.create({ name: "api", image: "nginx", container: custom });
      expect((await admin.swarm.seccompProfile({ name: "strict" })).usedBy).toEqual(["api", "web"]);

      // An update to a missing profile is refused too, and the service keeps its own.
      expect(
        await refusalOf(admin.service.update({ ref: "web", version: web.version, spec: { name: "web", image: "nginx", container: { seccomp: { mode: "custom", profile: "gone" } } } })),
      ).toMatchObject({ status: 404, field: "container.seccomp.profile" });

      const inUse = await written();
      expect(await refusalOf(admin.swarm.removeSeccompProfile({ name: "strict" }))).toEqual({
        status: 412,
        code: "PRECONDITION_FAILED",
        field: "name",
        message: "seccomp profile strict is in use by service api, web",
      });
      expect(await written()).toEqual(inUse);

      await admin.service.remove({ ref: "web" });
      expect(await refusalOf(admin.swarm.removeSeccompProfile({ name: "strict" }))).toMatchObject({ message: "seccomp profile strict is in use by service api" });
      // Moving a service off the profile frees it as removing it does.
      const api = await admin.service.get({ ref: "api" });
      await admin.service.update({ ref: "api", version: api.version, spec: { name: "api", image: "nginx", container: {} } });
      const profile = await admin.swarm.seccompProfile({ name: "strict" });
      expect(profile.usedBy).toEqual([]);
      expect(await admin.swarm.removeSeccompProfile({ name: "strict" })).toEqual({ ok: true });
      expect(await admin.swarm.seccompProfiles()).toEqual([]);
      expect(await events("seccomp.remove")).toMatchObject([{ outcome: "success", targetId: profile.id, targetName: "strict" }]);
      expect(await refusalOf(admin.swarm.removeSeccompProfile({ name: "strict" }))).toMatchObject({ status: 404, code: "NOT_FOUND", field: "name" });
    });

    it("ok/a node gets a profile only while a task assigned to it names it", async () => {
      const [first, second] = await h.joinWorkers(["worker-1", "worker-2"]);
      await admin.swarm.createSeccompProfile({ name: "strict", content: PROFILE });
      await admin.swarm.createSeccompProfile({ name: "other", content: JSON.stringify({ defaultAction: "SCMP_ACT_LOG" }) });
      await admin.service.create({ name: "web", image: "nginx", replicas: 1, constraints: [`node.id == ${first}`], container: { seccomp: { mode: "custom", profile: "strict" } } });
      await h.settle();
      const [task] = (await admin.service.get({ ref: "web" })).tasks;
      expect(task).toMatchObject({ nodeId: first, state: "assigned" });

      expect(await h.manager.runtime.profileForNode(first!, "strict")).toBe(PROFILE);
      for (const [nodeId, name] of [
        [second!, "strict"],
        [first!, "other"],
        [first!, "../strict"],
        [first!, "missing"],
      ] as const) {
        await expect(h.manager.runtime.profileForNode(nodeId, name)).rejects.toMatchObject({ code: "permission_denied" });
      }
    });
  });

  it("ok/the stored spec holds the whole container, and service.get returns it", async () => {
    // A spec with no container at all (as the manager's own callers may send) is stored with the defaults.
    const bare = await h.manager.services.create(defaultServiceSpec({ name: "bare", image: "nginx", replicas: 1 }), SYSTEM_ACTOR, null);
    const row = await db().service.findUniqueOrThrow({ where: { id: bare.id }, select: { spec: true } });
    expect((row.spec as { container?: unknown }).container).toEqual(defaultContainerSpec());
    expect((await admin.service.get({ ref: "bare" })).spec.container).toEqual(defaultContainerSpec());
    // Its tasks carry it too: a node is told what to run from the task's spec.
    const tasks = await db().task.findMany({ where: { serviceId: bare.id }, select: { spec: true } });
    expect(tasks).toHaveLength(1);
    expect((tasks[0]!.spec as { container?: unknown }).container).toEqual(defaultContainerSpec());

    // A container given in part is filled in with the defaults, mounts included.
    const partial = await admin.service.create({ name: "partial", image: "nginx", container: { env: ["A=1"], mounts: [{ type: "tmpfs", target: "/tmp" }], stopSignal: "SIGQUIT" } });
    const expected = defaultContainerSpec({ env: ["A=1"], mounts: [{ type: "tmpfs", source: "", target: "/tmp", readOnly: false }], stopSignal: "SIGQUIT" });
    expect(partial.spec.container).toEqual(expected);
    expect((await viewer.service.get({ ref: "partial" })).spec.container).toEqual(expected);
    const stored = await db().service.findUniqueOrThrow({ where: { id: partial.id }, select: { spec: true } });
    expect((stored.spec as { container?: unknown }).container).toEqual(expected);
  });

  it("ok/1,024 environment entries are taken; 1,025 and 10,000 are a 400 naming container.env", async () => {
    const env = (n: number) => Array.from({ length: n }, (_, i) => `VAR_${i}=${i}`);
    const taken = await admin.service.create({ name: "many-env", image: "nginx", container: { env: env(1024) } });
    expect(taken.spec.container!.env).toHaveLength(1024);
    const before = await written();
    for (const n of [1025, 10_000]) {
      expect(await refusalOf(admin.service.create({ name: "too-many", image: "nginx", container: { env: env(n) } }))).toMatchObject({ status: 400, field: "container.env" });
    }
    expect(await written()).toEqual(before);
  });

  it("ok/no bad input is a 5xx: each is a 4xx, and nothing is written", async () => {
    const service = (container: Record<string, unknown>, over: Record<string, unknown> = {}) =>
      admin.service.create({ name: "bad", image: "nginx", ...over, container } as never);
    const deep = (n: number) => `${"[".repeat(n)}${"]".repeat(n)}`;
    const calls: [string, () => Promise<unknown>][] = [
      ["an environment entry of 40,000 characters", () => service({ env: [`A=${"x".repeat(40_000)}`] })],
      ["an environment entry without a name", () => service({ env: ["=1"] })],
      ["300 mounts", () => service({ mounts: Array.from({ length: 300 }, (_, i) => ({ type: "tmpfs", target: `/t${i}` })) })],
      ["a mount of an unknown type", () => service({ mounts: [{ type: "npipe", target: "/x" }] })],
      ["a bind with a relative source", () => service({ mounts: [{ type: "bind", source: "srv", target: "/x" }] })],
      ["a bind source that climbs", () => service({ mounts: [{ type: "bind", source: "/srv/../var/run/docker.sock", target: "/x" }] })],
      ["two mounts on one target", () => service({ mounts: [{ type: "tmpfs", target: "/x" }, { type: "tmpfs", target: "/x/" }] })],
      ["a huge tmpfs size", () => service({ mounts: [{ type: "tmpfs", target: "/x", tmpfsSizeBytes: 2 ** 60 }] })],
      ["100 capabilities", () => service({ capAdd: Array.from({ length: 100 }, () => "chown") })],
      ["an unknown capability", () => service({ capAdd: ["superpower"] })],
      ["a label key of 2,000 characters", () => service({ labels: { ["k".repeat(2000)]: "v" } })],
      ["a reserved label", () => service({ labels: { "com.rampart.service": "forged" } })],
      ["a negative grace period", () => service({ stopGracePeriodNs: -1 })],
      ["an enormous grace period", () => service({ stopGracePeriodNs: 1e300 })],
      ["an unknown stop signal", () => service({ stopSignal: "SIGFOO" })],
      ["a stop signal past RTMAX", () => service({ stopSignal: "RTMIN+31" })],
      ["a hostname of 300 characters", () => service({ hostname: "h".repeat(300) })],
      ["a user of 100 characters", () => service({ user: "u".repeat(100) })],
      ["a profile name of 65 characters", () => service({ seccomp: { mode: "custom", profile: "p".repeat(65) } })],
      ["an unknown seccomp mode", () => service({ seccomp: { mode: "off" } })],
      ["a profile name with the default mode", () => service({ seccomp: { mode: "default", profile: "strict" } })],
      ["an unknown container field", () => service({ capabilities: ["ALL"] })],
      ["a container that is not an object", () => service("privileged" as never)],
      ["an image with an upper-case digest", () => service({}, { image: `nginx@sha256:${"A".repeat(64)}` })],
      ["a CPU limit of 1 ns", () => service({}, { limits: { nanoCpus: 1, memoryBytes: 0 } })],
      ["a profile of 300 KiB", () => admin.swarm.createSeccompProfile({ name: "big", content: "x".repeat(300 * 1024) })],
      ["a profile nested 100,000 deep", () => admin.swarm.createSeccompProfile({ name: "deep", content: deep(100_000) })],
      ["a profile name with a NUL", () => admin.swarm.seccompProfile({ name: "a\u0000b" })],
      ["a profile name of 1,000 characters", () => admin.swarm.removeSeccompProfile({ name: "p".repeat(1000) })],
      ["a policy path with a NUL", async () => admin.swarm.setRuntimePolicy({ ...(await admin.swarm.runtimePolicy()), allowedHostPaths: ["/srv/\u0000"] })],
      ["a policy that is not a list", async () => admin.swarm.setRuntimePolicy({ ...(await admin.swarm.runtimePolicy()), allowedHostPaths: "/srv" as never })],
    ];
    const before = await written();
    for (const [what, call] of calls) {
      const refused = await refusalOf(call());
      expect([what, refused.status >= 400 && refused.status < 500]).toEqual([what, true]);
      expect([what, refused.message]).not.toEqual([what, "internal server error"]);
    }
    expect(await written()).toEqual(before);
    expect(h.log.lines.filter((l) => l.level === "error")).toEqual([]);
  });
});
