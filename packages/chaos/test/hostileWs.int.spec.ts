import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ADMIN_MESSAGE, adminRingSchema, adminStatusSchema, REPLICA_MESSAGE, SystemClock, SystemRandom, type Logger } from '@dynamis/core';
import { WsTransport } from '@dynamis/transport-ws';
import { adminRequest } from '../../server/test/adminRequest';
import { eventually, ProcessCluster, type ProcessClusterOptions } from '../../server/test/clusterHarness';
import { SECRET } from '../../server/test/serverProcess';
import { dvvVersion, gossipEntry, HostileTransport, lwwVersion, sibling } from '../src';

/*
 * Hostile peer over real sockets: three dynamis-server processes, and an
 * insider that has the cluster secret — a WsTransport with the real
 * handshake and framing, wrapped in the chaos HostileTransport — sending
 * bad content. The records each node stores are read back through the
 * replica protocol (replica.read: the node's own engine record), and a
 * client put/get must succeed after each attack.
 */

const quiet: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined, child: () => quiet };

async function refusal(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
    return 'accepted';
  } catch (err) {
    return err;
  }
}

function describeCluster(
  name: string,
  args: string[],
  attacks: (ctx: () => { cluster: ProcessCluster; evil: HostileTransport }) => void,
  options: ProcessClusterOptions = {},
): void {
  describe(name, () => {
    const cluster = new ProcessCluster(args, options);
    let evil: HostileTransport;
    beforeAll(async () => {
      await cluster.setup();
      const t = new WsTransport(
        'intruder',
        { secret: SECRET, host: '127.0.0.1', port: 0, maxPayloadBytes: 64 * 1024 * 1024 },
        new SystemClock(),
        new SystemRandom(),
        quiet,
      );
      evil = new HostileTransport(t);
      evil.setHandler(async () => undefined);
      await evil.start();
      for (const id of cluster.ids) evil.setPeerAddress(id, cluster.address(id));
    }, 180_000);
    afterAll(async () => {
      await evil?.stop();
      await cluster.teardown();
    });
    attacks(() => ({ cluster, evil }));
  });
}

/** Every node's stored record of `key`, read through the replica protocol. */
async function stored(cluster: ProcessCluster, evil: HostileTransport, key: string): Promise<unknown[][]> {
  const out: unknown[][] = [];
  for (const id of cluster.ids) {
    const reply = await evil.inject(id, { type: REPLICA_MESSAGE.read, payload: { key } }, 10_000);
    out.push((reply.payload as { siblings: unknown[] }).siblings);
  }
  return out;
}

/**
 * The cluster serves after the attack: a put through n1 and a get through n2,
 * retried until a generous deadline. A loaded box can make static
 * membership's fast probes (150 ms) mark a peer down for a moment, and a
 * write then fails with "not asked" (a CI run saw it); an attack that broke
 * the cluster fails every attempt, and the last error, with every replica's
 * reason, is rethrown.
 */
async function serves(cluster: ProcessCluster, key: string): Promise<void> {
  await eventually(async () => {
    try {
      await cluster.client('n1').put(key, Buffer.from('fine'));
    } catch (err) {
      throw new Error(`put ${key} through n1: ${(err as Error).message} ${JSON.stringify((err as { details?: unknown }).details)}`);
    }
  });
  expect(Buffer.from((await eventually(() => cluster.client('n2').get(key))).values[0]!).toString()).toBe('fine');
}

describeCluster('hostile peer over ws, LWW', [], (ctx) => {
  it('hostile: a far-future version in a replica write over ws is refused (clockSkew), stored nowhere, the cluster serves', async () => {
    const { cluster, evil } = ctx();
    const version = lwwVersion(Date.now() + 3_600_000, 'intruder');
    for (const id of cluster.ids) {
      const err = await refusal(
        evil.inject(id, { type: REPLICA_MESSAGE.write, payload: { key: 'ws-future', siblings: [sibling(version)] } }),
      );
      expect(err).toMatchObject({ code: 'INVALID_ARGUMENT', details: { clockSkew: true } });
    }
    expect(await stored(cluster, evil, 'ws-future')).toEqual([[], [], []]);
    await serves(cluster, 'ws-future');
  }, 150_000);
});

describeCluster('hostile peer over ws, vclock', ['--resolver', 'vclock'], (ctx) => {
  it('hostile: a vclock with 10^6 entries (and one over the bound) in a replica write over ws is refused, stored nowhere', async () => {
    const { cluster, evil } = ctx();
    const huge = await refusal(
      evil.inject('n1', { type: REPLICA_MESSAGE.write, payload: { key: 'ws-vv', siblings: [sibling(dvvVersion(1_000_000))] } }, 30_000),
    );
    // Over the node's frame bound (transport-ws maxPayloadBytes) or the replica's version bound: refused either way.
    expect(huge).toMatchObject({ code: expect.stringMatching(/^(INVALID_ARGUMENT|PROTOCOL_ERROR|UNAVAILABLE)$/) });
    const over = await refusal(
      evil.inject('n1', { type: REPLICA_MESSAGE.write, payload: { key: 'ws-vv', siblings: [sibling(dvvVersion(65))] } }),
    );
    expect(over).toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(await stored(cluster, evil, 'ws-vv')).toEqual([[], [], []]);
    await serves(cluster, 'ws-vv');
  }, 150_000);
});

/** One admin request's reply payload (the request as the `dynamis` CLI sends it). */
async function admin(address: string, type: string): Promise<unknown> {
  return (await adminRequest(address, type)).payload;
}

/** `id`'s members as `dynamis status` shows them (id → status), and the nodes its ring places (`dynamis ring`). */
async function viewOf(cluster: ProcessCluster, id: string): Promise<{ members: Record<string, string>; placed: string[] }> {
  const status = adminStatusSchema.parse(await admin(cluster.address(id), ADMIN_MESSAGE.status));
  const ring = adminRingSchema.parse(await admin(cluster.address(id), ADMIN_MESSAGE.ring));
  return { members: Object.fromEntries(status.members.map((m) => [m.id, m.status])), placed: [...ring.nodes].sort() };
}

const GOSSIP = { membership: 'gossip', membershipOptions: { verifyTimeoutMs: 3000 } };

describeCluster(
  'hostile peer over ws, gossip membership',
  [],
  (ctx) => {
    it('hostile: invented members gossiped over ws are shown joining, never placed, forgotten; the cluster serves throughout', async () => {
      const { cluster, evil } = ctx();
      const honest = ['n1', 'n2', 'n3'];
      await eventually(async () => {
        for (const id of honest) expect(await viewOf(cluster, id)).toEqual({ members: { n1: 'up', n2: 'up', n3: 'up' }, placed: honest });
      });
      const now = Date.now();
      // Nothing listens on port 1: the invented members can never answer their verification probes.
      const fakes = Array.from({ length: 13 }, (_, i) =>
        gossipEntry({ id: `fake${i}`, status: 'alive', incarnation: now, address: '127.0.0.1:1', joinedAt: now - 1 }),
      );
      for (const id of ['n1', 'n2']) await evil.inject(id, { type: 'gossip.sync', payload: { updates: fakes, full: false } });
      const held = await viewOf(cluster, 'n1');
      expect(Object.entries(held.members).filter(([m]) => m.startsWith('fake'))).toEqual(
        Array.from({ length: 13 }, (_, i) => [`fake${i}`, 'joining']).sort(),
      );
      expect(held.placed).toEqual(honest);
      await serves(cluster, 'ws-invented');
      await eventually(async () => {
        for (const id of honest) expect(await viewOf(cluster, id)).toEqual({ members: { n1: 'up', n2: 'up', n3: 'up' }, placed: honest });
      }, 30_000);
      await serves(cluster, 'ws-invented-after');
    }, 150_000);
  },
  { config: GOSSIP },
);
