import { describe, expect, it } from '@jest/globals';
import { ConsoleLogger } from '../env/ConsoleLogger';
import { ManualClock } from '../env/ManualClock';
import { DynamisError } from '../errors/DynamisError';
import type { Member, Membership } from '../ports/Membership';
import type { Partitioner, Placement } from '../ports/Partitioner';
import type { RebalanceProgress, Rebalancer } from '../ports/Rebalancer';
import { Departure } from './Departure';

/** A membership, placement and rebalancer the test moves by hand, as the real ones would move during a leave. */
function world(options: { rebalancer?: boolean; leaveFails?: boolean } = {}) {
  const state = {
    status: 'up' as Member['status'],
    nodes: ['a', 'b', 'c'],
    hash: 'h1',
    progress: { placementHash: 'h1', toDrop: 0 } as Partial<RebalanceProgress>,
    leaves: 0,
  };
  const membership = {
    member: (id: string) => (id === 'b' ? { id, address: '', status: state.status } : undefined),
    leave: async () => {
      state.leaves++;
      if (options.leaveFails) throw new DynamisError('UNAVAILABLE', 'no peer heard');
      state.status = 'left';
    },
  } as unknown as Membership;
  const partitioner = { placement: () => ({ nodes: state.nodes, hash: state.hash }) as unknown as Placement } as unknown as Partitioner;
  const rebalancer = { progress: () => state.progress } as unknown as Rebalancer;
  const clock = new ManualClock();
  const departure = new Departure({
    self: 'b',
    membership,
    partitioner,
    ...(options.rebalancer === false ? {} : { rebalancer }),
    clock,
    logger: new ConsoleLogger('silent'),
    pollMs: 100,
  });
  return { state, clock, departure };
}

/** Whether `p` settled within the microtasks now queued. */
async function settledNow(p: Promise<unknown>): Promise<boolean> {
  let done = false;
  p.then(
    () => (done = true),
    () => (done = true),
  );
  for (let i = 0; i < 10; i++) await Promise.resolve();
  return done;
}

describe('Departure', () => {
  it('announces the leave, then resolves only once the placement drops this node and the rebalancer has handed everything off', async () => {
    const { state, clock, departure } = world();
    expect(departure.state).toBe('member');
    const done = departure.begin();
    expect(departure.state).toBe('handing-off');
    expect(departure.begin()).toBe(done); // idempotent while under way
    await clock.advance(100);
    expect(state.leaves).toBe(1);
    expect(await settledNow(done)).toBe(false); // the placement still names b

    state.nodes = ['a', 'c'];
    state.hash = 'h2';
    state.progress = { placementHash: 'h1', toDrop: 0 }; // the rebalancer has not taken the new placement up yet
    await clock.advance(100);
    expect(await settledNow(done)).toBe(false);
    state.progress = { placementHash: 'h2', toDrop: 5 }; // it has, and still holds 5 partitions to hand over
    await clock.advance(100);
    expect(await settledNow(done)).toBe(false);
    expect(departure.state).toBe('handing-off');

    state.progress = { placementHash: 'h2', toDrop: 0 };
    await clock.advance(100);
    await done;
    expect(departure.state).toBe('left');
    expect(clock.pendingTimers()).toBe(0);
  });

  it('without a rebalancer, completes once the placement no longer names the node', async () => {
    const { state, clock, departure } = world({ rebalancer: false });
    const done = departure.begin();
    await clock.advance(100);
    expect(await settledNow(done)).toBe(false);
    state.nodes = ['a', 'c'];
    await clock.advance(100);
    await done;
    expect(departure.state).toBe('left');
  });

  it('refuses at once a node already left; a failed announcement makes it a member again, and it may be asked again', async () => {
    const left = world();
    left.state.status = 'left';
    expect(() => left.departure.begin()).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(left.departure.state).toBe('member');

    const failing = world({ leaveFails: true });
    await expect(failing.departure.begin()).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    expect(failing.departure.state).toBe('member');
    await expect(failing.departure.begin()).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    expect(failing.state.leaves).toBe(2);
  });

  it('cancel() stops the checks (the node is stopping): no timer is left behind', async () => {
    const { clock, departure } = world();
    void departure.begin();
    await clock.advance(100);
    expect(clock.pendingTimers()).toBe(1);
    departure.cancel();
    expect(clock.pendingTimers()).toBe(0);
  });
});
