"use client";

import { DURATION_TEXT_MAX_LENGTH } from "@rampart/api/schema";
import { humanDuration, parseGoDuration } from "@rampart/core";
import { useId, useState } from "react";
import { useFieldArray, type FieldPath } from "react-hook-form";
import { Alert, Button, Dialog, Field } from "~/components/ui";
import { hintClass, labelClass } from "~/components/form-parts";
import { describeError } from "~/lib/errors";
import { formError, useZodForm } from "~/lib/forms";
import { useTRPCClient } from "~/lib/trpc";
import { ExternalCaRows } from "./external-ca-rows";
import { EXTERNAL_CA_URL_MAX_LENGTH, PKI_PEM_MAX_LENGTH, ROTATE_DEFAULTS, ROTATE_MODES, formFieldOf, rotateForm, rotateInput, type PkiStatus, type RotateMode, type RotateValues } from "./model";
import { PemField } from "~/components/pem-field";

const MODES: Record<RotateMode, { label: string; hint: string; summary: string }> = {
  generate: {
    label: "Generate a new root",
    hint: "The swarm makes a new root CA (ECDSA P-256, valid 20 years) and keeps its key sealed in the store.",
    summary: "a new root the swarm makes (ECDSA P-256, valid 20 years), its key sealed in the store",
  },
  given: {
    label: "Use my certificate and key",
    hint: "A root CA certificate and its private key, in PEM: the swarm signs with that key from now on.",
    summary: "the root certificate and key you gave",
  },
  external: {
    label: "A certificate signed by external CAs",
    hint: "A root CA certificate whose key stays with your CFSSL servers: they sign every node certificate under it.",
    summary: "the root certificate you gave, its key kept by the external CAs",
  },
};

/** The dialog's own fields, for placing a server error under the one it names. */
const FIELDS_OF: Record<RotateMode, readonly string[]> = {
  generate: ["certExpiry"],
  given: ["caCert", "caKey", "certExpiry"],
  external: ["caCert", "certExpiry"],
};

/**
 * `swarm ca --rotate` in two steps: the new root (made, given with its key, or given and
 * signed by external CAs) and an optional expiry; then what will happen, to confirm.
 * A refusal lands under the field it names, back on the first step. The CA key goes
 * through the tRPC client (no query cache keeps it) and the form, with the key, goes
 * when the dialog closes.
 */
function RotateForm({ status, env, onClose, onRotated }: { status: PkiStatus; env: string | undefined; onClose: () => void; onRotated: (status: PkiStatus) => void }) {
  const client = useTRPCClient();
  const form = useZodForm(rotateForm, ROTATE_DEFAULTS);
  const cas = useFieldArray({ control: form.control, name: "externalCas" });
  const errors = form.formState.errors;
  const mode = form.watch("mode");
  const [step, setStep] = useState<"form" | "confirm">("form");
  const [busy, setBusy] = useState(false);
  const id = useId();

  const toConfirm = form.handleSubmit(() => {
    form.clearErrors("root.server");
    setStep("confirm");
  });

  /** A refusal: under the field it names (back on the first step), or at the top of the dialog. */
  function place(error: unknown) {
    const info = describeError(error);
    const field = formFieldOf(info.field);
    const conflict = info.code === "CONFLICT";
    let target: FieldPath<RotateValues> | "root.server" = "root.server";
    if (!conflict && field && FIELDS_OF[mode].includes(field)) target = field as FieldPath<RotateValues>;
    else if (!conflict && field?.startsWith("externalCas") && mode === "external") {
      const match = /^externalCas\.(\d+)\.url$/.exec(field);
      target = match && Number(match[1]) < cas.fields.length ? `externalCas.${Number(match[1])}.url` : "externalCas";
    }
    const message = conflict ? `${info.message}. The page has read the swarm again: confirm once more to rotate.` : info.message;
    form.setError(target, { type: "server", message });
    if (target !== "root.server") {
      setStep("form");
      if (target !== "externalCas") requestAnimationFrame(() => form.setFocus(target as FieldPath<RotateValues>));
    }
  }

  async function rotate() {
    const values = rotateForm.safeParse(form.getValues());
    if (!values.success) {
      setStep("form");
      void toConfirm();
      return;
    }
    form.clearErrors("root.server");
    setBusy(true);
    try {
      const result = await client.pki.rotate.mutate({ env, ...rotateInput(values.data, status.version) });
      form.reset(ROTATE_DEFAULTS);
      onRotated(result);
    } catch (error) {
      place(error);
    } finally {
      setBusy(false);
    }
  }

  const topError = formError(errors);
  const expiry = form.watch("certExpiry").trim();
  const expiryMs = (() => {
    try {
      return expiry ? parseGoDuration(expiry, "certExpiry") : undefined;
    } catch {
      return undefined;
    }
  })();
  const urls = form.watch("externalCas").filter((ca) => ca.url.trim() !== "").length;

  return (
    <form onSubmit={step === "form" ? toConfirm : (e) => (e.preventDefault(), void rotate())} noValidate className="space-y-4" aria-label="Rotate the root CA">
      {topError && (
        <Alert title="The root was not rotated">
          <span data-testid="rotate-error">{topError}</span>
        </Alert>
      )}
      <div hidden={step !== "form"} className="space-y-4">
        <fieldset className="space-y-2">
          <legend className={labelClass}>The new root</legend>
          {ROTATE_MODES.map((m) => (
            <label key={m} className="flex items-start gap-2 rounded-md border border-zinc-200 p-2 text-sm has-[:checked]:border-sky-600 dark:border-zinc-800 dark:has-[:checked]:border-sky-500">
              <input type="radio" value={m} {...form.register("mode")} aria-describedby={`${id}-${m}`} className="mt-0.5 size-4 shrink-0 accent-sky-700" />
              <span className="min-w-0">
                <span className="block font-medium">{MODES[m].label}</span>
                {/* The mode's name is the label; this says what it means. */}
                <span id={`${id}-${m}`} aria-hidden="true" className={`block ${hintClass}`}>
                  {MODES[m].hint}
                </span>
              </span>
            </label>
          ))}
        </fieldset>
        {mode !== "generate" && (
          <PemField
            maxLength={PKI_PEM_MAX_LENGTH}
            label="Root CA certificate"
            hint="One self-signed CA certificate, valid for at least a year."
            error={errors.caCert?.message}
            registration={form.register("caCert")}
            onLoad={(text) => form.setValue("caCert", text, { shouldDirty: true, shouldValidate: form.formState.isSubmitted })}
            testId="rotate-ca-cert"
          />
        )}
        {mode === "given" && (
          <PemField
            maxLength={PKI_PEM_MAX_LENGTH}
            label="Root CA key"
            hint="The certificate's private key. It is sealed in the store and never shown again."
            error={errors.caKey?.message}
            registration={form.register("caKey")}
            onLoad={(text) => form.setValue("caKey", text, { shouldDirty: true, shouldValidate: form.formState.isSubmitted })}
            secret
            rows={4}
            testId="rotate-ca-key"
          />
        )}
        {mode === "external" && (
          <fieldset className="space-y-2">
            <legend className={labelClass}>External CAs (CFSSL)</legend>
            <p className={hintClass}>Each must answer over HTTPS and sign under the certificate above; the first that answers signs.</p>
            <ExternalCaRows
              ids={cas.fields.map((f) => f.id)}
              minimum={1}
              onAdd={() => cas.append({ url: "" })}
              onRemove={(i) => cas.remove(i)}
              error={errors.externalCas?.root?.message ?? errors.externalCas?.message}
              row={(i) => (
                <Field
                  label={`URL of external CA ${i + 1}`}
                  placeholder="https://ca.example.com:8888/api/v1/cfssl/sign"
                  {...form.register(`externalCas.${i}.url`)}
                  error={errors.externalCas?.[i]?.url?.message}
                  maxLength={EXTERNAL_CA_URL_MAX_LENGTH}
                  autoComplete="off"
                  spellCheck={false}
                  className="font-mono"
                />
              )}
            />
          </fieldset>
        )}
        <Field
          label="Certificate expiry (optional)"
          {...form.register("certExpiry")}
          error={errors.certExpiry?.message}
          hint={`How long the new node certificates are valid, e.g. 2160h. Empty keeps ${humanDuration(status.certExpiryMs).toLowerCase()}.`}
          maxLength={DURATION_TEXT_MAX_LENGTH}
          autoComplete="off"
          spellCheck={false}
          className="font-mono"
        />
        <div className="flex justify-end gap-2">
          <Button variant="secondary" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit">Continue</Button>
        </div>
      </div>
      {step === "confirm" && (
        <div className="space-y-4" data-testid="rotate-confirm">
          <p className="text-sm">
            The swarm rotates to <strong>{MODES[mode].summary}</strong>
            {mode === "external" && ` (${urls} external CA${urls === 1 ? "" : "s"})`}.
          </p>
          <ul className="list-disc space-y-1 pl-5 text-sm">
            <li>The current root cross-signs the new one, so nodes keep trusting each other while they move over.</li>
            <li>
              <strong>Every node gets a new certificate</strong> from the new root: the swarm asks 30 at a time, and each renews at once. A node that is down holds
              the rotation up until it comes back or is removed.
            </li>
            <li>
              When every node has one, the new root becomes the trust root and both join tokens are made again: <strong>the old join tokens stop working</strong>.
              New nodes then join with the tokens from the Join page.
            </li>
            {expiry && <li>New node certificates are valid for {expiryMs !== undefined ? humanDuration(expiryMs).toLowerCase() : expiry}.</li>}
          </ul>
          <p className="text-sm text-zinc-600 dark:text-zinc-400">The progress shows on this page, and the rotation is recorded in the audit log.</p>
          <div className="flex justify-end gap-2">
            <Button variant="secondary" onClick={() => setStep("form")} disabled={busy}>
              Back
            </Button>
            <Button type="submit" variant="danger" busy={busy}>
              Rotate root CA
            </Button>
          </div>
        </div>
      )}
    </form>
  );
}

export function RotateDialog({
  open,
  onClose,
  status,
  env,
  onRotated,
}: {
  open: boolean;
  onClose: () => void;
  status: PkiStatus;
  env: string | undefined;
  onRotated: (status: PkiStatus) => void;
}) {
  return (
    <Dialog open={open} onClose={onClose} title="Rotate the root CA">
      <RotateForm status={status} env={env} onClose={onClose} onRotated={onRotated} />
    </Dialog>
  );
}
