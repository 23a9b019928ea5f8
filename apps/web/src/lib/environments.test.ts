import { describe, expect, it } from "vitest";
import { connectionLabel, connectionTone, connectionWord, filterEnvironments, securityOf, type Connection } from "./environments";
import { formatDateTime } from "./format";

const since = new Date("2026-12-07T10:02:00Z");
const connection = (over: Partial<Connection> = {}): Connection => ({
  state: "connected",
  since,
  detail: null,
  checkedAt: new Date("2026-12-07T10:05:00Z"),
  apiVersion: "1.41",
  engineVersion: "20.10.24",
  ...over,
});

describe("securityOf", () => {
  it.each([
    ["ok/a Unix socket", { dockerHost: "unix:///var/run/docker.sock", insecure: false, tlsCa: null }, "socket"],
    ["ok/TCP with TLS", { dockerHost: "tcp://10.0.0.2:2376", insecure: false, tlsCa: "-----BEGIN CERTIFICATE-----" }, "tls"],
    ["ok/TCP asked to be insecure", { dockerHost: "tcp://10.0.0.2:2375", insecure: true, tlsCa: null }, "insecure"],
    ["ok/TCP without a CA is plain whatever the flag says", { dockerHost: "tcp://10.0.0.2:2375", insecure: false, tlsCa: null }, "insecure"],
  ] as const)("%s", (_name, env, expected) => expect(securityOf(env)).toBe(expected));
});

describe("connection", () => {
  it("ok/connected is one word, whatever the since", () => {
    expect(connectionLabel(connection())).toBe("Connected");
    expect(connectionTone(connection())).toBe("good");
  });
  it("ok/unreachable and lost say since when", () => {
    expect(connectionLabel(connection({ state: "unreachable" }))).toBe(`Unreachable since ${formatDateTime(since)}`);
    expect(connectionLabel(connection({ state: "manager-lost" }))).toBe(`Manager lost since ${formatDateTime(since)}`);
    expect(connectionTone(connection({ state: "manager-lost" }))).toBe("bad");
  });
  it("ok/a swarm not checked since the server started is not called unreachable", () => {
    const unchecked = connection({ state: "unreachable", since: null, checkedAt: null, detail: "not checked yet" });
    expect(connectionWord(unchecked)).toBe("Not checked yet");
    expect(connectionLabel(unchecked)).toBe("Not checked yet");
    expect(connectionTone(unchecked)).toBe("warn");
  });
});

describe("filterEnvironments", () => {
  const list = [
    { name: "prod", dockerHost: "tcp://prod.example:2376", clusterId: "abc123" },
    { name: "lab", dockerHost: "unix:///run/lab/docker.sock", clusterId: "def456" },
  ];
  it.each([
    ["", ["prod", "lab"]],
    ["PROD", ["prod"]],
    ["docker.sock", ["lab"]],
    ["def", ["lab"]],
    ["456", []],
  ])("%j", (search, names) => expect(filterEnvironments(list, search).map((e) => e.name)).toEqual(names));
});
