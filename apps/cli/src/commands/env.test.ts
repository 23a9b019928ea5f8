import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { AdminClient } from "../client/index.js";
import { UsageError } from "./cli.js";
import { envAdd, MAX_PEM_FILE_BYTES } from "./env.js";

/**
 * `rampart env add`'s TLS files are read before anything is sent: a path that is not a
 * regular file of a PEM's size is refused at its flag, without reading it (a device or a
 * FIFO would be read for ever, or block).
 */
describe("env add's TLS files", () => {
  const dir = mkdtempSync(join(tmpdir(), "rampart-env-pem-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** The client the command would call, which records what it was given. */
  const sent: unknown[] = [];
  const client = { environment: { add: { mutate: async (input: unknown) => (sent.push(input), { name: "prod", insecure: false, clusterId: "swarm-id" }) } } } as unknown as AdminClient;
  const add = (file: string) => envAdd(client, () => undefined, ["prod"], { "docker-host": "tcp://127.0.0.1:2376", tlscacert: file });

  async function refusal(file: string): Promise<string> {
    try {
      await add(file);
    } catch (error) {
      expect(error).toBeInstanceOf(UsageError);
      return (error as Error).message;
    }
    throw new Error("the file was taken");
  }

  it("ok/a PEM file is read and sent", async () => {
    const pem = join(dir, "ca.pem");
    writeFileSync(pem, "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
    expect(await add(pem)).toBe(0);
    expect(sent.at(-1)).toMatchObject({ tlsCa: "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n" });
  });

  it("ok/the largest file taken", async () => {
    const pem = join(dir, "big.pem");
    writeFileSync(pem, "x".repeat(MAX_PEM_FILE_BYTES));
    expect(await add(pem)).toBe(0);
  });

  it("fail/a device is no PEM file: /dev/zero would be read for ever", async () => {
    expect(await refusal("/dev/zero")).toBe("--tlscacert: /dev/zero is not a regular file: give the PEM file itself");
  });

  it("fail/a directory", async () => {
    expect(await refusal(dir)).toBe(`--tlscacert: ${dir} is not a regular file: give the PEM file itself`);
  });

  it("fail/a FIFO is refused without waiting for a writer", async () => {
    const fifo = join(dir, "fifo");
    expect(spawnSync("mkfifo", [fifo]).status).toBe(0);
    expect(await refusal(fifo)).toBe(`--tlscacert: ${fifo} is not a regular file: give the PEM file itself`);
  });

  it("fail/a file over 64 KiB", async () => {
    const big = join(dir, "huge.pem");
    writeFileSync(big, "x".repeat(MAX_PEM_FILE_BYTES + 1));
    expect(await refusal(big)).toBe(`--tlscacert: ${big} is ${MAX_PEM_FILE_BYTES + 1} bytes: a PEM file here is at most ${MAX_PEM_FILE_BYTES} bytes`);
  });

  it("fail/a file that does not exist", async () => {
    expect(await refusal(join(dir, "none.pem"))).toBe(`--tlscacert: cannot read ${join(dir, "none.pem")}: no such file`);
  });
});
