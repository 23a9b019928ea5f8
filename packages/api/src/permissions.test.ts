import { PERMISSIONS } from "@rampart/core";
import { describe, expect, it } from "vitest";
import { appRouter } from "./root.js";
import type { Meta } from "./trpc.js";

/**
 * Every procedure must declare what it needs. A procedure built from anything but the
 * builders in trpc.ts has no `permission` in its meta and fails here (and at run time).
 */
const procedures = Object.entries(appRouter._def.procedures as unknown as Record<string, { _def: { meta?: Meta } }>);
const allowed = new Set<string>([...PERMISSIONS, "public", "authenticated"]);

describe("procedure permissions", () => {
  it("ok/the router has procedures", () => {
    expect(procedures.length).toBeGreaterThan(0);
  });

  it.each(procedures)("ok/%s declares a known permission", (_path, procedure) => {
    const permission = procedure._def.meta?.permission;
    expect(permission, "no permission declared").toBeDefined();
    expect(allowed.has(permission!)).toBe(true);
  });

  it.each([
    ["environment.add", "environments:admin"],
    ["environment.remove", "environments:admin"],
    ["network.create", "cluster:admin"],
    ["network.remove", "cluster:admin"],
  ])("ok/%s needs %s: a connection to an engine is root on its host, and a network changes the swarm", (path, permission) => {
    expect(procedures.find(([p]) => p === path)?.[1]._def.meta?.permission).toBe(permission);
  });

  it.each([
    ["autolock.get", "cluster:read"],
    ["autolock.update", "cluster:admin"],
    ["autolock.rotate", "cluster:admin"],
    ["autolock.reveal", "tokens:reveal"],
  ])("ok/%s needs %s: the unlock key opens every sealed value, so only those who may reveal tokens may see it", (path, permission) => {
    expect(procedures.find(([p]) => p === path)?.[1]._def.meta?.permission).toBe(permission);
  });

  it.each([
    ["pki.revealUnlockKey", "tokens:reveal"],
    ["pki.rotateUnlockKey", "cluster:admin"],
    ["pki.setAutolock", "cluster:admin"],
    ["pki.rotate", "cluster:admin"],
    ["pki.update", "cluster:admin"],
  ])("ok/%s needs %s, on Rampart's own cluster and on a connected swarm alike (a swarm's unlock key opens its managers' data)", (path, permission) => {
    expect(procedures.find(([p]) => p === path)?.[1]._def.meta?.permission).toBe(permission);
  });

  it("ok/only the sign-in and setup procedures, and a locked server's status and unlock, are public", () => {
    const open = procedures.filter(([, p]) => p._def.meta?.permission === "public").map(([path]) => path);
    // A locked server can check no credential; the unlock key is the credential (ADR 0022).
    expect(open.sort()).toEqual(["auth.login", "auth.setup", "auth.setupStatus", "autolock.status", "autolock.unlock"]);
  });
});
