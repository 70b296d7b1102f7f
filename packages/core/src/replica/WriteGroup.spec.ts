import { describe, expect, it } from '@jest/globals';
import { DynamisError } from '../errors/DynamisError';
import type { BatchOp, StorageEngine } from '../ports/StorageEngine';
import { MAX_GROUP_BYTES, MAX_GROUP_OPS, WriteGroup } from './WriteGroup';

/** An engine whose write() records each batch and settles when the test says so. */
function fakeEngine(fail: (ops: readonly BatchOp[]) => DynamisError | undefined = () => undefined) {
  const writes: string[][] = [];
  const pending: Array<() => void> = [];
  const engine = {
    write(ops: readonly BatchOp[]): Promise<void> {
      writes.push(ops.map((op) => Buffer.from(op.key).toString()));
      const err = fail(ops);
      return new Promise<void>((resolve, reject) => pending.push(() => (err === undefined ? resolve() : reject(err))));
    },
  };
  const settleAll = (): void => {
    for (const settle of pending.splice(0)) settle();
  };
  return { writes, settleAll, engine: engine as unknown as StorageEngine };
}

const bytes = (s: string): Uint8Array => Buffer.from(s);
const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('WriteGroup', () => {
  it('writes the puts of one tick in one engine write, resolving none before it resolved', async () => {
    const { writes, settleAll, engine } = fakeEngine();
    const g = new WriteGroup(engine);
    let resolved = 0;
    const puts = ['a', 'b', 'c'].map((k) => g.put(bytes(k), bytes('v')).then(() => resolved++));
    await tick();
    expect(writes).toEqual([['a', 'b', 'c']]);
    expect(resolved).toBe(0); // not acknowledged before the engine write is durable
    settleAll();
    await Promise.all(puts);
    expect(resolved).toBe(3);
    const later = g.put(bytes('d'), bytes('v'));
    await tick();
    settleAll();
    await later;
    expect(writes).toEqual([['a', 'b', 'c'], ['d']]);
  });

  it('bounds a group by ops and by bytes', async () => {
    const { writes, settleAll, engine } = fakeEngine();
    const g = new WriteGroup(engine);
    const puts = Array.from({ length: MAX_GROUP_OPS + 1 }, (_, i) => g.put(bytes(`k${i}`), bytes('v')));
    const half = new Uint8Array(MAX_GROUP_BYTES / 2);
    puts.push(g.put(bytes('x'), half), g.put(bytes('y'), half));
    await tick();
    settleAll();
    await Promise.all(puts);
    expect(writes.map((w) => w.length)).toEqual([MAX_GROUP_OPS, 2, 1]);
  });

  it('fails every put of a group the engine failed (none was written)', async () => {
    const io = new DynamisError('IO_ERROR', 'disk');
    const { settleAll, engine } = fakeEngine(() => io);
    const g = new WriteGroup(engine);
    const puts = Promise.allSettled([g.put(bytes('a'), bytes('v')), g.put(bytes('b'), bytes('v'))]);
    await tick();
    settleAll();
    expect((await puts).map((r) => (r as PromiseRejectedResult).reason)).toEqual([io, io]);
  });

  it('re-writes a group refused for one bad op op by op, so only that put fails', async () => {
    const bad = new DynamisError('INVALID_ARGUMENT', 'bad op');
    const { writes, settleAll, engine } = fakeEngine((ops) =>
      ops.some((op) => Buffer.from(op.key).toString() === 'bad') ? bad : undefined,
    );
    const g = new WriteGroup(engine);
    const puts = Promise.allSettled(['a', 'bad', 'c'].map((k) => g.put(bytes(k), bytes('v'))));
    for (let i = 0; i < 3; i++) {
      await tick();
      settleAll();
    }
    expect((await puts).map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(writes).toEqual([['a', 'bad', 'c'], ['a'], ['bad'], ['c']]);
  });
});
