import { describe, expect, it } from '@jest/globals';
import { join } from 'node:path';
// The one markdown block extractor of the docs tests (core's docsSnippets.int.spec.ts checks the TypeScript blocks).
import { allBlocks, extractBlocks, type CodeBlock } from '../../core/test/docsSnippets';
import { cliProblem, commandProblem, nodeConfigProblem } from './docsCommands';
import { shellCommands } from './shellCommands';

/**
 * The docs cannot go stale, shell and config blocks (docs/decisions.md D11):
 * in every README.md and docs/*.md, each ```sh / ```bash command that runs
 * `dynamis`, `dynamis-server` or `npm run X` is parsed by the real CLI (an
 * unknown command, option or script fails), and each ```json node-config
 * block passes the server's, the node's and the plugins' config schemas.
 */
const root = join(__dirname, '../../..');
const blocks = allBlocks(root);
const shell = blocks.filter((b) => b.lang === 'sh' || b.lang === 'bash');
const configs = blocks.filter((b) => b.lang === 'json' && b.flag === 'node-config');
const where = (b: CodeBlock, line = 0): string => `${b.file}:${b.line + 1 + line}`;

/** One problem per bad command of `list`, with its markdown line; and how many commands were checked. */
async function shellProblems(list: readonly CodeBlock[]): Promise<{ problems: string[]; checked: number }> {
  const problems: string[] = [];
  let checked = 0;
  for (const b of list) {
    for (const c of shellCommands(b.code)) {
      const r = await commandProblem(root, c);
      if (r.checked) checked++;
      if (r.problem !== undefined) problems.push(`${where(b, c.line)}: \`${c.argv.join(' ')}\`: ${r.problem}`);
    }
  }
  return { problems, checked };
}

describe('docs: shell commands and node configs', () => {
  it('splits shell blocks into commands as a reader would run them', () => {
    const block = [
      'export S=a-secret T=tok  # comment',
      'PEERS="--peer n1@h:1 --peer n2@h:2"',
      'X=1 npx dynamis put k "two words" $PEERS &&  \\',
      "  npx dynamis get 'k' 2>/dev/null | cat",
      'if v=$(npx dynamis get f 2>/dev/null); then echo "$v"; else echo no >&2; fi',
    ].join('\n');
    expect(shellCommands(block)).toEqual([
      { argv: ['npx', 'dynamis', 'put', 'k', 'two words', '--peer', 'n1@h:1', '--peer', 'n2@h:2'], line: 2 },
      { argv: ['npx', 'dynamis', 'get', 'k'], line: 2 },
      { argv: ['cat'], line: 2 },
      { argv: ['npx', 'dynamis', 'get', 'f'], line: 4 },
      { argv: ['echo', '$v'], line: 4 },
      { argv: ['echo', 'no'], line: 4 },
    ]);
  });

  it('finds the shell blocks and node configs of the docs', () => {
    expect(shell.length).toBeGreaterThanOrEqual(5);
    expect(configs.length).toBeGreaterThanOrEqual(1);
  });

  it('fails a wrong command: unknown command, unknown option, missing argument, bad start flag, missing script', async () => {
    const probe = extractBlocks(
      [
        '```sh',
        'npx dynamis gett k',
        'dynamis get k --bogus',
        'npx dynamis put k',
        'dynamis start --node-id n1 --bogus',
        'npx dynamis-server --engine rocks',
        'npm run no-such-script',
        'node examples/nowhere/dist/main.js',
        'npx dynamis get k --consistency one && npm start && dynamis start --help',
        '```',
      ].join('\n'),
      'docs/__probe__.md',
    );
    const { problems } = await shellProblems(probe);
    expect(problems).toEqual([
      expect.stringMatching(/^docs\/__probe__\.md:2: `npx dynamis gett k`: .*unknown command 'gett'/),
      expect.stringMatching(/^docs\/__probe__\.md:3: .*unknown option '--bogus'/),
      expect.stringMatching(/^docs\/__probe__\.md:4: .*missing required argument 'value'/),
      expect.stringMatching(/^docs\/__probe__\.md:5: .*Unknown argument.*bogus/i),
      expect.stringMatching(/^docs\/__probe__\.md:6: .*engine/),
      expect.stringMatching(/^docs\/__probe__\.md:7: .*no script 'no-such-script' in package\.json/),
      expect.stringMatching(/^docs\/__probe__\.md:8: .*no source examples\/nowhere\/src\/main\.ts/),
    ]);
    expect(await cliProblem(['status', '--json'])).toBeUndefined();
  });

  it('parses every dynamis / dynamis-server / npm run command of the docs with the real CLI', async () => {
    const { problems, checked } = await shellProblems(shell);
    console.info(`docs commands: ${checked} commands in ${shell.length} shell blocks parsed, ${configs.length} node config(s) validated`);
    expect(problems.join('\n')).toBe('');
    expect(checked).toBeGreaterThanOrEqual(15);
  });

  it('fails a node config with a bad key or value, naming it', () => {
    expect(nodeConfigProblem('{ "engine": "lsm", "engineOptions": { "fsync": "sometimes" } }')).toMatch(/fsync/);
    expect(nodeConfigProblem('{ "limits": { "maxValueBytes": -1 } }')).toMatch(/limits\.maxValueBytes/);
    expect(nodeConfigProblem('{ "lisen": { "port": 1 } }')).toMatch(/lisen/);
    expect(nodeConfigProblem('{ "engine": "memory" }')).toBeUndefined();
  });

  it('validates every ```json node-config block with the config schemas', () => {
    const problems = configs.flatMap((b) => {
      const p = nodeConfigProblem(b.code);
      return p === undefined ? [] : [`${where(b)}: ${p}`];
    });
    expect(problems.join('\n')).toBe('');
  });
});
