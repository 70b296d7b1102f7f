import { describe, expect, it } from '@jest/globals';
import { GroupCommit } from './GroupCommit';

/** A fake fsync that records how many "appends" each sync covered and resolves when told. */
function harness() {
  let appended = 0;
  const covered: number[] = [];
  const pending: (() => void)[] = [];
  const stats = { walSyncs: 0 };
  const g = new GroupCommit(
    () => {
      const upTo = appended;
      return new Promise<void>((resolve) =>
        pending.push(() => {
          covered.push(upTo);
          resolve();
        }),
      );
    },
    { stats },
  );
  const append = (): number => {
    g.markDirty();
    return ++appended;
  };
  const finishOne = async (): Promise<void> => {
    pending.shift()!();
    await new Promise((r) => setImmediate(r));
  };
  return { g, append, covered, pending, stats, finishOne };
}

describe('GroupCommit', () => {
  it('one fsync acknowledges every writer that appended before it started; later ones share the next', async () => {
    const h = harness();
    const acked: number[] = [];
    const write = (): void => {
      const n = h.append();
      void h.g.sync().then(() => acked.push(n));
    };
    write(); // starts fsync #1 covering 1
    for (let i = 0; i < 63; i++) write(); // wait for fsync #2
    expect(h.pending).toHaveLength(1);
    await h.finishOne();
    expect(acked).toEqual([1]);
    expect(h.pending).toHaveLength(1); // #2 started at once, covering 2..64
    await h.finishOne();
    expect(acked).toHaveLength(64);
    expect(h.covered).toEqual([1, 64]);
    expect(h.stats.walSyncs).toBe(2);
  });

  it('syncIfDirty does nothing when clean, and idle() waits for the queue', async () => {
    const h = harness();
    expect(h.g.syncIfDirty()).toBeUndefined();
    h.append();
    const p = h.g.syncIfDirty()!;
    expect(h.g.isDirty).toBe(false);
    let idle = false;
    void h.g.idle().then(() => (idle = true));
    await h.finishOne();
    await p;
    await new Promise((r) => setImmediate(r));
    expect(idle).toBe(true);
  });

  it('a failed fsync rejects the writers it covered; the next call tries again', async () => {
    let fail = true;
    const failures: unknown[] = [];
    const g = new GroupCommit(() => (fail ? Promise.reject(new Error('EIO')) : Promise.resolve()), { onFailure: (e) => failures.push(e) });
    g.markDirty();
    await expect(g.sync()).rejects.toThrow('EIO');
    expect(failures).toHaveLength(1);
    fail = false;
    await expect(g.sync()).resolves.toBeUndefined();
  });
});
