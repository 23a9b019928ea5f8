"use client";

import { SETUP_CODE_MAX_LENGTH, setupInput } from "@rampart/api/schema";
import { PASSWORD_MIN_LENGTH, USERNAME_MAX_LENGTH } from "@rampart/core/user";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { z } from "zod";
import { AuthFrame } from "~/components/auth-frame";
import { ErrorState, Loading } from "~/components/states";
import { Alert, Button, Field } from "~/components/ui";
import { formError, showServerError, useZodForm } from "~/lib/forms";
import { useTRPC } from "~/lib/trpc";

const FIELDS = ["code", "username", "password", "confirm"] as const;

/** The setup procedure's schema, and the password typed twice. */
const setupForm = setupInput.extend({ confirm: z.string() }).refine((v) => v.password === v.confirm, {
  path: ["confirm"],
  message: "the passwords do not match",
});

export default function SetupPage() {
  const trpc = useTRPC();
  const router = useRouter();
  const status = useQuery(trpc.auth.setupStatus.queryOptions());
  const setup = useMutation(trpc.auth.setup.mutationOptions());
  const queryClient = useQueryClient();
  const form = useZodForm(setupForm, { code: "", username: "", password: "", confirm: "" });
  const errors = form.formState.errors;

  const submit = form.handleSubmit(async ({ confirm: _confirm, ...data }) => {
    try {
      // Setup signs the new administrator in: straight to the Overview, not to a sign-in form.
      await setup.mutateAsync(data);
      // What was cached before (setup needed, no session) is no longer true.
      await queryClient.invalidateQueries();
      router.replace("/");
    } catch (error) {
      showServerError(form, error, FIELDS);
    }
  });

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
        {formError(errors) && <Alert>{formError(errors)}</Alert>}
        <Field
          label="Setup code"
          {...form.register("code")}
          maxLength={SETUP_CODE_MAX_LENGTH}
          autoComplete="off"
          spellCheck={false}
          placeholder="XXXX-XXXX-XXXX-XXXX"
          className="font-mono uppercase"
          error={errors.code?.message}
          required
          autoFocus
        />
        <Field
          label="Username"
          {...form.register("username")}
          autoComplete="username"
          maxLength={USERNAME_MAX_LENGTH}
          error={errors.username?.message}
          required
        />
        <Field
          label="Password"
          {...form.register("password")}
          type="password"
          autoComplete="new-password"
          hint={`At least ${PASSWORD_MIN_LENGTH} characters. A passphrase is best.`}
          error={errors.password?.message}
          required
        />
        <Field
          label="Confirm password"
          {...form.register("confirm")}
          type="password"
          autoComplete="new-password"
          error={errors.confirm?.message}
          required
        />
        <Button type="submit" className="w-full" busy={setup.isPending}>
          Create administrator
        </Button>
      </form>
    </AuthFrame>
  );
}
