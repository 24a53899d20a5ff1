// ESLint flat config: typescript-eslint strict on every TypeScript source.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

// The repository's other top-level folders: neither core nor the verifier site may import them.
const OUTSIDE_CORE_AND_SITE = ["**/server/**", "**/scripts/**", "**/test/**", "**/bench/**", "**/prisma/**", "**/generated/**"];
const VERIFIER_IMPORTS = "verifier-web runs in visitors' browsers: import from core/ or verifier-web/ only.";

export default tseslint.config(
  {
    ignores: [
      "node_modules/",
      "artifacts/",
      "cache/",
      "generated/",
      "data/",
      "types/",
      "test-artifacts/",
      "verifier-web/dist/",
      "coverage/",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    languageOptions: { ecmaVersion: 2023, sourceType: "module" },
    rules: {
      "@typescript-eslint/no-non-null-assertion": "off",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  {
    files: ["core/**/*.ts"],
    rules: {
      // Core is pure: no console, no environment, no I/O, and nothing of the code that uses it.
      "no-console": "error",
      "no-restricted-globals": ["error", "process"],
      "no-restricted-imports": [
        "error",
        { patterns: ["node:*", "fs", "path", "child_process", "http", "https", "net", ...OUTSIDE_CORE_AND_SITE] },
      ],
    },
  },
  {
    files: ["verifier-web/**/*.ts"],
    rules: {
      // The public site imports core and its own files only: server code must never reach a browser.
      "no-restricted-imports": ["error", { patterns: [{ group: OUTSIDE_CORE_AND_SITE, message: VERIFIER_IMPORTS }] }],
    },
  },
  {
    files: ["verifier-web/src/**/*.ts"],
    rules: {
      // What runs in the browser has no Node modules either (build.ts, which runs in Node, may).
      "no-restricted-imports": ["error", { patterns: [{ group: [...OUTSIDE_CORE_AND_SITE, "node:*"], message: VERIFIER_IMPORTS }] }],
    },
  },
  {
    files: ["**/*.cjs"],
    languageOptions: { sourceType: "commonjs", globals: { require: "readonly", module: "writable", process: "readonly" } },
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
  {
    files: ["scripts/**/*.mjs", "**/*.js"],
    languageOptions: { globals: { process: "readonly", console: "readonly", URL: "readonly" } },
  },
);
