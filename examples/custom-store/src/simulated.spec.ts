import { describe, expect, it } from '@jest/globals';
import { runSimulated } from './simulated';

async function output(seed: number): Promise<string[]> {
  const lines: string[] = [];
  await runSimulated(seed, (l) => lines.push(l));
  return lines;
}

describe('the custom store on three nodes over the simulated network', () => {
  it('prints each step: the cluster up, put ok by a quorum, get from another node, delete, members, stop', async () => {
    const lines = await output(7);
    expect(lines).toEqual([
      expect.stringMatching(/^simulated cluster up at virtual time \d+ ms \(seed 7\)$/),
      expect.stringMatching(/^put greeting via n1 ok \(acks [23]\)$/),
      'get greeting via n3 -> hello from the simulation',
      'del greeting via n3 ok; get via n1 -> (not found)',
      "members (n1's view) n1 up, n2 up, n3 up",
      'stopped n1, n2, n3',
    ]);
  });

  it('is deterministic: the same seed prints the same lines, virtual times included', async () => {
    expect(await output(11)).toEqual(await output(11));
  });
});
