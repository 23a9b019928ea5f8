"use client";

import { loginInput } from "@rampart/api/schema";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter, useSearchParams } from "next/navigation";
import { Suspense, useState, type FormEvent } from "react";
import { AuthFrame } from "~/components/auth-frame";
import { Alert, Button, Field } from "~/components/ui";
import { serverErrors, validate, type FieldErrors } from "~/lib/forms";
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
  const [errors, setErrors] = useState<FieldErrors>({});

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const { data, errors: found } = validate(loginInput, {
      username: String(form.get("username") ?? ""),
      password: String(form.get("password") ?? ""),
    });
    if (!data) return setErrors(found);
    setErrors({});
    try {
      await login.mutateAsync(data);
      await queryClient.invalidateQueries();
      router.replace(safeNext(params.get("next")));
    } catch (error) {
      setErrors(serverErrors(error, FIELDS));
    }
  }

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
        {errors.form && <Alert>{errors.form}</Alert>}
        <Field label="Username" name="username" autoComplete="username" error={errors.username} required autoFocus />
        <Field label="Password" name="password" type="password" autoComplete="current-password" error={errors.password} required />
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
