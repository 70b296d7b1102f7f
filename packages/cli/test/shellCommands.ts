/** One simple command of a shell block: its words after expansion, and the 0-based line it starts on. */
export interface ShellCommand {
  readonly argv: readonly string[];
  readonly line: number;
}

const OPERATORS = ['&&', '||', '$(', ';', '|', '&', '(', ')', '`'];
const KEYWORDS = new Set(['if', 'then', 'else', 'elif', 'fi', 'do', 'done', 'while', 'until', '!', 'time']);
const ASSIGNMENT = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s;
const REDIRECT = /^[0-9]*(>>?|<)(&[0-9-])?$/;
const REDIRECT_WITH_TARGET = /^[0-9]*(>>?|<)&?\S+$/;

type Token = { readonly word: string; readonly quoted: boolean } | { readonly op: string };

/**
 * The simple commands of a POSIX-shell block as a reader would run them, for
 * the docs test: enough of the shell for documentation, not a shell. Handles
 * comments, `\` line continuations, single and double quotes, `&&`, `||`,
 * `;`, `|`, `&`, `$( … )`, the control keywords (`if … then … fi`),
 * redirections (dropped) and variable assignments (`A=b cmd`, `export A=b`):
 * `$A` and `${A}` expand to a value assigned earlier in the block (unquoted:
 * split on blanks); an unknown variable stays as written. Pure.
 */
export function shellCommands(block: string): ShellCommand[] {
  const vars = new Map<string, string>();
  const out: ShellCommand[] = [];
  const physical = block.split('\n');
  for (let i = 0; i < physical.length; i++) {
    const start = i;
    let text = physical[i]!;
    while (text.endsWith('\\') && i + 1 < physical.length) text = text.slice(0, -1) + ' ' + physical[++i]!;
    let words: string[] = [];
    const flush = (): void => {
      const argv = command(words, vars);
      if (argv.length > 0) out.push({ argv, line: start });
      words = [];
    };
    for (const t of tokenize(text, vars)) {
      if ('op' in t) flush();
      else if (words.length === 0 && !t.quoted && KEYWORDS.has(t.word)) continue;
      else words.push(t.word);
    }
    flush();
  }
  return out;
}

/** The argv of one simple command's words: leading assignments recorded in `vars` (an `export` too), redirections dropped. */
function command(words: readonly string[], vars: Map<string, string>): string[] {
  let k = 0;
  if (words[0] === 'export') k = 1;
  for (; k < words.length; k++) {
    const m = ASSIGNMENT.exec(words[k]!);
    if (m === null) break;
    vars.set(m[1]!, m[2]!);
  }
  const argv: string[] = [];
  for (let j = k; j < words.length; j++) {
    const w = words[j]!;
    if (REDIRECT.test(w))
      j++; // `> file`: drop the target too
    else if (!REDIRECT_WITH_TARGET.test(w)) argv.push(w);
  }
  return words[0] === 'export' ? [] : argv;
}

/** Words and operators of one logical line; expansion happens here (unquoted expansions split into several words). */
function tokenize(text: string, vars: ReadonlyMap<string, string>): Token[] {
  const tokens: Token[] = [];
  let word = '';
  let inWord = false;
  let quoted = false;
  const end = (): void => {
    if (inWord) tokens.push({ word, quoted });
    word = '';
    inWord = false;
    quoted = false;
  };
  for (let i = 0; i < text.length;) {
    const c = text[i]!;
    const found = OPERATORS.find((o) => text.startsWith(o, i));
    const op = found === '&' && /[<>]$/.test(word) ? undefined : found; // `>&2` is a redirection
    if (op !== undefined) {
      end();
      tokens.push({ op });
      i += op.length;
    } else if (c === ' ' || c === '\t') {
      end();
      i++;
    } else if (c === '#' && !inWord) {
      break;
    } else if (c === "'") {
      const close = text.indexOf("'", i + 1);
      const stop = close === -1 ? text.length : close;
      word += text.slice(i + 1, stop);
      inWord = quoted = true;
      i = stop + 1;
    } else if (c === '"') {
      let j = i + 1;
      for (; j < text.length && text[j] !== '"'; j++) {
        if (text[j] === '\\' && j + 1 < text.length) word += text[++j];
        else if (text[j] === '$') j = expand(text, j, vars, (v) => (word += v)) - 1;
        else word += text[j];
      }
      inWord = quoted = true;
      i = j + 1;
    } else if (c === '$') {
      i = expand(text, i, vars, (v) => {
        const parts = v.split(/\s+/);
        parts.forEach((p, n) => {
          if (n > 0) end();
          if (p !== '') {
            word += p;
            inWord = true;
          }
        });
      });
    } else {
      word += c === '\\' && i + 1 < text.length ? text[++i] : c;
      inWord = true;
      i++;
    }
  }
  end();
  return tokens;
}

/** Expands `$NAME` / `${NAME}` at `text[i]` through `emit`; returns the index after it. An unknown name is emitted as written. */
function expand(text: string, i: number, vars: ReadonlyMap<string, string>, emit: (value: string) => void): number {
  const m = /^\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*|[?#@*0-9$!-]))/.exec(text.slice(i));
  if (m === null) {
    emit('$');
    return i + 1;
  }
  const name = (m[1] ?? m[2])!;
  emit(vars.get(name) ?? m[0]);
  return i + m[0].length;
}
