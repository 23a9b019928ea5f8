import { FAILED_LOGIN_BURST, SECRET_ROTATION_DAYS } from "@rampart/core";
import { createUser } from "@rampart/db";
import { newCanary, testStoreKinds } from "@rampart/db/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SESSION_COOKIE } from "../http/cookie.js";
import { createHarness, description, newCsr, serveApi, type Harness } from "../test-support/harness.js";

const DAY_MS = 86_400_000;
const b64 = (data: string) => Buffer.from(data).toString("base64");

/**
 * The Overview's counts, warnings and recent security events, against the real store:
 * each warning producer both fires and stays quiet as the store changes under it.
 */
describe.each(testStoreKinds())("overview on %s", (kind) => {
  let h: Harness;
  let admin: Awaited<ReturnType<Harness["caller"]>>;
  let session: string;
  beforeEach(async () => {
    h = await createHarness(kind);
    await h.setupAdmin();
    session = await h.login("admin", "correct horse battery");
    admin = await h.caller({ sessionToken: session });
  });
  afterEach(async () => {
    await h.dispose();
  });

  const summary = () => admin.overview.summary();
  const ofKind = async (k: string) => (await summary()).warnings.filter((w) => w.kind === k);
  const ref = (s: { id: string; name: string }) => ({ secretId: s.id, secretName: s.name });

  it("ok/a fresh swarm: autolock off and both join tokens never rotated, every check run, nothing else raised", async () => {
    const s = await summary();
    expect(s.warnings.map((w) => w.id).sort()).toEqual(["cluster.autolock-off", "tokens.never-rotated:manager", "tokens.never-rotated:worker"]);
    expect(s.warnings.find((w) => w.id === "cluster.autolock-off")).toMatchObject({ severity: "info", href: "/settings/swarm" });
    expect(s.warnings.find((w) => w.id === "tokens.never-rotated:manager")).toMatchObject({ severity: "warning", href: "/join" });
    expect(s.checks.length).toBeGreaterThanOrEqual(9);
    expect(s.checks.every((c) => c.ran)).toBe(true);
    expect(s.counts).toMatchObject({
      services: { total: 0, converged: 0, pending: 0, failing: 0 },
      tasks: { running: 0, pending: 0, failed: 0 },
      secrets: { total: 0, inUse: 0, unused: 0 },
    });
    expect(s.counts.nodes.total).toBe(1);
  });

  it("ok/rotating the worker token clears its warning and leaves the manager's", async () => {
    await admin.swarm.rotateToken({ role: "worker" });
    expect((await ofKind("tokens.never-rotated")).map((w) => w.id)).toEqual(["tokens.never-rotated:manager"]);
    await admin.swarm.rotateToken({ role: "manager" });
    expect(await ofKind("tokens.never-rotated")).toEqual([]);
  });

  it("ok/a certificate is raised within 14 days of its end, critical once it has ended; not before", async () => {
    const [w1] = await h.joinWorkers(["w1"]);
    expect(await ofKind("certificates.expiring")).toEqual([]);
    h.clock.advance(80 * DAY_MS);
    const soon = (await ofKind("certificates.expiring")).find((w) => w.subject?.id === w1);
    expect(soon).toMatchObject({ severity: "warning", title: "The certificate of node w1 ends in 10 days", href: `/nodes/${w1}` });
    h.clock.advance(12 * DAY_MS);
    expect((await ofKind("certificates.expiring")).find((w) => w.subject?.id === w1)).toMatchObject({ severity: "critical", title: "The certificate of node w1 ended 2 days ago" });
  });

  it("ok/a node that stops sending heartbeats is raised as down; a ready one is not", async () => {
    const [w1] = await h.joinWorkers(["w1"]);
    expect((await ofKind("nodes.down")).filter((w) => w.subject?.id === w1)).toEqual([]);
    expect((await summary()).counts.nodes).toMatchObject({ down: 0 });
    h.clock.advance(60_000);
    await h.manager.reconciler.settled();
    const down = (await ofKind("nodes.down")).find((w) => w.subject?.id === w1);
    expect(down).toMatchObject({ severity: "warning", title: "Node w1 is down", href: `/nodes/${w1}` });
    expect(down!.detail).toContain("Its last heartbeat was 1 minute ago");
    expect((await summary()).counts.nodes.down).toBeGreaterThanOrEqual(1);
  });

  it("ok/pending tasks are raised with the scheduler's reason; placed ones are not", async () => {
    await h.joinWorkers(["w1"]);
    const placed = await admin.service.create({ name: "placed", image: "nginx", replicas: 1, constraints: ["node.role == worker"] });
    await h.settle();
    expect(await ofKind("tasks.pending")).toEqual([]);
    const stuck = await admin.service.create({ name: "stuck", image: "nginx", replicas: 2, constraints: ["node.labels.zone == mars"] });
    await h.settle();
    const [pending, ...rest] = await ofKind("tasks.pending");
    expect(rest).toEqual([]);
    expect(pending).toMatchObject({ title: "2 tasks of stuck have no node", href: `/services/${stuck.id}`, subject: { type: "service", id: stuck.id } });
    expect(pending!.detail).toContain("The scheduler says: no suitable node");
    const { counts } = await summary();
    expect(counts.services).toMatchObject({ total: 2, pending: 2, converged: 0 });
    expect(counts.tasks).toMatchObject({ pending: 2, running: 0 });
    expect((await admin.service.get({ ref: placed.id })).tasks[0]!.state).toBe("assigned");
    // No engine label of that name yet: no hint.
    expect(pending!.detail).not.toContain("engine label");
  });

  it("ok/a node-label constraint that only engine labels could meet says so, as the service page does", async () => {
    const token = await h.manager.cluster.revealToken("worker", { type: "system", id: null, name: "test" }, null);
    const { nodeId } = await h.manager.nodes.join({ token, csrPem: newCsr().csrPem, description: description("pci-1", { pcidss: "yes" }) }, null);
    h.manager.nodes.heartbeat(nodeId, null);
    await admin.service.create({ name: "pci", image: "nginx", replicas: 1, constraints: ["node.labels.pcidss == yes"] });
    await h.settle();
    const [pending] = await ofKind("tasks.pending");
    expect(pending!.detail).toContain(
      "No node has the node label pcidss, but nodes report the engine label pcidss (set by --label on agent join, and claimed by the node itself); node labels are set with `rampart node update --label-add` or on the node's page.",
    );
    // Once an administrator sets the node label, the task is placed and nothing is raised.
    await admin.node.update({ ref: nodeId, labelAdd: { pcidss: "yes" } });
    await h.settle();
    expect(await ofKind("tasks.pending")).toEqual([]);
  });

  it("ok/a task that failed and runs nothing is raised with the node's error; a running one is not", async () => {
    const [w1] = await h.joinWorkers(["w1"]);
    const svc = await admin.service.create({ name: "crashy", image: "nginx", replicas: 1, constraints: ["node.role == worker"], restartPolicy: { condition: "none", delayNs: 0 } });
    await h.settle();
    const [t] = (await admin.service.get({ ref: svc.id })).tasks;
    await h.manager.assignments.report(w1!, { taskId: t!.id, state: "running" });
    expect(await ofKind("tasks.failing")).toEqual([]);
    expect((await summary()).counts.services).toMatchObject({ converged: 1 });
    await h.manager.assignments.report(w1!, { taskId: t!.id, state: "failed", message: "task: non-zero exit (1)" });
    await h.settle();
    const [failing] = await ofKind("tasks.failing");
    expect(failing).toMatchObject({ severity: "critical", title: "1 task of crashy failed and is not running", detail: "The latest error: task: non-zero exit (1)" });
    expect((await summary()).counts).toMatchObject({ services: { failing: 1 }, tasks: { failed: 1 } });
  });

  it("ok/constraints on engine labels are raised, a warning when the service has secrets; node labels are not", async () => {
    await admin.service.create({ name: "by-node-label", image: "nginx", replicas: 1, constraints: ["node.labels.pci == yes"] });
    expect(await ofKind("constraints.self-reported")).toEqual([]);
    const plain = await admin.service.create({ name: "by-engine-label", image: "nginx", replicas: 1, constraints: ["engine.labels.pci == yes"] });
    const secret = await admin.secret.create({ name: "card_key", data: b64("x") });
    const withSecret = await admin.service.create({ name: "pci-api", image: "nginx", replicas: 1, constraints: ["engine.labels.pci == yes"], secrets: [ref(secret)] });
    const raised = await ofKind("constraints.self-reported");
    expect(raised.map((w) => [w.subject?.id, w.severity])).toEqual([
      [withSecret.id, "warning"],
      [plain.id, "info"],
    ]);
    expect(raised[0]!.detail).toContain("reads engine.labels.pci, which each node reports about itself");
    expect(raised[0]!.detail).toContain("Its 1 secret reaches whichever node makes that claim.");
    expect(raised[0]!.href).toBe(`/services/${withSecret.id}/edit`);
  });

  it(`ok/a secret in use is raised after ${SECRET_ROTATION_DAYS} days without rotation; a newer one or an unused one is not`, async () => {
    const used = await admin.secret.create({ name: "db_password", data: b64("x") });
    await admin.secret.create({ name: "old_unused", data: b64("y") });
    await admin.service.create({ name: "db", image: "postgres", replicas: 1, secrets: [ref(used)] });
    h.clock.advance((SECRET_ROTATION_DAYS - 1) * DAY_MS);
    expect(await ofKind("secrets.not-rotated")).toEqual([]);
    expect((await summary()).counts.secrets).toEqual({ total: 2, inUse: 1, unused: 1 });
    h.clock.advance(DAY_MS);
    const stale = await ofKind("secrets.not-rotated");
    expect(stale.map((w) => w.subject?.name)).toEqual(["db_password"]);
    expect(stale[0]).toMatchObject({ title: `Secret db_password was not rotated in ${SECRET_ROTATION_DAYS} days`, href: `/secrets/${used.id}` });
  });

  it(`ok/${FAILED_LOGIN_BURST} failed sign-ins from one address are a burst naming the address and account, never the password; fewer are not`, async () => {
    const guesses = ["guess-one-1", "guess-two-2", "guess-three-3", "guess-four-4", "guess-five-5"];
    const c = await h.caller({ ip: "203.0.113.9" });
    for (const password of guesses.slice(0, FAILED_LOGIN_BURST - 1)) {
      await expect(c.auth.login({ username: "admin", password })).rejects.toMatchObject({ code: "UNAUTHORIZED" });
      h.clock.advance(30_000);
    }
    expect(await ofKind("logins.failed-burst")).toEqual([]);
    await expect(c.auth.login({ username: "admin", password: guesses[4]! })).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    const [burst, ...rest] = await ofKind("logins.failed-burst");
    expect(rest).toEqual([]);
    expect(burst).toMatchObject({
      severity: "critical",
      title: `${FAILED_LOGIN_BURST} failed sign-ins from 203.0.113.9 within 15 minutes`,
      href: "/audit?action=auth.login&outcome=failure&search=203.0.113.9",
      subject: { type: "address", name: "203.0.113.9" },
    });
    expect(burst!.detail).toContain("Names tried: admin");
    const all = JSON.stringify(await summary());
    for (const guess of guesses) expect(all).not.toContain(guess);
    // A day later the burst is history.
    h.clock.advance(DAY_MS + 60_000);
    expect(await ofKind("logins.failed-burst")).toEqual([]);
  });

  it("ok/a viewer gets counts and the warnings it may see; failed sign-ins are reported as not checked, and the events are refused", async () => {
    const viewer = await createUser(h.t.store.prisma, { id: "overview-viewer", username: "overview-viewer", passwordHash: "x", role: "viewer" });
    const token = await h.manager.apiTokens.create(viewer, { name: "v" }, null);
    const c = await h.caller({ bearerToken: token.token });
    const s = await c.overview.summary();
    expect(s.checks.find((k) => k.kind === "logins.failed-burst")).toMatchObject({ ran: false });
    expect(s.checks.filter((k) => !k.ran)).toHaveLength(1);
    await expect(c.overview.events({})).rejects.toMatchObject({ code: "FORBIDDEN" });
  });

  it("fail/without a session the Overview is refused", async () => {
    const anonymous = await h.caller();
    await expect(anonymous.overview.summary()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    await expect(anonymous.overview.events({})).rejects.toMatchObject({ code: "UNAUTHORIZED" });
  });

  it("ok/recent security events: the newest first, the admin's sign-in among them, routine events left out", async () => {
    await admin.service.create({ name: "web", image: "nginx", replicas: 1 });
    await admin.swarm.rotateToken({ role: "worker" });
    const { events } = await admin.overview.events({ limit: 3 });
    expect(events.map((e) => e.action)).toEqual(["token.reveal", "token.rotate", "auth.login"]);
    expect(events[2]).toMatchObject({ actorName: "admin", outcome: "success", targetName: "admin" });
    const all = (await admin.overview.events()).events.map((e) => e.action);
    expect(all).not.toContain("service.create");
    expect(all).toContain("cluster.init");
  });

  it("ok/routine events by the thousand do not crowd the security events out", async () => {
    await h.manager.audit.recordMany(
      Array.from({ length: 6_000 }, (_, i) => ({
        actor: { type: "user" as const, id: null, name: "admin" },
        action: "planner.whatif" as const,
        target: { type: "service" as const, id: null, name: `whatif-${i}` },
        outcome: "success" as const,
      })),
    );
    const { events } = await admin.overview.events({ limit: 10 });
    expect(events.map((e) => e.action)).toContain("setup.complete");
    expect(events.map((e) => e.action)).not.toContain("planner.whatif");
  });

  it("fail/bad events input is a 400 over HTTP naming the field in a sentence", async () => {
    const api = await serveApi(h);
    try {
      const get = async (input: unknown) => {
        const response = await fetch(`${api.base}/overview.events?input=${encodeURIComponent(JSON.stringify({ json: input }))}`, {
          headers: { origin: `http://${api.host}`, cookie: `${SESSION_COOKIE}=${session}` },
        });
        const body = (await response.json()) as { error?: { json: { message: string; data: { field?: string } } } };
        return { status: response.status, message: body.error?.json.message, field: body.error?.json.data.field };
      };
      expect(await get({ limit: 0 })).toEqual({ status: 400, field: "limit", message: "Limit must be at least 1" });
      expect(await get({ limit: 51 })).toEqual({ status: 400, field: "limit", message: "Limit must be at most 50" });
      expect(await get({ limit: 2.5 })).toEqual({ status: 400, field: "limit", message: "Limit must be a whole number" });
      expect(await get({ since: "yesterday" })).toEqual({ status: 400, field: "since", message: 'The field "since" is not one this takes' });
      // The control: a well-formed request answers 200.
      expect((await get({ limit: 5 })).status).toBe(200);
    } finally {
      await api.close();
    }
  });

  it("ok/no answer carries a secret's value or a join token, while the secret's name (the control) is there", async () => {
    const canary = newCanary("overview-secret");
    const secret = await admin.secret.create({ name: "overview_canary", data: b64(canary) });
    await admin.service.create({ name: "canary-svc", image: "nginx", replicas: 1, constraints: ["engine.labels.x == y"], secrets: [ref(secret)] });
    const { token } = await admin.swarm.rotateToken({ role: "manager" });
    const out = JSON.stringify([await summary(), await admin.overview.events({ limit: 50 })]);
    expect(out).toContain("overview_canary");
    expect(out).not.toContain(canary);
    expect(out).not.toContain(token);
    expect(out).not.toContain(token.slice(-25));
  });
});
