import { readdir, readFile, stat } from "node:fs/promises";
import { join, relative } from "node:path";

export interface SecretFile {
  /** `<task-id>/<target>`, relative to the secrets root. */
  path: string;
  /** Permission bits, e.g. 0o400. */
  mode: number;
  content: string;
}

/** Every file under an agent's secrets root, sorted by path; none if the root is gone. */
export async function secretFiles(root: string): Promise<SecretFile[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch(() => []);
  const files: SecretFile[] = [];
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const full = join(entry.parentPath, entry.name);
    const [info, content] = await Promise.all([stat(full), readFile(full, "utf8")]).catch(() => [null, ""] as const);
    if (info) files.push({ path: relative(root, full), mode: info.mode & 0o777, content });
  }
  return files.sort((a, b) => a.path.localeCompare(b.path));
}
