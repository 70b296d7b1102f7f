import 'reflect-metadata';
import { describe, expect, it } from '@jest/globals';
import { DynamisError } from '../errors/DynamisError';
import { CoordinatorToken } from '../ports/Coordinator';
import type { Unsubscribe } from '../ports/EventSource';
import { MembershipToken, type Member, type Membership, type MembershipEvents } from '../ports/Membership';
import { TransportToken, type Envelope, type Transport } from '../ports/Transport';
import type { NodeId } from '../ports/types';
import { createNode } from './DynamisNode';
import { PeerAddressSyncToken } from './PeerAddressSync';
import { planComposition } from './planComposition';
import { definePlugin, type Plugin } from './Plugin';

const log: string[] = [];

class FakeMembership implements Membership {
  readonly self = 'n1';
  private readonly listeners = new Map<string, Set<(m: Member) => void>>();
  constructor(public view: Member[]) {}
  on<E extends keyof MembershipEvents & string>(event: E, listener: (payload: MembershipEvents[E]) => void): Unsubscribe {
    const set = this.listeners.get(event) ?? new Set();
    set.add(listener as (m: Member) => void);
    this.listeners.set(event, set);
    return () => set.delete(listener as (m: Member) => void);
  }
  emit(event: keyof MembershipEvents & string, member: Member): void {
    for (const l of this.listeners.get(event) ?? []) l(member);
  }
  members(): Member[] {
    return this.view;
  }
  member(id: NodeId): Member | undefined {
    return this.view.find((m) => m.id === id);
  }
  isAlive(): boolean {
    return true;
  }
  async join(): Promise<void> {}
  async leave(): Promise<void> {}
  async start(): Promise<void> {
    log.push('membership started');
  }
  async stop(): Promise<void> {}
}

/** Records every address it is told; refuses addresses starting with 'bad'. */
class RecordingTransport implements Transport {
  readonly self = 'n1';
  readonly calls: [NodeId, string][] = [];
  setHandler(): void {}
  setPeerAddress(peer: NodeId, address: string): void {
    if (address.startsWith('bad')) throw new DynamisError('INVALID_ARGUMENT', `bad address ${address}`);
    log.push(`address ${peer}`);
    this.calls.push([peer, address]);
  }
  forgetPeerAddress(peer: NodeId): void {
    this.calls.push([peer, '(forgotten)']);
  }
  address(): string | undefined {
    return undefined;
  }
  async request(): Promise<Envelope> {
    throw new DynamisError('UNAVAILABLE', 'none');
  }
  send(): void {}
  async stream(): Promise<Envelope> {
    throw new DynamisError('UNAVAILABLE', 'none');
  }
  async start(): Promise<void> {}
  async stop(): Promise<void> {}
}

const member = (id: string, address: string, status: Member['status'] = 'up'): Member => ({ id, address, status });
const plugin = (name: string, port: 'Membership' | 'Transport' | 'Coordinator', value: object): Plugin =>
  definePlugin({
    name,
    version: '1.0.0',
    core: '^0.1.0',
    provides: [port],
    needs: [],
    register: ({ bind }) =>
      void bind(port === 'Membership' ? MembershipToken : port === 'Transport' ? TransportToken : CoordinatorToken).toConstantValue(
        value as never,
      ),
  });
const coordinator = plugin('test/coordinator', 'Coordinator', { start: async () => undefined, stop: async () => undefined });

async function node(membership: FakeMembership, transport: RecordingTransport) {
  const n = await createNode({ nodeId: 'n1', log: { level: 'silent' } }, [
    coordinator,
    plugin('test/transport', 'Transport', transport),
    plugin('test/membership', 'Membership', membership),
  ]);
  await n.start();
  return n;
}

describe('PeerAddressSync (kernel: Membership → Transport peer addresses)', () => {
  it('is composed only when plugins provide both Membership and Transport', () => {
    const names = (plugins: Plugin[]) => planComposition([coordinator, ...plugins]).map((u) => u.name);
    const m = plugin('test/membership', 'Membership', new FakeMembership([]));
    const t = plugin('test/transport', 'Transport', new RecordingTransport());
    expect(names([m, t])).toContain('@dynamis/core:peer-address-sync');
    expect(names([t])).not.toContain('@dynamis/core:peer-address-sync');
    expect(names([m])).not.toContain('@dynamis/core:peer-address-sync');
    const order = names([t, m]);
    expect(order.indexOf('@dynamis/core:peer-address-sync')).toBeGreaterThan(order.indexOf('test/membership'));
  });

  it('on start, tells the Transport the address of every member but self, after Membership started', async () => {
    log.length = 0;
    const transport = new RecordingTransport();
    const n = await node(new FakeMembership([member('n1', 'h1:1'), member('n2', 'h2:2'), member('n3', 'h3:3', 'down')]), transport);
    expect(transport.calls).toEqual([
      ['n2', 'h2:2'],
      ['n3', 'h3:3'],
    ]);
    expect(log[0]).toBe('membership started');
    await n.stop();
  });

  it('follows joined, up and joining events, skips unchanged addresses and self, and stops following after stop', async () => {
    const membership = new FakeMembership([member('n1', 'h1:1'), member('n2', 'h2:2')]);
    const transport = new RecordingTransport();
    const n = await node(membership, transport);
    transport.calls.length = 0;
    membership.emit('joined', member('n4', 'h4:4'));
    membership.emit('up', member('n2', 'h2:2')); // unchanged: not re-set
    membership.emit('up', member('n2', 'h2b:22')); // moved: re-set
    membership.emit('up', member('n1', 'elsewhere:1')); // self: never
    membership.emit('down', member('n4', 'h4x:4')); // down carries no new address to use
    membership.emit('joining', member('n6', 'h6:6', 'joining')); // not placed, but dialled (gossip verifies it)
    membership.emit('forgotten', member('n6', 'h6:6', 'joining')); // never verified, forgotten: so is its address
    membership.emit('forgotten', member('n7', 'h7:7')); // never applied: nothing to forget
    membership.emit('joining', member('n6', 'h6:6', 'joining')); // learned again: applied again
    expect(transport.calls).toEqual([
      ['n4', 'h4:4'],
      ['n2', 'h2b:22'],
      ['n6', 'h6:6'],
      ['n6', '(forgotten)'],
      ['n6', 'h6:6'],
    ]);
    expect(n.resolve(PeerAddressSyncToken)).toBeDefined();
    await n.stop();
    membership.emit('joined', member('n5', 'h5:5'));
    expect(transport.calls).toHaveLength(5);
  });

  it('logs and skips an address the Transport refuses; the node stays up', async () => {
    const membership = new FakeMembership([member('n1', 'h1:1'), member('n2', 'bad:2'), member('n3', 'h3:3')]);
    const transport = new RecordingTransport();
    const n = await node(membership, transport);
    expect(n.state).toBe('running');
    expect(transport.calls).toEqual([['n3', 'h3:3']]);
    membership.emit('up', member('n2', 'h2:2'));
    expect(transport.calls).toEqual([
      ['n3', 'h3:3'],
      ['n2', 'h2:2'],
    ]);
    await n.stop();
  });
});
