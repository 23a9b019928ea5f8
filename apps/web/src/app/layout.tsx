import type { Metadata } from "next";
import { headers } from "next/headers";
import type { ReactNode } from "react";
import { themeScript } from "~/lib/theme";
import { Providers } from "./providers";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Rampart", template: "%s · Rampart" },
  description: "Security control plane for container clusters",
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  // The server puts a fresh CSP nonce on every page request; reading it also makes every
  // page render per request, so no cached HTML carries a stale nonce.
  const nonce = (await headers()).get("x-nonce") ?? undefined;
  return (
    <html lang="en" suppressHydrationWarning>
      <head>
        <script nonce={nonce} dangerouslySetInnerHTML={{ __html: themeScript }} />
      </head>
      <body className="min-h-screen">
        <Providers>{children}</Providers>
      </body>
    </html>
  );
}
