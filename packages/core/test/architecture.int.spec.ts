import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PORTS } from '@dynamis/core';

/**
 * The structure of the repository, from one source of truth: the
 * `"dynamis": { "kind" }` field of every workspace package.json, which
 * eslint.config.mjs reads too. Plugins never import each other (nor does the
 * kernel import anything), and the lint rule covers exactly the plugins.
 */
const root = join(__dirname, '../../..');
const KINDS = ['kernel', 'plugin', 'library', 'tool', 'example'] as const;
type Kind = (typeof KINDS)[number];

interface Pkg {
  /** e.g. 'packages/engine-lsm' */
  readonly dir: string;
  readonly name: string;
  readonly kind: unknown;
  readonly dependencies: readonly string[];
}

function workspacePackages(): Pkg[] {
  return ['packages', 'examples'].flatMap((parent) =>
    readdirSync(join(root, parent))
      .filter((name) => existsSync(join(root, parent, name, 'package.json')))
      .map((name) => {
        const json = JSON.parse(readFileSync(join(root, parent, name, 'package.json'), 'utf8')) as {
          name: string;
          dynamis?: { kind?: unknown };
          dependencies?: Record<string, string>;
        };
        return { dir: `${parent}/${name}`, name: json.name, kind: json.dynamis?.kind, dependencies: Object.keys(json.dependencies ?? {}) };
      }),
  );
}

function sourceFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/** Every @dynamis package a file imports, re-exports, requires or imports dynamically. */
export function dynamisImports(text: string): string[] {
  const re = /(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)['"](@dynamis\/[a-z0-9-]+)(?:\/[^'"]*)?['"]/g;
  return [...text.matchAll(re)].map((m) => m[1]!);
}

const packages = workspacePackages();
const ofKind = (kind: Kind): Pkg[] => packages.filter((p) => p.kind === kind);

describe('architecture: package kinds', () => {
  it.each(packages.map((p) => [p.dir, p.kind]))('%s declares "dynamis": { "kind" } (got %j)', (_dir, kind) => {
    expect(KINDS).toContain(kind);
  });

  it("the root README's package map has one row per workspace package and example, linking its README, and no other", () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const section = /^## Packages\n([\s\S]*?)^## /m.exec(readme)?.[1] ?? '';
    const rows = [...section.matchAll(/^\| \[`([^`]+)`\]\(([^)]+)\)/gm)].map((m) => `${m[1]} -> ${m[2]}`);
    const expected = packages.map((p) => `${p.dir.startsWith('examples/') ? p.dir : p.name} -> ${p.dir}/README.md`);
    expect([...rows].sort()).toEqual([...expected].sort());
    for (const p of packages)
      expect({ readme: p.dir, exists: existsSync(join(root, p.dir, 'README.md')) }).toEqual({ readme: p.dir, exists: true });
  });

  it('finds the plugins and the kernel', () => {
    expect(ofKind('plugin').map((p) => p.dir)).toEqual(
      expect.arrayContaining(['packages/engine-memory', 'packages/conflict-lww', 'packages/coordinator-local']),
    );
    expect(ofKind('kernel').map((p) => p.name)).toEqual(['@dynamis/core']);
  });

  it('reads every @dynamis import form', () => {
    const text = `import a from '@dynamis/a';\nexport * from "@dynamis/b";\nimport '@dynamis/c';\nconst d = require('@dynamis/d');\nvoid import('@dynamis/e/sub');`;
    expect(dynamisImports(text)).toEqual(['@dynamis/a', '@dynamis/b', '@dynamis/c', '@dynamis/d', '@dynamis/e']);
  });
});

describe('architecture: plugins never import each other, the kernel imports no plugin', () => {
  /** The @dynamis packages a plugin or the kernel may import; unit tests beside the code may also use the testkit. */
  const allowed = (kind: Kind, spec: boolean): string[] => [
    ...(kind === 'plugin' ? ['@dynamis/core'] : []),
    ...(spec ? ['@dynamis/core', '@dynamis/testkit'] : []),
  ];
  const restricted = packages.filter((p) => p.kind === 'plugin' || p.kind === 'kernel').map((p): [string, Kind] => [p.dir, p.kind as Kind]);

  it.each(restricted)('%s (%s) depends on no @dynamis package but those allowed', (dir, kind) => {
    const pkg = packages.find((p) => p.dir === dir)!;
    const bad = pkg.dependencies.filter((d) => d.startsWith('@dynamis/') && !allowed(kind, false).includes(d));
    expect({ dir, bad }).toEqual({ dir, bad: [] });
  });

  it.each(restricted)('%s (%s) source imports no @dynamis package but those allowed', (dir, kind) => {
    const files = sourceFiles(join(root, dir, 'src'));
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const ok = allowed(kind, file.endsWith('.spec.ts'));
      const bad = dynamisImports(readFileSync(file, 'utf8')).filter((i) => !ok.includes(i));
      expect({ file, bad }).toEqual({ file, bad: [] });
    }
  });
});

describe('architecture: the lint rules follow the same field', () => {
  const probe = (p: Pkg): string => `${p.dir}/src/__architecture_probe__.ts`;
  const other = (p: Pkg): string => ofKind('plugin').find((q) => q.dir !== p.dir)!.name;
  // A config that does not load (e.g. a package without its kind) fails every test below with its message.
  let results: Record<string, string[]> = {};
  let failure: Error | undefined;
  try {
    results = lint([
      ...packages.map((p): [string, string] => [probe(p), `import * as x from '${other(p)}';\nexport const y = x;\n`]),
      ['packages/coordinator-local/src/__clock_probe__.ts', 'export const t = Date.now();\nsetTimeout(() => undefined, 1);\n'],
    ]);
  } catch (err) {
    failure = err as Error;
  }

  it.each(packages.map((p) => [p.dir, p.kind]))(
    '%s (%s): importing a plugin is a lint error exactly for plugins and the kernel',
    (dir, kind) => {
      if (failure !== undefined) throw failure;
      const rules = results[probe(packages.find((p) => p.dir === dir)!)];
      expect(rules).toBeDefined();
      expect(rules!.includes('no-restricted-imports')).toBe(kind === 'plugin' || kind === 'kernel');
    },
  );

  it('rejects Date.now and setTimeout outside the Clock', () => {
    if (failure !== undefined) throw failure;
    const rules = results['packages/coordinator-local/src/__clock_probe__.ts']!;
    expect(rules).toContain('no-restricted-properties');
    expect(rules).toContain('no-restricted-globals');
  });
});

describe('architecture: MISSING_PROVIDER names only packages that exist', () => {
  const names = new Set(packages.map((p) => p.name));
  const ports = Object.entries(PORTS).map(([port, info]): [string, readonly string[]] => [port, info.providers]);
  it.each(ports)('%s: providers %j', (_port, providers) => {
    const named = providers.flatMap((p) => /^@dynamis\/[a-z0-9-]+/.exec(p)?.[0] ?? []);
    expect(named.filter((n) => !names.has(n))).toEqual([]);
  });
});

/**
 * Lints each `[file, text]` as if it were that file, with the repository's
 * eslint.config.mjs, in one child process (the flat config is ESM, which Jest's
 * CommonJS runtime cannot import). Returns the rule ids reported per file.
 */
function lint(inputs: Array<[string, string]>): Record<string, string[]> {
  const script = `
    const { ESLint } = require('eslint');
    (async () => {
      const eslint = new ESLint({ cwd: process.cwd() });
      const out = {};
      for (const [file, text] of JSON.parse(require('fs').readFileSync(0, 'utf8'))) {
        const [r] = await eslint.lintText(text, { filePath: file });
        out[file] = r.messages.map((m) => m.ruleId ?? 'fatal: ' + m.message);
      }
      process.stdout.write(JSON.stringify(out));
    })().catch((e) => { console.error(e); process.exit(1); });`;
  const run = spawnSync(process.execPath, ['-e', script], { cwd: root, input: JSON.stringify(inputs), encoding: 'utf8', timeout: 120_000 });
  if (run.status !== 0) throw new Error(`eslint failed (status ${run.status}): ${run.stderr}`);
  return JSON.parse(run.stdout) as Record<string, string[]>;
}
