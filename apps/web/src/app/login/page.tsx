"use client";

import { loginInput } from "@rampart/api/schema";
import { USERNAME_MAX_LENGTH } from "@rampart/core/user";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter, useSearchParams } from "next/navigation";
import { Suspense } from "react";
import { AuthFrame } from "~/components/auth-frame";
import { Alert, Button, Field } from "~/components/ui";
import { formError, showServerError, useZodForm } from "~/lib/forms";
import { safeNext } from "~/lib/navigation";
import { useTRPC } from "~/lib/trpc";

const FIELDS = ["username", "password"] as const;

function LoginForm() {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const params = useSearchParams();
  const status = useQuery(trpc.auth.setupStatus.queryOptions());
  const login = useMutation(trpc.auth.login.mutationOptions());
  const form = useZodForm(loginInput, { username: "", password: "" });
  const errors = form.formState.errors;

  const submit = form.handleSubmit(async (data) => {
    try {
      await login.mutateAsync(data);
      await queryClient.invalidateQueries();
      router.replace(safeNext(params.get("next")));
    } catch (error) {
      showServerError(form, error, FIELDS);
    }
  });

  return (
    <AuthFrame title="Sign in">
      <form onSubmit={submit} noValidate className="space-y-4">
        {params.get("expired") && <Alert tone="info">Your session has ended. Sign in again.</Alert>}
        {status.data?.setupNeeded && (
          <Alert tone="info">
            Rampart is not set up yet.{" "}
            <Link href="/setup" className="font-medium underline">
              Create the first administrator
            </Link>
            .
          </Alert>
        )}
        {formError(errors) && <Alert>{formError(errors)}</Alert>}
        <Field
          label="Username"
          {...form.register("username")}
          autoComplete="username"
          maxLength={USERNAME_MAX_LENGTH}
          error={errors.username?.message}
          required
          autoFocus
        />
        <Field
          label="Password"
          {...form.register("password")}
          type="password"
          autoComplete="current-password"
          error={errors.password?.message}
          required
        />
        <Button type="submit" className="w-full" busy={login.isPending}>
          Sign in
        </Button>
      </form>
    </AuthFrame>
  );
}

export default function LoginPage() {
  return (
    <Suspense>
      <LoginForm />
    </Suspense>
  );
}
