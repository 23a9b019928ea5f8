import { describe, expect, it } from "vitest";
import { isLoopbackHostHeader } from "./http.js";
import { checkServerOptions } from "./index.js";
import { isLoopback, parseListen } from "./listen.js";

const base = { nodeListen: "0.0.0.0:2377", tlsCert: undefined, tlsKey: undefined, insecureHttp: false };

describe("server options", () => {
  it.each([
    ["127.0.0.1:8080", "127.0.0.1", 8080],
    ["8080", "127.0.0.1", 8080],
    [":8080", "0.0.0.0", 8080],
    ["[::1]:9000", "::1", 9000],
    ["localhost:1", "localhost", 1],
    ["rampart.example:443", "rampart.example", 443],
  ])("ok/--listen %s", (value, host, port) => {
    expect(parseListen("--listen", value)).toMatchObject({ host, port });
  });

  it.each([
    ["nonsense", "--listen must be HOST:PORT"],
    ["127.0.0.1:99999", "port must be a number from 0 to 65535"],
    ["127.0.0.1:http", "port must be a number"],
    ["bad host!:80", "is not a host name or IP address"],
  ])("fail/--listen %s", (value, message) => {
    expect(() => parseListen("--listen", value)).toThrow(message);
  });

  it.each([
    ["127.0.0.1", true],
    ["127.8.9.10", true],
    ["::1", true],
    ["localhost", true],
    ["0.0.0.0", false],
    ["10.0.0.1", false],
    ["::", false],
  ])("ok/loopback(%s) is %s", (host, expected) => {
    expect(isLoopback(host)).toBe(expected);
  });

  it.each([
    ["ok/[::1]", "[::1]", true],
    ["ok/[::1] with a port", "[::1]:8080", true],
    ["ok/localhost with a port", "localhost:8080", true],
    ["ok/LOCALHOST", "LOCALHOST", true],
    ["ok/127.0.0.1 with a port", "127.0.0.1:8080", true],
    ["fail/[::1] followed by a name", "[::1]evil.example", false],
    ["fail/[::1] followed by a name and port", "[::1]evil.example:8080", false],
    ["fail/[::1] with an empty port", "[::1]:", false],
    ["fail/localhost as a prefix", "localhost.evil.example", false],
    ["fail/127.0.0.1 as a prefix", "127.0.0.1.evil.example:8080", false],
    ["fail/a port with letters", "127.0.0.1:80x", false],
    ["fail/another bracketed address", "[::2]:8080", false],
    ["fail/no host", "", false],
  ])("%s (%s) is loopback: %s", (_name, host, expected) => {
    expect(isLoopbackHostHeader(host)).toBe(expected);
  });

  it("fail/plain HTTP off loopback is refused, naming the ways out", () => {
    expect(() => checkServerOptions({ ...base, listen: "0.0.0.0:8080" })).toThrow(
      /refusing to serve plain HTTP on 0\.0\.0\.0:8080.*--tls-cert and --tls-key.*--insecure-http/,
    );
  });

  it("ok/--insecure-http allows it (for a TLS-terminating proxy)", () => {
    expect(checkServerOptions({ ...base, listen: "0.0.0.0:8080", insecureHttp: true }).tls).toBeUndefined();
  });

  it("fail/TLS flags come in pairs and name unreadable files", () => {
    expect(() => checkServerOptions({ ...base, listen: "0.0.0.0:8443", tlsCert: "/x" })).toThrow(
      "--tls-cert and --tls-key must be given together",
    );
    expect(() => checkServerOptions({ ...base, listen: "0.0.0.0:8443", tlsCert: "/nope.pem", tlsKey: "/nope.key" })).toThrow(
      "--tls-cert: cannot read /nope.pem",
    );
  });

  it("fail/a bad --node-listen is named", () => {
    expect(() => checkServerOptions({ ...base, listen: "127.0.0.1:8080", nodeListen: "x" })).toThrow("--node-listen must be HOST:PORT");
  });
});
