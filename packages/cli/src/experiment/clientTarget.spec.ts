import { describe, expect, it } from '@jest/globals';
import { asCausalContext, type CausalContext } from '@dynamis/core';
import { clientTarget, emptyTally, type TargetClient } from './clientTarget';
import { ycsbDriver } from './ycsbDriver';

/** A client recording the calls a target makes; `key` holds `siblings` values under context [7]. */
function recordingClient(siblings: number) {
  const calls: string[] = [];
  const context = asCausalContext(new Uint8Array([7]));
  const client: TargetClient = {
    put: (key, _value, options?: { context?: CausalContext }) => {
      calls.push(`put ${key} ${options?.context === undefined ? 'blind' : `context ${[...options.context].join(',')}`}`);
      return Promise.resolve({});
    },
    get: (key) => {
      calls.push(`get ${key}`);
      return Promise.resolve({ found: siblings > 0, values: Array.from({ length: siblings }, () => new Uint8Array([1])), context });
    },
    scan: (options) => {
      calls.push(`scan ${options.limit} ${options.cursor ?? '-'}`);
      return Promise.resolve({ items: Array.from({ length: Math.min(options.limit, 2) }), cursor: options.cursor === 'c1' ? null : 'c1' });
    },
  };
  return { client, calls };
}

describe('clientTarget', () => {
  it('tallies the siblings every workload read returned', async () => {
    const tally = emptyTally();
    for (const siblings of [0, 1, 3, 2]) await clientTarget(recordingClient(siblings).client, () => tally, 'blind').get('k');
    expect(tally).toEqual({ reads: 4, found: 3, withSiblings: 2, siblings: 5, maxSiblings: 3 });
  });

  it('writes blind, or with the context of a get made for the write (not tallied as a workload read)', async () => {
    const tally = emptyTally();
    const blind = recordingClient(2);
    await clientTarget(blind.client, () => tally, 'blind').put('k', new Uint8Array([1]));
    expect(blind.calls).toEqual(['put k blind']);
    const withContext = recordingClient(2);
    await clientTarget(withContext.client, () => tally, 'with-context').put('k', new Uint8Array([1]));
    expect(withContext.calls).toEqual(['get k', 'put k context 7']);
    expect(tally).toEqual(emptyTally());
  });

  it('scans one page of a cluster-wide walk per call (not tallied), and drives YCSB workload E through @dynamis/workload', async () => {
    const tally = emptyTally();
    const { client, calls } = recordingClient(1);
    const target = clientTarget(client, () => tally, 'blind');
    expect(await target.scan('user5', 3)).toBe(2);
    expect(await target.scan('user9', 1)).toBe(1);
    expect(await target.scan('user2', 4)).toBe(2);
    expect(calls).toEqual(['scan 3 -', 'scan 1 c1', 'scan 4 -']);
    expect(tally).toEqual(emptyTally());

    const spec = { workload: 'E' as const, records: 20, operations: 200, concurrency: 4, valueBytes: 10, seed: 3 };
    const run = await ycsbDriver().run([target, clientTarget(client, () => tally, 'blind')], spec, () => undefined);
    expect(run).toMatchObject({ operations: 200, errors: 0 });
    expect(run.latencyMs.scan!.count).toBeGreaterThan(150); // 95% scans
    expect(run.latencyMs.scan!.count + run.latencyMs.insert!.count).toBe(200);
  });
});
