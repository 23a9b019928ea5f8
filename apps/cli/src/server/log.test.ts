import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger } from "./log.js";

describe("logger", () => {
  it("ok/writes JSON lines and censors secret-bearing fields at any depth it knows", async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _e, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const log = createLogger("debug", sink);
    log.info(
      {
        password: "pw-canary",
        token: "tok-canary",
        user: { password: "pw2-canary", secret: "sec-canary" },
        req: { headers: { cookie: "__Host-rampart_session=cookie-canary", authorization: "Bearer auth-canary" } },
        input: { anything: "input-canary" },
        request: { sessionToken: "session-canary", bearerToken: "bearer-canary" },
        deep: { a: { password: "deep-canary" } },
        kept: "visible",
      },
      "event",
    );
    await new Promise((r) => setTimeout(r, 10));
    const line = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(line.msg).toBe("event");
    expect(line.kept).toBe("visible");
    const text = lines.join("");
    for (const canary of ["pw-canary", "tok-canary", "pw2-canary", "sec-canary", "cookie-canary", "auth-canary", "input-canary", "session-canary", "bearer-canary", "deep-canary"]) {
      expect(text).not.toContain(canary);
    }
    expect(text).toContain("[redacted]");
  });
});
