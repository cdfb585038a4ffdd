// ESLint flat config for `npm run lint` (kept in .ci/ so the project's top level stays as designed;
// package.json passes it with --config). The recommended rules without type information, to stay
// fast: tsc (strict, noUncheckedIndexedAccess) does the type-checking and is never weakened here.
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import { fileURLToPath } from "node:url";
import { dirname } from "node:path";

const nodeGlobals = { console: "readonly", process: "readonly", Buffer: "readonly", __dirname: "readonly", require: "readonly", module: "writable", setTimeout: "readonly", URL: "readonly" };

export default tseslint.config(
  { basePath: dirname(dirname(fileURLToPath(import.meta.url))) },
  { ignores: ["node_modules/**", ".cache/**", ".local/**", "dist/**", "website/dist/**", "tests/screenshots/**", "docs/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2023, sourceType: "module", globals: nodeGlobals },
    rules: {
      // `_`-prefixed names and rest siblings are the project's way of leaving something out on purpose.
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none", ignoreRestSiblings: true }],
    },
  },
  {
    // Pulumi's component boundaries: HandlerFunction<any, any> holds functions of differing event types.
    files: ["components/**/*.ts"],
    rules: { "@typescript-eslint/no-explicit-any": "off" },
  },
  {
    // Tests read JSON answers and recorded resources whose shapes they assert on.
    files: ["tests/**/*.ts"],
    rules: { "@typescript-eslint/no-explicit-any": "off" },
  },
  {
    // require() on purpose: s3rver is untyped CommonJS; the stack harness loads the program (and
    // Pulumi internals) only after setting mocks; the artifact harness reads package.json files.
    files: ["local/emulators/s3-local.ts", "tests/harness/**/*.ts"],
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
  {
    // CommonJS run by plain node.
    files: ["**/*.cjs"],
    languageOptions: { sourceType: "commonjs" },
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
  {
    // CloudFront Functions: the runtime calls the top-level `handler`.
    files: ["handlers/site/*.js"],
    rules: { "@typescript-eslint/no-unused-vars": ["error", { varsIgnorePattern: "^handler$", caughtErrors: "none" }] },
  },
  {
    // Evaluated in the browser page by playwright.
    files: ["tests/harness/*.browser.js"],
    languageOptions: { globals: { document: "readonly", getComputedStyle: "readonly", Node: "readonly", window: "readonly" } },
  },
);
