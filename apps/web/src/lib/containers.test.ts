import { defaultContainerSpec } from "@rampart/core/service";
import { describe, expect, it } from "vitest";
import { bindRefusal, checkContainerForm, containerFormFromSpec, DEFAULT_CONTAINER_FORM, isDefaultContainer, joinWords, splitWords, weakeningsByField, type ContainerForm } from "./containers";
import type { FieldErrors } from "./forms";

const check = (over: Partial<ContainerForm>) => {
  const errors: FieldErrors = {};
  const checked = checkContainerForm({ ...DEFAULT_CONTAINER_FORM, ...over }, errors);
  return { ...checked, errors };
};

describe("splitWords", () => {
  it.each([
    ["ok/blank is none", "  ", { words: [] }],
    ["ok/spaces separate", "nginx -g  x", { words: ["nginx", "-g", "x"] }],
    ["ok/single quotes keep everything", `sh -c 'echo "$HOME"; exit 3'`, { words: ["sh", "-c", `echo "$HOME"; exit 3`] }],
    ["ok/double quotes and their escapes", `echo "a \\"b\\" \\n"`, { words: ["echo", `a "b" \\n`] }],
    ["ok/backslash outside quotes", "a\\ b", { words: ["a b"] }],
    ["ok/empty quoted word", `x ''`, { words: ["x", ""] }],
    ["ok/a JSON array, as a Dockerfile's exec form", `["nginx", "-g", "daemon off;"]`, { words: ["nginx", "-g", "daemon off;"] }],
    ["ok/a bracket that is not JSON is a character", "[ -f x ]", { words: ["[", "-f", "x", "]"] }],
    ["fail/unclosed single quote", "sh -c 'x", { error: "a single quote is not closed" }],
    ["fail/unclosed double quote", `"x`, { error: "a double quote is not closed" }],
    ["fail/trailing backslash", "x \\", { error: "a \\ at the end escapes nothing: remove it or quote it" }],
  ])("%s", (_, text, expected) => expect(splitWords(text)).toEqual(expected));

  it.each([
    ["plain words", ["nginx", "-g"]],
    ["spaces, quotes and shell characters", ["sh", "-c", `echo "it's" $HOME; exit 3`]],
    ["empty words", ["", "x", ""]],
    ["backslashes and newlines", ["a\\b", "line\nnext", "tab\there"]],
    ["a leading bracket", ["[", "x"]],
  ])("ok/joinWords is read back as the same words: %s", (_, words) => expect(splitWords(joinWords(words))).toEqual({ words }));
});

describe("checkContainerForm", () => {
  it("ok/the untouched form is core's defaults", () => {
    const { container, errors } = check({});
    expect(errors).toEqual({});
    expect(container).toEqual(defaultContainerSpec());
    expect(isDefaultContainer(container)).toBe(true);
  });

  it("ok/blank rows are dropped and the rows mapped back", () => {
    const { container, errors, envRows, mountRows } = check({
      env: [{ key: "", value: "" }, { key: "A", value: "1=2" }],
      mounts: [{ type: "tmpfs", source: "", target: "", readOnly: false, tmpfsSize: "", tmpfsMode: "" }, { type: "volume", source: "data", target: "/data", readOnly: true, tmpfsSize: "", tmpfsMode: "" }],
    });
    expect(errors).toEqual({});
    expect(container.env).toEqual(["A=1=2"]);
    expect(container.mounts).toEqual([{ type: "volume", source: "data", target: "/data", readOnly: true }]);
    expect(envRows).toEqual([1]);
    expect(mountRows).toEqual([1]);
  });

  it.each([
    ["fail/an env value without a name", { env: [{ key: "", value: "x" }] }, { "container.env.0.key": "an environment variable needs a name" }],
    ["fail/an env name twice", { env: [{ key: "A", value: "1" }, { key: "A", value: "2" }] }, { "container.env.1.key": "environment variable A is given twice" }],
    ["fail/bad grace period", { stopGracePeriod: "ten" }, { "container.stopGracePeriod": 'invalid duration "ten" for stop grace period: use a number and a unit, such as 10s or 1m30s' }],
    ["fail/bad tmpfs mode", { mounts: [{ type: "tmpfs" as const, source: "", target: "/t", readOnly: false, tmpfsSize: "", tmpfsMode: "999" }] }, { "container.mounts.0.tmpfsMode": 'invalid tmpfs mode "999": octal permission bits, e.g. 1777 or 0700' }],
    ["fail/relative mount target, core's words", { mounts: [{ type: "volume" as const, source: "", target: "data", readOnly: false, tmpfsSize: "", tmpfsMode: "" }] }, { "container.mounts.0.target": "invalid mount target, must be an absolute path: data" }],
    ["fail/unknown signal, the engine's words", { stopSignal: "SIGNOPE" }, { "container.stopSignal": "Invalid signal: SIGNOPE" }],
    ["fail/custom seccomp without a profile", { seccomp: "custom" as const }, { "container.seccompProfile": "a custom seccomp profile needs the name of a stored profile" }],
    ["fail/unclosed quote in the command", { args: "sh -c 'x" }, { "container.args": "a single quote is not closed" }],
  ])("%s", (_, over, errors) => expect(check(over as Partial<ContainerForm>).errors).toEqual(errors));

  it("ok/round-trips through the stored spec", () => {
    const spec = defaultContainerSpec({
      command: ["/bin/sh", "-c"],
      args: ["echo 'hi' && sleep 1"],
      env: ["A=1", "B="],
      labels: { team: "web" },
      stopGracePeriodNs: 90e9,
      mounts: [{ type: "tmpfs", source: "", target: "/run/x", readOnly: false, tmpfsSizeBytes: 2 ** 26, tmpfsMode: 0o700 }],
      seccomp: { mode: "custom", profile: "strict" },
      capDrop: ["ALL"],
      capAdd: ["NET_BIND_SERVICE"],
      noNewPrivileges: false,
    });
    const form = containerFormFromSpec(spec);
    expect(form).toMatchObject({ stopGracePeriod: "1m30s", seccompProfile: "strict", mounts: [{ tmpfsSize: "64", tmpfsMode: "0700" }] });
    const { container, errors } = check(form);
    expect(errors).toEqual({});
    expect(container).toEqual(spec);
  });
});

describe("weakeningsByField", () => {
  it("ok/each weakening under the field it belongs to", () => {
    const { container } = check({ seccomp: "unconfined", noNewPrivileges: false, capAdd: ["CAP_NET_ADMIN"] });
    const byField = weakeningsByField(container);
    expect([...byField.keys()]).toEqual(["container.seccomp", "container.noNewPrivileges", "container.capAdd"]);
    expect(byField.get("container.seccomp")?.[0]?.text).toBe("seccomp unconfined: every system call allowed");
  });

  it("ok/the defaults give up nothing", () => expect(weakeningsByField(defaultContainerSpec()).size).toBe(0));
});

describe("bindRefusal", () => {
  const policy = { allowedHostPaths: ["/srv"], allowHostNetwork: false, allowPrivileged: false };
  it.each([
    ["ok/allowed under a listed directory", "/srv/data", null],
    ["ok/no policy read yet says nothing", "/etc", null],
    ["fail/not listed", "/etc", "host path /etc is not in the runtime policy's allowed host paths; an administrator can allow it under Swarm settings → Runtime policy"],
    ["fail/the engine's socket", "/var/run/docker.sock", "mounting the container engine's socket /var/run/docker.sock gives the task root on its node; an administrator can allow it under Swarm settings → Runtime policy"],
  ])("%s", (name, source, expected) => expect(bindRefusal(source, name.includes("no policy") ? undefined : policy)).toBe(expected));
});
