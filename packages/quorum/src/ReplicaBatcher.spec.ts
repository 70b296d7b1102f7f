import { describe, expect, it } from '@jest/globals';
import { asVersion, DynamisError, type ReplicaClient, type ReplicaEntry, type Sibling } from '@dynamis/core';
import { MAX_COALESCED_BYTES, ReplicaBatcher } from './ReplicaBatcher';

const sib = (n: number, bytes = 1): Sibling => ({ version: asVersion(Uint8Array.of(n)), value: new Uint8Array(bytes), writtenAt: n });

/** A ReplicaClient that records each call; `fail` decides a call's error. */
function fakeReplicas(fail: (kind: string, keys: string[]) => DynamisError | undefined = () => undefined) {
  const calls: Array<{ kind: string; node: string; keys: string[] }> = [];
  /** The partitions each call carried, in call order (undefined: none). */
  const partitions: Array<ReadonlyArray<number | undefined> | undefined> = [];
  const answer = <T>(kind: string, node: string, keys: string[], value: T): Promise<T> => {
    calls.push({ kind, node, keys });
    const err = fail(kind, keys);
    return err === undefined ? Promise.resolve(value) : Promise.reject(err);
  };
  const record = (key: string): Sibling[] => [sib(key.length)];
  const digestOf = (key: string): Uint8Array => new Uint8Array(16).fill(key.length);
  const client = {
    read: (node: string, key: string, _o: unknown, p?: number) => (partitions.push([p]), answer('read', node, [key], record(key))),
    readBatch: (node: string, keys: readonly string[], _o: unknown, p?: readonly number[]) => (
      partitions.push(p),
      answer('readBatch', node, [...keys], keys.map(record))
    ),
    write: (node: string, key: string, s: readonly Sibling[], _o: unknown, p?: number) => (
      partitions.push([p]),
      answer('write', node, [key], s.length)
    ),
    readDigest: (node: string, key: string, _o: unknown, p?: number) => (
      partitions.push([p]),
      answer('readDigest', node, [key], digestOf(key))
    ),
    readDigestBatch: (node: string, keys: readonly string[], _o: unknown, p?: readonly number[]) => (
      partitions.push(p),
      answer('readDigestBatch', node, [...keys], keys.map(digestOf))
    ),
    writeBatch: (node: string, entries: readonly ReplicaEntry[]) =>
      partitions.push(entries.map((e) => e.partition)) &&
      answer(
        'writeBatch',
        node,
        entries.map((e) => e.key),
        entries.map((e) => e.siblings.length),
      ),
  };
  return { calls, partitions, client: client as unknown as ReplicaClient };
}

describe('ReplicaBatcher', () => {
  it('coalesces the digest reads of one tick to one node into one readBatch with digest: true, apart from the full reads', async () => {
    const { calls, partitions, client } = fakeReplicas();
    const b = new ReplicaBatcher(client, 1000);
    const [full, d1, d2] = await Promise.all([b.read('n2', 'a', {}, 1), b.digest('n2', 'bb', {}, 2), b.digest('n2', 'ccc', {}, 3)]);
    expect(calls.map((c) => c.kind)).toEqual(['read', 'readDigestBatch']);
    expect(partitions).toEqual([[1], [2, 3]]);
    expect(full).toHaveLength(1);
    expect([d1[0], d2[0]]).toEqual([2, 3]); // each caller gets its own key's digest
    await b.digest('n3', 'k');
    expect(calls.at(-1)).toEqual({ kind: 'readDigest', node: 'n3', keys: ['k'] });
  });

  it("carries each key's partition into the batch frames and the single calls", async () => {
    const { calls, partitions, client } = fakeReplicas();
    const b = new ReplicaBatcher(client, 1000);
    await Promise.all([
      b.read('n2', 'a', {}, 3),
      b.read('n2', 'b', {}, 4),
      b.write('n2', 'x', [sib(1)], {}, 5),
      b.write('n2', 'y', [sib(1)], {}, 6),
    ]);
    await Promise.all([b.read('n3', 'c', {}, 7), b.write('n3', 'z', [sib(1)], {}, 8), b.read('n3', 'd')]);
    expect(calls.map((c) => c.kind)).toEqual(['readBatch', 'writeBatch', 'readBatch', 'write']);
    // A batch with a key of unknown partition sends none (the replica hashes them all).
    expect(partitions).toEqual([[3, 4], [5, 6], undefined, [8]]);
  });

  it('sends the reads and writes of one tick to one node as one batch each, and answers each caller with its own key', async () => {
    const { calls, client } = fakeReplicas();
    const b = new ReplicaBatcher(client, 1000);
    const reads = ['a', 'bb', 'ccc'].map((k) => b.read('n2', k));
    const writes = [b.write('n2', 'x', [sib(1)]), b.write('n2', 'y', [sib(1), sib(2)])];
    const other = b.read('n3', 'dddd');
    expect(calls).toEqual([]); // nothing leaves before the tick ends
    expect((await Promise.all(reads)).map((r) => r[0]!.writtenAt)).toEqual([1, 2, 3]);
    expect(await Promise.all(writes)).toEqual([1, 2]);
    expect((await other)[0]!.writtenAt).toBe(4);
    expect(calls).toEqual([
      { kind: 'readBatch', node: 'n2', keys: ['a', 'bb', 'ccc'] },
      { kind: 'read', node: 'n3', keys: ['dddd'] },
      { kind: 'writeBatch', node: 'n2', keys: ['x', 'y'] },
    ]);
  });

  it('keeps calls with different timeouts apart, and calls of a later tick in a later batch', async () => {
    const { calls, client } = fakeReplicas();
    const b = new ReplicaBatcher(client, 1000);
    await Promise.all([b.read('n2', 'a'), b.read('n2', 'b', { timeoutMs: 5 }), b.read('n2', 'c')]);
    await b.read('n2', 'd');
    expect(calls.map((c) => `${c.kind}:${c.keys.join(',')}`)).toEqual(['readBatch:a,c', 'read:b', 'read:d']);
  });

  it('bounds a batch by limits.maxBatchOps and by bytes', async () => {
    const { calls, client } = fakeReplicas();
    const b = new ReplicaBatcher(client, 3);
    await Promise.all(['a', 'b', 'c', 'd', 'e', 'f', 'g'].map((k) => b.read('n2', k)));
    expect(calls.map((c) => c.keys.length)).toEqual([3, 3, 1]);
    calls.length = 0;
    const big = Math.floor(MAX_COALESCED_BYTES / 2) - 10; // two fit in one batch, three do not
    await Promise.all(['a', 'b', 'c'].map((k) => b.write('n2', k, [sib(1, big)])));
    expect(calls.map((c) => `${c.kind}:${c.keys.join(',')}`)).toEqual(['writeBatch:a,b', 'write:c']);
  });

  it('re-sends a batch refused for one bad entry call by call, so only that call fails', async () => {
    const bad = new DynamisError('INVALID_ARGUMENT', 'bad sibling');
    const { calls, client } = fakeReplicas((_kind, keys) => (keys.includes('bad') ? bad : undefined));
    const b = new ReplicaBatcher(client, 1000);
    const results = await Promise.allSettled([
      b.write('n2', 'ok1', [sib(1)]),
      b.write('n2', 'bad', [sib(1)]),
      b.write('n2', 'ok2', [sib(1)]),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason).toBe(bad);
    expect(calls.map((c) => c.kind)).toEqual(['writeBatch', 'write', 'write', 'write']);
  });

  it('fails every call of a batch with a node-level error, without re-sending', async () => {
    const timeout = new DynamisError('TIMEOUT', 'slow');
    const { calls, client } = fakeReplicas(() => timeout);
    const b = new ReplicaBatcher(client, 1000);
    const results = await Promise.allSettled([b.read('n2', 'a'), b.read('n2', 'b')]);
    expect(results.map((r) => (r as PromiseRejectedResult).reason)).toEqual([timeout, timeout]);
    expect(calls).toHaveLength(1);
  });
});
