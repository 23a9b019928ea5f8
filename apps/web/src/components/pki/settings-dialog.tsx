"use client";

import { DURATION_TEXT_MAX_LENGTH } from "@rampart/api/schema";
import { formatGoDuration, humanDuration, parseGoDuration } from "@rampart/core";
import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { useFieldArray, type FieldPath } from "react-hook-form";
import { hintClass, labelClass } from "~/components/form-parts";
import { Alert, Button, Dialog, Field, Select } from "~/components/ui";
import { describeError } from "~/lib/errors";
import { formError, useZodForm } from "~/lib/forms";
import { useTRPC } from "~/lib/trpc";
import { ExternalCaRows } from "./external-ca-rows";
import { EXTERNAL_CA_URL_MAX_LENGTH, PKI_PEM_MAX_LENGTH, externalCasChanged, formFieldOf, settingsDefaults, settingsForm, type PkiStatus, type SettingsValues } from "./model";
import { PemField } from "~/components/pem-field";

/** Only CFSSL exists (swarm-semantics §4.9). */
const PROTOCOLS = [{ value: "cfssl", label: "cfssl" }];

const UNDER_HINT: Record<string, string> = {
  "current root": "Empty: it signs under the current root. Paste another root's certificate if it signs under that one.",
  "new root": "The rotation's new root, which it signs under.",
  "another root": "It signs under another root, whose certificate the API does not give back: paste it again to keep this CA.",
};

/** True when the typed expiry means the one stored (`2160h` and `2160h0m0s`). */
function sameExpiry(text: string, storedMs: number): boolean {
  try {
    return parseGoDuration(text, "certExpiry") === storedMs;
  } catch {
    return false;
  }
}

/**
 * `swarm update --cert-expiry/--external-ca`: the CA settings without a rotation, checked
 * by the server as a CA change. Only what changed is sent; a refusal lands under the
 * field it names.
 */
function SettingsForm({ status, env, onClose, onSaved }: { status: PkiStatus; env: string | undefined; onClose: () => void; onSaved: (status: PkiStatus, note: string) => void }) {
  const trpc = useTRPC();
  const update = useMutation(trpc.pki.update.mutationOptions());
  const form = useZodForm(settingsForm, settingsDefaults(status, formatGoDuration(status.certExpiryMs)));
  const cas = useFieldArray({ control: form.control, name: "externalCas" });
  const errors = form.formState.errors;
  const [notice, setNotice] = useState<string | null>(null);

  function place(error: unknown) {
    const info = describeError(error);
    const field = formFieldOf(info.field);
    let target: FieldPath<SettingsValues> | "root.server" = "root.server";
    if (info.code !== "CONFLICT" && field === "certExpiry") target = "certExpiry";
    else if (info.code !== "CONFLICT" && field?.startsWith("externalCas")) {
      const match = /^externalCas\.(\d+)\.(url|caCert)$/.exec(field);
      target = match && Number(match[1]) < cas.fields.length ? (`externalCas.${Number(match[1])}.${match[2]}` as FieldPath<SettingsValues>) : "externalCas";
    }
    form.setError(target, { type: "server", message: info.code === "CONFLICT" ? `${info.message}. Close this dialog and open it again to start from the current settings.` : info.message });
  }

  const submit = form.handleSubmit(async (values) => {
    setNotice(null);
    const expiryChanged = !sameExpiry(values.certExpiry, status.certExpiryMs);
    const casChanged = externalCasChanged(status, values.externalCas);
    if (!expiryChanged && !casChanged) {
      setNotice("Nothing to save: the settings are as they were.");
      return;
    }
    try {
      const result = await update.mutateAsync({
        env,
        version: status.version,
        ...(expiryChanged ? { certExpiry: values.certExpiry.trim() } : {}),
        ...(casChanged ? { externalCas: values.externalCas.map((ca) => ({ protocol: ca.protocol, url: ca.url.trim(), caCert: ca.caCert })) } : {}),
      });
      onSaved(result, "CA settings saved.");
    } catch (error) {
      place(error);
    }
  });

  const topError = formError(errors);
  return (
    <form onSubmit={submit} noValidate className="space-y-4" aria-label="Edit CA settings">
      {topError && (
        <Alert title="The settings were not saved">
          <span data-testid="settings-error">{topError}</span>
        </Alert>
      )}
      {notice && <Alert tone="info">{notice}</Alert>}
      <Field
        label="Certificate expiry"
        {...form.register("certExpiry")}
        error={errors.certExpiry?.message}
        hint={`How long node certificates are valid, e.g. 2160h (90 days) or 720h. Now ${humanDuration(status.certExpiryMs).toLowerCase()}. Nodes move to it at their next renewal.`}
        maxLength={DURATION_TEXT_MAX_LENGTH}
        autoComplete="off"
        spellCheck={false}
        className="font-mono"
      />
      <fieldset className="space-y-2">
        <legend className={labelClass}>External CAs (CFSSL)</legend>
        <p className={hintClass}>
          CFSSL servers that sign node certificates, tried in order. The swarm checks that one answers over HTTPS for the root in use before it saves.
        </p>
        <ExternalCaRows
          ids={cas.fields.map((f) => f.id)}
          onAdd={() => cas.append({ protocol: "cfssl", url: "", caCert: "", signsUnder: "current root" })}
          onRemove={(i) => cas.remove(i)}
          error={errors.externalCas?.root?.message ?? errors.externalCas?.message}
          row={(i) => (
            <div className="space-y-2">
              <div className="grid gap-2 sm:grid-cols-[8rem_minmax(0,1fr)]">
                <Select label="Protocol" {...form.register(`externalCas.${i}.protocol`)} options={PROTOCOLS} />
                <Field
                  label="URL"
                  placeholder="https://ca.example.com:8888/api/v1/cfssl/sign"
                  {...form.register(`externalCas.${i}.url`)}
                  error={errors.externalCas?.[i]?.url?.message}
                  maxLength={EXTERNAL_CA_URL_MAX_LENGTH}
                  autoComplete="off"
                  spellCheck={false}
                  className="font-mono"
                />
              </div>
              <PemField
                maxLength={PKI_PEM_MAX_LENGTH}
                label="The root it signs under (optional)"
                hint={UNDER_HINT[form.getValues(`externalCas.${i}.signsUnder`)] ?? UNDER_HINT["current root"]!}
                error={errors.externalCas?.[i]?.caCert?.message}
                registration={form.register(`externalCas.${i}.caCert`)}
                onLoad={(text) => form.setValue(`externalCas.${i}.caCert`, text, { shouldDirty: true, shouldValidate: form.formState.isSubmitted })}
                rows={3}
              />
            </div>
          )}
        />
      </fieldset>
      <div className="flex justify-end gap-2">
        <Button variant="secondary" onClick={onClose}>
          Cancel
        </Button>
        <Button type="submit" busy={update.isPending}>
          Save settings
        </Button>
      </div>
    </form>
  );
}

export function SettingsDialog({
  open,
  onClose,
  status,
  env,
  onSaved,
}: {
  open: boolean;
  onClose: () => void;
  status: PkiStatus;
  env: string | undefined;
  onSaved: (status: PkiStatus, note: string) => void;
}) {
  return (
    <Dialog open={open} onClose={onClose} title="Edit CA settings">
      <SettingsForm status={status} env={env} onClose={onClose} onSaved={onSaved} />
    </Dialog>
  );
}
