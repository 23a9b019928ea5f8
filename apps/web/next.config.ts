import type { NextConfig } from "next";

/**
 * The UI is served by `rampart server` (apps/cli), which sets the security headers,
 * including a per-request CSP nonce, and answers /api/trpc itself. Next renders pages
 * only, so it never loads the store.
 */
const config: NextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  compress: true,
};

export default config;
