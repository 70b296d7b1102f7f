// Lint: typescript-eslint recommended + the architecture rule that keeps
// plugins apart: a plugin package may import @dynamis/core only (tests may
// also use @dynamis/testkit). The CLI and examples are the composition roots
// and may import any package.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

const pluginPackages = ['engine-memory', 'engine-lsm', 'coordinator-local', 'conflict-lww', 'conflict-vclock', 'quorum', 'ring', 'gossip', 'hinted-handoff', 'anti-entropy', 'transport-ws'];

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'coverage/**', '**/*.js', '**/*.mjs', '**/*.cjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  ...pluginPackages.map((name) => ({
    files: [`packages/${name}/src/**/*.ts`],
    ignores: ['**/*.spec.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^@dynamis/(?!core$)',
              message: 'A plugin imports @dynamis/core only: plugins meet through ports, never import each other (docs/decisions.md).',
            },
            { regex: '^\\.\\./\\.\\./', message: 'Do not reach into another package by relative path.' },
          ],
        },
      ],
    },
  })),
  {
    files: ['packages/*/src/**/*.ts'],
    ignores: ['**/*.spec.ts', 'packages/core/src/env/**', 'packages/testkit/src/**'],
    rules: {
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'Use the Clock port (deterministic simulation).' },
        { object: 'Math', property: 'random', message: 'Use the Random port (deterministic simulation).' },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'setTimeout', message: 'Use the Clock port (deterministic simulation).' },
        { name: 'setInterval', message: 'Use the Clock port (deterministic simulation).' },
      ],
    },
  },
);
