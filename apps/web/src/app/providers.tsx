"use client";

import { QueryCache, QueryClient, QueryClientProvider } from "@tanstack/react-query";
import type { AppRouter } from "@rampart/api";
import { createTRPCClient, httpBatchLink } from "@trpc/client";
import { useState, type ReactNode } from "react";
import superjson from "superjson";
import { BACKGROUND_HEADER } from "~/lib/background";
import { isUnauthorized } from "~/lib/errors";
import { TRPCProvider } from "~/lib/trpc";

export function Providers({ children }: { children: ReactNode }) {
  const [queryClient] = useState(
    () =>
      new QueryClient({
        queryCache: new QueryCache({
          // A session that ends while a page is open (idle or 12-hour limit) sends the
          // user to sign in, back to the same page after. auth.* queries are the shell's.
          onError(error, query) {
            const key = JSON.stringify(query.queryKey);
            if (!isUnauthorized(error) || key.includes('"auth"')) return;
            const here = window.location.pathname;
            window.location.assign(`/login?expired=1&next=${encodeURIComponent(here)}`);
          },
        }),
        defaultOptions: {
          queries: {
            staleTime: 5_000,
            // An expired session is not worth retrying; anything else gets one more try.
            retry: (count, error) => !isUnauthorized(error) && count < 1,
          },
        },
      }),
  );
  const [trpcClient] = useState(() =>
    createTRPCClient<AppRouter>({
      links: [
        httpBatchLink({
          url: "/api/trpc",
          transformer: superjson,
          // Polling is not user activity: the server must not extend an idle session for it.
          headers: ({ opList }) => (opList.every((op) => op.context.background === true) ? { [BACKGROUND_HEADER]: "1" } : {}),
        }),
      ],
    }),
  );
  return (
    <QueryClientProvider client={queryClient}>
      <TRPCProvider trpcClient={trpcClient} queryClient={queryClient}>
        {children}
      </TRPCProvider>
    </QueryClientProvider>
  );
}
