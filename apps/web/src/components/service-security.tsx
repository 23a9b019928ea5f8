"use client";

import type { RuntimePolicy, Weakening } from "@rampart/core/service";
import Link from "next/link";
import { useId, useState } from "react";
import { ADD_CHOICES, capabilityName, DROP_CHOICES, isEngineDefaultCapability, type ContainerForm, type SeccompMode } from "~/lib/containers";
import { useEnv } from "~/lib/env";
import type { FieldErrors } from "~/lib/forms";
import { WeakenedFlag } from "./badges";
import { CheckField, FieldError, Fieldset, hintClass, inputClass, labelClass, okBorder } from "./form-parts";
import { NO_RUNTIME_POLICY, RUNTIME_POLICY_HREF } from "./service-container";
import { Button, Field, linkClass } from "./ui";

/**
 * The container's hardening: seccomp, AppArmor, no-new-privileges, a read-only root,
 * capabilities, and the two settings that reach the host (privileged, host network).
 * The defaults are the safe ones; every setting that gives a protection up is flagged
 * beside it as you change it, with core's words for what it gives up.
 */

export const SECCOMP_PROFILES_HREF = "/settings/swarm#seccomp-profiles";

export interface SeccompProfiles {
  names: readonly string[] | undefined;
  loading: boolean;
  error: string | null;
  retry: () => void;
  /** Why there are no stored profiles to choose from here at all (a Docker Swarm). */
  unavailable?: string;
}

/** Custom profiles are stored by Rampart for its own cluster's agents. */
export const SECCOMP_PROFILES_NOT_ON_DOCKER = "Rampart's stored seccomp profiles are for its own cluster: a Docker Swarm has none to choose from here.";

const SECCOMP: ReadonlyArray<{ value: SeccompMode; label: string; hint: string }> = [
  { value: "default", label: "Default", hint: "The engine's profile: about 44 risky system calls refused (recommended)." },
  { value: "unconfined", label: "Unconfined", hint: "No filter: every system call is allowed." },
  { value: "custom", label: "Custom profile", hint: "A profile stored in Swarm settings, sent to the nodes that run the tasks." },
];

const texts = (w: readonly Weakening[] | undefined) => (w ?? []).map((x) => x.text);

function SeccompFields({ value, onChange, errors, weak, profiles }: { value: ContainerForm; onChange: (value: ContainerForm) => void; errors: FieldErrors; weak: ReadonlyMap<string, Weakening[]>; profiles: SeccompProfiles }) {
  const id = useId();
  const env = useEnv();
  const names = profiles.names ?? [];
  // A profile the spec names that the list does not have (removed, or still loading) stays choosable, marked.
  const listed = value.seccompProfile === "" || names.includes(value.seccompProfile) ? names : [value.seccompProfile, ...names];
  const profileError = errors["container.seccompProfile"];
  return (
    <Fieldset legend="Seccomp" hint="Which system calls a task may make.">
      <div className="grid gap-2 sm:grid-cols-3">
        {SECCOMP.map((o) => (
          <label
            key={o.value}
            className={`flex cursor-pointer gap-2 rounded-md border p-2 text-sm has-[:focus-visible]:outline-2 has-[:focus-visible]:outline-sky-600 ${
              value.seccomp === o.value ? "border-sky-600 bg-sky-50 dark:border-sky-500 dark:bg-sky-950/40" : "border-zinc-300 dark:border-zinc-700"
            }`}
          >
            <input
              type="radio"
              name={`${id}-seccomp`}
              value={o.value}
              checked={value.seccomp === o.value}
              onChange={() => onChange({ ...value, seccomp: o.value, seccompProfile: o.value === "custom" ? value.seccompProfile : "" })}
              className="mt-0.5 size-4 accent-sky-700"
            />
            <span>
              <span className="block font-medium">{o.label}</span>
              <span className={hintClass}>{o.hint}</span>
            </span>
          </label>
        ))}
      </div>
      {errors["container.seccomp"] && (
        <div role="alert">
          <FieldError>{errors["container.seccomp"]}</FieldError>
        </div>
      )}
      <WeakenedFlag texts={texts(weak.get("container.seccomp"))} />
      {value.seccomp === "custom" && (
        <div className="space-y-1">
          <label htmlFor={`${id}-profile`} className={labelClass}>
            Seccomp profile
          </label>
          <div className="flex flex-wrap items-center gap-2">
            <select
              id={`${id}-profile`}
              value={value.seccompProfile}
              onChange={(e) => onChange({ ...value, seccompProfile: e.target.value })}
              disabled={profiles.loading && listed.length === 0}
              aria-invalid={profileError ? true : undefined}
              aria-describedby={`${id}-profile-note`}
              className={`${inputClass} max-w-sm font-mono ${profileError ? "border-red-600 dark:border-red-500" : okBorder}`}
            >
              <option value="">{profiles.loading ? "Loading profiles…" : names.length === 0 ? "No profiles stored" : "Choose a profile…"}</option>
              {listed.map((n) => (
                <option key={n} value={n}>
                  {names.includes(n) || profiles.loading ? n : `${n} (not found)`}
                </option>
              ))}
            </select>
            {env === undefined && (
              <Link href={SECCOMP_PROFILES_HREF} className={`text-sm ${linkClass}`}>
                Manage profiles
              </Link>
            )}
          </div>
          <div id={`${id}-profile-note`}>
            {profileError ? (
              <p role="alert" className="text-sm text-red-700 dark:text-red-400">
                {profileError}
              </p>
            ) : profiles.unavailable ? (
              <p className={hintClass}>{profiles.unavailable}</p>
            ) : profiles.error ? (
              <p className="text-sm text-red-700 dark:text-red-400">
                The profiles could not be read: {profiles.error}{" "}
                <Button variant="ghost" className="px-1 py-0 text-xs" onClick={profiles.retry}>
                  Try again
                </Button>
              </p>
            ) : !profiles.loading && names.length === 0 ? (
              <p className={hintClass}>No profile is stored yet: add one under Swarm settings → Seccomp profiles.</p>
            ) : (
              <p className={hintClass}>Profiles cannot change once stored; a new version is a new name.</p>
            )}
          </div>
        </div>
      )}
    </Fieldset>
  );
}

/** Chips of capabilities with Remove, and a picker of the known ones to add. */
function CapabilityPicker({
  verb,
  legend,
  hint,
  values,
  choices,
  onChange,
  error,
  flagged,
}: {
  verb: "add" | "drop";
  legend: string;
  hint: string;
  values: readonly string[];
  choices: readonly string[];
  onChange: (values: string[]) => void;
  error: string | undefined;
  /** Each chosen one is a weakening (capabilities added). */
  flagged: boolean;
}) {
  const id = useId();
  const [choice, setChoice] = useState("");
  const available = choices.filter((c) => !values.includes(c));
  const add = () => {
    if (choice === "") return;
    onChange([...values, choice]);
    setChoice("");
  };
  const describe = (cap: string) => (cap === "ALL" ? "ALL (every capability)" : `${capabilityName(cap)}${isEngineDefaultCapability(cap) ? " (a default one)" : ""}`);
  return (
    <Fieldset legend={legend} hint={hint}>
      {values.length === 0 ? (
        <p className="text-sm text-zinc-500">None.</p>
      ) : (
        <ul className="flex flex-wrap gap-1" aria-label={legend}>
          {values.map((cap) => (
            <li
              key={cap}
              className={`inline-flex items-center gap-1 rounded py-0.5 pr-0.5 pl-1.5 font-mono text-xs ${
                flagged ? "bg-amber-100 text-amber-900 dark:bg-amber-900/60 dark:text-amber-100" : "bg-zinc-100 dark:bg-zinc-800"
              }`}
            >
              {capabilityName(cap)}
              <button
                type="button"
                onClick={() => onChange(values.filter((v) => v !== cap))}
                aria-label={`Remove ${capabilityName(cap)} from ${legend.toLowerCase()}`}
                className="rounded px-1 text-zinc-500 hover:bg-zinc-200 hover:text-zinc-900 focus-visible:outline-2 focus-visible:outline-sky-600 dark:hover:bg-zinc-700 dark:hover:text-white"
              >
                ✕
              </button>
            </li>
          ))}
        </ul>
      )}
      <div className="flex items-end gap-2">
        <div className="min-w-0 flex-1 space-y-1">
          <label htmlFor={id} className="sr-only">
            {`Capability to ${verb}`}
          </label>
          <select id={id} value={choice} onChange={(e) => setChoice(e.target.value)} className={`${inputClass} ${okBorder} font-mono`}>
            <option value="">Choose a capability…</option>
            {available.map((c) => (
              <option key={c} value={c}>
                {describe(c)}
              </option>
            ))}
          </select>
        </div>
        <Button variant="secondary" onClick={add} disabled={choice === ""}>
          {verb === "add" ? "Add" : "Drop"}
        </Button>
      </div>
      {error && (
        <div role="alert">
          <FieldError>{error}</FieldError>
        </div>
      )}
    </Fieldset>
  );
}

/** What the runtime policy says of a host setting, with the way to it; a warning only when it is asked for and refused. */
function PolicyNote({ allowed, asked, what }: { allowed: boolean | undefined; asked: boolean; what: string }) {
  if (useEnv() !== undefined) {
    return (
      <p className={hintClass} data-testid="policy-note">
        {NO_RUNTIME_POLICY}
      </p>
    );
  }
  return (
    <p className={hintClass} data-testid="policy-note">
      {allowed === undefined ? (
        `${what} needs the runtime policy's leave. `
      ) : allowed ? (
        "Allowed by the runtime policy. "
      ) : asked ? (
        <span className="text-amber-800 dark:text-amber-300">{`The runtime policy does not allow ${what.toLowerCase()}: saving will be refused. `}</span>
      ) : (
        "Refused by the runtime policy. "
      )}
      <Link href={RUNTIME_POLICY_HREF} className={linkClass}>
        Runtime policy
      </Link>
    </p>
  );
}

export function SecurityFields({
  value,
  onChange,
  errors,
  weak,
  policy,
  profiles,
}: {
  value: ContainerForm;
  onChange: (value: ContainerForm) => void;
  errors: FieldErrors;
  /** core's weakenings of the container as built now, by field. */
  weak: ReadonlyMap<string, Weakening[]>;
  policy: RuntimePolicy | undefined;
  profiles: SeccompProfiles;
}) {
  const set = <K extends keyof ContainerForm>(key: K, v: ContainerForm[K]) => onChange({ ...value, [key]: v });
  const allDropped = value.capDrop.includes("ALL");
  const env = useEnv();
  return (
    <div className="space-y-6">
      <SeccompFields value={value} onChange={onChange} errors={errors} weak={weak} profiles={profiles} />

      <div className="space-y-1">
        <Field
          label="AppArmor profile"
          value={value.apparmor}
          onChange={(e) => set("apparmor", e.target.value)}
          error={errors["container.apparmor"]}
          hint="A profile loaded on the nodes. Blank: the engine's default (docker-default). Nodes without AppArmor cannot enforce it."
          placeholder="docker-default"
          list="apparmor-profiles"
          maxLength={128}
          autoComplete="off"
          spellCheck={false}
          className="font-mono"
        />
        <datalist id="apparmor-profiles">
          <option value="docker-default" />
          <option value="unconfined" />
        </datalist>
        <WeakenedFlag texts={texts(weak.get("container.apparmor"))} />
      </div>

      <div className="grid gap-4 sm:grid-cols-2">
        <CheckField
          label="No new privileges"
          checked={value.noNewPrivileges}
          onChange={(v) => set("noNewPrivileges", v)}
          error={errors["container.noNewPrivileges"]}
          hint="setuid programs cannot gain privileges. On by default."
          testId="field-no-new-privileges"
        >
          <WeakenedFlag texts={texts(weak.get("container.noNewPrivileges"))} />
        </CheckField>
        <CheckField
          label="Read-only root file system"
          checked={value.readOnly}
          onChange={(v) => set("readOnly", v)}
          error={errors["container.readOnly"]}
          hint="Recommended: the task writes only to its mounts (add a tmpfs for /tmp)."
        />
      </div>

      <div className="grid gap-4 sm:grid-cols-2">
        <CapabilityPicker
          verb="drop"
          legend="Capabilities to drop"
          hint={allDropped ? "Every capability is dropped: the task has only those added back." : "Drop ALL, then add back only what the image needs."}
          values={value.capDrop}
          choices={DROP_CHOICES}
          onChange={(v) => set("capDrop", v)}
          error={errors["container.capDrop"]}
          flagged={false}
        />
        <div className="space-y-1">
          <CapabilityPicker
            verb="add"
            legend="Capabilities to add"
            hint="Each one added widens what the task can do to its node."
            values={value.capAdd}
            choices={ADD_CHOICES}
            onChange={(v) => set("capAdd", v)}
            error={errors["container.capAdd"]}
            flagged
          />
          <WeakenedFlag texts={texts(weak.get("container.capAdd"))} />
        </div>
      </div>

      <Fieldset
        legend="Host access"
        hint={`Each of these breaks the isolation between a task and its node${env === undefined ? ", and is refused unless the runtime policy allows it" : ""}.`}
      >
        <CheckField
          label="Privileged"
          checked={value.privileged}
          onChange={(v) => set("privileged", v)}
          error={errors["container.privileged"]}
          hint="Every capability and every device of the host: the task is root on its node."
          testId="field-privileged"
        >
          <WeakenedFlag texts={texts(weak.get("container.privileged"))} />
          <PolicyNote allowed={policy?.allowPrivileged} asked={value.privileged} what="Privileged" />
        </CheckField>
        <CheckField
          label="Host network"
          checked={value.hostNetwork}
          onChange={(v) => set("hostNetwork", v)}
          error={errors["container.hostNetwork"]}
          hint="The node's own network namespace (--network host): every interface and port of the host."
          testId="field-host-network"
        >
          <WeakenedFlag texts={texts(weak.get("container.hostNetwork"))} />
          <PolicyNote allowed={policy?.allowHostNetwork} asked={value.hostNetwork} what="Host networking" />
        </CheckField>
      </Fieldset>
    </div>
  );
}
