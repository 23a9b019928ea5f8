import { defineConfig } from "prisma/config";

// Only `prisma generate` uses this file. Migrations are applied by the project's own
// migrator (src/migrator.ts), never by `prisma migrate`.
export default defineConfig({
  schema: "../../prisma/schema.prisma",
  migrations: { path: "../../prisma/migrations" },
});
