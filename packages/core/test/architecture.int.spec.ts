import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '../../..');
const packagesDir = join(root, 'packages');
/** Packages that are not plugins: the kernel, the testkit, and the composition roots. */
const NOT_PLUGINS = new Set(['core', 'testkit', 'client', 'cli', 'node', 'server']);

function packageNames(): string[] {
  return readdirSync(packagesDir).filter((name) => existsSync(join(packagesDir, name, 'package.json')));
}

function sourceFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

describe('architecture: plugins never import each other', () => {
  const plugins = packageNames().filter((name) => !NOT_PLUGINS.has(name));

  it('finds the plugin packages', () => {
    expect(plugins).toEqual(expect.arrayContaining(['engine-memory', 'conflict-lww', 'coordinator-local']));
  });

  it.each(plugins)('%s depends on no @dynamis package but core', (name) => {
    const pkg = JSON.parse(readFileSync(join(packagesDir, name, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
    const dynamisDeps = Object.keys(pkg.dependencies ?? {}).filter((d) => d.startsWith('@dynamis/'));
    expect(dynamisDeps.filter((d) => d !== '@dynamis/core')).toEqual([]);
  });

  it.each(plugins)('%s source imports no @dynamis package but core (tests may use testkit)', (name) => {
    for (const file of sourceFiles(join(packagesDir, name, 'src'))) {
      const text = readFileSync(file, 'utf8');
      const imports = [...text.matchAll(/from '(@dynamis\/[a-z0-9-]+)'/g)].map((m) => m[1]);
      const allowed = file.endsWith('.spec.ts') ? ['@dynamis/core', '@dynamis/testkit'] : ['@dynamis/core'];
      expect({ file, bad: imports.filter((i) => !allowed.includes(i!)) }).toEqual({ file, bad: [] });
    }
  });

  it('the lint rule rejects a plugin importing another plugin', () => {
    const rules = lintRules(
      "import { lwwResolver } from '@dynamis/conflict-lww';\nexport const x = lwwResolver;\n",
      'packages/engine-memory/src/bad.ts',
    );
    expect(rules).toContain('no-restricted-imports');
  });

  it('the lint rule rejects Date.now and setTimeout outside the Clock', () => {
    const rules = lintRules('export const t = Date.now();\nsetTimeout(() => undefined, 1);\n', 'packages/coordinator-local/src/bad.ts');
    expect(rules).toContain('no-restricted-properties');
    expect(rules).toContain('no-restricted-globals');
  });
});

/** Lints `text` as if it were `file` (ESLint's flat config is ESM, so run the CLI). */
function lintRules(text: string, file: string): string[] {
  const bin = join(root, 'node_modules/.bin/eslint');
  const run = spawnSync(bin, ['--stdin', '--stdin-filename', file, '--format', 'json'], { cwd: root, input: text, encoding: 'utf8' });
  const [result] = JSON.parse(run.stdout) as Array<{ messages: Array<{ ruleId: string | null }> }>;
  return result!.messages.map((m) => m.ruleId ?? 'fatal');
}
