import { zodResolver } from "@hookform/resolvers/zod";
import { explain, issueMessage, issuePath, sentenceErrorMap } from "@rampart/api/schema";
import { useForm, type DefaultValues, type FieldErrors as FormErrors, type FieldValues, type Path, type Resolver, type UseFormProps, type UseFormReturn } from "react-hook-form";
import type { z } from "zod";
import { describeError } from "./errors";

export type FieldErrors = Partial<Record<string, string>>;

/**
 * How the forms parse with the API's schemas: where a schema set no message of its own,
 * zod's issue becomes a sentence naming the field and the rule (`@rampart/api/schema`'s
 * messages, the same words the API answers with).
 */
export const SENTENCES = { error: sentenceErrorMap } as const;

/** A form's message as shown: Swarm's words get their plain meaning beside them. */
export const shown = (message: string) => explain(message);

/** Checks a form against the procedure's own schema, so the browser and server agree. */
export function validate<T extends z.ZodType>(schema: T, values: unknown): { data?: z.infer<T>; errors: FieldErrors } {
  const result = schema.safeParse(values, SENTENCES);
  if (result.success) return { data: result.data, errors: {} };
  const errors: FieldErrors = {};
  for (const issue of result.error.issues) {
    const key = issuePath(issue) || "form";
    errors[key] ??= shown(issueMessage(issue));
  }
  return { errors };
}

/** Puts a server error under the field it names, or at the top of the form. */
export function serverErrors(error: unknown, fields: readonly string[]): FieldErrors {
  const target = serverErrorTarget(error, fields);
  return { [target.field]: target.message };
}

/**
 * Where a failed call's message belongs: under the field the server named, when the form
 * has it, or at the top of the form (`form`).
 */
export function serverErrorTarget(error: unknown, fields: readonly string[]): { field: string; message: string } {
  const info = describeError(error);
  if (info.field && fields.includes(info.field)) return { field: info.field, message: info.message };
  return { field: "form", message: info.message };
}

/** Every message in react-hook-form's nested errors, passed through `shown`. */
function explainAll(errors: unknown): void {
  if (!errors || typeof errors !== "object") return;
  for (const [key, value] of Object.entries(errors)) {
    if (key === "ref") continue;
    if (key === "message" && typeof value === "string") (errors as Record<string, unknown>).message = shown(value);
    else explainAll(value);
  }
}

/**
 * react-hook-form with the procedure's zod schema: the same rules as the server, the same
 * sentences for zod's issues, and Swarm's words explained. Checked on submit, then again
 * as the person corrects a field.
 */
export function useZodForm<S extends z.ZodType<FieldValues, FieldValues>>(
  schema: S,
  defaultValues: DefaultValues<z.input<S>>,
  options: Omit<UseFormProps<z.input<S>, unknown, z.output<S>>, "resolver" | "defaultValues"> = {},
): UseFormReturn<z.input<S>, unknown, z.output<S>> {
  const base = zodResolver(schema as never, SENTENCES) as unknown as Resolver<z.input<S>, unknown, z.output<S>>;
  const resolver: Resolver<z.input<S>, unknown, z.output<S>> = async (values, context, resolverOptions) => {
    const result = await base(values, context, resolverOptions);
    explainAll(result.errors);
    return result;
  };
  return useForm<z.input<S>, unknown, z.output<S>>({ mode: "onSubmit", reValidateMode: "onChange", ...options, resolver, defaultValues });
}

/** The key under which a form keeps a message that belongs to no field. */
export const FORM_ERROR = "root.server";

/**
 * Shows a failed call in a react-hook-form form: under the field the server named, if it
 * is one of `fields`, or at the top of the form (read it with `formError`).
 */
export function showServerError<T extends FieldValues>(form: Pick<UseFormReturn<T>, "setError">, error: unknown, fields: readonly Path<T>[]): void {
  const target = serverErrorTarget(error, fields);
  if (target.field === "form") form.setError(FORM_ERROR as Path<T>, { type: "server", message: target.message });
  else form.setError(target.field as Path<T>, { type: "server", message: target.message }, { shouldFocus: true });
}

/** The message at the top of a form: a server error that names no field of it. */
export function formError<T extends FieldValues>(errors: FormErrors<T>): string | undefined {
  return errors.root?.server?.message;
}
