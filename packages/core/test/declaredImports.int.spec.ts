import { describe, expect, it } from '@jest/globals';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative } from 'node:path';
import ts from 'typescript';

/**
 * Every package a workspace package or example imports is declared in its
 * package.json (what import/no-extraneous-dependencies checks, on the
 * TypeScript scanner's list of imports, requires and dynamic imports):
 * shipped code (`src/`, not `*.spec.ts`) only what its `dependencies`,
 * `peerDependencies` or `optionalDependencies` name; tests and test helpers
 * also its `devDependencies`, the root's (the shared tooling: jest,
 * fast-check, typescript...), and any workspace package (tests run against
 * the sources through the repository's path mapping). An import that works
 * only because npm hoisted someone else's dependency breaks when that one
 * goes, or when the package is installed alone.
 */
const root = join(__dirname, '../../..');
const rootDev = Object.keys((readJson(join(root, 'package.json')).devDependencies as Record<string, string>) ?? {});
/** Files whose fixture strings name packages nobody declares (the scanner reads imports inside template strings too). */
const FIXTURES = new Set(['packages/core/test/declaredImports.int.spec.ts', 'packages/core/test/architecture.int.spec.ts']);

interface Workspace {
  readonly dir: string;
  readonly name: string;
  readonly shipped: ReadonlySet<string>;
  readonly dev: ReadonlySet<string>;
}

function readJson(path: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
}

function workspaces(): Workspace[] {
  return ['packages', 'examples'].flatMap((parent) =>
    readdirSync(join(root, parent))
      .filter((name) => existsSync(join(root, parent, name, 'package.json')))
      .map((name) => {
        const json = readJson(join(root, parent, name, 'package.json'));
        const keys = (field: string): string[] => Object.keys((json[field] as Record<string, string> | undefined) ?? {});
        return {
          dir: `${parent}/${name}`,
          name: json.name as string,
          shipped: new Set([...keys('dependencies'), ...keys('peerDependencies'), ...keys('optionalDependencies')]),
          dev: new Set(keys('devDependencies')),
        };
      }),
  );
}

/** The code files of a package: .ts/.js sources, tests and helpers, outside node_modules and build output. */
function codeFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if (['node_modules', 'dist', 'coverage'].includes(e.name)) return [];
    if (e.isDirectory()) return codeFiles(join(dir, e.name));
    return /\.[cm]?[jt]s$/.test(e.name) && !e.name.endsWith('.d.ts') ? [join(dir, e.name)] : [];
  });
}

/** The package names `text` imports, re-exports, requires or imports dynamically (node builtins and relative paths left out). */
export function importedPackages(text: string): string[] {
  const names = ts.preProcessFile(text, true, true).importedFiles.map((f) => f.fileName);
  return names
    .filter((n) => !n.startsWith('.') && !n.startsWith('/') && !n.startsWith('node:'))
    .map((n) => (n.startsWith('@') ? n.split('/').slice(0, 2).join('/') : n.split('/')[0]!))
    .filter((n) => !builtinModules.includes(n));
}

/** The imports of `file` (path inside `w`) that its package does not declare. */
export function undeclared(w: Workspace, file: string, text: string, workspaceNames: ReadonlySet<string>): string[] {
  const shipped = file.startsWith('src/') && !file.endsWith('.spec.ts');
  const ok = (n: string): boolean =>
    n === w.name || w.shipped.has(n) || (!shipped && (w.dev.has(n) || rootDev.includes(n) || workspaceNames.has(n)));
  return [...new Set(importedPackages(text).filter((n) => !ok(n)))];
}

const all = workspaces();
const names = new Set(all.map((w) => w.name));

describe('declared imports', () => {
  it('reads every import form, without builtins or relative paths', () => {
    const text = `import a from 'a';\nimport type { B } from '@s/b/deep';\nexport * from "c/sub";\nimport 'd';\nconst e = require('e');\nvoid import('f');\nimport { x } from 'node:fs';\nimport p from 'path';\nimport './local';`;
    expect(importedPackages(text)).toEqual(['a', '@s/b', 'c', 'd', 'e', 'f']);
  });

  it('tells shipped code from tests: a devDependency, a root devDependency or a workspace package only in tests', () => {
    const w: Workspace = { dir: 'packages/x', name: '@dynamis/x', shipped: new Set(['zod']), dev: new Set(['yaml']) };
    const text = `import 'zod';\nimport 'yaml';\nimport 'fast-check';\nimport '@dynamis/ring';\nimport '@dynamis/x/sub';\nimport 'left-pad';`;
    const ws = new Set(['@dynamis/ring']);
    expect(undeclared(w, 'src/a.ts', text, ws)).toEqual(['yaml', 'fast-check', '@dynamis/ring', 'left-pad']);
    expect(undeclared(w, 'src/a.spec.ts', text, ws)).toEqual(['left-pad']);
    expect(undeclared(w, 'test/a.int.spec.ts', text, ws)).toEqual(['left-pad']);
  });

  it.each(all.map((w): [string, Workspace] => [w.dir, w]))('%s imports only what it declares', (_dir, w) => {
    const bad: string[] = [];
    for (const path of codeFiles(join(root, w.dir))) {
      if (FIXTURES.has(relative(root, path))) continue;
      const file = relative(join(root, w.dir), path);
      for (const name of undeclared(w, file, readFileSync(path, 'utf8'), names)) bad.push(`${file}: ${name}`);
    }
    expect(bad).toEqual([]);
  });
});
