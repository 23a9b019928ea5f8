"use client";

import { useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { SECRET_NAME_MAX_LENGTH } from "@rampart/core/secret";
import { useState, type FormEvent } from "react";
import { Breadcrumb } from "~/components/breadcrumb";
import { LabelRows } from "~/components/label-rows";
import { SecretValueField } from "~/components/secret-value";
import { Alert, Button, buttonClass, Card, Field, PageHeader } from "~/components/ui";
import { envHref, useEnv } from "~/lib/env";
import { describeError } from "~/lib/errors";
import { useZodForm, type FieldErrors } from "~/lib/forms";
import { draftError, draftPayload, EMPTY_VALUE, labelsFromRows, secretNameForm, wipeDraft, type LabelRow, type SecretValueDraft } from "~/lib/secrets";
import { useTRPC, useTRPCClient } from "~/lib/trpc";

/**
 * `docker secret create`, in the browser. The name is checked with Swarm's rule as you
 * type, the value's size against Swarm's limit before anything is sent, and the value
 * is sent once, base64 in the request body. It goes through the tRPC client directly,
 * not a TanStack mutation, so no cache keeps the request's variables; the page forgets
 * it as soon as the server answers.
 */
export default function NewSecretPage() {
  const trpc = useTRPC();
  const env = useEnv();
  const client = useTRPCClient();
  const router = useRouter();
  const queryClient = useQueryClient();
  const form = useZodForm(secretNameForm, { name: "" }, { mode: "onChange" });
  const nameError = form.formState.errors.name?.message;
  const [labels, setLabels] = useState<LabelRow[]>([]);
  const [value, setValue] = useState<SecretValueDraft>(EMPTY_VALUE);
  const [submitted, setSubmitted] = useState(false);
  const [serverErrors, setServerErrors] = useState<FieldErrors>({});
  const [busy, setBusy] = useState(false);

  const checkedLabels = labelsFromRows(labels);
  const valueError = draftError(value);
  const hasValue = value.source === "file" ? value.file !== null : value.text !== "";
  const shownValueError = serverErrors.data ?? (hasValue || submitted ? valueError : null);

  async function submit(event: FormEvent<HTMLFormElement>) {
    setSubmitted(true);
    setServerErrors({});
    await form.handleSubmit(send)(event);
  }

  async function send({ name }: { name: string }) {
    if (valueError || Object.keys(checkedLabels.errors).length > 0) return;
    setBusy(true);
    try {
      const created = await client.secret.create.mutate({ env, name, labels: checkedLabels.labels, data: draftPayload(value) });
      setValue(wipeDraft(value));
      await queryClient.invalidateQueries({ queryKey: trpc.secret.pathKey() });
      router.push(envHref(env, `/secrets/${created.id}?created=1`));
    } catch (error) {
      const info = describeError(error);
      if (info.field === "name") form.setError("name", { type: "server", message: info.message }, { shouldFocus: true });
      else setServerErrors({ [info.field === "data" ? "data" : info.field?.startsWith("labels") ? "labels" : "form"]: info.message });
      setBusy(false);
    }
  }

  return (
    <div className="max-w-3xl">
      <Breadcrumb trail={[{ href: envHref(env, "/secrets"), label: "Secrets" }]} current="New" />
      <PageHeader
        title="Create a secret"
        description={
          <>
            Like <code className="font-mono">docker secret create</code>. Services read it as a file, on the nodes that run their tasks only.
          </>
        }
      />
      <form onSubmit={submit} noValidate aria-label="Create a secret" className="space-y-4">
        <Card>
          <div className="space-y-6">
            <Field
              label="Name"
              {...form.register("name")}
              error={nameError}
              maxLength={SECRET_NAME_MAX_LENGTH}
              hint={`Letters, digits, '-', '_' and '.', at most ${SECRET_NAME_MAX_LENGTH}, starting and ending with a letter or digit.`}
              autoComplete="off"
              spellCheck={false}
              placeholder="db_password"
              className="font-mono"
            />
            <SecretValueField
              label="Value"
              value={value}
              onChange={(next) => (setValue(next), setServerErrors({ ...serverErrors, data: undefined }))}
              error={shownValueError}
            />
            <fieldset className="space-y-2">
              <legend className="block text-sm font-medium text-zinc-800 dark:text-zinc-200">Labels</legend>
              <p className="text-xs text-zinc-500 dark:text-zinc-400">Optional. Labels are the only part of a secret that can change later.</p>
              <LabelRows rows={labels} onChange={setLabels} errors={submitted ? checkedLabels.errors : {}} />
              {serverErrors.labels && <p className="text-sm text-red-700 dark:text-red-400">{serverErrors.labels}</p>}
            </fieldset>
          </div>
        </Card>
        <Alert tone="info" title="The value is shown once: now, while you type it">
          {env === undefined
            ? "After the secret is created its value is sealed in the store and never shown again: not on any page, by the API or by the CLI."
            : "The value goes to Docker once, which keeps it in the swarm's encrypted Raft log; Rampart stores no copy and never shows it again, on any page, by the API or by the CLI."}{" "}
          Only the nodes that run a task of a service granted the secret receive it. To change it, rotate it.
        </Alert>
        {serverErrors.form && <Alert>{serverErrors.form}</Alert>}
        <div className="flex justify-end gap-2">
          <Link href={envHref(env, "/secrets")} className={buttonClass("secondary")}>
            Cancel
          </Link>
          <Button type="submit" busy={busy}>
            Create secret
          </Button>
        </div>
      </form>
    </div>
  );
}
