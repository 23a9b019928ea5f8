import js from "@eslint/js";
import reactHooks from "eslint-plugin-react-hooks";
import globals from "globals";
import tseslint from "typescript-eslint";

/**
 * Lint, including the package arrows of DESIGN.md §2: core ← db ← manager ← api ← apps.
 * Each package may import only what sits below it, and nothing imports an app.
 */
const frameworks = [
  { group: ["@prisma/*", "prisma", "@electric-sql/*", "pglite-prisma-adapter", "pg"], message: "only @rampart/db talks to the database." },
  { group: ["@trpc/*"], message: "tRPC belongs to @rampart/api and the apps." },
  { group: ["next", "next/*", "react", "react-dom", "react/*"], message: "Next and React belong to apps/web." },
];
const appImport = (names) => ({
  regex: `^(@rampart/(${names})(/.*)?|.*/apps/(${names})(/.*)?|(\\.\\./)+(${names})/.*)$`,
  message: "nothing imports an app.",
});
const apps = [appImport("web|cli")];
const rampart = (...names) =>
  names.map((name) => ({ group: [`@rampart/${name}`, `@rampart/${name}/*`], message: "package arrows point down only (DESIGN.md §2)." }));
const restrict = (patterns, extra = {}) => ({
  "no-restricted-imports": ["error", { patterns, ...extra }],
});

export default tseslint.config(
  {
    ignores: ["**/dist/**", "**/.next/**", "**/generated/**", "**/node_modules/**", "**/next-env.d.ts", "**/test-results/**"],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", destructuredArrayIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
      "no-console": "off",
    },
  },
  {
    files: ["packages/core/**/*.ts"],
    languageOptions: { globals: {} },
    rules: {
      ...restrict([...frameworks, ...apps, ...rampart("db", "manager", "api"), { group: ["node:*"], message: "core is pure: no Node APIs." }], {
        paths: ["fs", "path", "crypto", "http", "https", "net", "os", "child_process"].map((name) => ({
          name,
          message: "core is pure: no I/O or framework imports.",
        })),
      }),
      "no-restricted-globals": ["error", "process", "Buffer", "fetch", "require", "setTimeout", "setInterval", "document", "window"],
    },
  },
  {
    // Core's tests and benches may use Node (real crypto, openssl) to check or feed what the pure code produces.
    files: ["packages/core/**/*.test.ts", "packages/core/**/*.bench.ts"],
    languageOptions: { globals: { ...globals.node } },
    rules: {
      ...restrict([...frameworks, ...apps, ...rampart("db", "manager", "api")]),
      "no-restricted-globals": "off",
    },
  },
  {
    files: ["packages/db/**/*.ts"],
    rules: restrict([frameworks[1], frameworks[2], ...apps, ...rampart("manager", "api")]),
  },
  {
    files: ["packages/manager/**/*.ts"],
    rules: restrict([...frameworks, ...apps, ...rampart("api")]),
  },
  {
    files: ["packages/api/**/*.ts"],
    rules: restrict([frameworks[0], frameworks[2], ...apps]),
  },
  {
    files: ["apps/cli/**/*.ts"],
    rules: restrict([frameworks[0], appImport("web")]),
  },
  {
    files: ["apps/web/**/*.{ts,tsx}"],
    plugins: { "react-hooks": reactHooks },
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      ...reactHooks.configs.recommended.rules,
      ...restrict(
        [frameworks[0], appImport("cli"), ...rampart("db", "manager")],
        {
          paths: [
            { name: "@rampart/api", allowTypeImports: true, message: "the UI imports only types, and schemas from @rampart/api/schema." },
          ],
        },
      ),
    },
  },
);
