// Lint with teeth: type-aware rules that matter in consumer loops, and Nx module boundaries
// (apps never import apps; libs only through their entry point, by tag).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import nx from '@nx/eslint-plugin';
import prettier from 'eslint-config-prettier';

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', 'coverage/**', '.nx/**', '**/*.js', '**/*.mjs', '**/*.cjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { '@nx': nx },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/require-await': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-non-null-assertion': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['@flywheel/*/*'], message: 'Import a library only through its entry point.' }] },
      ],
      '@nx/enforce-module-boundaries': [
        'error',
        {
          allow: [],
          banTransitiveDependencies: false,
          depConstraints: [
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:lib', 'type:embedded'] },
            { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib'] },
            { sourceTag: 'type:embedded', onlyDependOnLibsWithTags: ['type:lib', 'type:embedded'] },
            { sourceTag: 'type:test', onlyDependOnLibsWithTags: ['type:lib', 'type:embedded'] },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.spec.ts', '**/*.integration-spec.ts', '**/test/**/*.ts', 'test/**/*.ts'],
    rules: {
      // Tests of production libraries may run them against the embedded twins; production code may not. The platform
      // simulator is an app (a process of its own) that tests also run in-process as the platform's twin.
      '@nx/enforce-module-boundaries': [
        'error',
        {
          allow: ['@flywheel/platform-simulator'],
          banTransitiveDependencies: false,
          depConstraints: [{ sourceTag: '*', onlyDependOnLibsWithTags: ['type:lib', 'type:embedded'] }],
        },
      ],
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/unbound-method': 'off',
      // kafkajs and jest callbacks must be async even when a test's body is synchronous.
      '@typescript-eslint/require-await': 'off',
    },
  },
  prettier,
);
