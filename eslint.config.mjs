// Lint: typescript-eslint recommended + the architecture rules. Which packages
// are plugins is read from one place, the "dynamis": { "kind" } field of each
// package.json ("kernel" | "plugin" | "library" | "tool" | "example"), which
// packages/core/test/architecture.int.spec.ts also reads and checks:
// - a plugin's source imports @dynamis/core only (its tests may also use
//   @dynamis/testkit): plugins meet through ports, never import each other;
// - the kernel's source imports no other @dynamis package.
// Libraries (testkit, client), tools (server) and examples are composition
// roots or helpers and may import any package.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import tseslint from 'typescript-eslint';

const KINDS = ['kernel', 'plugin', 'library', 'tool', 'example'];

/** `[dir, kind]` of every workspace package, e.g. `['packages/engine-lsm', 'plugin']`. */
function packageKinds() {
  return ['packages', 'examples'].flatMap((parent) =>
    readdirSync(new URL(parent, import.meta.url))
      .filter((name) => existsSync(new URL(`${parent}/${name}/package.json`, import.meta.url)))
      .map((name) => {
        const pkg = JSON.parse(readFileSync(new URL(`${parent}/${name}/package.json`, import.meta.url), 'utf8'));
        const kind = pkg.dynamis?.kind;
        if (!KINDS.includes(kind)) {
          throw new Error(
            `${parent}/${name}/package.json: "dynamis": { "kind" } must be one of ${KINDS.join(', ')}, got ${JSON.stringify(kind)}`,
          );
        }
        return [`${parent}/${name}`, kind];
      }),
  );
}

const dirsOf = (kind) =>
  packageKinds()
    .filter(([, k]) => k === kind)
    .map(([dir]) => dir);
const noReaching = { regex: '^\\.\\./\\.\\./', message: 'Do not reach into another package by relative path.' };

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
  ...dirsOf('plugin').map((dir) => ({
    files: [`${dir}/src/**/*.ts`],
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
            noReaching,
          ],
        },
      ],
    },
  })),
  ...dirsOf('kernel').map((dir) => ({
    files: [`${dir}/src/**/*.ts`],
    ignores: ['**/*.spec.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ regex: '^@dynamis/', message: 'The kernel imports no plugin or other @dynamis package.' }, noReaching] },
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
