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

  it("ok/only the sign-in and setup procedures are public", () => {
    const open = procedures.filter(([, p]) => p._def.meta?.permission === "public").map(([path]) => path);
    expect(open.sort()).toEqual(["auth.login", "auth.setup", "auth.setupStatus"]);
  });
});
