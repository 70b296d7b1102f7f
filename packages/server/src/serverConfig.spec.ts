import { describe, expect, it } from '@jest/globals';
import { resolveServerConfig } from './serverConfig';
import { plugins, startServer } from './startServer';

const SECRET = 'server-secret-0123456789';
const TOKEN = 'client-token-0123456789';

describe('resolveServerConfig', () => {
  it('splits node config from server options and fills defaults', () => {
    const r = resolveServerConfig({ nodeId: 'n1', listen: { port: 0 }, secret: SECRET, clientToken: 'tok-0123456789abcdef' });
    expect(r.node).toEqual({ nodeId: 'n1', listen: { port: 0 } });
    expect(r).toMatchObject({
      engine: 'memory',
      secret: SECRET,
      clientTokens: { default: 'tok-0123456789abcdef' },
      transport: {},
      shutdownLingerMs: 250,
    });
  });

  it('lets the environment override the secret and the default client token', () => {
    const r = resolveServerConfig(
      { secret: 'file-secret-0123456789', clientTokens: { app: 'app-token-0123456789' } },
      { DYNAMIS_SECRET: SECRET, DYNAMIS_CLIENT_TOKEN: 'env-token-0123456789' },
    );
    expect(r.secret).toBe(SECRET);
    expect(r.clientTokens).toEqual({ app: 'app-token-0123456789', default: 'env-token-0123456789' });
  });

  it('fails INVALID_CONFIG without a secret, for a short one (not echoed), and for a bad engine', () => {
    expect(() => resolveServerConfig({})).toThrow(
      expect.objectContaining({ code: 'INVALID_CONFIG', details: { problems: [{ path: 'secret', message: 'required' }] } }),
    );
    const short = 'tiny-secret';
    const err = (() => {
      try {
        return resolveServerConfig({ secret: short });
      } catch (e) {
        return e as Error;
      }
    })() as Error;
    expect(err).toMatchObject({ code: 'INVALID_CONFIG' });
    expect(err.message).not.toContain(short);
    expect(() => resolveServerConfig({ secret: SECRET, engine: 'rocks' })).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG' }));
    expect(() => resolveServerConfig([])).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG' }));
  });

  it('refuses to start without a client token unless noClients is set, naming the setting, the env var and the flag', () => {
    const err = (() => {
      try {
        return resolveServerConfig({ secret: SECRET });
      } catch (e) {
        return e as Error;
      }
    })() as Error;
    expect(err).toMatchObject({ code: 'INVALID_CONFIG', details: { problems: [{ path: 'clientToken' }] } });
    for (const hint of ["'clientToken'", 'DYNAMIS_CLIENT_TOKEN', "'clientTokens'", '--no-clients']) expect(err.message).toContain(hint);
    expect(() => resolveServerConfig({ secret: SECRET, clientTokens: {} })).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG' }));
    expect(resolveServerConfig({ secret: SECRET, noClients: true })).toMatchObject({ noClients: true, clientTokens: {} });
    expect(resolveServerConfig({ secret: SECRET, clientTokens: { app: TOKEN } }).clientTokens).toEqual({ app: TOKEN });
    expect(() => resolveServerConfig({ secret: SECRET, noClients: true }, { DYNAMIS_CLIENT_TOKEN: TOKEN })).toThrow(
      expect.objectContaining({ code: 'INVALID_CONFIG', details: { problems: [{ path: 'noClients', message: expect.any(String) }] } }),
    );
  });

  it('refuses node options that no plugin of the server reads (replication, seeds), naming them', async () => {
    const err = await startServer({
      secret: SECRET,
      clientToken: TOKEN,
      listen: { port: 0 },
      replication: { n: 3 },
      seeds: ['ws://x:1'],
    }).catch((e: unknown) => e as Error);
    expect(err).toMatchObject({ code: 'INVALID_CONFIG', details: { unread: ['seeds', 'replication'] } });
    expect((err as Error).message).toContain('@dynamis/coordinator-local');
  });

  it('composes the chosen engine, conflict-lww, coordinator-local and transport-ws', () => {
    const names = plugins(resolveServerConfig({ secret: SECRET, clientToken: TOKEN })).map((p) => p.name);
    expect(names).toEqual(['@dynamis/engine-memory', '@dynamis/conflict-lww', '@dynamis/coordinator-local', '@dynamis/transport-ws']);
    expect(plugins(resolveServerConfig({ secret: SECRET, clientToken: TOKEN, engine: 'lsm' }))[0]!.name).toBe('@dynamis/engine-lsm');
  });

  it("composes quorum + ring + gossip + hinted-handoff + anti-entropy + rebalance by default with coordinator 'quorum', and the chosen resolver", () => {
    const names = plugins(
      resolveServerConfig({ secret: SECRET, clientToken: TOKEN, coordinator: 'quorum', resolver: 'vclock', engine: 'lsm' }),
    ).map((p) => p.name);
    expect(names).toEqual([
      '@dynamis/engine-lsm',
      '@dynamis/conflict-vclock',
      '@dynamis/ring',
      '@dynamis/gossip',
      '@dynamis/hinted-handoff',
      '@dynamis/anti-entropy',
      '@dynamis/rebalance',
      '@dynamis/quorum',
      '@dynamis/transport-ws',
    ]);
    expect(resolveServerConfig({ secret: SECRET, clientToken: TOKEN })).toMatchObject({
      coordinator: 'local',
      resolver: 'lww',
      cluster: { membership: 'none', hintedHandoff: false, antiEntropy: false, rebalance: false },
    });
  });

  it('composes membership-static and leaves out hinted-handoff and anti-entropy when told', () => {
    const quorum = { secret: SECRET, clientToken: TOKEN, coordinator: 'quorum' } as const;
    const names = (input: Record<string, unknown>): string[] => plugins(resolveServerConfig({ ...quorum, ...input })).map((p) => p.name);
    expect(names({ membership: 'static', hintedHandoff: false, antiEntropy: false })).toEqual([
      '@dynamis/engine-memory',
      '@dynamis/conflict-lww',
      '@dynamis/ring',
      '@dynamis/membership-static',
      '@dynamis/quorum',
      '@dynamis/transport-ws',
    ]);
    expect(names({ hintedHandoff: false })).not.toContain('@dynamis/hinted-handoff');
    expect(names({ hintedHandoff: false })).toContain('@dynamis/anti-entropy');
    expect(names({ antiEntropy: false })).toEqual(expect.arrayContaining(['@dynamis/gossip', '@dynamis/hinted-handoff']));
    expect(names({ antiEntropy: false })).not.toContain('@dynamis/anti-entropy');
    expect(names({ rebalance: false })).not.toContain('@dynamis/rebalance');
    expect(names({ membership: 'static', rebalance: true })).toContain('@dynamis/rebalance');
    expect(() => names({ rebalance: false, rebalanceOptions: { drainMs: 10 } })).toThrow(/rebalanceOptions/);
    expect(() => names({ rebalanceOptions: { maxConcurrentStreams: 0 } })).toThrow(/maxConcurrentStreams/);
  });

  it('names the key of a bad coordinator, resolver or cluster plugin option', () => {
    const base = { secret: SECRET, clientToken: TOKEN };
    const quorum = { ...base, coordinator: 'quorum' } as const;
    for (const [input, path] of [
      [{ coordinator: 'paxos' }, 'coordinator'],
      [{ resolver: 'crdt' }, 'resolver'],
      [{ membership: 'static' }, 'membership'],
      [{ membershipOptions: { pingIntervalMs: 10 } }, 'membershipOptions'],
      [{ hintedHandoff: true }, 'hintedHandoff'],
      [{ hintedHandoffOptions: { windowMs: 1000 } }, 'hintedHandoffOptions'],
      [{ antiEntropy: false }, 'antiEntropy'],
      [{ antiEntropyOptions: { intervalMs: 10 } }, 'antiEntropyOptions'],
      [{ ring: { partitions: 64 } }, 'ring'],
      [{ ...quorum, membership: 'swim' }, 'membership'],
      [{ ...quorum, membership: { pingIntervalMs: 10 } }, 'membership'],
      [{ ...quorum, hintedHandoff: 'yes' }, 'hintedHandoff'],
      [{ ...quorum, hintedHandoff: false, hintedHandoffOptions: { windowMs: 1000 } }, 'hintedHandoffOptions'],
      [{ ...quorum, antiEntropy: false, antiEntropyOptions: { intervalMs: 10 } }, 'antiEntropyOptions'],
    ] as const) {
      expect(() => resolveServerConfig({ ...base, ...input })).toThrow(
        expect.objectContaining({ code: 'INVALID_CONFIG', details: { problems: [expect.objectContaining({ path })] } }),
      );
    }
    expect(() => resolveServerConfig({ ...quorum, membership: { pingIntervalMs: 10 } })).toThrow(/membershipOptions/);
    const lwwWithOptions = resolveServerConfig({ ...base, resolverOptions: { maxSiblings: 2 } });
    expect(() => plugins(lwwWithOptions)).toThrow(
      expect.objectContaining({ code: 'INVALID_CONFIG', details: { problems: [expect.objectContaining({ path: 'resolverOptions' })] } }),
    );
    const badVclock = resolveServerConfig({ ...base, resolver: 'vclock', resolverOptions: { maxSiblings: 0 } });
    expect(() => plugins(badVclock)).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG' }));
    const badRing = resolveServerConfig({ ...quorum, ring: { bogus: 1 } });
    expect(() => plugins(badRing)).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG' }));
    // Options of the chosen plugin, validated by that plugin's schema (naming it and the key).
    for (const [input, plugin, key] of [
      [{ membershipOptions: { pingIntervalMs: 10 } }, '@dynamis/gossip', 'pingIntervalMs'],
      [{ membership: 'static', membershipOptions: { fanout: 3 } }, '@dynamis/membership-static', 'fanout'],
      [{ hintedHandoffOptions: { windowMs: -1 } }, '@dynamis/hinted-handoff', 'windowMs'],
      [{ antiEntropyOptions: { treeLevels: 9 } }, '@dynamis/anti-entropy', 'treeLevels'],
    ] as const) {
      const resolved = resolveServerConfig({ ...quorum, ...input });
      expect(() => plugins(resolved)).toThrow(
        expect.objectContaining({ code: 'INVALID_CONFIG', message: expect.stringContaining(plugin) }),
      );
      expect(() => plugins(resolved)).toThrow(expect.objectContaining({ message: expect.stringContaining(key) }));
    }
  });

  it('starts a one-member quorum node over seeds and replication (n=1), reading both sections', async () => {
    const server = await startServer({
      secret: SECRET,
      clientToken: TOKEN,
      nodeId: 'solo',
      listen: { host: '127.0.0.1', port: 0 },
      coordinator: 'quorum',
      seeds: ['solo@127.0.0.1:1'],
      replication: { n: 1, w: 1, r: 1 },
      log: { level: 'silent' },
      shutdownLingerMs: 0,
    });
    try {
      await server.node.store.put('k', Uint8Array.of(1));
      await expect(server.node.store.get('k')).resolves.toMatchObject({ found: true });
      expect(server.node.plugins.map((p) => p.name)).toContain('@dynamis/quorum');
    } finally {
      await server.stop();
    }
  });

  it('reports bad engine and transport options as INVALID_CONFIG from the plugin', () => {
    const lsm = resolveServerConfig({ secret: SECRET, clientToken: TOKEN, engine: 'lsm', engineOptions: { fsync: 'sometimes' } });
    expect(() => plugins(lsm)).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG' }));
    const ws = resolveServerConfig({ secret: SECRET, clientToken: TOKEN, transport: { maxPayloadBytes: 1 } });
    expect(() => plugins(ws)).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG' }));
  });

  it('reports a bad node config from core, naming the path', async () => {
    await expect(startServer({ secret: SECRET, clientToken: TOKEN, limits: { maxKeyBytes: 'big' } })).rejects.toMatchObject({
      code: 'INVALID_CONFIG',
      details: { problems: [expect.objectContaining({ path: 'limits.maxKeyBytes' })] },
    });
  });

  it('starts in process on a free port and stops gracefully', async () => {
    const server = await startServer({
      secret: SECRET,
      clientToken: TOKEN,
      listen: { port: 0 },
      log: { level: 'silent' },
      shutdownLingerMs: 0,
    });
    expect(server.address).toMatch(/^ws:\/\/127\.0\.0\.1:\d+$/);
    await server.node.store.put('k', Uint8Array.of(1));
    await Promise.all([server.stop(), server.stop()]);
    expect(server.node.state).toBe('stopped');
  });
});
