/** One sample of a Prometheus text exposition. */
export interface PromSample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface PromFamily {
  readonly type: string;
  readonly help: string;
  readonly samples: PromSample[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);
const SUFFIXES = ['_bucket', '_sum', '_count', '_created', '_total'];

/** Values as Prometheus reads them (Go's strconv.ParseFloat: NaN and Inf in any case; prom-client writes `Nan`). */
function parseValue(s: string, line: number): number {
  const lower = s.toLowerCase();
  if (lower === '+inf' || lower === 'inf') return Infinity;
  if (lower === '-inf') return -Infinity;
  if (lower === 'nan') return NaN;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(s)) throw new Error(`line ${line}: bad value '${s}'`);
  return Number(s);
}

function parseLabels(s: string, line: number): Record<string, string> {
  const labels: Record<string, string> = {};
  let i = 0;
  while (i < s.length) {
    const eq = s.indexOf('=', i);
    if (eq < 0) throw new Error(`line ${line}: label without '='`);
    const name = s.slice(i, eq);
    if (!LABEL.test(name)) throw new Error(`line ${line}: bad label name '${name}'`);
    if (s[eq + 1] !== '"') throw new Error(`line ${line}: label value not quoted`);
    let j = eq + 2;
    let value = '';
    for (; j < s.length && s[j] !== '"'; j++) {
      if (s[j] !== '\\') {
        value += s[j];
        continue;
      }
      const e = s[++j];
      if (e === 'n') value += '\n';
      else if (e === '\\' || e === '"') value += e;
      else throw new Error(`line ${line}: bad escape '\\${e}'`);
    }
    if (j >= s.length) throw new Error(`line ${line}: unterminated label value`);
    if (name in labels) throw new Error(`line ${line}: label '${name}' twice`);
    labels[name] = value;
    i = j + 1;
    if (i < s.length) {
      if (s[i] !== ',') throw new Error(`line ${line}: expected ',' after a label`);
      i++;
    }
  }
  return labels;
}

function familyOf(name: string, families: Map<string, PromFamily>): PromFamily | undefined {
  const direct = families.get(name);
  if (direct !== undefined) return direct;
  const suffix = SUFFIXES.find((s) => name.endsWith(s));
  return suffix === undefined ? undefined : families.get(name.slice(0, -suffix.length));
}

/**
 * A strict parser of the Prometheus text format 0.0.4: every sample must
 * follow the TYPE line of its family, names and labels must be valid, values
 * floats; anything else throws naming the line.
 */
export function parsePromText(text: string): Map<string, PromFamily> {
  const families = new Map<string, PromFamily>();
  const help = new Map<string, string>();
  const lines = text.split('\n');
  if (lines.pop() !== '') throw new Error('exposition must end with a newline');
  lines.forEach((raw, idx) => {
    const line = idx + 1;
    if (raw === '') return;
    const meta = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(raw);
    if (meta !== null) {
      const [, kind, name, rest] = meta as unknown as [string, string, string, string];
      if (!NAME.test(name)) throw new Error(`line ${line}: bad metric name '${name}'`);
      if (kind === 'HELP') help.set(name, rest);
      else {
        if (!TYPES.has(rest)) throw new Error(`line ${line}: bad type '${rest}'`);
        if (families.has(name)) throw new Error(`line ${line}: TYPE of ${name} twice`);
        families.set(name, { type: rest, help: help.get(name) ?? '', samples: [] });
      }
      return;
    }
    if (raw.startsWith('#')) return;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)(?: (-?\d+))?$/.exec(raw);
    if (m === null) throw new Error(`line ${line}: not a sample: ${raw}`);
    const [, name, labelText, value] = m as unknown as [string, string, string | undefined, string];
    const family = familyOf(name, families);
    if (family === undefined) throw new Error(`line ${line}: sample ${name} before its TYPE`);
    family.samples.push({ name, labels: parseLabels(labelText ?? '', line), value: parseValue(value, line) });
  });
  return families;
}

/** The value of the one sample of `name` whose labels include `labels`; throws if none or several. */
export function sampleValue(families: Map<string, PromFamily>, name: string, labels: Record<string, string> = {}): number {
  const family = familyOf(name, families);
  const hits = (family?.samples ?? []).filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  if (hits.length !== 1) throw new Error(`expected one sample ${name} ${JSON.stringify(labels)}, found ${hits.length}`);
  return hits[0]!.value;
}
