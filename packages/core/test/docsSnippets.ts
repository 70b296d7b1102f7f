import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A ```ts / ```typescript code block of a markdown file. The info string may
 * carry one flag after the language:
 * - `runnable`: a complete program; docsSnippets.int.spec.ts type-checks it
 *   and runs it (in a fresh temporary directory, which is its cwd);
 * - `fragment`: a deliberate fragment (an interface sketch): neither checked
 *   nor run. Keep these few.
 * Without a flag the block is type-checked only.
 */
export interface Snippet {
  /** The markdown file, relative to the repository root, e.g. 'packages/core/README.md'. */
  readonly file: string;
  /** 1-based line of the opening fence in that file; the code starts on the next line. */
  readonly line: number;
  readonly code: string;
  readonly flag: 'runnable' | 'fragment' | undefined;
}

const FLAGS = new Set(['runnable', 'fragment']);

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
 * The TypeScript blocks of one markdown text. Throws on an unknown flag (a
 * typo must not silently skip a block) and on an unclosed fence.
 */
export function extractSnippets(text: string, file: string): Snippet[] {
  const lines = text.split('\n');
  const out: Snippet[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})\s*([^\s`]*)\s*(.*?)\s*$/.exec(lines[i]!);
    if (open === null) continue;
    const [, indent, fence, lang, rest] = open as unknown as [string, string, string, string, string];
    const end = lines.findIndex((l, j) => j > i && new RegExp(`^\\s*${fence[0]}{${fence.length},}\\s*$`).test(l));
    if (end === -1) throw new Error(`${file}:${i + 1}: unclosed code fence`);
    if (/^(ts|typescript)$/i.test(lang)) {
      const words = rest.split(/\s+/).filter((w) => w !== '');
      const bad = words.filter((w) => !FLAGS.has(w));
      if (bad.length > 0 || words.length > 1) {
        throw new Error(`${file}:${i + 1}: unknown code block flag(s) '${rest}' (use one of: ${[...FLAGS].join(', ')})`);
      }
      const code = lines
        .slice(i + 1, end)
        .map((l) => (l.startsWith(indent) ? l.slice(indent.length) : l.trimStart()))
        .join('\n');
      out.push({ file, line: i + 1, code, flag: words[0] as Snippet['flag'] });
    }
    i = end;
  }
  return out;
}

function subdirs(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? [e.name] : [])) : [];
}

function subfiles(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isFile() ? [e.name] : [])) : [];
}

/** Reads and extracts every snippet of the repository. */
export function allSnippets(root: string): Snippet[] {
  return markdownFiles(root).flatMap((f) => extractSnippets(readFileSync(join(root, f), 'utf8'), f));
}
