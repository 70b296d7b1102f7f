import { afterEach, describe, expect, it } from '@jest/globals';
import { LwwResolver } from '@dynamis/conflict-lww';
import { configSchema, DynamisError, ManualClock, type Logger, type ReplicaClient, type ReplicaEntry, type Sibling } from '@dynamis/core';
import { MemoryStorageEngine } from '@dynamis/engine-memory';
import { FixedMembership } from '@dynamis/testkit';
import { EngineHintStore } from '../src/EngineHintStore';
import { HintDelivery } from '../src/HintDelivery';
import { hintDeliveryOptionsSchema, hintStoreOptionsSchema, type HintDeliveryOptions, type HintStoreOptions } from '../src/options';

const silent: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => silent };
const limits = configSchema.parse({}).limits;

/** A ReplicaClient whose writeBatch records each batch and answers as `answer` says. */
class FakeReplicas {
  readonly batches: { node: string; keys: string[] }[] = [];
  answer: (node: string, entries: readonly ReplicaEntry[]) => Promise<void> = async () => {};
  async writeBatch(node: string, entries: readonly ReplicaEntry[]): Promise<number[]> {
    await this.answer(node, entries);
    this.batches.push({ node, keys: entries.map((e) => e.key) });
    return entries.map(() => 1);
  }
}

let delivery: HintDelivery | undefined;
afterEach(async () => {
  await delivery?.stop();
  delivery = undefined;
});

async function setup(store: Partial<HintStoreOptions> = {}, options: Partial<HintDeliveryOptions> = {}) {
  const clock = new ManualClock();
  const engine = new MemoryStorageEngine();
  await engine.open();
  const resolver = new LwwResolver({ maxSkewMs: 60_000 });
  const hints = new EngineHintStore(engine, resolver, clock, silent, hintStoreOptionsSchema.parse(store), limits);
  await hints.start();
  const membership = new FixedMembership(
    'n1',
    ['n1', 'n2', 'n3'].map((id) => ({ id, address: id, status: 'up' as const })),
  );
  membership.setAlive('n2', false);
  const replicas = new FakeReplicas();
  delivery = new HintDelivery(
    hints,
    membership,
    replicas as unknown as ReplicaClient,
    clock,
    silent,
    hintDeliveryOptionsSchema.parse({ checkIntervalMs: 1000, ...options }),
    limits,
  );
  const sibling = (value: string): Sibling => ({
    version: resolver.stamp('n1', undefined, [], clock.now()),
    value: Buffer.from(value),
    writtenAt: clock.now(),
  });
  const add = async (count: number, size = 10, prefix = 'k'): Promise<void> => {
    for (let i = 0; i < count; i++) await hints.add('n2', `${prefix}${i}`, [sibling('x'.repeat(size))]);
  };
  return { clock, hints, membership, replicas, delivery, add, sent: () => replicas.batches.flatMap((b) => b.keys) };
}

describe('HintDelivery', () => {
  it('sends nothing while the target is down; on up, delivers in batches and deletes only acknowledged hints', async () => {
    const t = await setup({}, { batchSize: 4 });
    await t.add(10);
    await t.delivery.start();
    await t.clock.advance(5000);
    expect(t.sent()).toEqual([]);
    t.membership.setAlive('n2', true);
    await t.clock.advance(100); // the throttle spaces batches by bytes / rate
    expect(t.replicas.batches.map((b) => b.keys.length)).toEqual([4, 4, 2]);
    expect(t.sent()).toEqual(Array.from({ length: 10 }, (_, i) => `k${i}`));
    expect(t.hints.stats()).toMatchObject({ pending: {}, delivered: 10, dropped: 0 });
    expect(t.delivery.stats()).toMatchObject({ delivered: 10, batches: 3, failures: 0 });
  });

  it('a failed batch deletes nothing and is retried at a later check', async () => {
    const t = await setup({}, { batchSize: 4 });
    await t.add(6);
    let fail = true;
    t.replicas.answer = async () => {
      if (fail) throw new DynamisError('TIMEOUT', 'no answer');
    };
    t.membership.setAlive('n2', true);
    await t.delivery.start();
    await t.clock.advance(0);
    expect(t.hints.stats().pending).toEqual({ n2: 6 });
    expect(t.delivery.stats().failures).toBe(1);
    fail = false;
    await t.clock.advance(1100);
    expect(t.sent()).toEqual(['k0', 'k1', 'k2', 'k3', 'k4', 'k5']);
    expect(t.hints.stats().pending).toEqual({});
  });

  it('stops when the target goes down again, and resumes when it is back', async () => {
    const t = await setup({}, { batchSize: 2 });
    await t.add(6);
    t.replicas.answer = async () => {
      if (t.replicas.batches.length === 1) t.membership.setAlive('n2', false);
    };
    t.membership.setAlive('n2', true);
    await t.delivery.start();
    await t.clock.advance(3000);
    expect(t.sent()).toEqual(['k0', 'k1', 'k2', 'k3']);
    expect(t.hints.stats().pending).toEqual({ n2: 2 });
    t.membership.setAlive('n2', true);
    await t.clock.advance(100);
    expect(t.hints.stats().pending).toEqual({});
  });

  it('is throttled to maxBytesPerSecond over virtual time', async () => {
    const t = await setup({}, { batchSize: 1, maxBytesPerSecond: 1000 });
    await t.add(10, 450); // each hint ~500 bytes: two per second
    t.membership.setAlive('n2', true);
    await t.delivery.start();
    await t.clock.advance(0);
    expect(t.sent()).toHaveLength(1);
    await t.clock.advance(2000);
    expect(t.sent().length).toBeGreaterThanOrEqual(4);
    expect(t.sent().length).toBeLessThanOrEqual(6);
    await t.clock.advance(10_000);
    expect(t.sent()).toHaveLength(10);
  });

  it('one hint the target refuses as invalid is dropped and counted; the others are delivered', async () => {
    const t = await setup({}, { batchSize: 8 });
    await t.add(5);
    t.replicas.answer = async (_node, entries) => {
      if (entries.some((e) => e.key === 'k2')) throw new DynamisError('INVALID_ARGUMENT', 'bad version');
    };
    t.membership.setAlive('n2', true);
    await t.delivery.start();
    await t.clock.advance(100);
    expect(t.sent()).toEqual(['k0', 'k1', 'k3', 'k4']);
    expect(t.hints.stats()).toMatchObject({ pending: {}, delivered: 4, dropped: 1, droppedBy: { refused: 1 } });
  });

  it('the periodic check drops hints past the window even if the target never returns', async () => {
    const t = await setup({ windowMs: 10_000 }, {});
    await t.add(3);
    await t.delivery.start();
    await t.clock.advance(9000);
    expect(t.hints.stats().pending).toEqual({ n2: 3 });
    await t.clock.advance(2000);
    expect(t.hints.stats()).toMatchObject({ pending: {}, dropped: 3, droppedBy: { age: 3 } });
    expect(t.sent()).toEqual([]);
  });
});
