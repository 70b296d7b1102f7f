import { describe, expect, it } from '@jest/globals';
import type { DynamisClient } from '@dynamis/client';
import { DynamisError } from '@dynamis/core';
import { clientTarget } from './benchTarget';

/** Records the calls a target makes; answers like a client (the harness, not the thing under test). */
function recordingClient(): { client: DynamisClient; calls: unknown[][] } {
  const calls: unknown[][] = [];
  const pages = [
    { items: [1, 2, 3], cursor: 'c1' },
    { items: [4], cursor: null },
    { items: [1, 2], cursor: 'c1' },
  ];
  const client = {
    put: async (key: string, value: Uint8Array, options: unknown) => (calls.push(['put', key, value.length, options]), { acks: 2 }),
    get: async (key: string, options: unknown) => (calls.push(['get', key, options]), { found: key === 'here' }),
    scan: async (options: unknown) => (calls.push(['scan', options]), pages.shift()!),
  };
  return { client: client as unknown as DynamisClient, calls };
}

describe('clientTarget', () => {
  it('puts and gets with the consistency asked for (none: the node’s)', async () => {
    const { client, calls } = recordingClient();
    const t = clientTarget(client, 'all');
    await t.put('k', new Uint8Array(3));
    expect(await t.get('here')).toEqual({ found: true });
    expect(await clientTarget(client).get('gone')).toEqual({ found: false });
    expect(calls).toEqual([
      ['put', 'k', 3, { consistency: 'all' }],
      ['get', 'here', { consistency: 'all' }],
      ['get', 'gone', {}],
    ]);
  });

  it('redoes a put refused for too many siblings as a get and a put with its context, once, and counts it', async () => {
    const calls: unknown[][] = [];
    let refuse = 2;
    const client = {
      put: async (key: string, _value: Uint8Array, options: Record<string, unknown>) => {
        calls.push(['put', key, options]);
        if (key === 'other') throw new DynamisError('CONFLICT', 'put-if-absent', { details: { condition: 'absent' } });
        if (options.context === undefined && refuse-- > 0)
          throw new DynamisError('CONFLICT', 'too many', { details: { condition: 'maxSiblings', siblings: 33, max: 32 } });
        return { acks: 2 };
      },
      get: async (key: string, options: unknown) => (calls.push(['get', key, options]), { found: true, context: 'ctx' }),
    } as unknown as DynamisClient;
    const resolved = { count: 0 };
    const t = clientTarget(client, 'quorum', resolved);
    await t.put('hot', new Uint8Array(1));
    await t.put('hot', new Uint8Array(1));
    await t.put('hot', new Uint8Array(1));
    await expect(t.put('other', new Uint8Array(1))).rejects.toMatchObject({ code: 'CONFLICT', details: { condition: 'absent' } });
    expect(resolved.count).toBe(2);
    expect(calls).toEqual([
      ['put', 'hot', { consistency: 'quorum' }],
      ['get', 'hot', { consistency: 'quorum' }],
      ['put', 'hot', { consistency: 'quorum', context: 'ctx' }],
      ['put', 'hot', { consistency: 'quorum' }],
      ['get', 'hot', { consistency: 'quorum' }],
      ['put', 'hot', { consistency: 'quorum', context: 'ctx' }],
      ['put', 'hot', { consistency: 'quorum' }],
      ['put', 'other', { consistency: 'quorum' }],
    ]);
  });

  it('scans one page of `count` a call, going on from the last page’s cursor and starting over at the end', async () => {
    const { client, calls } = recordingClient();
    const t = clientTarget(client, 'quorum');
    expect(await t.scan!('user1', 3)).toBe(3);
    expect(await t.scan!('user7', 5)).toBe(1);
    expect(await t.scan!('user2', 2)).toBe(2);
    expect(calls).toEqual([
      ['scan', { limit: 3 }],
      ['scan', { limit: 5, cursor: 'c1' }],
      ['scan', { limit: 2 }],
    ]);
  });
});
