import { describe, expect, it } from '@jest/globals';
import { parsePeerAddresses, peerAddressSchema } from './peerAddress';

describe('peerAddress', () => {
  it('parses id@host:port into id, host, port and the transport address', () => {
    expect(parsePeerAddresses(['n1@127.0.0.1:7070', 'node-2@db2.example.com:9000', 'n3@[::1]:80'])).toEqual([
      { id: 'n1', host: '127.0.0.1', port: 7070, address: '127.0.0.1:7070' },
      { id: 'node-2', host: 'db2.example.com', port: 9000, address: 'db2.example.com:9000' },
      { id: 'n3', host: '[::1]', port: 80, address: '[::1]:80' },
    ]);
  });

  it.each([
    ['127.0.0.1:7070', 'missing the node id'],
    ['@127.0.0.1:7070', 'missing the node id'],
    ['n1@127.0.0.1', 'missing :port'],
    ['n1@127.0.0.1:0', 'port must be 1–65535'],
    ['n1@127.0.0.1:70000', 'port must be 1–65535'],
    ['n1@127.0.0.1:7x', 'port must be 1–65535'],
    ['n 1@127.0.0.1:7070', 'the id must be'],
    ['n1@:7070', 'the host must be'],
    ['n1@ws://h:7070', 'the host must be'],
  ])('refuses %s with INVALID_CONFIG naming the entry', (entry, why) => {
    let err: unknown;
    try {
      parsePeerAddresses(['ok@h:1', entry]);
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ code: 'INVALID_CONFIG', details: { problems: [{ path: 'seeds.1' }] } });
    expect((err as Error).message).toContain(`seeds.1: '${entry}' is not id@host:port: `);
    expect((err as Error).message).toContain(why);
  });

  it('refuses a non-string entry', () => {
    expect(() => parsePeerAddresses([42])).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG' }));
  });

  it('refuses one id at two addresses and keeps an exact repeat once', () => {
    expect(() => parsePeerAddresses(['n1@a:1', 'n1@b:1'])).toThrow(/seeds\.1: node n1 is listed twice, at a:1 and b:1/);
    expect(parsePeerAddresses(['n1@a:1', 'n1@a:1'])).toHaveLength(1);
  });

  it('is a zod schema usable inside other schemas', () => {
    expect(peerAddressSchema.safeParse('n1@h:2').success).toBe(true);
    expect(peerAddressSchema.safeParse('h:2').success).toBe(false);
  });
});
