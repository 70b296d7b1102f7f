import { describe, expect, it } from '@jest/globals';
import { asCausalContext, type CausalContext } from '@dynamis/core';
import { clientTarget, emptyTally, type TargetClient } from './clientTarget';

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
});
