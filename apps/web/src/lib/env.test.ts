import { describe, expect, it } from "vitest";
import { envHref, isGlobalPath, splitEnvPath, switchEnvHref } from "./env";

describe("envHref", () => {
  it.each([
    ["ok/native keeps the address", undefined, "/nodes/n1", "/nodes/n1"],
    ["ok/a swarm's page is under /env/NAME", "prod", "/nodes/n1", "/env/prod/nodes/n1"],
    ["ok/a swarm's Overview", "prod", "/", "/env/prod"],
    ["ok/the Overview with a query", "prod", "/?x=1", "/env/prod?x=1"],
    ["ok/a query and a hash stay", "prod", "/settings/swarm#runtime-policy", "/env/prod/settings/swarm#runtime-policy"],
    ["ok/the planner's service", "prod", "/planner?service=s1", "/env/prod/planner?service=s1"],
    ["ok/Rampart's own pages have no twin", "prod", "/audit?targetId=x", "/audit?targetId=x"],
    ["ok/API tokens", "prod", "/settings/api-tokens", "/settings/api-tokens"],
    ["ok/environments", "prod", "/settings/environments", "/settings/environments"],
  ])("%s", (_name, env, path, expected) => expect(envHref(env, path)).toBe(expected));
});

describe("isGlobalPath", () => {
  it("ok/a prefix of a name is not the page", () => {
    expect(isGlobalPath("/auditors")).toBe(false);
    expect(isGlobalPath("/audit")).toBe(true);
    expect(isGlobalPath("/settings/swarm")).toBe(false);
  });
});

describe("splitEnvPath", () => {
  it.each([
    ["/", { env: undefined, path: "/" }],
    ["/nodes/n1", { env: undefined, path: "/nodes/n1" }],
    ["/env/prod", { env: "prod", path: "/" }],
    ["/env/prod/services/s1/edit", { env: "prod", path: "/services/s1/edit" }],
    ["/environments", { env: undefined, path: "/environments" }],
  ])("%s", (pathname, expected) => expect(splitEnvPath(pathname)).toEqual(expected));
});

describe("switchEnvHref", () => {
  it.each([
    ["ok/the same list in the swarm", "/nodes", "prod", "/env/prod/nodes"],
    ["ok/back to the native cluster", "/env/prod/services", undefined, "/services"],
    ["ok/from one swarm to another", "/env/prod/secrets/new", "lab", "/env/lab/secrets/new"],
    ["ok/an object's page becomes its list", "/nodes/n1", "prod", "/env/prod/nodes"],
    ["ok/an edit page too", "/env/prod/services/s1/edit", undefined, "/services"],
    ["ok/a seccomp profile becomes the swarm settings", "/settings/swarm/seccomp/strict", "prod", "/env/prod/settings/swarm"],
    ["ok/networks exist on Docker only", "/env/prod/networks", undefined, "/"],
    ["ok/networks from swarm to swarm", "/env/prod/networks", "lab", "/env/lab/networks"],
    ["ok/Rampart's own page leads to the Overview", "/audit", "prod", "/env/prod"],
    ["ok/an unknown page leads to the Overview", "/env/prod/nothing", undefined, "/"],
    ["ok/the Overview", "/env/prod", undefined, "/"],
  ])("%s", (_name, pathname, target, expected) => expect(switchEnvHref(pathname, target)).toBe(expected));
});
