import type { LogMessage } from "../client.js";

/**
 * The engine's log stream for a container without a TTY: frames of an 8-byte header
 * (stream 1 = stdout, 2 = stderr; a big-endian length) and the payload, each line
 * prefixed with its RFC 3339 time when asked for timestamps. Frames may split anywhere
 * across chunks, and a line across frames.
 */
export class LogDecoder {
  private buffer: Buffer = Buffer.alloc(0);
  private partial: Record<"stdout" | "stderr", string> = { stdout: "", stderr: "" };

  constructor(
    private readonly taskId: string,
    /** Longest line kept; the rest of a longer one is cut. */
    private readonly maxLine: number,
  ) {}

  /** The whole lines in `chunk` (and what came before it). */
  push(chunk: Buffer): LogMessage[] {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    const out: LogMessage[] = [];
    while (this.buffer.length >= 8) {
      const size = this.buffer.readUInt32BE(4);
      if (this.buffer.length < 8 + size) break;
      const stream = this.buffer[0] === 2 ? "stderr" : "stdout";
      const text = this.partial[stream] + this.buffer.subarray(8, 8 + size).toString("utf8");
      this.buffer = this.buffer.subarray(8 + size);
      const lines = text.split("\n");
      let rest = lines.pop()!;
      for (const line of lines) out.push(this.message(stream, line));
      // Output with no newline is sent in pieces, as the engine's own log driver splits it, never held whole.
      while (rest.length > this.maxLine) {
        out.push(this.message(stream, rest.slice(0, this.maxLine)));
        rest = rest.slice(this.maxLine);
      }
      this.partial[stream] = rest;
    }
    return out;
  }

  /** What is left when the stream ends: a last line without a newline. */
  end(): LogMessage[] {
    const out: LogMessage[] = [];
    for (const stream of ["stdout", "stderr"] as const) {
      if (this.partial[stream] !== "") out.push(this.message(stream, this.partial[stream]));
      this.partial[stream] = "";
    }
    return out;
  }

  private message(stream: "stdout" | "stderr", raw: string): LogMessage {
    // `2026-12-06T20:10:00.123456789Z text`: the engine's time, then the line.
    const space = raw.indexOf(" ");
    const stamp = space > 0 ? raw.slice(0, space) : "";
    const valid = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(stamp);
    const time = valid ? stamp.replace(/\.(\d{3})\d+/, ".$1") : new Date().toISOString();
    const line = (valid ? raw.slice(space + 1) : raw).replace(/\r$/, "");
    return { taskId: this.taskId, stream, time, line: line.length > this.maxLine ? line.slice(0, this.maxLine) : line };
  }
}

/** Largest request body the node endpoint takes is 64 KiB; batches stay well under it. */
export const MAX_BATCH_BYTES = 48 * 1024;
