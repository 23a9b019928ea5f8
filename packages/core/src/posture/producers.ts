import { constraintWarnings, engineLabelMixups, parseConstraint, type Constraint } from "../constraint/index.js";
import type { NodeRole } from "../node/index.js";
import { CERT_WARN_DAYS, DAY_MS, certExpiresSoon } from "./certificates.js";
import { failingSlots, isCurrentTask } from "./counts.js";
import type { FailedLogin, PostureSnapshot, PostureTask } from "./snapshot.js";
import type { Warning, WarningProducer } from "./warning.js";

/** A secret in use whose value is older than this is raised for rotation. */
export const SECRET_ROTATION_DAYS = 90;
/** This many failed sign-ins within `FAILED_LOGIN_WINDOW_MS`, from one address or at one account, is a burst. */
export const FAILED_LOGIN_BURST = 5;
export const FAILED_LOGIN_WINDOW_MS = 15 * 60_000;
/** How far back the Overview looks for bursts: yesterday's night is still news in the morning. */
export const FAILED_LOGIN_LOOKBACK_MS = DAY_MS;
/** A pending task the scheduler has given no reason for is raised once it has waited this long. */
export const PENDING_GRACE_MS = 60_000;

const MINUTE_MS = 60_000;

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** "3 minutes", "5 hours", "12 days": whole units, rounded down, never "0 days". */
function span(ms: number): string {
  const abs = Math.abs(ms);
  if (abs < MINUTE_MS) return "less than a minute";
  if (abs < 3_600_000) return plural(Math.floor(abs / MINUTE_MS), "minute");
  if (abs < 2 * DAY_MS) return plural(Math.floor(abs / 3_600_000), "hour");
  return plural(Math.floor(abs / DAY_MS), "day");
}

const day = (d: Date) => d.toISOString().slice(0, 10);

function sentenceCase(text: string): string {
  return text.length === 0 ? text : text[0]!.toUpperCase() + text.slice(1);
}

const certificates: WarningProducer = {
  kind: "certificates.expiring",
  checks: `node certificates ending within ${CERT_WARN_DAYS} days`,
  listHref: "/nodes",
  more: (n) => `${plural(n, "more node certificate")} end within ${CERT_WARN_DAYS} days`,
  produce(snapshot, now) {
    return snapshot.nodes
      .filter((n) => certExpiresSoon(n.certificateNotAfter, now))
      .sort((a, b) => a.certificateNotAfter!.getTime() - b.certificateNotAfter!.getTime())
      .map((n): Warning => {
        const left = n.certificateNotAfter!.getTime() - now.getTime();
        const ended = left <= 0;
        return {
          id: `certificates.expiring:${n.id}`,
          kind: "certificates.expiring",
          severity: ended ? "critical" : "warning",
          title: ended ? `The certificate of node ${n.hostname} ended ${span(left)} ago` : `The certificate of node ${n.hostname} ends in ${span(left)}`,
          detail: ended
            ? "The node can no longer prove who it is, so managers refuse it. Join it again with a join token, or remove it."
            : "Nodes renew at 50 to 80 % of their certificate's lifetime, so this one has not been able to: check that it is up and can reach a manager.",
          href: `/nodes/${n.id}`,
          action: "Open the node",
          subject: { type: "node", id: n.id, name: n.hostname },
        };
      });
  },
};

const nodesDown: WarningProducer = {
  kind: "nodes.down",
  checks: "nodes that stopped sending heartbeats",
  listHref: "/nodes",
  more: (n) => `${plural(n, "more node")} ${n === 1 ? "is" : "are"} down`,
  produce(snapshot, now) {
    return snapshot.nodes
      .filter((n) => n.state === "down")
      .sort((a, b) => (a.role === b.role ? a.hostname.localeCompare(b.hostname) : a.role === "manager" ? -1 : 1))
      .map((n): Warning => ({
        id: `nodes.down:${n.id}`,
        kind: "nodes.down",
        severity: n.role === "manager" ? "critical" : "warning",
        title: `${n.role === "manager" ? "Manager" : "Node"} ${n.hostname} is down`,
        detail:
          (n.lastHeartbeatAt ? `Its last heartbeat was ${span(now.getTime() - n.lastHeartbeatAt.getTime())} ago. ` : "") +
          "Its tasks are replaced on other nodes where their constraints allow. If it is gone for good, remove it so its certificate is refused.",
        href: `/nodes/${n.id}`,
        action: "Open the node",
        subject: { type: "node", id: n.id, name: n.hostname },
      }));
  },
};

/** The reason most of these tasks give, or null if none gives one. */
function commonReason(tasks: readonly PostureTask[]): string | null {
  const counts = new Map<string, number>();
  for (const t of tasks) if (t.err) counts.set(t.err, (counts.get(t.err) ?? 0) + 1);
  let best: string | null = null;
  let most = 0;
  for (const [reason, n] of counts) if (n > most) [best, most] = [reason, n];
  return best;
}

/** The constraints that parse (a stored spec's always do; the rest are left out of the hint). */
function parsedConstraints(expressions: readonly string[]): Constraint[] {
  const out: Constraint[] = [];
  for (const e of expressions) {
    try {
      out.push(parseConstraint(e));
    } catch {
      // A constraint that does not parse names no label to hint at.
    }
  }
  return out;
}

/** The usual mistake behind an unplaceable service: `--label` on `agent join` for a node-label constraint. */
function engineLabelAdvice(constraints: readonly string[], nodes: PostureSnapshot["nodes"]): string {
  const names = engineLabelMixups(parsedConstraints(constraints), nodes);
  if (names.length === 0) return "";
  const list = names.join(", ");
  return ` No node has the node label${names.length === 1 ? "" : "s"} ${list}, but nodes report the engine label${names.length === 1 ? "" : "s"} ${list} (set by --label on agent join, and claimed by the node itself); node labels are set with \`rampart node update --label-add\` or on the node's page.`;
}

const pendingTasks: WarningProducer = {
  kind: "tasks.pending",
  checks: "tasks the scheduler cannot place",
  listHref: "/services",
  more: (n) => `${plural(n, "more service")} ${n === 1 ? "has" : "have"} tasks waiting for a node`,
  produce(snapshot, now) {
    const out: Warning[] = [];
    for (const service of snapshot.services) {
      const waiting = snapshot.tasks.filter(
        (t) =>
          t.serviceId === service.id &&
          t.state === "pending" &&
          t.desiredState === "running" &&
          (t.err !== null || now.getTime() - t.createdAt.getTime() >= PENDING_GRACE_MS),
      );
      if (waiting.length === 0) continue;
      const reason = commonReason(waiting);
      const oldest = Math.min(...waiting.map((t) => t.createdAt.getTime()));
      out.push({
        id: `tasks.pending:${service.id}`,
        kind: "tasks.pending",
        severity: "warning",
        title: `${plural(waiting.length, "task")} of ${service.name} ${waiting.length === 1 ? "has" : "have"} no node`,
        detail:
          (reason
            ? `The scheduler says: ${reason}. The service page shows which nodes were passed over and why.`
            : `Waiting for the scheduler for ${span(now.getTime() - oldest)}.`) + engineLabelAdvice(service.constraints, snapshot.nodes),
        href: `/services/${service.id}`,
        action: "See why",
        subject: { type: "service", id: service.id, name: service.name },
      });
    }
    return out;
  },
};

const failingTasks: WarningProducer = {
  kind: "tasks.failing",
  checks: "services whose tasks fail",
  listHref: "/services",
  more: (n) => `${plural(n, "more service")} ${n === 1 ? "has" : "have"} failing tasks`,
  produce(snapshot) {
    const failing = failingSlots(snapshot.tasks, snapshot.nodes);
    const out: Warning[] = [];
    for (const service of snapshot.services) {
      const slots = failing.filter((f) => f.serviceId === service.id);
      if (slots.length === 0) continue;
      const running = snapshot.tasks.some((t) => t.serviceId === service.id && t.state === "running" && isCurrentTask(t));
      out.push({
        id: `tasks.failing:${service.id}`,
        kind: "tasks.failing",
        severity: running ? "warning" : "critical",
        title: `${plural(slots.length, "task")} of ${service.name} failed and ${slots.length === 1 ? "is" : "are"} not running`,
        detail: `The latest error: ${slots[0]!.reason}`,
        href: `/services/${service.id}`,
        action: "Open the service",
        subject: { type: "service", id: service.id, name: service.name },
      });
    }
    return out;
  },
};

const selfReportedConstraints: WarningProducer = {
  kind: "constraints.self-reported",
  checks: "placement constraints on what nodes say about themselves (engine labels, hostname, platform)",
  listHref: "/services",
  more: (n) => `${plural(n, "more service")} ${n === 1 ? "is" : "are"} placed by what nodes say about themselves`,
  produce(snapshot) {
    const out: Warning[] = [];
    for (const service of snapshot.services) {
      const warnings = constraintWarnings(service.constraints);
      if (warnings.length === 0) continue;
      const others = warnings.length > 1 ? ` (and ${plural(warnings.length - 1, "more constraint")} like it)` : "";
      const secrets = service.secrets > 0 ? ` Its ${plural(service.secrets, "secret")} reach${service.secrets === 1 ? "es" : ""} whichever node makes that claim.` : "";
      out.push({
        id: `constraints.self-reported:${service.id}`,
        kind: "constraints.self-reported",
        severity: service.secrets > 0 ? "warning" : "info",
        title: `Service ${service.name} is placed by a label nodes report about themselves`,
        detail: `${sentenceCase(warnings[0]!)}${others}.${secrets}`,
        href: `/services/${service.id}/edit`,
        action: "Edit the constraints",
        subject: { type: "service", id: service.id, name: service.name },
      });
    }
    return out;
  },
};

const staleSecrets: WarningProducer = {
  kind: "secrets.not-rotated",
  checks: `secrets in use that were not rotated in ${SECRET_ROTATION_DAYS} days`,
  listHref: "/secrets",
  more: (n) => `${plural(n, "more secret")} in use ${n === 1 ? "was" : "were"} not rotated in ${SECRET_ROTATION_DAYS} days`,
  produce(snapshot, now) {
    return snapshot.secrets
      .filter((s) => s.services.length > 0 && now.getTime() - s.createdAt.getTime() >= SECRET_ROTATION_DAYS * DAY_MS)
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime())
      .map(
        (s): Warning => ({
          id: `secrets.not-rotated:${s.id}`,
          kind: "secrets.not-rotated",
          severity: "warning",
          title: `Secret ${s.name} was not rotated in ${span(now.getTime() - s.createdAt.getTime())}`,
          detail:
            `Its value has been the same since ${day(s.createdAt)}, and ${plural(s.services.length, "service")} use${s.services.length === 1 ? "s" : ""} it. ` +
            `Secrets in use are raised after ${SECRET_ROTATION_DAYS} days; rotating makes a new version and moves the services to it.`,
          href: `/secrets/${s.id}`,
          action: "Rotate it",
          subject: { type: "secret", id: s.id, name: s.name },
        }),
      );
  },
};

const TOKEN_ROLES: readonly NodeRole[] = ["manager", "worker"];

const tokensNeverRotated: WarningProducer = {
  kind: "tokens.never-rotated",
  checks: "join tokens never rotated since the swarm was created",
  listHref: "/join",
  more: (n) => `${plural(n, "more join token")} never rotated`,
  produce(snapshot, now) {
    return TOKEN_ROLES.filter((role) => snapshot.tokenRotations[role] === null).map(
      (role): Warning => ({
        id: `tokens.never-rotated:${role}`,
        kind: "tokens.never-rotated",
        severity: role === "manager" ? "warning" : "info",
        title: `The ${role} join token was never rotated`,
        detail:
          `It is the token made when the swarm was created, ${span(now.getTime() - snapshot.cluster.createdAt.getTime())} ago. ` +
          `Anyone who has seen it can still join a ${role}${role === "manager" ? " and control the swarm" : " and draw tasks"}; ` +
          "rotating it refuses the old one at once and leaves joined nodes as they are.",
        href: "/join",
        action: `Rotate the ${role} token`,
        subject: { type: "jointoken", id: null, name: role },
      }),
    );
  },
};

/** The largest number of these times (sorted, oldest first) that fit in one window, and when that window ended. */
function densest(times: readonly number[]): { count: number; first: number; last: number } {
  let best = { count: 0, first: 0, last: 0 };
  let start = 0;
  for (let end = 0; end < times.length; end++) {
    while (times[end]! - times[start]! > FAILED_LOGIN_WINDOW_MS) start++;
    if (end - start + 1 >= best.count) best = { count: end - start + 1, first: times[start]!, last: times[end]! };
  }
  return best;
}

function group(failures: readonly FailedLogin[], key: (f: FailedLogin) => string | null): Map<string, FailedLogin[]> {
  const out = new Map<string, FailedLogin[]>();
  for (const f of failures) {
    const k = key(f);
    if (k === null) continue;
    const list = out.get(k);
    if (list) list.push(f);
    else out.set(k, [f]);
  }
  return out;
}

function accountsTried(failures: readonly FailedLogin[]): string {
  const named = [...new Set(failures.map((f) => f.account).filter((a): a is string => a !== null))].sort();
  const unknown = failures.filter((f) => f.account === null).length;
  const parts = [...named.slice(0, 3), ...(named.length > 3 ? [`${named.length - 3} more`] : [])];
  if (unknown > 0) parts.push(`${plural(unknown, "name")} that ${unknown === 1 ? "is" : "are"} no account`);
  return parts.join(", ");
}

const failedLoginBursts: WarningProducer = {
  kind: "logins.failed-burst",
  checks: `bursts of ${FAILED_LOGIN_BURST} or more failed sign-ins within ${FAILED_LOGIN_WINDOW_MS / MINUTE_MS} minutes in the last day`,
  listHref: "/audit?action=auth.login&outcome=failure",
  more: (n) => `${plural(n, "more burst")} of failed sign-ins`,
  produce(snapshot, now) {
    if (snapshot.failedLogins === null) return null;
    const since = now.getTime() - FAILED_LOGIN_LOOKBACK_MS;
    const recent = snapshot.failedLogins.filter((f) => f.at.getTime() >= since && f.at.getTime() <= now.getTime());
    const minutes = FAILED_LOGIN_WINDOW_MS / MINUTE_MS;
    const audit = (search: string) => `/audit?action=auth.login&outcome=failure&search=${encodeURIComponent(search)}`;
    const out: Array<Warning & { last: number }> = [];
    for (const [address, failures] of group(recent, (f) => f.address)) {
      const burst = densest(failures.map((f) => f.at.getTime()).sort((a, b) => a - b));
      if (burst.count < FAILED_LOGIN_BURST) continue;
      const ongoing = now.getTime() - burst.last < FAILED_LOGIN_WINDOW_MS;
      out.push({
        id: `logins.failed-burst:address:${address}`,
        kind: "logins.failed-burst",
        severity: ongoing ? "critical" : "warning",
        title: `${burst.count} failed sign-ins from ${address} within ${minutes} minutes`,
        detail: `The last was ${span(now.getTime() - burst.last)} ago. Names tried: ${accountsTried(failures)}.`,
        href: audit(address),
        action: "See them in the audit log",
        subject: { type: "address", id: null, name: address },
        last: burst.last,
      });
    }
    // Guessing at one account from many addresses slips under each address's count.
    for (const [account, failures] of group(recent, (f) => f.account)) {
      const burst = densest(failures.map((f) => f.at.getTime()).sort((a, b) => a - b));
      if (burst.count < FAILED_LOGIN_BURST) continue;
      // The addresses within the burst itself: one address's burst is raised above already.
      const inBurst = failures.filter((f) => f.at.getTime() >= burst.first && f.at.getTime() <= burst.last);
      const addresses = new Set(inBurst.map((f) => f.address));
      if (addresses.size < 2) continue;
      const ongoing = now.getTime() - burst.last < FAILED_LOGIN_WINDOW_MS;
      out.push({
        id: `logins.failed-burst:account:${account}`,
        kind: "logins.failed-burst",
        severity: ongoing ? "critical" : "warning",
        title: `${burst.count} failed sign-ins to ${account} within ${minutes} minutes`,
        detail: `They came from ${plural(addresses.size, "address", "addresses")}; the last was ${span(now.getTime() - burst.last)} ago.`,
        href: audit(account),
        action: "See them in the audit log",
        subject: { type: "account", id: null, name: account },
        last: burst.last,
      });
    }
    return out.sort((a, b) => b.last - a.last).map(({ last: _last, ...warning }) => warning);
  },
};

const autolockOff: WarningProducer = {
  kind: "cluster.autolock-off",
  checks: "whether autolock protects the store's keys",
  listHref: "/settings/swarm",
  more: (n) => `${plural(n, "more")} autolock warning`,
  produce(snapshot) {
    if (snapshot.cluster.autolock) return [];
    return [
      {
        id: "cluster.autolock-off",
        kind: "cluster.autolock-off",
        // Info until Rampart can turn autolock on (ADR 0017): a warning nobody can clear teaches people to skip the list.
        severity: "info",
        title: "Autolock is off",
        detail:
          "The key that opens the sealed secrets, the CA key and the join tokens is a file beside the store (in the data directory, or RAMPART_KEK_FILE), so a copy of both opens them all. " +
          "With autolock on (Swarm settings), that key is kept wrapped under an unlock key and a server starts locked until an administrator gives it.",
        href: "/settings/swarm",
        action: "Open the swarm settings",
        subject: { type: "cluster", id: null, name: "swarm" },
      },
    ];
  },
};

/**
 * Every warning the Overview raises, in the order it lists kinds of the same severity.
 * To add one: write a producer over `PostureSnapshot` (extending the snapshot, and the
 * manager's gathering of it, if it needs data the snapshot lacks) and append it here.
 */
export const WARNING_PRODUCERS: readonly WarningProducer[] = [
  nodesDown,
  certificates,
  failedLoginBursts,
  failingTasks,
  pendingTasks,
  tokensNeverRotated,
  selfReportedConstraints,
  staleSecrets,
  autolockOff,
];
