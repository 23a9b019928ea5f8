import { describe, expect, it } from "vitest";
import { secretPath, SecretStoreError } from "./secrets.js";

const ROOT = "/dev/shm/r";
const TASK = "abcdefghijklmnopqrstuvwxy";
const escapes = (target: string) => `secret target ${JSON.stringify(target)} escapes the task's directory`;

/** What `fn` threw, so its class and its whole message can both be checked. */
function thrownBy(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error("nothing was thrown");
}

/** A reference's target names a file inside its task's directory, and nowhere else. */
describe("secretPath", () => {
  it.each([
    ["ok/a plain name", "db_password", `${ROOT}/${TASK}/db_password`],
    ["ok/a name in a subdirectory", "sub/x", `${ROOT}/${TASK}/sub/x`],
    ["ok/a detour that stays inside", "a/../b", `${ROOT}/${TASK}/b`],
  ])("%s", (_name, target, path) => {
    expect(secretPath(ROOT, TASK, target)).toBe(path);
  });

  it.each([
    ["fail/the parent directory", "../x"],
    ["fail/an absolute path", "/etc/passwd"],
    ["fail/a detour that leaves", "a/../../x"],
    ["fail/empty", ""],
    ["fail/the parent itself", ".."],
    ["fail/the task's directory itself", "."],
    ["fail/a detour back to the task's directory", "a/.."],
  ])("%s", (_name, target) => {
    const error = thrownBy(() => secretPath(ROOT, TASK, target));
    expect(error).toBeInstanceOf(SecretStoreError);
    expect((error as Error).message).toBe(escapes(target));
  });

  it.each([
    ["fail/a task ID that climbs out of the root", "../x"],
    ["fail/an empty task ID", ""],
    ["fail/a task ID with a separator", "a/b"],
  ])("%s", (_name, taskId) => {
    const error = thrownBy(() => secretPath(ROOT, taskId, "x"));
    expect(error).toBeInstanceOf(SecretStoreError);
    expect((error as Error).message).toBe(`task ID ${JSON.stringify(taskId)} is not a task ID`);
  });
});
