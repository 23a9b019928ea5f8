"use client";

import { Alert, Button } from "~/components/ui";

export default function ErrorPage({ reset }: { error: Error; reset: () => void }) {
  return (
    <main className="mx-auto max-w-lg px-4 py-16">
      <Alert title="This page failed to load">Something went wrong while showing this page. The server log has the details.</Alert>
      <Button className="mt-4" variant="secondary" onClick={reset}>
        Try again
      </Button>
    </main>
  );
}
