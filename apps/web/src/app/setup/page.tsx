"use client";

import { setupInput } from "@rampart/api/schema";
import { PASSWORD_MIN_LENGTH } from "@rampart/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { AuthFrame } from "~/components/auth-frame";
import { ErrorState, Loading } from "~/components/states";
import { Alert, Button, Field } from "~/components/ui";
import { serverErrors, validate, type FieldErrors } from "~/lib/forms";
import { useTRPC } from "~/lib/trpc";

const FIELDS = ["code", "username", "password", "confirm"] as const;

export default function SetupPage() {
  const trpc = useTRPC();
  const router = useRouter();
  const status = useQuery(trpc.auth.setupStatus.queryOptions());
  const setup = useMutation(trpc.auth.setup.mutationOptions());
  const queryClient = useQueryClient();
  const [errors, setErrors] = useState<FieldErrors>({});

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const values = {
      code: String(form.get("code") ?? ""),
      username: String(form.get("username") ?? ""),
      password: String(form.get("password") ?? ""),
    };
    const { data, errors: found } = validate(setupInput, values);
    if (values.password !== String(form.get("confirm") ?? "")) found.confirm = "the passwords do not match";
    if (!data || Object.keys(found).length > 0) return setErrors(found);
    setErrors({});
    try {
      // Setup signs the new administrator in: straight to the Overview, not to a sign-in form.
      await setup.mutateAsync(data);
      // What was cached before (setup needed, no session) is no longer true.
      await queryClient.invalidateQueries();
      router.replace("/");
    } catch (error) {
      setErrors(serverErrors(error, FIELDS));
    }
  }

  if (status.isPending || status.isError) {
    return (
      <AuthFrame title="Set up Rampart">
        {status.isPending ? (
          <Loading label="Loading" blocks={3} className="h-9" />
        ) : (
          <ErrorState error={status.error} onRetry={() => status.refetch()} />
        )}
      </AuthFrame>
    );
  }
  if (!status.data.setupNeeded) {
    return (
      <AuthFrame title="Rampart is already set up">
        <Alert tone="info">Setup can only be done once, and it has been done. Sign in with your account.</Alert>
        <Link href="/login" className="mt-4 block text-center text-sm font-medium text-sky-700 hover:underline dark:text-sky-400">
          Go to sign in
        </Link>
      </AuthFrame>
    );
  }

  return (
    <AuthFrame
      title="Set up Rampart"
      subtitle="Create the first administrator. You need the one-time setup code that rampart server printed when it started."
    >
      <form onSubmit={submit} noValidate className="space-y-4">
        {errors.form && <Alert>{errors.form}</Alert>}
        <Field
          label="Setup code"
          name="code"
          autoComplete="off"
          spellCheck={false}
          placeholder="XXXX-XXXX-XXXX-XXXX"
          className="font-mono uppercase"
          error={errors.code}
          required
          autoFocus
        />
        <Field label="Username" name="username" autoComplete="username" error={errors.username} required />
        <Field
          label="Password"
          name="password"
          type="password"
          autoComplete="new-password"
          hint={`At least ${PASSWORD_MIN_LENGTH} characters. A passphrase is best.`}
          error={errors.password}
          required
        />
        <Field label="Confirm password" name="confirm" type="password" autoComplete="new-password" error={errors.confirm} required />
        <Button type="submit" className="w-full" busy={setup.isPending}>
          Create administrator
        </Button>
      </form>
    </AuthFrame>
  );
}
