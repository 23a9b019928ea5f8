import type { z } from "zod";
import { describeError } from "./errors";

export type FieldErrors = Partial<Record<string, string>>;

/** Checks a form against the procedure's own schema, so the browser and server agree. */
export function validate<T extends z.ZodType>(schema: T, values: unknown): { data?: z.infer<T>; errors: FieldErrors } {
  const result = schema.safeParse(values);
  if (result.success) return { data: result.data, errors: {} };
  const errors: FieldErrors = {};
  for (const issue of result.error.issues) {
    const key = issue.path.map(String).join(".") || "form";
    errors[key] ??= issue.message;
  }
  return { errors };
}

/** Puts a server error under the field it names, or at the top of the form. */
export function serverErrors(error: unknown, fields: readonly string[]): FieldErrors {
  const info = describeError(error);
  if (info.field && fields.includes(info.field)) return { [info.field]: info.message };
  return { form: info.message };
}
