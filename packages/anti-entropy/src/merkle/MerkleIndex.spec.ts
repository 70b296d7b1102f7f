import { describe, expect, it, jest } from '@jest/globals';
import {
  asVersion,
  ConsoleLogger,
  partitionOfKey,
  type AppliedListener,
  ManualClock,
  type PurgedListener,
  type ReplicaPurges,
  type Sibling,
  type Unsubscribe,
} from '@dynamis/core';
import { RateLimiter } from '../RateLimiter';
import { recordDigest } from './digest';
import {
  MAX_PENDING_PURGES,
  MAX_PENDING_WRITE_BYTES,
  MAX_PENDING_WRITES,
  MerkleIndex,
  type IndexedReplica,
  type PurgeSource,
} from './MerkleIndex';
import { PartitionTree } from './PartitionTree';

const sib = (v: string): Sibling[] => [{ version: asVersion(Buffer.from(v)), value: Buffer.from(v), writtenAt: 1 }];

/** A replica double: a Map of records, applied and purge events fired by the test, reads that can be held. */
class FakeReplica implements IndexedReplica, PurgeSource {
  readonly records = new Map<string, Sibling[]>();
  private applied = new Set<AppliedListener>();
  readonly purged = new Set<PurgedListener>();
  hold: Promise<void> | undefined;

  /** A write event with the key's partition, as Replica reports it (or `partition`, to see which one the index uses). */
  write(key: string, siblings: Sibling[], partition = partitionOfKey(key, 4)): void {
    this.records.set(key, siblings);
    for (const l of this.applied) l(key, siblings, partition);
  }
  purge(keys: string[], remove = true): void {
    if (remove) for (const k of keys) this.records.delete(k);
    this.report({ records: keys.map((key) => ({ key, partition: 0, versions: [], removed: remove })) });
  }
  report(purges: ReplicaPurges): void {
    for (const l of this.purged) l(purges);
  }
  async read(key: string): Promise<Sibling[]> {
    const value = this.records.get(key) ?? [];
    await this.hold;
    return value;
  }
  async *scan(): AsyncGenerator<[string, Sibling[]]> {
    for (const [k, v] of [...this.records]) yield [k, v];
  }
  onApplied(l: AppliedListener): Unsubscribe {
    this.applied.add(l);
    return () => this.applied.delete(l);
  }
  onPurged(l: PurgedListener): Unsubscribe {
    this.purged.add(l);
    return () => this.purged.delete(l);
  }
}

function setup(keys = 100) {
  const replica = new FakeReplica();
  for (let i = 0; i < keys; i++) replica.records.set(`k${i}`, sib(`v${i}`));
  const clock = new ManualClock();
  const index = new MerkleIndex(replica, 4, 2, new RateLimiter(1_000_000, clock), new ConsoleLogger('silent'), replica);
  return { replica, clock, index };
}

/** The roots of every partition, from trees built afresh from `records`. */
function expectedRoots(index: MerkleIndex, records: Map<string, Sibling[]>): string[] {
  const trees = Array.from({ length: index.partitionCount }, () => new PartitionTree(index.levels));
  for (const [key, s] of records) {
    const { partition, leaf } = index.position(key);
    trees[partition]!.set(key, leaf, recordDigest(key, s));
  }
  return trees.map((t) => Buffer.from(t.root()).toString('hex'));
}
const roots = (index: MerkleIndex) =>
  Array.from({ length: index.partitionCount }, (_, p) => Buffer.from(index.peek(p).root()).toString('hex'));
const settle = () => new Promise((r) => setImmediate(r));

describe('MerkleIndex', () => {
  it('rebuilds from a scan, then follows writes', async () => {
    const { replica, index } = setup();
    index.start();
    await index.whenReady();
    expect(index.ready).toBe(true);
    expect(index.size).toBe(100);
    expect(roots(index)).toEqual(expectedRoots(index, replica.records));
    replica.write('k5', sib('new'));
    replica.write('fresh', sib('x'));
    expect(roots(index)).toEqual(expectedRoots(index, replica.records));
    await index.stop();
    replica.write('after-stop', sib('x'));
    expect(index.size).toBe(101);
  });

  it('files a write under the partition its event names, without hashing the key for it', async () => {
    const { replica, index } = setup(0);
    index.start();
    await index.whenReady();
    const own = partitionOfKey('moved', 4);
    const other = (own + 1) % 4;
    // A replica stores a key where its write event says (the partition a peer sent); the index must agree with it.
    replica.write('moved', sib('x'), other);
    const leaf = index.position('moved').leaf;
    expect(index.peek(other).get('moved', leaf)).toEqual(recordDigest('moved', sib('x')));
    expect(index.peek(own).size).toBe(0);
    await index.stop();
  });

  it('digests a key written many times between tree reads once, and never lets more than the bound of writes wait', async () => {
    const { replica, index } = setup(0);
    index.start();
    await index.whenReady();
    const sets = jest.spyOn(PartitionTree.prototype, 'set');
    try {
      for (let i = 0; i < 10; i++) replica.write('hot', sib(`v${i}`));
      expect(sets).not.toHaveBeenCalled(); // waiting for a read
      const got = roots(index);
      expect(sets.mock.calls.filter(([key]) => key === 'hot')).toHaveLength(1);
      expect(got).toEqual(expectedRoots(index, replica.records)); // (builds trees of its own: after the count)
      sets.mockClear();
      for (let i = 0; i < MAX_PENDING_WRITES; i++) replica.write(`k${i}`, sib('x'));
      expect(sets).not.toHaveBeenCalled();
      replica.write('one-more', sib('x'));
      expect(sets).toHaveBeenCalledTimes(MAX_PENDING_WRITES + 1);
      sets.mockClear();
      // Values are not kept (a digest does not read them): a value as big as the byte bound makes nothing wait less.
      replica.write('huge-value', [
        { version: asVersion(Buffer.from('v')), value: Buffer.alloc(MAX_PENDING_WRITE_BYTES + 1), writtenAt: 1 },
      ]);
      expect(sets).not.toHaveBeenCalled();
      // Versions are kept and counted.
      const big = [{ version: asVersion(Buffer.alloc(MAX_PENDING_WRITE_BYTES / 2 - 16)), value: Buffer.from('x'), writtenAt: 1 }];
      replica.write('big1', big);
      replica.write('big2', big);
      expect(sets).not.toHaveBeenCalled();
      replica.write('big3', big); // past the byte bound
      expect(sets).toHaveBeenCalledTimes(4);
      expect(roots(index)).toEqual(expectedRoots(index, replica.records));
    } finally {
      sets.mockRestore();
      await index.stop();
    }
  });

  it("reading one partition's tree digests the writes waiting there and no other partition's", async () => {
    const { replica, index } = setup(0);
    index.start();
    await index.whenReady();
    const keys = Array.from({ length: 40 }, (_, i) => `p${i}`);
    for (const key of keys) replica.write(key, sib(key));
    const sets = jest.spyOn(PartitionTree.prototype, 'set');
    try {
      const p = partitionOfKey(keys[0]!, 4);
      index.peek(p);
      const digested = sets.mock.calls.map(([key]) => key).sort();
      expect(digested).toEqual(keys.filter((k) => partitionOfKey(k, 4) === p).sort());
      expect(digested.length).toBeLessThan(keys.length); // the others still wait
      sets.mockClear();
      index.peek(p); // nothing left there
      expect(sets).not.toHaveBeenCalled();
      const got = roots(index); // every partition read: the rest folded, as if applied at once
      expect(sets).toHaveBeenCalledTimes(keys.length - digested.length);
      expect(got).toEqual(expectedRoots(index, replica.records)); // (builds trees of its own: after the count)
    } finally {
      sets.mockRestore();
      await index.stop();
    }
  });

  it('a tombstone and an expiry waiting for their digest are digested as written (the value is dropped, its absence is not)', async () => {
    const { replica, index } = setup(0);
    index.start();
    await index.whenReady();
    const version = asVersion(Buffer.from('pooled-version').subarray(2, 9)); // a view of a larger buffer: copied, not kept
    replica.write('gone', [{ version, value: null, writtenAt: 5 }]);
    replica.write('ttl', [{ version: asVersion(Buffer.from('t')), value: Buffer.from('v'), writtenAt: 5, expiresAt: 99 }]);
    const at = (key: string) => index.peek(partitionOfKey(key, 4)).get(key, index.position(key).leaf);
    expect(at('gone')).toEqual(recordDigest('gone', [{ version, value: null, writtenAt: 5 }]));
    expect(at('ttl')).toEqual(
      recordDigest('ttl', [{ version: asVersion(Buffer.from('t')), value: Buffer.from('v'), writtenAt: 5, expiresAt: 99 }]),
    );
    expect(at('ttl')).not.toEqual(recordDigest('ttl', [{ version: asVersion(Buffer.from('t')), value: Buffer.from('v'), writtenAt: 5 }]));
    expect(at('gone')).not.toEqual(recordDigest('gone', [{ version, value: Buffer.from('x'), writtenAt: 5 }]));
    await index.stop();
  });

  it('a purge re-read begun after a write wins over that write still waiting for its digest', async () => {
    const { replica, index } = setup();
    index.start();
    await index.whenReady();
    replica.write('k5', sib('new')); // waits for its digest
    replica.purge(['k5']); // and then compaction removes the record: the re-read finds nothing
    await settle();
    expect(roots(index)).toEqual(expectedRoots(index, replica.records));
    expect(index.size).toBe(99);
    await index.stop();
  });

  it('a purged key leaves the tree; a key written again since its purge stays, and a write racing the re-read wins', async () => {
    const { replica, index } = setup();
    index.start();
    await index.whenReady();
    replica.purge(['k1', 'k2']);
    await settle();
    replica.records.delete('k0');
    replica.purge(['k0'], false);
    await settle();
    expect(index.size).toBe(97);
    expect(roots(index)).toEqual(expectedRoots(index, replica.records));
    // k3 was written again before its old version's purge is reported: the re-read keeps the new record.
    replica.write('k3', sib('again'));
    replica.purge(['k3'], false);
    await settle();
    expect(roots(index)).toEqual(expectedRoots(index, replica.records));
    // k4 is purged; while its re-read is held, a new write lands: the write wins over the (older) re-read.
    let release!: () => void;
    replica.hold = new Promise((r) => (release = r));
    replica.purge(['k4']);
    replica.write('k4', sib('newer'));
    replica.hold = undefined;
    release();
    await settle();
    await settle();
    expect(index.peek(index.position('k4').partition).get('k4', index.position('k4').leaf)).toBeDefined();
    expect(roots(index)).toEqual(expectedRoots(index, replica.records));
    await index.stop();
  });

  it('reading a partition with no keys allocates no tree', async () => {
    const { index } = setup(0);
    index.start();
    await index.whenReady();
    expect(index.peek(0)).toBe(index.peek(3));
    expect(Buffer.from(index.peek(2).root())).toEqual(Buffer.alloc(16));
    await index.stop();
  });

  it('more purged keys pending than the bound makes a rebuild', async () => {
    const { replica, index } = setup(10);
    index.start();
    await index.whenReady();
    let release!: () => void;
    replica.hold = new Promise((r) => (release = r));
    replica.purge(['k0']); // its re-read is held
    const many = Array.from({ length: MAX_PENDING_PURGES + 1 }, (_, i) => `gone-${i}`);
    replica.purge(many);
    expect(index.ready).toBe(false);
    replica.hold = undefined;
    release();
    await index.whenReady();
    expect(index.ready).toBe(true);
    expect(roots(index)).toEqual(expectedRoots(index, replica.records));
    await index.stop();
  });

  it('a report with purges the engine did not itemize makes a rebuild that matches the replica', async () => {
    const { replica, index } = setup(10);
    index.start();
    await index.whenReady();
    replica.records.delete('k5'); // purged, but not listed in the report
    replica.report({ records: [], unlisted: { firstPartition: 0, lastPartition: 3 } });
    expect(index.ready).toBe(false);
    await index.whenReady();
    expect(index.size).toBe(9);
    expect(roots(index)).toEqual(expectedRoots(index, replica.records));
    await index.stop();
  });
});
