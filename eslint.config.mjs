import pulumi from "@pulumi/eslint-plugin";
import tseslint from "typescript-eslint";

export default tseslint.config(
    { ignores: ["node_modules/", "policy/node_modules/", ".build/", ".synth/", ".bench/", "coverage/"] },
    ...tseslint.configs.recommended,
    {
        files: ["**/*.ts"],
        languageOptions: {
            parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
        },
        plugins: { "@pulumi": pulumi },
        rules: {
            // `${output}` renders "Calling [toString] on an [Output<T>] is not supported": use pulumi.interpolate.
            "@pulumi/no-output-in-template-literal": "error",
            "@pulumi/no-output-instance-in-template-literal": "error",
            "@typescript-eslint/no-floating-promises": "error",
            "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
        },
    },
    {
        // Policy props are untyped JSON from the engine; rules read them defensively.
        files: ["policy/rules/**/*.ts"],
        rules: { "@typescript-eslint/no-explicit-any": "off" },
    },
    {
        // Tests build deliberately malformed config; `any` keeps those edits short.
        files: ["test/**/*.ts"],
        rules: { "@typescript-eslint/no-explicit-any": "off" },
    },
    {
        files: ["**/*.mjs", "**/*.js"],
        ...tseslint.configs.disableTypeChecked,
        rules: { ...tseslint.configs.disableTypeChecked.rules, "@typescript-eslint/no-require-imports": "off" },
    },
);
