import { describe, expect, it } from '@jest/globals';
import { contextFromToken, contextToken, parseConsistency, parseCount, table } from './format';

describe('format', () => {
  it('round-trips a context through its token, which is base64url', () => {
    const context = new Uint8Array([0, 1, 250, 251, 252, 253, 254, 255]);
    const token = contextToken(context as never);
    expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
    expect([...contextFromToken(token)]).toEqual([...context]);
    expect(() => contextFromToken('a+b/')).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', message: expect.stringContaining('--context') }),
    );
  });

  it('parses consistency levels and counts, naming the option when bad', () => {
    expect(['one', 'quorum', 'all', '2'].map(parseConsistency)).toEqual(['one', 'quorum', 'all', 2]);
    for (const bad of ['0', 'two', '-1', '1.5', '']) expect(() => parseConsistency(bad)).toThrow(/--consistency/);
    expect(parseCount('--ttl', '1000', 1)).toBe(1000);
    for (const bad of ['0', 'x', '-5', '1e3', '99999999999999999999'])
      expect(() => parseCount('--ttl', bad, 1)).toThrow(/--ttl must be an integer ≥ 1/);
  });

  it('aligns table columns', () => {
    expect(
      table(
        ['ID', 'STATUS'],
        [
          ['n1', 'up'],
          ['node-22', 'down'],
        ],
      ),
    ).toBe('ID       STATUS\nn1       up\nnode-22  down\n');
  });
});
