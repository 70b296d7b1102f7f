import { beforeAll, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ts from 'typescript';
import { allSnippets, extractSnippets, type Snippet } from './docsSnippets';

/**
 * The docs cannot go stale: every ```ts and ```js block of every README.md
 * and docs/*.md (root, packages/*, examples/*) is type-checked against the
 * workspace's sources with the repository's compiler options
 * (tsconfig.check.json: CommonJS, strict, `@dynamis/*` → packages/<name>/src;
 * JavaScript with checkJs), and the blocks marked ```ts runnable are run.
 * Fragments are skipped, counted and listed. See docsSnippets.ts for the
 * flags; the shell and config blocks: packages/cli/test/docsCommands.int.spec.ts.
 */
const root = join(__dirname, '../../..');
const snippets = allSnippets(root);
const checked = snippets.filter((s) => s.flag !== 'fragment');
const runnable = snippets.filter((s) => s.flag === 'runnable');
const fragments = snippets.filter((s) => s.flag === 'fragment');
const where = (s: Snippet): string => `${s.file}:${s.line}`;

/** Virtual path of a snippet: beside its markdown file, so modules resolve as they would for a file there. */
const virtualPath = (s: Snippet): string =>
  join(root, s.file.replace(/[^/]+$/, ''), `__snippet_${s.file.replace(/\W/g, '_')}_L${s.line}.${s.js === true ? 'js' : 'ts'}`);

/**
 * Type-checks the snippets in one program; returns one
 * `file.md:line:column: TSnnnn message (in the block at file.md:line)` per
 * diagnostic, with lines of the markdown file.
 */
function typeCheck(list: readonly Snippet[]): string[] {
  const configPath = join(root, 'tsconfig.check.json');
  const parsed = ts.parseJsonConfigFileContent(ts.readConfigFile(configPath, ts.sys.readFile).config, ts.sys, root);
  const options: ts.CompilerOptions = {
    ...parsed.options,
    noEmit: true,
    allowJs: true,
    checkJs: true,
    moduleDetection: ts.ModuleDetectionKind.Force,
  };
  const files = new Map(list.map((s) => [virtualPath(s), s]));
  const host = ts.createCompilerHost(options);
  const { getSourceFile, fileExists, readFile } = host;
  host.getSourceFile = (name, lang, ...rest) => {
    const s = files.get(name);
    return s !== undefined ? ts.createSourceFile(name, s.code, lang) : getSourceFile.call(host, name, lang, ...rest);
  };
  host.fileExists = (name) => files.has(name) || fileExists.call(host, name);
  host.readFile = (name) => files.get(name)?.code ?? readFile.call(host, name);
  const program = ts.createProgram([...files.keys()], options, host);
  // Only the snippets are checked: the workspace's own sources are `npm run typecheck`'s job.
  const global = [...program.getOptionsDiagnostics(), ...program.getGlobalDiagnostics()];
  const out = global.map((d) => `(compiler) ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
  for (const [path, s] of files) {
    const sf = program.getSourceFile(path)!;
    for (const d of [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)]) {
      const { line, character } = sf.getLineAndCharacterOfPosition(d.start ?? 0);
      const message = ts.flattenDiagnosticMessageText(d.messageText, '\n  ');
      out.push(`${s.file}:${s.line + 1 + line}:${character + 1}: TS${d.code} ${message} (in the block at ${where(s)})`);
    }
  }
  return out;
}

const OUTPUT_CHARS = 8000;

/** Runs a snippet with @swc-node/register in a fresh temporary directory (its cwd); resolves with a problem, or undefined. */
function run(s: Snippet, deadlineMs: number): Promise<string | undefined> {
  const dir = mkdtempSync(join(tmpdir(), 'dynamis-snippet-'));
  const file = s.js === true ? 'snippet.js' : 'snippet.ts';
  writeFileSync(join(dir, file), s.code);
  const child = spawn(process.execPath, ['-r', '@swc-node/register', file], {
    cwd: dir,
    env: { ...process.env, SWC_NODE_PROJECT: join(root, 'tsconfig.check.json'), NODE_PATH: join(root, 'node_modules') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = ''; // the last OUTPUT_CHARS characters of stdout and stderr
  const keep = (d: Buffer): void => void (output = (output + d.toString()).slice(-OUTPUT_CHARS));
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), deadlineMs);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      rmSync(dir, { recursive: true, force: true });
      if (code === 0) resolve(undefined);
      else {
        const why = signal === 'SIGKILL' ? `did not finish within ${deadlineMs} ms` : `exited with ${code ?? signal}`;
        resolve(`${where(s)}: runnable snippet ${why}; output (end):\n${output}`);
      }
    });
  });
}

/** Runs `list` with at most `concurrency` children at once; resolves with the problems, in `list` order. */
async function runAll(list: readonly Snippet[], concurrency: number, deadlineMs: number): Promise<string[]> {
  const results: Array<string | undefined> = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < list.length) {
      const i = next++;
      results[i] = await run(list[i]!, deadlineMs);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return results.filter((r): r is string => r !== undefined);
}

describe('docs snippets', () => {
  it('finds the TypeScript blocks of the docs, most of them checked, some runnable', () => {
    expect(checked.length).toBeGreaterThanOrEqual(10);
    expect(runnable.length).toBeGreaterThanOrEqual(3);
    expect(fragments.length).toBeLessThanOrEqual(3); // fragments stay few
    // Every skip is visible in the test output.
    console.info(
      `docs snippets: ${checked.length} type-checked (${runnable.length} of them run), ${fragments.length} fragment(s) skipped` +
        fragments.map((s) => `\n  skipped: ${where(s)}`).join(''),
    );
  });

  it('extracts blocks with the line of their fence, and refuses unknown flags and unclosed fences', () => {
    const md =
      'text\n```ts\nconst a = 1;\n```\n\n- item\n  ```typescript runnable\n  const b = 2;\n  ```\n```sh\nls\n```\n```js fragment\nc\n```\n';
    expect(extractSnippets(md, 'x.md')).toEqual([
      { file: 'x.md', line: 2, code: 'const a = 1;', flag: undefined },
      { file: 'x.md', line: 7, code: 'const b = 2;', flag: 'runnable' },
      { file: 'x.md', line: 13, code: 'c', flag: 'fragment', js: true },
    ]);
    expect(() => extractSnippets('```ts runable\nx\n```\n', 'y.md')).toThrow("y.md:1: unknown code block flag(s) 'runable'");
    expect(() => extractSnippets('```sh fragment\nx\n```\n', 'y.md')).toThrow("y.md:1: unknown code block flag(s) 'fragment'");
    expect(() => extractSnippets('```ts\nx\n', 'z.md')).toThrow('z.md:1: unclosed code fence');
  });

  // The runnable blocks run in child processes (two at a time) while the type-check below runs in this one.
  let runs: Promise<string[]> | undefined;
  beforeAll(() => {
    runs = runAll(runnable, 2, 60_000);
  });

  // One program for all (creating it is the slow part): the docs' blocks and a deliberately wrong probe.
  const probe: Snippet = {
    file: 'docs/__probe__.md',
    line: 40,
    code: "import { createNode } from '@dynamis/core';\n\nconst n: number = createNode;\n",
    flag: undefined,
  };
  let problems: string[] | undefined;
  const typeChecked = (): string[] => (problems ??= typeCheck([...checked, probe]));

  it('reports a type error with the markdown file and line', () => {
    expect(typeChecked().filter((p) => p.startsWith(probe.file))).toEqual([
      expect.stringMatching(/^docs\/__probe__\.md:43:7: TS2322 .*\(in the block at docs\/__probe__\.md:40\)$/),
    ]);
  }, 120_000);

  it('type-checks every block that is not a fragment, as CommonJS against the workspace sources', () => {
    expect(
      typeChecked()
        .filter((p) => !p.startsWith(probe.file))
        .join('\n'),
    ).toBe('');
  }, 120_000);

  it('runs every runnable block to a zero exit', async () => {
    expect((await runs!).join('\n\n')).toBe('');
  }, 300_000);
});
