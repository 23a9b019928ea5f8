import type { NodeDockerOutput, NodeViewOutput } from "./node.schema.js";

/**
 * `node.list` sends nodes as rows of plain JSON values, one array per node, with the
 * column names once. At 10,000 nodes that is a third of the bytes of an array of
 * objects, and it skips the per-value walk of the superjson transformer, which alone
 * would take longer than the 200 ms `node ls` is allowed. Times are epoch milliseconds.
 */
export const NODE_LIST_COLUMNS = [
  "id",
  "hostname",
  "role",
  "availability",
  "labels",
  "engineLabels",
  "os",
  "arch",
  "nanoCpus",
  "memoryBytes",
  "engineVersion",
  "addr",
  "isLeader",
  "createdAt",
  "updatedAt",
  "version",
  "lastHeartbeatAt",
  "state",
  "managerStatus",
  "tlsStatus",
  "tlsRole",
  "tlsNotBefore",
  "tlsNotAfter",
  "tlsSerial",
  "tlsIssuance",
  "tlsIssuanceReason",
  "runtimeKind",
  "runtimeDetail",
  "runtimeSecurityOptions",
  "docker",
] as const;

/** `docker`: a connected swarm's own part of each node (ADR 0020), null on the native cluster. */
export type NodeListCell = string | number | boolean | null | Record<string, string> | NodeDockerOutput;

export interface NodeListPayload {
  columns: readonly string[];
  rows: NodeListCell[][];
}

const ms = (d: Date | null) => (d === null ? null : d.getTime());
const date = (v: NodeListCell) => (v === null ? null : new Date(v as number));

export function encodeNodeList(nodes: readonly NodeViewOutput[]): NodeListPayload {
  const rows: NodeListCell[][] = new Array(nodes.length);
  for (let i = 0; i < nodes.length; i++) {
    const n = nodes[i]!;
    rows[i] = [
      n.id,
      n.hostname,
      n.role,
      n.availability,
      n.labels,
      n.engineLabels,
      n.platform.os,
      n.platform.arch,
      n.resources.nanoCpus,
      n.resources.memoryBytes,
      n.engineVersion,
      n.addr,
      n.isLeader,
      n.createdAt.getTime(),
      n.updatedAt.getTime(),
      n.version,
      ms(n.lastHeartbeatAt),
      n.state,
      n.managerStatus,
      n.tls.status,
      n.tls.role,
      ms(n.tls.notBefore),
      ms(n.tls.notAfter),
      n.tls.serial,
      n.tls.issuance?.state ?? null,
      n.tls.issuance?.reason ?? null,
      n.runtime.kind,
      n.runtime.detail,
      n.runtime.securityOptions.join(","),
      n.docker ?? null,
    ];
  }
  return { columns: NODE_LIST_COLUMNS, rows };
}

/** Back to node objects. Refuses a payload whose columns differ from this version's. */
export function decodeNodeList(payload: NodeListPayload): NodeViewOutput[] {
  if (payload.columns.join() !== NODE_LIST_COLUMNS.join()) {
    throw new Error("the server sent a node list this client does not understand; reload the page or update the CLI");
  }
  return payload.rows.map((r) => ({
    id: r[0] as string,
    hostname: r[1] as string,
    role: r[2] as NodeViewOutput["role"],
    availability: r[3] as NodeViewOutput["availability"],
    labels: r[4] as Record<string, string>,
    engineLabels: r[5] as Record<string, string>,
    platform: { os: r[6] as string, arch: r[7] as string },
    resources: { nanoCpus: r[8] as number, memoryBytes: r[9] as number },
    engineVersion: r[10] as string,
    addr: r[11] as string | null,
    isLeader: r[12] as boolean,
    createdAt: date(r[13]!)!,
    updatedAt: date(r[14]!)!,
    version: r[15] as number,
    lastHeartbeatAt: date(r[16]!),
    state: r[17] as NodeViewOutput["state"],
    managerStatus: r[18] as NodeViewOutput["managerStatus"],
    tls: {
      status: r[19] as NodeViewOutput["tls"]["status"],
      role: r[20] as string | null,
      notBefore: date(r[21]!),
      notAfter: date(r[22]!),
      serial: r[23] as string | null,
      issuance: r[24] === null ? null : { state: r[24] as NonNullable<NodeViewOutput["tls"]["issuance"]>["state"], reason: r[25] as string | null },
    },
    runtime: {
      kind: r[26] as NodeViewOutput["runtime"]["kind"],
      detail: r[27] as string,
      securityOptions: (r[28] as string) === "" ? [] : (r[28] as string).split(","),
    },
    ...(r[29] ? { docker: r[29] as NodeDockerOutput } : {}),
  }));
}
