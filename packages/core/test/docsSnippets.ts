import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A fenced code block of a markdown file (```lang flags). Which flags each
 * language takes is in FLAGS; an unknown flag is an error (a typo must not
 * silently skip a block). The docs tests (docs/decisions.md D11):
 * - ```ts / ```typescript / ```js / ```javascript: type-checked
 *   (docsSnippets.int.spec.ts, JavaScript with checkJs); `runnable`: also run
 *   (in a fresh temporary directory, its cwd); `fragment`: a deliberate
 *   fragment (an interface sketch), neither checked nor run — counted and
 *   printed by the test; keep these few;
 * - ```sh / ```bash: every `dynamis …`, `npx dynamis …`, `dynamis-server …`
 *   command is parsed by the real CLI and every `npm run X` names a script
 *   (packages/cli/test/docsCommands.int.spec.ts);
 * - ```json node-config: parsed with the server's and the node's config schemas
 *   (same test); other ```json blocks are not checked.
 */
export interface CodeBlock {
  /** The markdown file, relative to the repository root, e.g. 'packages/core/README.md'. */
  readonly file: string;
  /** 1-based line of the opening fence in that file; the code starts on the next line. */
  readonly line: number;
  /** The language, lower case ('' when the fence names none). */
  readonly lang: string;
  readonly code: string;
  /** The flag after the language, if any (one at most). */
  readonly flag: string | undefined;
}

/** A TypeScript or JavaScript block. */
export interface Snippet {
  readonly file: string;
  readonly line: number;
  readonly code: string;
  readonly flag: 'runnable' | 'fragment' | undefined;
  /** True for a JavaScript block (```js / ```javascript): checked with checkJs. */
  readonly js?: true;
}

/** The flags each language takes; a language not listed takes none. */
const FLAGS: Readonly<Record<string, readonly string[]>> = {
  ts: ['runnable', 'fragment'],
  typescript: ['runnable', 'fragment'],
  js: ['runnable', 'fragment'],
  javascript: ['runnable', 'fragment'],
  json: ['node-config'],
};

/** Every README.md and docs/*.md of the repository: the root, packages/*, examples/*. */
export function markdownFiles(root: string): string[] {
  const dirs = ['.', ...['packages', 'examples'].flatMap((p) => subdirs(join(root, p)).map((d) => `${p}/${d}`))];
  return dirs.flatMap((dir) => {
    const readme = existsSync(join(root, dir, 'README.md')) ? [`${dir}/README.md`] : [];
    const docs = subfiles(join(root, dir, 'docs'))
      .filter((f) => f.endsWith('.md'))
      .map((f) => `${dir}/docs/${f}`);
    return [...readme, ...docs].map((f) => f.replace(/^\.\//, ''));
  });
}

/**
 * Every fenced block of one markdown text, in order, with its indentation
 * removed. Throws on a flag its language does not take and on an unclosed fence.
 */
export function extractBlocks(text: string, file: string): CodeBlock[] {
  const lines = text.split('\n');
  const out: CodeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})\s*([^\s`]*)\s*(.*?)\s*$/.exec(lines[i]!);
    if (open === null) continue;
    const [, indent, fence, rawLang, rest] = open as unknown as [string, string, string, string, string];
    const end = lines.findIndex((l, j) => j > i && new RegExp(`^\\s*${fence[0]}{${fence.length},}\\s*$`).test(l));
    if (end === -1) throw new Error(`${file}:${i + 1}: unclosed code fence`);
    const lang = rawLang.toLowerCase();
    const words = rest.split(/\s+/).filter((w) => w !== '');
    const allowed = FLAGS[lang] ?? [];
    if (words.length > 1 || words.some((w) => !allowed.includes(w))) {
      const use = allowed.length > 0 ? `use one of: ${allowed.join(', ')}` : `a ${lang || 'plain'} block takes none`;
      throw new Error(`${file}:${i + 1}: unknown code block flag(s) '${rest}' (${use})`);
    }
    const code = lines
      .slice(i + 1, end)
      .map((l) => (l.startsWith(indent) ? l.slice(indent.length) : l.trimStart()))
      .join('\n');
    out.push({ file, line: i + 1, lang, code, flag: words[0] });
    i = end;
  }
  return out;
}

/** The TypeScript and JavaScript blocks of one markdown text (see extractBlocks for what throws). */
export function extractSnippets(text: string, file: string): Snippet[] {
  return extractBlocks(text, file).flatMap((b): Snippet[] => {
    const js = b.lang === 'js' || b.lang === 'javascript';
    if (!js && b.lang !== 'ts' && b.lang !== 'typescript') return [];
    const s = { file: b.file, line: b.line, code: b.code, flag: b.flag as Snippet['flag'] };
    return [js ? { ...s, js: true } : s];
  });
}

function subdirs(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? [e.name] : [])) : [];
}

function subfiles(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isFile() ? [e.name] : [])) : [];
}

/** Every fenced block of the repository's markdown files (markdownFiles). */
export function allBlocks(root: string): CodeBlock[] {
  return markdownFiles(root).flatMap((f) => extractBlocks(readFileSync(join(root, f), 'utf8'), f));
}

/** Reads and extracts every TypeScript and JavaScript snippet of the repository. */
export function allSnippets(root: string): Snippet[] {
  return markdownFiles(root).flatMap((f) => extractSnippets(readFileSync(join(root, f), 'utf8'), f));
}
