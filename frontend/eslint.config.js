// ESLint 9 flat config: typescript-eslint's type-aware recommended rules and React's rules of hooks.
// typescript-eslint reads types through the TypeScript 6 API (`typescript` in package.json is
// @typescript/typescript6): TypeScript 7, which type-checks and builds, has no JavaScript API yet.
import js from "@eslint/js";
import reactHooks from "eslint-plugin-react-hooks";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/", "node_modules/", "src/api/schema.gen.ts"] },
  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { "react-hooks": reactHooks },
    rules: {
      // The two classic hook rules. Plugin v7's other rules (refs, set-state-in-effect, immutability, purity, …)
      // are React Compiler diagnostics; we do not build with the compiler, and the patterns they flag are
      // deliberate here (a ref holding the latest callback, resetting a form's state when its input changes).
      "react-hooks/rules-of-hooks": "error",
      "react-hooks/exhaustive-deps": "error",
      // `onClick={async () => …}` (or `onConfirm: async () => …` in a modal's options) is how React handlers
      // start async work; the caller ignoring the promise is fine there. Other misused promises are still errors.
      "@typescript-eslint/no-misused-promises": ["error", { checksVoidReturn: { attributes: false, properties: false } }],
      // `const { position: _p, ...rest } = node` is how we drop a key.
      "@typescript-eslint/no-unused-vars": ["error", { ignoreRestSiblings: true, argsIgnorePattern: "^_" }],
    },
  },
  {
    // Tests poke at loosely typed JSON (a schema's `properties`, a parsed body) on purpose.
    files: ["**/*.test.ts", "**/*.test.tsx"],
    rules: {
      "@typescript-eslint/no-unsafe-member-access": "off",
      "@typescript-eslint/no-unsafe-call": "off",
      "@typescript-eslint/no-unsafe-argument": "off",
      "@typescript-eslint/no-unsafe-return": "off",
      "@typescript-eslint/no-unsafe-assignment": "off",
    },
  },
  {
    // react-jsonschema-form types a widget's `value`/`formData` and `options` as `any` (its generics default to
    // it): these adapters hand them on to Mantine inputs as they are.
    files: ["src/inspector/widgets.tsx"],
    rules: { "@typescript-eslint/no-unsafe-assignment": "off" },
  },
  { files: ["**/*.js"], extends: [tseslint.configs.disableTypeChecked] },
);
