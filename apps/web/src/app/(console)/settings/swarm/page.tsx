"use client";

import { DURATION_TEXT_MAX_LENGTH, updateSwarmInput, type SwarmInfo } from "@rampart/api/schema";
import { checkTaskHistoryLimit, formatGoDuration, humanDuration, isRampartError, parseGoDuration } from "@rampart/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { z } from "zod";
import { AutolockCard } from "~/components/autolock";
import { RuntimePolicyCard } from "~/components/runtime-policy";
import { SeccompProfilesCard } from "~/components/seccomp-profiles";
import { ErrorState, Loading, NotOnDocker } from "~/components/states";
import { Alert, Badge, Button, Card, Field, PageHeader } from "~/components/ui";
import { useEnv } from "~/lib/env";
import { describeError } from "~/lib/errors";
import { formError, showServerError, useZodForm } from "~/lib/forms";
import { useTRPC } from "~/lib/trpc";

const FIELDS = ["certExpiry", "heartbeatPeriod", "taskHistoryLimit"] as const;

interface Saved {
  version: number;
  certExpiry: string;
  heartbeatPeriod: string;
  taskHistoryLimit: string;
}

function fromInfo(info: SwarmInfo): Saved {
  return {
    version: info.version,
    certExpiry: formatGoDuration(info.certExpiryMs),
    heartbeatPeriod: formatGoDuration(info.heartbeatPeriodMs),
    taskHistoryLimit: String(info.taskHistoryLimit),
  };
}

/** `--task-history-limit` as typed: a whole number, checked with core's rule and message. */
function parseHistoryLimit(text: string): { value: number } | { error: string } {
  const value = text.trim();
  if (value === "") return { error: "task history limit is required" };
  const n = /^[+-]?\d+$/.test(value) ? Number(value) : Number.NaN;
  try {
    checkTaskHistoryLimit(n);
    return { value: n };
  } catch (error) {
    if (!isRampartError(error)) throw error;
    return { error: error.message };
  }
}

/** The longest history limit typed: a sign and the ten digits of a 32-bit number. */
const HISTORY_LIMIT_MAX_LENGTH = 12;

/**
 * The settings as typed: the durations with the update procedure's own rules, the history
 * limit as text (a whole number, checked with core's rule and message).
 */
const swarmForm = z.object({
  certExpiry: updateSwarmInput.shape.certExpiry.unwrap(),
  heartbeatPeriod: updateSwarmInput.shape.heartbeatPeriod.unwrap(),
  taskHistoryLimit: z.string().superRefine((text, ctx) => {
    const limit = parseHistoryLimit(text);
    if ("error" in limit) ctx.addIssue({ code: "custom", message: limit.error });
  }),
});

function historyLimitText(limit: number): string {
  if (limit < 0) return "every ended task is kept";
  return `${limit} ended task${limit === 1 ? "" : "s"} per slot`;
}

/** True when the text means the same duration as the saved one (`2160h` and `2160h0m0s`). */
function same(text: string, saved: string): boolean {
  if (text.trim() === saved) return true;
  try {
    return parseGoDuration(text, "") === parseGoDuration(saved, "");
  } catch {
    return false;
  }
}

/**
 * The form keeps the version it was loaded from, so saving over someone else's change
 * is refused (CONFLICT) rather than silently undoing it.
 */
function SwarmForm({ info, onReload }: { info: SwarmInfo; onReload: () => Promise<void> }) {
  const trpc = useTRPC();
  const env = useEnv();
  const queryClient = useQueryClient();
  const update = useMutation(trpc.swarm.update.mutationOptions());
  const [saved, setSaved] = useState<Saved>(() => fromInfo(info));
  const form = useZodForm(swarmForm, { certExpiry: saved.certExpiry, heartbeatPeriod: saved.heartbeatPeriod, taskHistoryLimit: saved.taskHistoryLimit });
  const errors = form.formState.errors;
  const [conflict, setConflict] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [reloading, setReloading] = useState(false);

  // The runtime policy shares the settings' version: when only it moved (these settings read again are the ones saved), follow it.
  const fresh = fromInfo(info);
  if (fresh.version > saved.version && fresh.certExpiry === saved.certExpiry && fresh.heartbeatPeriod === saved.heartbeatPeriod && fresh.taskHistoryLimit === saved.taskHistoryLimit) {
    setSaved(fresh);
  }

  const submit = form.handleSubmit(
    async (values) => {
      setNotice(null);
      setConflict(null);
      const limit = parseHistoryLimit(values.taskHistoryLimit);
      const changes = {
        ...(same(values.certExpiry, saved.certExpiry) ? {} : { certExpiry: values.certExpiry.trim() }),
        ...(same(values.heartbeatPeriod, saved.heartbeatPeriod) ? {} : { heartbeatPeriod: values.heartbeatPeriod.trim() }),
        ...("value" in limit && String(limit.value) !== saved.taskHistoryLimit ? { taskHistoryLimit: limit.value } : {}),
      };
      if (Object.keys(changes).length === 0) {
        setNotice("Nothing to save: every setting is as it was.");
        return;
      }
      try {
        const result = await update.mutateAsync({ env, version: saved.version, ...changes });
        queryClient.setQueryData(trpc.swarm.info.queryKey({ env }), result);
        void queryClient.invalidateQueries({ queryKey: trpc.swarm.runtimePolicy.queryKey() });
        const next = fromInfo(result);
        setSaved(next);
        form.reset({ certExpiry: next.certExpiry, heartbeatPeriod: next.heartbeatPeriod, taskHistoryLimit: next.taskHistoryLimit });
        setNotice("Swarm settings saved.");
      } catch (error) {
        if (describeError(error).code === "CONFLICT") setConflict(describeError(error).message);
        else showServerError(form, error, FIELDS);
      }
    },
    () => (setNotice(null), setConflict(null)),
  );

  async function reload() {
    setReloading(true);
    try {
      await onReload();
    } finally {
      setReloading(false);
    }
  }

  return (
    <form onSubmit={submit} noValidate className="space-y-5">
      {conflict && (
        <Alert tone="warning" title="Someone else changed the swarm settings">
          <p>{conflict}</p>
          <p className="mt-1">Reload to see the current settings, then make your change again.</p>
          <Button variant="secondary" className="mt-2" busy={reloading} onClick={reload}>
            Reload
          </Button>
        </Alert>
      )}
      {formError(errors) && <Alert>{formError(errors)}</Alert>}
      {notice && <Alert tone={notice.startsWith("Nothing") ? "info" : "success"}>{notice}</Alert>}
      <div className="space-y-2">
        <Field
          label="Certificate expiry"
          {...form.register("certExpiry")}
          error={errors.certExpiry?.message}
          hint={`How long new node certificates are valid, e.g. 2160h (90 days) or 720h. Now ${humanDuration(info.certExpiryMs).toLowerCase()}.`}
          autoComplete="off"
          spellCheck={false}
          className="font-mono"
          maxLength={DURATION_TEXT_MAX_LENGTH}
        />
        <p className="text-xs text-zinc-500 dark:text-zinc-400">
          Applies to certificates issued from now on. A node renews its certificate well before it expires, so every node moves
          to the new lifetime at its next renewal; certificates already issued keep their dates.
        </p>
      </div>
      <div className="space-y-2">
        <Field
          label="Heartbeat period"
          {...form.register("heartbeatPeriod")}
          error={errors.heartbeatPeriod?.message}
          hint={`How often each node reports to the managers, e.g. 5s. Now ${humanDuration(info.heartbeatPeriodMs).toLowerCase()}.`}
          autoComplete="off"
          spellCheck={false}
          className="font-mono"
          maxLength={DURATION_TEXT_MAX_LENGTH}
        />
        <p className="text-xs text-zinc-500 dark:text-zinc-400">
          Nodes pick up the new period on their next heartbeat. A node that misses several heartbeats in a row is marked Down,
          so a longer period also means a failed node is noticed later.
        </p>
      </div>
      <div className="space-y-2">
        <Field
          label="Task history limit"
          {...form.register("taskHistoryLimit")}
          inputMode="numeric"
          error={errors.taskHistoryLimit?.message}
          hint={`Ended tasks kept for each slot (Swarm's default is 5). Now ${historyLimitText(info.taskHistoryLimit)}.`}
          autoComplete="off"
          className="font-mono"
          maxLength={HISTORY_LIMIT_MAX_LENGTH}
        />
        <p className="text-xs text-zinc-500 dark:text-zinc-400">
          The task reaper deletes a slot&apos;s oldest ended tasks beyond this number, so they leave the service&apos;s task history. 0
          keeps none; a negative number keeps every task.
        </p>
      </div>
      <p className="text-xs text-zinc-500 dark:text-zinc-400">
        Durations are written the way Go and the docker CLI write them: a number and a unit (h, m, s), for example 720h, 90m or
        1h30m.
      </p>
      <div className="flex justify-end">
        <Button type="submit" busy={update.isPending} disabled={conflict !== null}>
          Save settings
        </Button>
      </div>
    </form>
  );
}

export default function SwarmSettingsPage() {
  const trpc = useTRPC();
  const env = useEnv();
  const info = useQuery(trpc.swarm.info.queryOptions({ env }));
  // Bumped by Reload: the form starts over from the settings as they are now.
  const [generation, setGeneration] = useState(0);

  async function reload() {
    await info.refetch();
    setGeneration((g) => g + 1);
  }

  return (
    <>
      <PageHeader
        title="Swarm settings"
        description={`Settings that apply to the whole swarm: certificates, heartbeats, task history${env === undefined ? ", and what services may reach of their nodes" : ""}.`}
      />
      <Card className="max-w-2xl">
        {info.data ? (
          <SwarmForm key={generation} info={info.data} onReload={reload} />
        ) : info.isError ? (
          <ErrorState title="Swarm settings are not available" error={info.error} onRetry={() => info.refetch()} />
        ) : (
          <Loading label="Loading swarm settings" blocks={2} className="h-16" />
        )}
      </Card>
      {env === undefined ? (
        <AutolockCard className="mt-4 max-w-2xl" />
      ) : (
        info.data && (
          <Card title="Autolock" className="mt-4 max-w-2xl" actions={info.data.autolock ? <Badge tone="good">On</Badge> : <Badge tone="warn">Off</Badge>}>
            <div className="space-y-2 text-sm" data-testid="autolock-card">
              <p>
                With autolock on, Docker encrypts the managers&apos; raft keys with an unlock key: a manager that restarts stays locked until
                someone gives it the key (<code>docker swarm unlock</code>), so a stolen disk does not hold the swarm&apos;s secrets in the clear.
              </p>
              {!info.data.autolock && (
                <p className="text-zinc-600 dark:text-zinc-400">
                  Turn it on with <code>docker swarm update --autolock=true</code> on a manager, and keep the unlock key it prints somewhere safe:
                  Rampart does not hold or change it.
                </p>
              )}
            </div>
          </Card>
        )
      )}
      <div className="mt-4 space-y-4">
        {env === undefined ? (
          <>
            <RuntimePolicyCard />
            <SeccompProfilesCard />
          </>
        ) : (
          <NotOnDocker title="Runtime policy and seccomp profiles" className="max-w-2xl">
            Not on a Docker Swarm. The runtime policy and the stored seccomp profiles are Rampart&apos;s own: its agents enforce them on its own
            cluster&apos;s nodes. A Docker Swarm&apos;s engines run what each service&apos;s spec asks for, and the Security panel of each service
            says what it gives up.
          </NotOnDocker>
        )}
      </div>
    </>
  );
}
