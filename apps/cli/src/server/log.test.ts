import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger, prettyDestination, prettyLine } from "./log.js";

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

describe("pretty logs", () => {
  function capture() {
    let text = "";
    return { out: { write: (t: string) => (text += t) }, text: () => text };
  }

  it("ok/show what the JSON shows, after redaction: a censored field stays censored", () => {
    const c = capture();
    const log = createLogger("info", prettyDestination(c.out));
    log.info({ password: "pw-canary", input: { code: "code-canary" }, url: "http://127.0.0.1:8080" }, "rampart server ready");
    const line = c.text();
    expect(line).toMatch(/^\d\d:\d\d:\d\d INFO {2}rampart server ready password=\[redacted\] input=\[redacted\] url=http:\/\/127\.0\.0\.1:8080\n$/);
    expect(line).not.toContain("canary");
  });

  it("ok/quote what a terminal would act on, or what blurs where a value ends", () => {
    const line = prettyLine(JSON.stringify({ level: 40, time: "2026-12-05T12:00:01.000Z", msg: "bad\u001b[2Jname", who: "a b", eq: "k=v", plain: "x" }));
    expect(line).toBe('12:00:01 WARN  "bad\\u001b[2Jname" who="a b" eq="k=v" plain=x');
  });

  it("ok/a line split across writes is printed once, whole; a line that is not JSON is printed as it is", () => {
    const c = capture();
    const sink = prettyDestination(c.out);
    const json = JSON.stringify({ level: 30, time: "2026-12-05T12:00:01.000Z", msg: "hello" });
    sink.write(json.slice(0, 10));
    expect(c.text()).toBe("");
    sink.write(`${json.slice(10)}\nnot json\n`);
    expect(c.text()).toBe("12:00:01 INFO  hello\nnot json\n");
  });
});
