/**
 * The shell's line syntax (README.md, "Shell"): a command, then `--name value`
 * options, then arguments. A key is a bare word (no whitespace) or a
 * "JSON-quoted" string. A value is the rest of the line after the key,
 * verbatim (inner and trailing whitespace kept), or one "JSON-quoted" string
 * (for an empty value, leading whitespace, or escapes such as \n).
 */

/** A line the shell cannot take; the message is a usage line. */
export class UsageError extends Error {}

/** A line being read, left to right. */
export class LineReader {
  private i = 0;

  constructor(private readonly line: string) {}

  /** True when only whitespace is left. */
  get atEnd(): boolean {
    this.skipSpace();
    return this.i >= this.line.length;
  }

  /** The next word or quoted string, or undefined at the end. Throws UsageError for a bad quoted string. */
  token(usage: string): string | undefined {
    if (this.atEnd) return undefined;
    if (this.line[this.i] === '"') return this.quoted(usage);
    const start = this.i;
    while (this.i < this.line.length && !/\s/.test(this.line[this.i]!)) this.i++;
    return this.line.slice(start, this.i);
  }

  /** True (and consumed) when the next token is the option `--name`. */
  option(name: string): boolean {
    if (this.atEnd || !this.line.startsWith(`--${name}`, this.i)) return false;
    const after = this.line[this.i + name.length + 2];
    if (after !== undefined && !/\s/.test(after)) return false;
    this.i += name.length + 2;
    return true;
  }

  /** True when the next token looks like an option (starts with `--`). */
  get atOption(): boolean {
    return !this.atEnd && this.line.startsWith('--', this.i);
  }

  /** The value: one quoted string with nothing after it, or the rest of the line verbatim; undefined when nothing is left. */
  rest(usage: string): string | undefined {
    if (this.atEnd) return undefined;
    if (this.line[this.i] === '"') {
      const value = this.quoted(usage);
      if (!this.atEnd) throw new UsageError(`${usage}\n(a quoted value must be the whole rest of the line)`);
      return value;
    }
    const value = this.line.slice(this.i);
    this.i = this.line.length;
    return value;
  }

  private skipSpace(): void {
    while (this.i < this.line.length && /\s/.test(this.line[this.i]!)) this.i++;
  }

  private quoted(usage: string): string {
    let j = this.i + 1;
    while (j < this.line.length && this.line[j] !== '"') j += this.line[j] === '\\' ? 2 : 1;
    if (j >= this.line.length) throw new UsageError(`${usage}\n(unterminated quoted string)`);
    const text = this.line.slice(this.i, j + 1);
    this.i = j + 1;
    try {
      return JSON.parse(text) as string;
    } catch {
      throw new UsageError(`${usage}\n(bad quoted string ${text}: use JSON escapes such as \\" \\\\ \\n)`);
    }
  }
}

/**
 * `text` as the shell prints it: as is when it reads back as itself, else
 * JSON-quoted (empty, leading/trailing whitespace, a leading quote, control
 * characters). `asKey`: also quote any whitespace. So what get prints can be
 * typed back as the value of a put.
 */
export function formatText(text: string, asKey = false): string {
  const plain = text !== '' && !/^\s|\s$|^"|\p{Cc}/u.test(text) && !(asKey && /\s/.test(text));
  return plain ? text : JSON.stringify(text);
}

/** A positive integer option value, or UsageError. */
export function positiveInt(text: string | undefined, usage: string): number {
  if (text === undefined || !/^[1-9]\d*$/.test(text) || !Number.isSafeInteger(Number(text))) throw new UsageError(usage);
  return Number(text);
}
