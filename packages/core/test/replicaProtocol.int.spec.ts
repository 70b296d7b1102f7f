import { afterEach, describe, expect, it } from '@jest/globals';
import { lwwResolver } from '@dynamis/conflict-lww';
import { localCoordinator } from '@dynamis/coordinator-local';
import {
  asVersion,
  encodeRecord,
  readDigest,
  READ_DIGEST_BYTES,
  READ_DIGEST_RAW_MAX,
  bytesEqual,
  StorageEngineToken,
  ClockToken,
  ConflictResolverToken,
  createNode,
  MessageRouterToken,
  REPLICA_MAX_SIBLINGS,
  REPLICA_MESSAGE,
  ReplicaClientToken,
  ReplicaServiceToken,
  ReplicaToken,
  TransportToken,
  type DynamisNode,
  type NodeId,
  type Plugin,
  type Sibling,
} from '@dynamis/core';
import { memoryEngine } from '@dynamis/engine-memory';
import { Simulation, simulatedEnvironment } from '@dynamis/testkit';
import { wsTransport } from '@dynamis/transport-ws';

const plugins = (): Plugin[] => [memoryEngine(), lwwResolver(), localCoordinator()];
const running: DynamisNode[] = [];
afterEach(async () => {
  for (const node of running.splice(0)) await node.stop();
});

const text = (s: Sibling): string | null => (s.value === null ? null : Buffer.from(s.value).toString());

/** A sibling stamped by `node`'s resolver now: what a coordinator on it would send. */
function stamped(node: DynamisNode, value: string | null, expiresAt?: number): Sibling {
  const now = node.resolve(ClockToken).now();
  const version = node.resolve(ConflictResolverToken).stamp(node.config.nodeId, undefined, [], now);
  const s = { version, value: value === null ? null : Buffer.from(value), writtenAt: now };
  return expiresAt === undefined ? s : { ...s, expiresAt };
}

async function simCluster(ids: NodeId[], limits = {}) {
  const sim = new Simulation({ seed: 21, nodes: ids });
  const nodes = new Map<NodeId, DynamisNode>();
  for (const id of ids) {
    const node = await createNode({ nodeId: id, log: { level: 'silent' }, limits }, [simulatedEnvironment(sim, id), ...plugins()]);
    await node.start();
    running.push(node);
    nodes.set(id, node);
  }
  /** Runs virtual time until `p` settles; resolves or rejects like it. */
  function run<T>(p: Promise<T>): Promise<T> {
    return sim.settle(p, 60_000);
  }
  return { sim, node: (id: NodeId) => nodes.get(id)!, run };
}

describe('replica protocol over the simulated network', () => {
  it('writes and reads one key on another node and on this node, through ReplicaClient', async () => {
    const { node, run } = await simCluster(['n1', 'n2', 'n3']);
    const n1 = node('n1');
    const client = n1.resolve(ReplicaClientToken);
    const s = stamped(n1, 'v1', 9_999_999_999_999);
    await expect(run(client.write('n2', 'k', [s]))).resolves.toBe(1);
    const onN2 = await node('n2').resolve(ReplicaToken).read('k');
    expect(onN2.map(text)).toEqual(['v1']);
    expect(onN2[0]!.expiresAt).toBe(9_999_999_999_999);
    // n3 reads n2's copy; n1 has none; a write to self lands in n1's own replica.
    const fromN3 = await run(node('n3').resolve(ReplicaClientToken).read('n2', 'k'));
    expect(fromN3.map(text)).toEqual(['v1']);
    expect(Array.from(fromN3[0]!.version)).toEqual(Array.from(s.version));
    await expect(run(client.read('n1', 'k'))).resolves.toEqual([]);
    const tomb = stamped(n1, null);
    await expect(run(client.write('n1', 'k', [tomb]))).resolves.toBe(1);
    expect((await n1.resolve(ReplicaToken).read('k')).map(text)).toEqual([null]);
    // A newer LWW version supersedes on the remote replica too.
    await run(client.write('n2', 'k', [tomb]));
    expect((await run(client.read('n2', 'k'))).map(text)).toEqual([null]);
  });

  it('batches: reads in key order, writes atomically, checks every entry before writing any', async () => {
    const { node, run } = await simCluster(['n1', 'n2']);
    const n1 = node('n1');
    const client = n1.resolve(ReplicaClientToken);
    const entries = ['a', 'b', 'c'].map((key) => ({ key, siblings: [stamped(n1, `v-${key}`)] }));
    await expect(run(client.writeBatch('n2', entries))).resolves.toEqual([1, 1, 1]);
    const records = await run(client.readBatch('n2', ['c', 'missing', 'a']));
    expect(records.map((r) => r.map(text))).toEqual([['v-c'], [], ['v-a']]);
    // One sibling the resolver refuses (not an HLC version) rejects the whole batch; nothing is written.
    const bad = [
      { key: 'd', siblings: [stamped(n1, 'v-d')] },
      { key: 'e', siblings: [{ version: asVersion(Buffer.from('garbage')), value: Buffer.from('x'), writtenAt: 1 }] },
    ];
    await expect(run(client.writeBatch('n2', bad))).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', details: { key: 'e' } });
    expect(await run(client.readBatch('n2', ['d', 'e']))).toEqual([[], []]);
  });

  it('digest reads: the digest of the record a read returns, per key in a batch; an unknown flag is PROTOCOL_ERROR', async () => {
    const { node, run } = await simCluster(['n1', 'n2']);
    const n1 = node('n1');
    const client = n1.resolve(ReplicaClientToken);
    await run(
      client.writeBatch('n2', [
        { key: 'a', siblings: [stamped(n1, 'v-a')] },
        { key: 'b', siblings: [stamped(n1, 'v-b')] },
      ]),
    );
    const a = await run(client.read('n2', 'a'));
    const digest = await run(client.readDigest('n2', 'a'));
    // a last-write-wins record of one sibling: its digest input as it is (no hash), a few dozen bytes
    expect(digest.length).toBeGreaterThan(READ_DIGEST_BYTES);
    expect(digest.length).toBeLessThanOrEqual(READ_DIGEST_RAW_MAX);
    expect(Buffer.from(digest).equals(readDigest(a))).toBe(true);
    // a missing key has the empty record's digest; a different record, a different digest; self answers too
    expect(Buffer.from(await run(client.readDigest('n2', 'missing'))).equals(readDigest([]))).toBe(true);
    expect(Buffer.from(await run(client.readDigest('n1', 'a'))).equals(readDigest([]))).toBe(true);
    const batch = await run(client.readDigestBatch('n2', ['b', 'missing', 'a']));
    expect(batch.map((d) => Buffer.from(d).toString('hex'))).toEqual(
      [readDigest(await run(client.read('n2', 'b'))), readDigest([]), readDigest(a)].map((d) => d.toString('hex')),
    );
    expect(bytesEqual(batch[0]!, batch[2]!)).toBe(false);
    // an unknown flag (a newer peer's, or a typo) is refused by the strict schema, never ignored
    const router = node('n2').resolve(MessageRouterToken);
    const ok = await router.dispatch('n1', { type: REPLICA_MESSAGE.read, payload: { key: 'a', digest: true } });
    expect(Buffer.from((ok as { payload: { digest: Uint8Array } }).payload.digest).equals(digest)).toBe(true);
    for (const payload of [
      { key: 'a', digests: true },
      { key: 'a', digest: 'yes' },
      { keys: ['a'], digest: 1 },
    ]) {
      const type = 'keys' in payload ? REPLICA_MESSAGE.readBatch : REPLICA_MESSAGE.read;
      await expect(router.dispatch('n1', { type, payload })).rejects.toMatchObject({ code: 'PROTOCOL_ERROR' });
    }
  });

  it('a digest read is readDigest of the record read() returns: any record shape, local and over RPC; a corrupt one is CORRUPTION', async () => {
    const { node, run } = await simCluster(['n1', 'n2']);
    const n1 = node('n1');
    const client = n1.resolve(ReplicaClientToken);
    const replica = node('n2').resolve(ReplicaToken);
    const now = n1.resolve(ClockToken).now();
    await run(client.write('n2', 'tomb', [stamped(n1, null)]));
    await run(client.write('n2', 'ttl', [stamped(n1, 'x'.repeat(300), now + 60_000)]));
    await run(client.write('n2', 'big', [stamped(n1, 'y'.repeat(5000))]));
    for (const key of ['tomb', 'ttl', 'big', 'missing']) {
      const record = await replica.read(key);
      expect((await replica.readDigest(key)).toString('hex')).toBe(readDigest(record).toString('hex'));
      expect(Buffer.from(await run(client.readDigest('n2', key))).toString('hex')).toBe(readDigest(record).toString('hex'));
    }
    await node('n2')
      .resolve(StorageEngineToken)
      .put(replica.keyOf('bad'), Buffer.from([1, 1, 4]));
    await expect(replica.readDigest('bad')).rejects.toMatchObject({ code: 'CORRUPTION' });
    await expect(run(client.readDigestBatch('n2', ['big', 'bad']))).rejects.toMatchObject({ code: 'CORRUPTION' });
  });

  it('validates every incoming version with the resolver: a version from the far future is INVALID_ARGUMENT and not stored', async () => {
    const { node, run } = await simCluster(['n1', 'n2']);
    const n1 = node('n1');
    const client = n1.resolve(ReplicaClientToken);
    const now = n1.resolve(ClockToken).now();
    const future = n1.resolve(ConflictResolverToken).stamp('n1', undefined, [], now + 3_600_000);
    const err = await run(client.write('n2', 'k', [{ version: future, value: Buffer.from('x'), writtenAt: now }])).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'INVALID_ARGUMENT', details: { key: 'k', resolver: 'lww' } });
    expect(await node('n2').resolve(ReplicaToken).read('k')).toEqual([]);
    // the same check on a local apply (the Replica boundary), and on a call to self
    await expect(n1.resolve(ReplicaToken).apply('k', [{ version: future, value: null, writtenAt: now }])).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    await expect(run(client.write('n1', 'k', [{ version: future, value: null, writtenAt: now }]))).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    expect(await n1.resolve(ReplicaToken).read('k')).toEqual([]);
  });

  it('checks what a peer answers: a stored record the resolver refuses is PROTOCOL_ERROR at the reader', async () => {
    const { node, run } = await simCluster(['n1', 'n2']);
    // Planted in n2's engine under the record codec (the resolver would refuse it on any write path),
    // as a faulty peer would serve it.
    await node('n2')
      .resolve(StorageEngineToken)
      .put(
        node('n2').resolve(ReplicaToken).keyOf('k'),
        encodeRecord([{ version: asVersion(Buffer.from('not-hlc')), value: Buffer.from('x'), writtenAt: 1 }]),
      );
    await expect(run(node('n1').resolve(ReplicaClientToken).read('n2', 'k'))).rejects.toMatchObject({
      code: 'PROTOCOL_ERROR',
      details: { peer: 'n2', key: 'k' },
    });
  });

  it('bounds: keys per batch from limits.maxBatchOps, siblings per key, key limits; refused to clients', async () => {
    const { node, run } = await simCluster(['n1', 'n2'], { maxBatchOps: 3, maxKeyBytes: 8 });
    const n1 = node('n1');
    const client = n1.resolve(ReplicaClientToken);
    const s = stamped(n1, 'v');
    await expect(run(client.readBatch('n2', ['a', 'b', 'c', 'd']))).rejects.toMatchObject({ code: 'PROTOCOL_ERROR' });
    const four = ['a', 'b', 'c', 'd'].map((key) => ({ key, siblings: [s] }));
    await expect(run(client.writeBatch('n2', four))).rejects.toMatchObject({ code: 'PROTOCOL_ERROR' });
    const many = Array.from({ length: REPLICA_MAX_SIBLINGS + 1 }, () => s);
    await expect(run(client.write('n2', 'k', many))).rejects.toMatchObject({ code: 'PROTOCOL_ERROR' });
    await expect(run(client.write('n2', 'way-too-long-key', [s]))).rejects.toMatchObject({ code: 'INVALID_KEY' });
    await expect(run(client.read('n2', 'way-too-long-key'))).rejects.toMatchObject({ code: 'INVALID_KEY' });
    const router = node('n2').resolve(MessageRouterToken);
    await expect(router.dispatch('client:c1', { type: REPLICA_MESSAGE.read, payload: { key: 'k' } })).rejects.toMatchObject({
      code: 'UNAUTHORIZED',
    });
  });

  it('answers UNAVAILABLE not applied while the replica protocol is stopped on the peer', async () => {
    const { node, run } = await simCluster(['n1', 'n2']);
    await node('n2').resolve(ReplicaServiceToken).stop();
    const client = node('n1').resolve(ReplicaClientToken);
    await expect(run(client.write('n2', 'k', [stamped(node('n1'), 'v')]))).rejects.toMatchObject({
      code: 'UNAVAILABLE',
      details: { notStarted: true, applied: false },
    });
    await node('n2').resolve(ReplicaServiceToken).start();
    await expect(run(client.write('n2', 'k', [stamped(node('n1'), 'v')]))).resolves.toBe(1);
  });
});

describe('replica protocol over real sockets (WsTransport)', () => {
  it('writes on one node, reads from the other and from itself', async () => {
    const nodes: DynamisNode[] = [];
    for (const id of ['r1', 'r2']) {
      const node = await createNode({ nodeId: id, log: { level: 'silent' }, listen: { host: '127.0.0.1', port: 0 } }, [
        wsTransport({ secret: 'test-cluster-secret-0123456789' }),
        ...plugins(),
      ]);
      await node.start();
      running.push(node);
      nodes.push(node);
    }
    const [r1, r2] = nodes as [DynamisNode, DynamisNode];
    r1.resolve(TransportToken).setPeerAddress('r2', r2.resolve(TransportToken).address()!);
    r2.resolve(TransportToken).setPeerAddress('r1', r1.resolve(TransportToken).address()!);
    const c1 = r1.resolve(ReplicaClientToken);
    const opts = { timeoutMs: 10_000 };
    await expect(c1.write('r2', 'k', [stamped(r1, 'over-ws')], opts)).resolves.toBe(1);
    await expect(c1.writeBatch('r1', [{ key: 'k', siblings: [stamped(r1, 'local')] }], opts)).resolves.toEqual([1]);
    expect((await c1.read('r2', 'k', opts)).map(text)).toEqual(['over-ws']);
    expect((await r2.resolve(ReplicaClientToken).readBatch('r1', ['k'], opts)).map((r) => r.map(text))).toEqual([['local']]);
    const err = await c1
      .write('r2', 'k', [{ version: asVersion(Buffer.from('bad')), value: null, writtenAt: 1 }], opts)
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'INVALID_ARGUMENT' });
  });
});
