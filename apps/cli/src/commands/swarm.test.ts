import { DEFAULT_RUNTIME_POLICY, type RuntimePolicy } from "@rampart/core";
import { describe, expect, it } from "vitest";
import { UsageError } from "./cli.js";
import { applyPolicyChanges, hasPolicyChanges, parsePolicyFlags, runtimePolicyLines } from "./swarm.js";

const policy = (over: Partial<RuntimePolicy> = {}): RuntimePolicy => ({ ...DEFAULT_RUNTIME_POLICY, allowedHostPaths: [], ...over });

describe("swarm update's runtime policy flags", () => {
  it("ok/no policy flag is no policy change", () => {
    expect(hasPolicyChanges(parsePolicyFlags({ "task-history-limit": "3" }))).toBe(false);
    expect(hasPolicyChanges(parsePolicyFlags({ "allow-privileged": false }))).toBe(true);
  });

  it("ok/each flag changes only what it names", () => {
    const current = policy({ allowedHostPaths: ["/srv/data"], allowHostNetwork: true });
    expect(applyPolicyChanges(current, parsePolicyFlags({ "allow-privileged": true }))).toEqual({ ...current, allowPrivileged: true });
    expect(applyPolicyChanges(current, parsePolicyFlags({ "allow-host-network": false }))).toEqual({ ...current, allowHostNetwork: false });
    expect(applyPolicyChanges(current, parsePolicyFlags({ "allow-host-path": ["/var/run/docker.sock"] })).allowedHostPaths).toEqual(["/srv/data", "/var/run/docker.sock"]);
  });

  it("ok/paths are compared cleaned: one already allowed is not added twice, and one is removed however it is written", () => {
    const current = policy({ allowedHostPaths: ["/srv/data", "/opt/app"] });
    expect(applyPolicyChanges(current, parsePolicyFlags({ "allow-host-path": ["/srv/data/", "/x", "/x/."] })).allowedHostPaths).toEqual(["/srv/data", "/opt/app", "/x"]);
    expect(applyPolicyChanges(current, parsePolicyFlags({ "disallow-host-path": ["/srv//data/"] })).allowedHostPaths).toEqual(["/opt/app"]);
    // Removed and added again in one command: it stays allowed.
    expect(applyPolicyChanges(current, parsePolicyFlags({ "disallow-host-path": ["/opt/app"], "allow-host-path": ["/opt/app"] })).allowedHostPaths).toEqual([
      "/srv/data",
      "/opt/app",
    ]);
  });

  it("fail/removing a path that is not allowed names the ones that are", () => {
    expect(() => applyPolicyChanges(policy({ allowedHostPaths: ["/srv/data"] }), parsePolicyFlags({ "disallow-host-path": ["/srv/dat"] }))).toThrow(
      "host path /srv/dat is not in the runtime policy's allowed host paths (/srv/data)",
    );
    expect(() => applyPolicyChanges(policy(), parsePolicyFlags({ "disallow-host-path": ["/a"] }))).toThrow("allowed host paths (none)");
  });

  it.each([
    ["relative", "srv", `invalid argument "srv" for "--allow-host-path" flag: host path "srv" must be absolute`],
    ["with ..", "/srv/../etc", `invalid argument "/srv/../etc" for "--allow-host-path" flag: host path "/srv/../etc" must be absolute`],
    ["the root", "//", `invalid argument "//" for "--allow-host-path" flag: allowing / would allow every host path; list the directories tasks need`],
  ])("fail/an --allow-host-path %s is a flag error before any request", (_name, path, message) => {
    expect(() => parsePolicyFlags({ "allow-host-path": [path] })).toThrow(new UsageError(message));
  });

  it("ok/info's lines, in the audit event's words", () => {
    expect(runtimePolicyLines(policy())).toEqual(["  Runtime Policy:", "   Allowed Host Paths: none", "   Host Network: refused", "   Privileged: refused"]);
    expect(runtimePolicyLines(policy({ allowedHostPaths: ["/a", "/b"], allowPrivileged: true }))).toContain("   Allowed Host Paths: /a, /b");
  });
});
