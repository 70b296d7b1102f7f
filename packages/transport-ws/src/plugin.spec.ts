import { describe, expect, it } from '@jest/globals';
import {
  ClockToken,
  ConfigToken,
  DynamisError,
  LoggerToken,
  parseConfig,
  RandomToken,
  SystemClock,
  SystemRandom,
  TransportToken,
  type Logger,
} from '@dynamis/core';
import { Container } from 'inversify';
import { wsTransportOptionsSchema } from './options';
import { wsTransport } from './plugin';
import { WsTransport } from './WsTransport';

const silent: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => silent };
const SECRET = 'plugin-test-secret-0123456789';

describe('wsTransport plugin', () => {
  it('declares what it provides and needs', () => {
    const p = wsTransport({ secret: SECRET });
    expect(p.name).toBe('@dynamis/transport-ws');
    expect(p.provides).toEqual(['Transport']);
    expect([...p.needs].sort()).toEqual(['Clock', 'Config', 'Logger', 'Random']);
  });

  it('fails fast with INVALID_CONFIG for a missing or short secret, never echoing it', () => {
    expect(() => wsTransport({} as never)).toThrow(DynamisError);
    let err: unknown;
    try {
      wsTransport({ secret: 'hunter2' });
    } catch (e) {
      err = e;
    }
    expect((err as DynamisError).code).toBe('INVALID_CONFIG');
    expect(JSON.stringify((err as DynamisError).toJSON())).not.toContain('hunter2');
    expect(() => wsTransport({ secret: SECRET, maxPayloadBytes: 10 })).toThrow(/maxPayloadBytes/);
    expect(() => wsTransport({ secret: SECRET, clientTokens: { 'bad id!': 'x'.repeat(20) } })).toThrow(DynamisError);
  });

  it('fills every default', () => {
    const o = wsTransportOptionsSchema.parse({ secret: SECRET });
    expect(o).toEqual({
      secret: SECRET,
      clientTokens: {},
      clientTypePrefix: 'client.',
      maxPayloadBytes: 4 * 1024 * 1024,
      handshakeTimeoutMs: 5000,
      idleTimeoutMs: 300_000,
      heartbeatIntervalMs: 5000,
      maxConnections: 1024,
      maxPendingHandshakes: 128,
      maxPendingHandshakesPerAddress: 16,
      reservedPeerConnections: 64,
      maxRequestsInFlight: 128,
      maxRequestBytesInFlight: 16 * 1024 * 1024,
      maxNodeRequestBytesInFlight: 256 * 1024 * 1024,
      maxNodeQueuedBytes: 256 * 1024 * 1024,
      reconnect: { initialMs: 100, maxMs: 10_000 },
      highWaterMarkBytes: 1024 * 1024,
      maxQueuedBytes: 16 * 1024 * 1024,
      streamChunkCredit: 16,
    });
    for (const [key, schema] of Object.entries(wsTransportOptionsSchema.shape)) {
      expect([key, schema.description?.length ?? 0]).not.toEqual([key, 0]);
    }
  });

  it('binds a WsTransport named after the config node id, listening on the config address', async () => {
    const container = new Container();
    container.bind(ConfigToken).toConstantValue(parseConfig({ nodeId: 'node-7', listen: { host: '127.0.0.1', port: 0 } }));
    container.bind(ClockToken).toConstantValue(new SystemClock());
    container.bind(RandomToken).toConstantValue(new SystemRandom());
    container.bind(LoggerToken).toConstantValue(silent);
    await container.load(wsTransport({ secret: SECRET }).module);
    const t = container.get(TransportToken);
    expect(t).toBeInstanceOf(WsTransport);
    expect(t.self).toBe('node-7');
    await t.start();
    expect(t.address()).toMatch(/^ws:\/\/127\.0\.0\.1:\d+$/);
    await t.stop();
    expect(t.address()).toBeUndefined();
  });
});
