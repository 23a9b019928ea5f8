"use client";

import { useId, useRef, useState, type DragEvent } from "react";
import { shown as inPlainWords } from "~/lib/forms";
import { draftSize, exactBytes, formatBytes, MAX_SECRET_BYTES, type SecretValueDraft } from "~/lib/secrets";
import { Button } from "./ui";

/**
 * A secret's value, typed or dropped. The text is masked until "Show" is pressed, is
 * never spell-checked or autocompleted (a spell-checking service would receive it), and
 * its size in bytes is counted as you type against Swarm's limit. A file is read in the
 * browser only if it is under the limit. The value lives in the parent's state only
 * until it is sent.
 */
export function SecretValueField({
  label,
  value,
  onChange,
  error,
  autoFocus = false,
}: {
  label: string;
  value: SecretValueDraft;
  onChange: (next: SecretValueDraft) => void;
  /** Swarm's size message, or "choose a file": the parent decides when it is shown. */
  error: string | null | undefined;
  autoFocus?: boolean;
}) {
  const id = useId();
  const fileInput = useRef<HTMLInputElement>(null);
  const [shown, setShown] = useState(false);
  const [dragging, setDragging] = useState(false);
  const [reading, setReading] = useState(false);
  const size = draftSize(value);

  async function takeFile(file: File | undefined) {
    if (!file) return;
    value.file?.bytes?.fill(0);
    if (file.size === 0 || file.size > MAX_SECRET_BYTES) {
      onChange({ ...value, source: "file", file: { name: file.name, size: file.size, bytes: null } });
      return;
    }
    setReading(true);
    try {
      const bytes = new Uint8Array(await file.arrayBuffer());
      onChange({ ...value, source: "file", file: { name: file.name, size: bytes.length, bytes } });
    } finally {
      setReading(false);
      if (fileInput.current) fileInput.current.value = "";
    }
  }

  function onDrop(event: DragEvent<HTMLDivElement>) {
    event.preventDefault();
    setDragging(false);
    void takeFile(event.dataTransfer.files[0]);
  }

  function setSource(source: SecretValueDraft["source"]) {
    onChange({ ...value, source });
  }

  const describedBy = `${id}-note`;
  const tabClass = (active: boolean) =>
    "rounded-md px-3 py-1.5 text-sm font-medium " +
    (active ? "bg-white shadow-sm dark:bg-zinc-700" : "text-zinc-600 hover:text-zinc-900 dark:text-zinc-400 dark:hover:text-white");

  return (
    <div
      className="space-y-2"
      onDragOver={(e) => {
        if (![...e.dataTransfer.types].includes("Files")) return;
        e.preventDefault();
        setDragging(true);
      }}
      onDragLeave={(e) => {
        if (!e.currentTarget.contains(e.relatedTarget as Node | null)) setDragging(false);
      }}
      onDrop={onDrop}
    >
      <div className="flex flex-wrap items-center justify-between gap-2">
        <span id={`${id}-label`} className="block text-sm font-medium text-zinc-800 dark:text-zinc-200">
          {label}
        </span>
        <div role="radiogroup" aria-labelledby={`${id}-label`} className="inline-flex gap-1 rounded-lg bg-zinc-100 p-1 dark:bg-zinc-800">
          <button type="button" role="radio" aria-checked={value.source === "text"} className={tabClass(value.source === "text")} onClick={() => setSource("text")}>
            Type it
          </button>
          <button type="button" role="radio" aria-checked={value.source === "file"} className={tabClass(value.source === "file")} onClick={() => setSource("file")}>
            Upload a file
          </button>
        </div>
      </div>

      {value.source === "text" ? (
        <div className={`relative rounded-md ${dragging ? "ring-2 ring-sky-500" : ""}`}>
          <label htmlFor={id} className="sr-only">
            {label}
          </label>
          <textarea
            id={id}
            value={value.text}
            onChange={(e) => onChange({ ...value, text: e.target.value })}
            rows={4}
            autoFocus={autoFocus}
            autoComplete="off"
            autoCorrect="off"
            autoCapitalize="off"
            spellCheck={false}
            translate="no"
            data-1p-ignore
            data-lpignore="true"
            data-testid="secret-value-text"
            data-masked={shown ? undefined : "true"}
            aria-invalid={error ? true : undefined}
            aria-describedby={describedBy}
            placeholder="Type or paste the value, or drop a file here"
            className={`block w-full resize-y rounded-md border bg-white px-3 py-2 pr-20 font-mono text-sm shadow-sm placeholder:font-sans placeholder:text-zinc-400 dark:bg-zinc-900 ${
              shown ? "" : "secret-masked"
            } ${error ? "border-red-600 dark:border-red-500" : "border-zinc-300 dark:border-zinc-700"}`}
          />
          <Button variant="ghost" className="absolute right-1 top-1 px-2 py-1 text-xs" aria-pressed={shown} aria-controls={id} onClick={() => setShown(!shown)}>
            {shown ? "Hide" : "Show"}
          </Button>
        </div>
      ) : (
        <div
          data-testid="secret-dropzone"
          className={`flex flex-col items-center gap-2 rounded-md border-2 border-dashed px-4 py-6 text-center text-sm ${
            dragging ? "border-sky-500 bg-sky-50 dark:bg-sky-950/40" : error ? "border-red-500" : "border-zinc-300 dark:border-zinc-700"
          }`}
        >
          {value.file ? (
            <p>
              <span className="font-mono break-all">{value.file.name}</span>{" "}
              <span className="text-zinc-500" title={exactBytes(value.file.size)}>
                ({formatBytes(value.file.size)})
              </span>
            </p>
          ) : (
            <p className="text-zinc-600 dark:text-zinc-400">Drop a file here, or choose one. It is read in this browser and sent once.</p>
          )}
          <div className="flex gap-2">
            <input
              ref={fileInput}
              id={`${id}-file`}
              type="file"
              className="sr-only"
              aria-describedby={describedBy}
              data-testid="secret-value-file"
              onChange={(e) => void takeFile(e.target.files?.[0])}
            />
            <label htmlFor={`${id}-file`} className="inline-flex cursor-pointer items-center rounded-md border border-zinc-300 bg-white px-3 py-1.5 text-sm font-medium hover:bg-zinc-100 dark:border-zinc-700 dark:bg-zinc-900 dark:hover:bg-zinc-800">
              {value.file ? "Choose another file" : "Choose a file"}
            </label>
            {value.file && (
              <Button
                variant="ghost"
                className="px-2 py-1 text-xs"
                onClick={() => {
                  value.file?.bytes?.fill(0);
                  onChange({ ...value, file: null });
                }}
              >
                Remove file
              </Button>
            )}
          </div>
        </div>
      )}

      <div id={describedBy} aria-live="polite" className="flex flex-wrap justify-between gap-2 text-xs">
        {error ? (
          <p role="alert" className="text-sm text-red-700 dark:text-red-400">
            {inPlainWords(error)}
          </p>
        ) : (
          <p className="text-zinc-500 dark:text-zinc-400">
            {reading
              ? "Reading the file…"
              : value.source === "text"
                ? "Stored exactly as typed (UTF-8), including any trailing newline."
                : "The file's bytes are stored as they are."}
          </p>
        )}
        <p className="tabular-nums text-zinc-500 dark:text-zinc-400" data-testid="secret-value-size">
          {exactBytes(size)} of at most {MAX_SECRET_BYTES.toLocaleString("en")}
        </p>
      </div>
    </div>
  );
}
