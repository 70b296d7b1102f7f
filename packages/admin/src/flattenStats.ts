/** One metric sample derived from a stats object. */
export interface StatSample {
  readonly name: string;
  /** `key`: the record key (a peer, a hint target, an engine counter name) when the figure sits in a record. */
  readonly key: string | undefined;
  readonly value: number;
}

/** `bytesTransferred` → `bytes_transferred`; characters Prometheus refuses in a name become `_`. */
export function metricName(s: string): string {
  return s
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, '_');
}

function numeric(v: unknown): number | undefined {
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  return undefined;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Pure: turns a port's stats() snapshot into samples named `${prefix}_${field}`.
 * A top-level number (or boolean, as 0/1) is one sample; a record of numbers
 * is one sample per entry, labelled `key`; a record of records gives
 * `${prefix}_${field}_${inner}` per entry, labelled `key`. Strings, arrays,
 * deeper nesting and non-finite numbers are skipped. Stops after `budget`
 * samples; `truncated` then says so.
 */
export function flattenStats(prefix: string, stats: unknown, budget: number): { samples: StatSample[]; truncated: boolean } {
  const samples: StatSample[] = [];
  if (!isRecord(stats)) return { samples, truncated: false };
  for (const [field, v] of Object.entries(stats)) {
    const name = `${prefix}_${metricName(field)}`;
    const n = numeric(v);
    if (n !== undefined) {
      if (samples.length >= budget) return { samples, truncated: true };
      samples.push({ name, key: undefined, value: n });
      continue;
    }
    if (!isRecord(v)) continue;
    for (const [key, inner] of Object.entries(v)) {
      const m = numeric(inner);
      if (m !== undefined) {
        if (samples.length >= budget) return { samples, truncated: true };
        samples.push({ name, key, value: m });
        continue;
      }
      if (!isRecord(inner)) continue;
      for (const [f, x] of Object.entries(inner)) {
        const k = numeric(x);
        if (k === undefined) continue;
        if (samples.length >= budget) return { samples, truncated: true };
        samples.push({ name: `${name}_${metricName(f)}`, key, value: k });
      }
    }
  }
  return { samples, truncated: false };
}
