"use client";

import { useId, useRef, useState } from "react";
import type { UseFormRegisterReturn } from "react-hook-form";

/**
 * A PEM pasted or loaded from a file (PEM is text: the box shows what the file holds): a
 * certificate, or a key, which `masked` hides like a password as it is typed; it lives
 * only in the form and is sent once. Its error, from the form or from the server, is
 * shown under it and describes it. A file over `maxLength` is refused by name, through
 * `onFileError` when the form keeps the error, or under the field otherwise.
 */
export function PemField({
  label,
  hint,
  error,
  registration,
  onLoad,
  maxLength,
  secret = false,
  masked = secret,
  rows = 5,
  testId,
  fileTestId,
  onFileError,
}: {
  label: string;
  hint: string;
  error: string | undefined;
  registration: UseFormRegisterReturn;
  /** Puts a file's text in the field. */
  onLoad: (text: string) => void;
  maxLength: number;
  /** A key: its placeholder says so, and it is masked unless `masked` says otherwise. */
  secret?: boolean;
  masked?: boolean;
  rows?: number;
  testId?: string;
  fileTestId?: string;
  onFileError?: (message: string) => void;
}) {
  const id = useId();
  const fileInput = useRef<HTMLInputElement>(null);
  const [file, setFile] = useState<string | null>(null);
  const [fileError, setFileError] = useState<string | null>(null);

  async function take(picked: File | undefined) {
    if (!picked) return;
    setFileError(null);
    if (picked.size > maxLength) {
      const message = `${picked.name} is ${picked.size.toLocaleString("en")} bytes: a PEM here is at most ${maxLength.toLocaleString("en")}`;
      if (onFileError) onFileError(message);
      else setFileError(message);
      return;
    }
    setFile(picked.name);
    onLoad(await picked.text());
    if (fileInput.current) fileInput.current.value = "";
  }

  const shownError = fileError ?? error;
  return (
    <div className="space-y-1" data-testid={testId}>
      <div className="flex flex-wrap items-end justify-between gap-2">
        <label htmlFor={`${id}-pem`} className="block text-sm font-medium text-zinc-800 dark:text-zinc-200">
          {label}
        </label>
        <label className="inline-flex cursor-pointer items-center rounded-md border border-zinc-300 bg-white px-3 py-1 text-xs font-medium hover:bg-zinc-100 has-[:focus-visible]:outline-2 has-[:focus-visible]:outline-sky-600 dark:border-zinc-700 dark:bg-zinc-900 dark:hover:bg-zinc-800">
          <input ref={fileInput} type="file" accept=".pem,.crt,.cert,.key,text/plain" className="sr-only" data-testid={fileTestId} onChange={(e) => void take(e.target.files?.[0])} />
          Load a file
          <span className="sr-only"> for the {label.toLowerCase()}</span>
        </label>
      </div>
      <textarea
        id={`${id}-pem`}
        {...registration}
        rows={rows}
        maxLength={maxLength}
        spellCheck={false}
        autoComplete="off"
        placeholder={secret ? "-----BEGIN PRIVATE KEY-----" : "-----BEGIN CERTIFICATE-----"}
        aria-invalid={shownError ? true : undefined}
        aria-describedby={`${id}-note`}
        className={`block w-full resize-y rounded-md border bg-white px-3 py-2 font-mono text-xs shadow-sm placeholder:text-zinc-400 dark:bg-zinc-900 ${masked ? "secret-masked" : ""} ${
          shownError ? "border-red-600 dark:border-red-500" : "border-zinc-300 dark:border-zinc-700"
        }`}
      />
      <div id={`${id}-note`}>
        {shownError ? (
          <p role="alert" className="text-sm break-words text-red-700 dark:text-red-400">
            {shownError}
          </p>
        ) : (
          <p className="text-xs text-zinc-500 dark:text-zinc-400">
            {file ? `From ${file}. ` : ""}
            {hint}
          </p>
        )}
      </div>
    </div>
  );
}
