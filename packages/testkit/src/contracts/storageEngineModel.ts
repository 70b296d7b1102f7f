import { it } from '@jest/globals';
import fc from 'fast-check';
import type { CompactionDecision, EngineIterator, Entry, KeyRange, StorageEngine } from '@dynamis/core';
import { opArb, type Model, type Op, type Range } from './storageEngineModelOps';
import { hex, type EngineFactory } from './storageEngineHelpers';

/** Options of storageEngineModelTest. */
export interface ModelTestOptions {
  /** Random sequences to run. Default 100. */
  readonly numRuns?: number;
  /** fast-check seed, to replay a failure it printed. */
  readonly seed?: number;
  /** Longest operation sequence. Default 60. */
  readonly maxOps?: number;
  /** Jest timeout of the test in ms. Default 120000. */
  readonly timeoutMs?: number;
}

function inRange(range: Range | undefined, key: Uint8Array): boolean {
  if (range === undefined) return true;
  const lo = range.gt ?? range.gte;
  const hi = range.lt ?? range.lte;
  if (lo !== undefined) {
    const c = Buffer.compare(key, lo);
    if (c < 0 || (c === 0 && range.gt !== undefined)) return false;
  }
  if (hi !== undefined) {
    const c = Buffer.compare(key, hi);
    if (c > 0 || (c === 0 && range.lt !== undefined)) return false;
  }
  return true;
}

function select(model: Model, range: Range, reverse: boolean, limit: number): string[] {
  const entries = [...model.values()].filter(([k]) => inRange(range, k));
  entries.sort((a, b) => Buffer.compare(a[0], b[0]) * (reverse ? -1 : 1));
  return (limit >= 0 ? entries.slice(0, limit) : entries).map(([k, v]) => `${hex(k)}=${hex(v)}`);
}

function show(entries: readonly Entry[]): string[] {
  return entries.map(([k, v]) => `${hex(k)}=${hex(v)}`);
}

/**
 * Idempotent filter acting only inside `range` (so that an engine compacting
 * more than asked, or again in the background, stays deterministic): first
 * byte ≡ 0 (mod 4) → remove, ≡ 1 → replace with first byte + 1 (then kept).
 */
function modelFilter(range: Range | undefined): (key: Uint8Array, value: Uint8Array) => CompactionDecision {
  return (key, value) => {
    const first = value[0];
    if (first === undefined || !inRange(range, key)) return { action: 'keep' };
    if (first % 4 === 0) return { action: 'remove' };
    if (first % 4 === 1) {
      const next = Uint8Array.from(value);
      next[0] = first + 1;
      return { action: 'replace', value: next };
    }
    return { action: 'keep' };
  };
}

function fail(what: string, got: unknown, want: unknown): never {
  throw new Error(`${what}: engine gave ${JSON.stringify(got)}, model says ${JSON.stringify(want)}`);
}

async function drainPaged(engine: StorageEngine, range: Range, reverse: boolean, limit: number, page: number): Promise<Entry[]> {
  const it = engine.iterator({ ...range, reverse, limit });
  const out: Entry[] = [];
  try {
    for (;;) {
      if (page === 0) {
        const entry = await it.next();
        if (entry === undefined) return out;
        out.push(entry);
      } else {
        const batch = await it.nextv(page);
        if (batch.length === 0) return out;
        out.push(...batch);
      }
    }
  } finally {
    await it.close();
  }
}

/** What an iterator over `range` yields after seek(target): in range and >= target (<= in reverse). */
function seekRest(model: Model, range: Range, reverse: boolean, target: Uint8Array): string[] {
  if (!inRange(range, target)) return [];
  const entries = [...model.values()].filter(([k]) => inRange(range, k) && Buffer.compare(k, target) * (reverse ? -1 : 1) >= 0);
  entries.sort((a, b) => Buffer.compare(a[0], b[0]) * (reverse ? -1 : 1));
  return show(entries);
}

/** The remaining entries of `it`, by next() (page 0) or nextv(page); closes it. */
async function drainRest(it: EngineIterator, page: number): Promise<Entry[]> {
  const out: Entry[] = [];
  try {
    for (;;) {
      const batch = page === 0 ? [await it.next()].filter((e): e is Entry => e !== undefined) : await it.nextv(page);
      if (batch.length === 0) return out;
      out.push(...batch);
    }
  } finally {
    await it.close();
  }
}

class Run {
  readonly model: Model = new Map();

  constructor(
    public engine: StorageEngine,
    private readonly factory: EngineFactory,
  ) {}

  private set(key: Uint8Array, value: Uint8Array | null): void {
    if (value === null) this.model.delete(hex(key) as string);
    else this.model.set(hex(key) as string, [Uint8Array.from(key), Uint8Array.from(value)]);
  }

  async apply(op: Op): Promise<void> {
    const e = this.engine;
    switch (op.kind) {
      case 'put':
        await e.put(op.key, op.value);
        return this.set(op.key, op.value);
      case 'del':
        await e.delete(op.key);
        return this.set(op.key, null);
      case 'batch':
        await e.write(op.ops);
        for (const o of op.ops) this.set(o.key, o.type === 'put' ? o.value : null);
        return;
      case 'get': {
        const got = hex(await e.get(op.key));
        const want = hex(this.model.get(hex(op.key) as string)?.[1]);
        if (got !== want) fail(`get ${hex(op.key)}`, got, want);
        return;
      }
      case 'iterate': {
        const got = show(await drainPaged(e, op.range, op.reverse, op.limit, op.page));
        const want = select(this.model, op.range, op.reverse, op.limit);
        if (JSON.stringify(got) !== JSON.stringify(want)) fail('iterate', got, want);
        return;
      }
      case 'snapshot': {
        const want = select(this.model, op.range, op.reverse, -1);
        const it = e.iterator({ ...op.range, reverse: op.reverse });
        for (const w of op.writes)
          await this.apply(w.value === null ? { kind: 'del', key: w.key } : { kind: 'put', key: w.key, value: w.value });
        const got: Entry[] = [];
        for (let entry = await it.next(); entry !== undefined; entry = await it.next()) got.push(entry);
        if (JSON.stringify(show(got)) !== JSON.stringify(want)) fail('snapshot iterator', show(got), want);
        return;
      }
      case 'seek':
        return this.seek(op);
      case 'snap':
        return this.snap(op);
      case 'delRange':
        await e.deleteRange(op.start, op.end);
        for (const [id, [key]] of [...this.model]) {
          if (Buffer.compare(key, op.start) >= 0 && Buffer.compare(key, op.end) < 0) this.model.delete(id);
        }
        return;
      case 'compact':
        return this.compact(op.range);
      case 'restart':
        return this.restart();
    }
  }

  /** Reads `first` entries (never past the end), seeks, reads the rest: checked against the model. */
  private async seek(op: Extract<Op, { kind: 'seek' }>): Promise<void> {
    const all = select(this.model, op.range, op.reverse, -1);
    const first = Math.min(op.first, all.length);
    const want = [...all.slice(0, first), ...seekRest(this.model, op.range, op.reverse, op.target)];
    const it = this.engine.iterator({ ...op.range, reverse: op.reverse });
    const got: Entry[] = [];
    try {
      for (let i = 0; i < first; i++) got.push((await it.next()) as Entry);
      it.seek(op.target);
      got.push(...(await drainRest(it, op.page)));
    } finally {
      await it.close();
    }
    if (JSON.stringify(show(got)) !== JSON.stringify(want)) fail(`seek ${hex(op.target)}`, show(got), want);
  }

  /** Takes a snapshot, writes, then checks get, an iterator and a seek through the snapshot. */
  private async snap(op: Extract<Op, { kind: 'snap' }>): Promise<void> {
    const e = this.engine;
    const frozen: Model = new Map(this.model);
    const snapshot = e.snapshot();
    try {
      for (const w of op.writes) await this.apply(w);
      const got = hex(await e.get(op.key, { snapshot }));
      const want = hex(frozen.get(hex(op.key) as string)?.[1]);
      if (got !== want) fail(`snapshot get ${hex(op.key)}`, got, want);
      const it = e.iterator({ ...op.range, reverse: op.reverse, snapshot });
      it.seek(op.target);
      const rest = show(await drainRest(it, 0));
      const wantRest = seekRest(frozen, op.range, op.reverse, op.target);
      if (JSON.stringify(rest) !== JSON.stringify(wantRest)) fail('snapshot iterator after seek', rest, wantRest);
    } finally {
      snapshot.release();
    }
  }

  private async compact(range: Range | undefined): Promise<void> {
    const filter = modelFilter(range);
    this.engine.setCompactionFilter(filter);
    try {
      await this.engine.compactRange(range as KeyRange | undefined);
    } finally {
      this.engine.setCompactionFilter(undefined);
    }
    for (const [id, [key, value]] of [...this.model]) {
      const d = filter(key, value);
      if (d.action === 'remove') this.model.delete(id);
      else if (d.action === 'replace') this.model.set(id, [key, d.value]);
    }
  }

  private async restart(): Promise<void> {
    await this.engine.close();
    const reopen = this.factory.reopen;
    if (this.engine.supports.persistent && reopen !== undefined) this.engine = reopen.call(this.factory, this.engine);
    await this.engine.open();
  }
}

/**
 * A fast-check model-based test: random sequences of put, del, batch,
 * deleteRange, get, range iteration (both directions, limits, next or nextv
 * pages), iterator seek, snapshot isolation checks (iterators, and explicit
 * snapshots read by get and a seeking iterator while writes and range
 * deletes go on), restarts (close + reopen: a new instance for a persistent
 * engine, the same one for a volatile engine, which keeps its data) and,
 * when supported, compactRange with a filter, each checked against a Map. A failure prints the seed and the
 * shrunk sequence.
 */
export function storageEngineModelTest(name: string, factory: EngineFactory, options: ModelTestOptions = {}): void {
  const probe = factory.create();
  const supports = probe.supports;
  it(
    `StorageEngine model: ${name} behaves as a sorted map`,
    async () => {
      await factory.destroy?.(probe);
      await fc.assert(
        fc.asyncProperty(fc.array(opArb(supports), { maxLength: options.maxOps ?? 60, size: 'max' }), async (ops) => {
          const run = new Run(factory.create(), factory);
          await run.engine.open();
          try {
            for (const op of ops) await run.apply(op);
            await run.apply({ kind: 'iterate', range: {}, reverse: false, limit: -1, page: 0 });
          } finally {
            await run.engine.close();
            await factory.destroy?.(run.engine);
          }
        }),
        { numRuns: options.numRuns ?? 100, ...(options.seed === undefined ? {} : { seed: options.seed }) },
      );
    },
    options.timeoutMs ?? 120_000,
  );
}
