import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { ESLint } from "eslint";
import { describe, expect, it } from "vitest";

/**
 * The package arrows of DESIGN.md §2 are enforced by lint. These cases prove each ban
 * fires (and that allowed imports pass), so a loosened config fails here.
 */
const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const eslint = new ESLint({ cwd: root });

async function problems(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(root, file) });
  return result!.messages.filter((m) => m.ruleId === "no-restricted-imports" || m.ruleId === "no-restricted-globals").map((m) => m.message);
}

const refused: Array<[string, string, string]> = [
  ["packages/core/src/x.ts", 'import "@prisma/client";', "database"],
  ["packages/core/src/x.ts", 'import "@trpc/server";', "tRPC"],
  ["packages/core/src/x.ts", 'import "react";', "React"],
  ["packages/core/src/x.ts", 'import "next/server";', "Next"],
  ["packages/core/src/x.ts", 'import "@rampart/db";', "arrows"],
  ["packages/core/src/x.ts", 'import "@rampart/manager";', "arrows"],
  ["packages/core/src/x.ts", 'import "node:fs";', "pure"],
  ["packages/core/src/x.ts", 'import "crypto";', "pure"],
  ["packages/core/src/x.ts", "export const x = process.env.X;", "process"],
  ["packages/db/src/x.ts", 'import "@rampart/manager";', "arrows"],
  ["packages/db/src/x.ts", 'import "@trpc/server";', "tRPC"],
  ["packages/manager/src/x.ts", 'import "@rampart/api";', "arrows"],
  ["packages/manager/src/x.ts", 'import "@prisma/client";', "database"],
  ["packages/manager/src/x.ts", 'import "@trpc/server";', "tRPC"],
  ["packages/api/src/x.ts", 'import "next";', "Next"],
  ["packages/api/src/x.ts", 'import "pg";', "database"],
  ["packages/api/src/x.ts", 'import "@rampart/cli";', "app"],
  ["apps/web/src/x.ts", 'import "@rampart/db";', "arrows"],
  ["apps/web/src/x.ts", 'import { appRouter } from "@rampart/api";', "schemas"],
  ["apps/web/src/x.ts", 'import "@rampart/cli";', "app"],
  ["apps/cli/src/x.ts", 'import "@rampart/web";', "app"],
  ["apps/cli/src/x.ts", 'import "../../web/src/app/page";', "app"],
];

const allowed: Array<[string, string]> = [
  ["packages/core/src/x.ts", 'import { z } from "zod"; export const s = z.string();'],
  ["packages/db/src/x.ts", 'import "@rampart/core";'],
  ["packages/manager/src/x.ts", 'import "@rampart/db";'],
  ["packages/api/src/x.ts", 'import "@rampart/manager"; import "@trpc/server";'],
  ["apps/web/src/x.ts", 'import type { AppRouter } from "@rampart/api"; import "@rampart/api/schema"; import "@rampart/core"; export type A = AppRouter;'],
  ["apps/cli/src/x.ts", 'import "@rampart/api"; import "@rampart/db";'],
];

describe("package arrows", () => {
  it.each(refused)("fail/%s: %s", async (file, code, mentions) => {
    const found = await problems(file, code);
    expect(found.length, `no lint error for ${code} in ${file}`).toBeGreaterThan(0);
    expect(found.join(" ")).toContain(mentions);
  });

  it.each(allowed)("ok/%s: %s", async (file, code) => {
    expect(await problems(file, code)).toEqual([]);
  });
});
