import { describe, expect, it } from '@jest/globals';
import { KeyLocks } from './KeyLocks';

/** A promise and its resolver. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

const settle = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('KeyLocks', () => {
  it('runs the holders of one key one at a time, in arrival order, and other keys alongside', async () => {
    const locks = new KeyLocks();
    const log: string[] = [];
    const gates = [gate(), gate(), gate()];
    const runs = gates.map((g, i) =>
      locks.run('k', async () => {
        log.push(`start ${i}`);
        await g.promise;
        log.push(`end ${i}`);
      }),
    );
    const other = locks.run('other', async () => log.push('other'));
    await settle();
    expect(log).toEqual(['start 0', 'other']);
    gates[2]!.open(); // a later waiter's gate opening early changes nothing
    gates[1]!.open();
    await settle();
    expect(log).toEqual(['start 0', 'other']);
    gates[0]!.open();
    await Promise.all([...runs, other]);
    expect(log).toEqual(['start 0', 'other', 'end 0', 'start 1', 'end 1', 'start 2', 'end 2']);
    expect(locks.size).toBe(0);
  });

  it('releases a key when its holder throws or rejects', async () => {
    const locks = new KeyLocks();
    await expect(locks.run('k', () => Promise.reject(new Error('no')))).rejects.toThrow('no');
    await expect(
      locks.run('k', () => {
        throw new Error('sync');
      }),
    ).rejects.toThrow('sync');
    await expect(locks.run('k', async () => 7)).resolves.toBe(7);
    expect(locks.size).toBe(0);
  });

  it('counts held and awaited keys, and runAll holds every key of a batch', async () => {
    const locks = new KeyLocks();
    const g = gate();
    const batch = locks.runAll(['b', 'a'], () => g.promise);
    await settle();
    expect(locks.size).toBe(2);
    let single = false;
    const a = locks.run('a', async () => void (single = true));
    await settle();
    expect(single).toBe(false);
    g.open();
    await Promise.all([batch, a]);
    expect(single).toBe(true);
    expect(locks.size).toBe(0);
  });
  it('runAll takes its keys in sorted order: overlapping batches run one after the other, a queued single run keeps its turn', async () => {
    const locks = new KeyLocks();
    const log: string[] = [];
    const g1 = gate();
    const g2 = gate();
    const first = locks.runAll(['b', 'a'], async () => {
      log.push('first');
      await g1.promise;
    });
    const single = locks.run('b', async () => {
      log.push('single');
      await g2.promise;
    });
    const second = locks.runAll(['a', 'b', 'c'], async () => void log.push('second'));
    await settle();
    expect(log).toEqual(['first']);
    expect(locks.size).toBe(2); // 'c' is not taken before 'a' and 'b' are
    g1.open();
    await settle();
    expect(log).toEqual(['first', 'single']); // 'b' went to the run queued first; the second batch holds 'a' and waits
    expect(locks.size).toBe(2);
    g2.open();
    await Promise.all([first, single, second]);
    expect(log).toEqual(['first', 'single', 'second']);
    expect(locks.size).toBe(0);
  });
  it('runAll cannot deadlock with a batch taking the same keys in another order', async () => {
    const locks = new KeyLocks();
    const g = gate();
    const z = locks.run('z', () => g.promise);
    const one = locks.runAll(['b', 'z', 'a'], async () => 1); // sorted: a, b, then waits for z
    const two = locks.runAll(['a', 'b'], async () => 2); // waits for a
    await settle();
    g.open();
    await expect(Promise.all([z, one, two])).resolves.toEqual([undefined, 1, 2]);
    expect(locks.size).toBe(0);
  });
});
