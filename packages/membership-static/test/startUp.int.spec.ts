import { describe, expect, it } from '@jest/globals';
import {
  ClockToken,
  CoordinatorToken,
  createNode,
  definePlugin,
  DynamisError,
  ManualClock,
  MembershipToken,
  MessageRouter,
  TransportToken,
  type Coordinator,
  type DynamisNode,
  type Envelope,
  type InboundHandler,
  type Member,
  type NodeId,
  type Plugin,
  type Transport,
} from '@dynamis/core';
import { z } from 'zod';
import { PING, PONG, staticMembership } from '../src';

const OPTS = { pingIntervalMs: 100, pingTimeoutMs: 50, failuresBeforeDown: 2, minTransitionMs: 300 };
const SEEDS = ['n1@h1:1', 'n2@h2:2', 'n3@h3:3'];

/**
 * A Transport double whose peers are MessageRouters, one per peer node, as
 * the far side's kernel would dispatch: a peer with PING registered answers a
 * pong, one with PING only declared answers UNAVAILABLE notStarted (the real
 * router's reply), a `silent` one never answers. As WsTransport, a request to
 * a peer whose address was never set fails at once UNAVAILABLE "unknown peer"
 * without being sent.
 */
class PeerRouters implements Transport {
  readonly self = 'n1';
  readonly addresses = new Map<NodeId, string>();
  readonly peers = new Map<NodeId, MessageRouter>();
  readonly silent = new Set<NodeId>();
  refusedUnknown = 0;
  sent = 0;

  /** Peer `id` as a node whose membership serves (`serving`) or has not started yet. */
  peer(id: NodeId, serving: boolean): void {
    const router = new MessageRouter();
    router.declare([PING], '@dynamis/membership-static');
    if (serving) router.register(PING, z.unknown(), async () => ({ type: PONG, payload: { id, status: 'up' } }));
    this.peers.set(id, router);
  }

  setHandler(_handler: InboundHandler): void {}
  setPeerAddress(peer: NodeId, address: string): void {
    this.addresses.set(peer, address);
  }
  forgetPeerAddress(peer: NodeId): void {
    this.addresses.delete(peer);
  }
  address(): string | undefined {
    return 'h1:1';
  }
  async start(): Promise<void> {}
  async stop(): Promise<void> {}
  async request(to: NodeId, msg: Envelope): Promise<Envelope> {
    if (!this.addresses.has(to)) {
      this.refusedUnknown++;
      throw new DynamisError('UNAVAILABLE', `unknown peer ${to} (no address and no connection)`, { details: { peer: to } });
    }
    this.sent++;
    if (this.silent.has(to)) return new Promise<Envelope>(() => undefined);
    return (await this.peers.get(to)!.dispatch(this.self, msg)) as Envelope;
  }
  send(): void {}
  stream(): Promise<Envelope> {
    return Promise.reject(new DynamisError('UNAVAILABLE', 'no streams here'));
  }
}

const plugin = (name: string, provides: Plugin['provides'], bindTo: () => object, token: symbol): Plugin =>
  definePlugin({
    name,
    version: '1.0.0',
    core: '^0.1.0',
    provides,
    needs: [],
    register: ({ bind }) => void bind(token).toConstantValue(bindTo()),
  });

/** A coordinator whose start() takes until `release` is called, like quorum building a large ring. */
function slowCoordinator(): { plugin: Plugin; release: () => void } {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const coordinator = { start: () => gate, stop: async () => undefined } as unknown as Coordinator;
  return { plugin: plugin('test/slow-coordinator', ['Coordinator'], () => coordinator, CoordinatorToken as symbol), release };
}

interface Started {
  readonly node: DynamisNode;
  readonly transport: PeerRouters;
  readonly clock: ManualClock;
  readonly events: string[];
}

/** Node n1 with static membership over PeerRouters on a ManualClock; its coordinator's start spans `slowMs` of manual time. */
async function startNode(slowMs: number, serving: Record<NodeId, boolean>): Promise<Started> {
  const clock = new ManualClock();
  const transport = new PeerRouters();
  for (const [id, on] of Object.entries(serving)) transport.peer(id, on);
  const slow = slowCoordinator();
  const node = await createNode({ nodeId: 'n1', seeds: SEEDS, log: { level: 'silent' } }, [
    plugin('test/manual-clock', ['Clock'], () => clock, ClockToken as symbol),
    plugin('test/peer-routers', ['Transport'], () => transport, TransportToken as symbol),
    staticMembership(OPTS),
    slow.plugin,
  ]);
  const events: string[] = [];
  const membership = node.resolve(MembershipToken);
  for (const e of ['up', 'down'] as const) membership.on(e, (m: Member) => events.push(`${m.id} ${e}@${clock.monotonic()}`));
  const starting = node.start();
  await clock.advance(slowMs);
  slow.release();
  await starting;
  return { node, transport, clock, events };
}

describe('static membership at start (ManualClock)', () => {
  it('a live peer stays up while a slow unit starts: every probe is sent, none refused for a missing address', async () => {
    const { node, transport, events } = await startNode(10 * OPTS.pingIntervalMs, { n2: true, n3: true });
    expect(transport.sent).toBeGreaterThanOrEqual(2 * 9); // probes went out during the slow start...
    expect(transport.refusedUnknown).toBe(0); // ...to addresses the kernel had already given the transport
    expect(events).toEqual([]);
    const m = node.resolve(MembershipToken);
    expect(m.isAlive('n2') && m.isAlive('n3')).toBe(true);
    await node.stop();
  });

  it('a peer that answers "not started" is assumed up; a peer that stops answering goes down by the documented bound', async () => {
    const { node, transport, clock, events } = await startNode(0, { n2: false, n3: true });
    const m = node.resolve(MembershipToken);
    await clock.advance(20 * OPTS.pingIntervalMs); // twenty rounds of notStarted from n2
    expect(events).toEqual([]);
    expect(m.isAlive('n2')).toBe(true);

    transport.peer('n2', true); // its membership started
    transport.silent.add('n3'); // n3 stops answering, between two rounds
    const silentAt = clock.monotonic();
    await clock.advance(OPTS.failuresBeforeDown * OPTS.pingIntervalMs + OPTS.pingTimeoutMs);
    // A round ran at silentAt itself (answered); the next failuresBeforeDown rounds time out: down exactly at the README's bound.
    expect(events).toEqual([`n3 down@${silentAt + OPTS.failuresBeforeDown * OPTS.pingIntervalMs + OPTS.pingTimeoutMs}`]);
    expect(m.isAlive('n2')).toBe(true);
    await node.stop();
  });
});
