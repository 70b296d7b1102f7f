import { describe, expect, it } from '@jest/globals';
import { isDynamisError } from '../errors/DynamisError';
import type { BatchOp, EngineStats, EngineSupports, Entry } from '../ports/StorageEngine';
import { AbstractEngineIterator } from './AbstractEngineIterator';
import { AbstractEngineSnapshot } from './AbstractEngineSnapshot';
import { AbstractStorageEngine } from './AbstractStorageEngine';
import type { IteratorSpec } from './engineArgs';
import { inRange, type RangeBounds } from './rangeBounds';

/** A promise with its resolve and reject exposed. */
function deferred(): { promise: Promise<void>; resolve: () => void; reject: (err: Error) => void } {
  let resolve!: () => void;
  let reject!: (err: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

class ArrayIterator extends AbstractEngineIterator {
  closed = 0;
  gate: Promise<void> | undefined;
  private i = 0;
  constructor(
    private readonly entries: Entry[],
    spec: IteratorSpec,
  ) {
    super(spec.limit, spec);
  }
  protected override async _next(): Promise<Entry | undefined> {
    if (this.gate !== undefined) await this.gate;
    return this.entries[this.i++];
  }
  seeks = 0;
  protected override _seek(target: Uint8Array): void {
    this.seeks++;
    this.i = this.entries.findIndex(([k]) => Buffer.compare(k, target) >= 0);
    if (this.i < 0) this.i = this.entries.length;
  }
  protected override _close(): void {
    this.closed++;
  }
}

class FakeSnapshot extends AbstractEngineSnapshot {
  releases = 0;
  protected override _release(): void {
    this.releases++;
  }
}

/** A Map-backed engine whose open, close and writes can be held. */
class FakeEngine extends AbstractStorageEngine {
  readonly supports: EngineSupports = { persistent: false, compactionFilter: false };
  readonly data = new Map<string, Uint8Array>();
  readonly calls: string[] = [];
  openGate: Promise<void> | undefined;
  writeGate: Promise<void> | undefined;
  failOpen = false;
  lastIterator: ArrayIterator | undefined;

  protected override async _open(): Promise<void> {
    this.calls.push('open');
    if (this.openGate !== undefined) await this.openGate;
    if (this.failOpen) throw new Error('disk on fire');
  }
  protected override _close(): void {
    this.calls.push('close');
  }
  protected override _get(key: Uint8Array): Uint8Array | undefined {
    return this.data.get(Buffer.from(key).toString('hex'));
  }
  protected override async _write(ops: readonly BatchOp[]): Promise<void> {
    this.calls.push(`write:${ops.length}`);
    for (const op of ops) {
      if (op.type === 'put') this.data.set(Buffer.from(op.key).toString('hex'), op.value);
      else this.data.delete(Buffer.from(op.key).toString('hex'));
    }
    if (this.writeGate !== undefined) await this.writeGate;
    this.calls.push('written');
  }
  protected override _iterator(spec: IteratorSpec): AbstractEngineIterator {
    const entries: Entry[] = [...this.data].map(([k, v]) => [Buffer.from(k, 'hex'), v] as Entry).filter(([k]) => inRange(spec, k));
    this.lastIterator = new ArrayIterator(entries, spec);
    return this.lastIterator;
  }
  protected override _deleteRange(start: Uint8Array, end: Uint8Array): void {
    this.calls.push('deleteRange');
    for (const k of [...this.data.keys()]) {
      const key = Buffer.from(k, 'hex');
      if (Buffer.compare(key, start) >= 0 && Buffer.compare(key, end) < 0) this.data.delete(k);
    }
  }
  lastSnapshot: FakeSnapshot | undefined;
  protected override _snapshot(): AbstractEngineSnapshot {
    this.lastSnapshot = new FakeSnapshot();
    return this.lastSnapshot;
  }
  protected override _compactRange(_bounds: RangeBounds): void {}
  protected override _stats(): EngineStats {
    return { engine: 'fake', approximateBytes: 0, counters: {} };
  }
}

/** FakeEngine taking the caller's buffers uncopied (as engine-lsm does). */
class BorrowingEngine extends FakeEngine {
  protected override readonly borrowsWriteBuffers = true;
}

async function codeOf(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
    return undefined;
  } catch (err) {
    return isDynamisError(err) ? err.code : String(err);
  }
}

describe('AbstractStorageEngine', () => {
  it('shares one promise between concurrent open() calls and opens once', async () => {
    const e = new FakeEngine();
    const gate = deferred();
    e.openGate = gate.promise;
    const a = e.open();
    const b = e.open();
    expect(a).toBe(b);
    expect(e.status).toBe('opening');
    expect(await codeOf(e.get(Uint8Array.of(1)))).toBe('NOT_OPEN');
    gate.resolve();
    await Promise.all([a, b, e.start()]);
    expect(e.calls).toEqual(['open']);
    expect(e.status).toBe('open');
  });

  it('a failed open leaves it closed and can be retried; stop() after it resolves', async () => {
    const e = new FakeEngine();
    e.failOpen = true;
    await expect(e.start()).rejects.toThrow('disk on fire');
    expect(e.status).toBe('closed');
    await e.stop();
    e.failOpen = false;
    await e.open();
    expect(e.status).toBe('open');
    expect(e.calls).toEqual(['open', 'open']);
  });

  it('close() during open() waits for it, then closes; open() during close() reopens after', async () => {
    const e = new FakeEngine();
    const gate = deferred();
    e.openGate = gate.promise;
    const opening = e.open();
    const closing = e.close();
    gate.resolve();
    await Promise.all([opening, closing]);
    expect(e.status).toBe('closed');
    e.openGate = undefined;
    await e.open();
    const closing2 = e.close();
    const reopening = e.open();
    await Promise.all([closing2, reopening]);
    expect(e.status).toBe('open');
    expect(e.calls).toEqual(['open', 'close', 'open', 'close', 'open']);
  });

  it('close() waits for writes in flight; new calls while closing reject NOT_OPEN', async () => {
    const e = new FakeEngine();
    await e.open();
    const gate = deferred();
    e.writeGate = gate.promise;
    const write = e.put(Uint8Array.of(1), Uint8Array.of(2));
    const closing = e.close();
    expect(e.status).toBe('closing');
    expect(await codeOf(e.put(Uint8Array.of(3), Uint8Array.of(4)))).toBe('NOT_OPEN');
    gate.resolve();
    await Promise.all([write, closing]);
    expect(e.calls).toEqual(['open', 'write:1', 'written', 'close']);
  });

  it('calls _write synchronously within put(), with copies, and skips empty batches', async () => {
    const e = new FakeEngine();
    await e.open();
    const key = Uint8Array.of(7);
    const p = e.put(key, Uint8Array.of(8));
    expect(e.calls.slice(0, 2)).toEqual(['open', 'write:1']);
    key[0] = 0;
    await p;
    expect(e.data.get('07')).toEqual(Uint8Array.of(8));
    await e.write([]);
    expect(e.calls.filter((c) => c.startsWith('write'))).toEqual(['write:1']);
  });

  it('aborts open iterators on close after their pending next() settles', async () => {
    const e = new FakeEngine();
    await e.open();
    await e.put(Uint8Array.of(1), Uint8Array.of(1));
    await e.put(Uint8Array.of(2), Uint8Array.of(2));
    const it = e.iterator();
    const iterator = e.lastIterator as ArrayIterator;
    const gate = deferred();
    iterator.gate = gate.promise;
    const pending = it.next();
    const closing = e.close();
    await Promise.resolve();
    expect(iterator.closed).toBe(0);
    gate.resolve();
    await closing;
    expect(iterator.closed).toBe(1);
    expect(await codeOf(pending)).toBe('NOT_OPEN');
    expect(await codeOf(it.next())).toBe('NOT_OPEN');
    await it.close();
    expect(iterator.closed).toBe(1);
  });

  it('an iterator closed by its caller, or ended by its limit, releases once', async () => {
    const e = new FakeEngine();
    await e.open();
    for (let i = 0; i < 5; i++) await e.put(Uint8Array.of(i), Uint8Array.of(i));
    const it = e.iterator({ limit: 2 });
    const iterator = e.lastIterator as ArrayIterator;
    expect((await it.nextv(10)).length).toBe(2);
    expect(iterator.closed).toBe(1);
    expect(await it.next()).toBeUndefined();
    await it.close();
    await e.close();
    expect(iterator.closed).toBe(1);
  });

  it('seek: checks the target, its range and pending reads before calling _seek', async () => {
    const e = new FakeEngine();
    await e.open();
    for (let i = 1; i <= 5; i++) await e.put(Uint8Array.of(i), Uint8Array.of(i));
    const it = e.iterator({ gte: Uint8Array.of(2), lt: Uint8Array.of(5) });
    const iterator = e.lastIterator as ArrayIterator;
    expect(() => it.seek('x' as never)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    it.seek(Uint8Array.of(5));
    expect(iterator.seeks).toBe(0);
    expect(await it.next()).toBeUndefined();
    const again = e.iterator();
    const second = e.lastIterator as ArrayIterator;
    const gate = deferred();
    second.gate = gate.promise;
    const pending = again.next();
    expect(() => again.seek(Uint8Array.of(3))).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    gate.resolve();
    await pending;
    again.seek(Uint8Array.of(3));
    expect(second.seeks).toBe(1);
    expect((await again.next())?.[0]).toEqual(Buffer.from([3]));
    await e.close();
  });

  it('snapshots: checked on use, released once by release() or by close()', async () => {
    const e = new FakeEngine();
    await e.open();
    const a = e.snapshot();
    const fa = e.lastSnapshot as FakeSnapshot;
    const b = e.snapshot();
    const fb = e.lastSnapshot as FakeSnapshot;
    a.release();
    a.release();
    expect(fa.releases).toBe(1);
    expect(await codeOf(e.get(Uint8Array.of(1), { snapshot: a }))).toBe('NOT_OPEN');
    await e.close();
    expect(fb.releases).toBe(1);
    b.release();
    expect(fb.releases).toBe(1);
    await e.open();
    expect(await codeOf(e.get(Uint8Array.of(1), { snapshot: b }))).toBe('NOT_OPEN');
    await e.close();
  });

  it('deleteRange: start >= end never reaches _deleteRange; bad input rejects', async () => {
    const e = new FakeEngine();
    await e.open();
    await e.deleteRange(Uint8Array.of(2), Uint8Array.of(2));
    await e.deleteRange(Uint8Array.of(3), Uint8Array.of(2));
    expect(e.calls).toEqual(['open']);
    expect(await codeOf(e.deleteRange(1 as never, Uint8Array.of(2)))).toBe('INVALID_ARGUMENT');
    await e.deleteRange(Uint8Array.of(1), Uint8Array.of(2));
    expect(e.calls).toEqual(['open', 'deleteRange']);
    await e.close();
  });

  it('one path: validation failures reject (never throw), and buffers are copied unless the engine borrows them', async () => {
    const e = new FakeEngine();
    const before = e.put('k' as never, Uint8Array.of(1));
    expect(before).toBeInstanceOf(Promise);
    expect(await codeOf(before)).toBe('NOT_OPEN');
    await e.open();
    const bad = e.write([{ type: 'nope' } as never]);
    expect(await codeOf(bad)).toBe('INVALID_ARGUMENT');
    const key = Uint8Array.of(9);
    const value = Uint8Array.of(1);
    await e.put(key, value);
    expect(e.data.get('09')).not.toBe(value);
    await e.close();
    const borrowing = new BorrowingEngine();
    await borrowing.open();
    await borrowing.put(key, value);
    expect(borrowing.data.get('09')).toBe(value);
    const other = Uint8Array.of(2);
    await borrowing.write([{ type: 'put', key, value: other }]);
    expect(borrowing.data.get('09')).toBe(other);
    await borrowing.close();
  });
});
