import { describe, expect, it } from '@jest/globals';
import { asCausalContext, type CausalContext, type Sibling } from '@dynamis/core';
import { decodeContext, decodeVersion } from './dvvCodec';
import { vclockResolver } from './plugin';
import { VclockResolver } from './VclockResolver';

/** One replica of one key, with its coordinator's resolver. */
class Replica {
  siblings: Sibling[] = [];
  constructor(
    readonly node: string,
    readonly resolver = new VclockResolver({ maxSiblings: 4, maxContextEntries: 8 }),
  ) {}
  /** A client read: the live values and the context to write back. */
  read(): { values: string[]; context: CausalContext } {
    return {
      values: this.siblings.map((s) => (s.value === null ? '<deleted>' : Buffer.from(s.value).toString())),
      context: this.resolver.context(this.siblings),
    };
  }
  /** A client write coordinated here; returns the sibling to replicate. */
  write(value: string | null, context?: CausalContext): Sibling {
    const version = this.resolver.stamp(this.node, context, this.siblings, 1_000);
    const sibling: Sibling = { version, value: value === null ? null : Buffer.from(value), writtenAt: 1_000 };
    this.siblings = this.resolver.merge(this.siblings, [sibling]);
    return sibling;
  }
  receive(siblings: readonly Sibling[]): void {
    this.siblings = this.resolver.merge(this.siblings, siblings);
  }
}

describe('VclockResolver scenarios', () => {
  it('two concurrent blind writes through one coordinator are two siblings, not a false overwrite', () => {
    const a = new Replica('a');
    a.write('x');
    a.write('y');
    expect(a.read().values.sort()).toEqual(['x', 'y']);
  });

  it('a read then a write with its context resolves the siblings to one value', () => {
    const a = new Replica('a');
    a.write('x');
    a.write('y');
    const { context } = a.read();
    a.write('merged', context);
    expect(a.read().values).toEqual(['merged']);
  });

  it('sequential read-modify-writes through any coordinators never make siblings', () => {
    const [a, b, c] = [new Replica('a'), new Replica('b'), new Replica('c')];
    let last = a.write('v0');
    for (let i = 1; i <= 6; i++) {
      const from = [a, b, c][i % 3]!;
      const to = [a, b, c][(i + 1) % 3]!;
      from.receive([last]);
      to.receive(from.siblings);
      last = to.write(`v${i}`, from.read().context);
    }
    for (const r of [a, b, c]) r.receive([last]);
    expect([a.read().values, b.read().values, c.read().values]).toEqual([['v6'], ['v6'], ['v6']]);
  });

  it('three writers on three coordinators: three siblings everywhere after exchange; one merged write resolves all', () => {
    const rs = [new Replica('a'), new Replica('b'), new Replica('c')];
    const written = rs.map((r, i) => r.write(`from-${i}`));
    for (const r of rs) r.receive(written);
    for (const r of rs) expect(r.read().values).toEqual(['from-0', 'from-1', 'from-2']);
    const resolved = rs[1]!.write('resolved', rs[2]!.read().context);
    for (const r of rs) r.receive([resolved]);
    for (const r of rs) expect(r.read().values).toEqual(['resolved']);
  });

  it('a write with a stale context becomes a sibling of what it did not see instead of overwriting it', () => {
    const [a, b] = [new Replica('a'), new Replica('b')];
    a.write('v1');
    b.receive(a.siblings);
    const stale = b.read().context;
    const v2 = a.write('v2', a.read().context);
    b.receive([v2]);
    const v3 = b.write('v3', stale);
    a.receive([v3]);
    expect(a.read().values).toEqual(['v2', 'v3']);
    expect(b.read().values).toEqual(['v2', 'v3']);
  });

  it('re-delivering the same write any number of times changes nothing', () => {
    const [a, b] = [new Replica('a'), new Replica('b')];
    const w = a.write('once');
    b.receive([w]);
    const before = b.siblings;
    b.receive([w]);
    b.receive([w, w]);
    expect(b.siblings).toEqual(before);
    const next = b.write('next', b.read().context);
    b.receive([w]);
    expect(b.read().values).toEqual(['next']);
    expect(b.siblings).toEqual([next]);
  });

  it('a delete with the read context is a single tombstone that supersedes every sibling', () => {
    const a = new Replica('a');
    a.write('x');
    a.write('y');
    a.write(null, a.read().context);
    expect(a.read().values).toEqual(['<deleted>']);
  });

  it('refuses a write that would exceed maxSiblings with CONFLICT; a write with the context still succeeds', () => {
    const a = new Replica('a');
    for (let i = 0; i < 4; i++) a.write(`w${i}`);
    expect(() => a.write('fifth')).toThrow(
      expect.objectContaining({ code: 'CONFLICT', details: expect.objectContaining({ condition: 'maxSiblings', max: 4 }) }),
    );
    expect(a.siblings).toHaveLength(4);
    a.write('resolved', a.read().context);
    expect(a.read().values).toEqual(['resolved']);
  });

  it('refuses a write whose context would exceed maxContextEntries with INVALID_ARGUMENT', () => {
    const small = new VclockResolver({ maxSiblings: 8, maxContextEntries: 2 });
    const x = { version: small.stamp('a', undefined, [], 0), value: null, writtenAt: 0 };
    const y = { version: small.stamp('b', small.context([x]), [], 0), value: null, writtenAt: 0 };
    expect(() => small.stamp('c', small.context([y]), [], 0)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });

  it('never parses a context as a version or a version as a context', () => {
    const r = new VclockResolver({ maxSiblings: 4, maxContextEntries: 8 });
    const version = r.stamp('a', undefined, [], 0);
    const context = r.context([{ version, value: null, writtenAt: 0 }]);
    expect(() => r.validate(asVersionOf(context), 0)).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', message: expect.stringContaining('a causal context, not a version') }),
    );
    expect(() => r.validateContext(asCausalContext(version))).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', message: expect.stringContaining('a version, not a causal context') }),
    );
  });

  it('a coordinator never reuses a counter, even after its record of the key is gone (tombstone reaped)', () => {
    const r = new VclockResolver({ maxSiblings: 4, maxContextEntries: 8 });
    const first = r.stamp('a', undefined, [], 0);
    const again = r.stamp('a', undefined, [], 0);
    expect(decodeVersion(again, 8).dot.counter).toBe(decodeVersion(first, 8).dot.counter + 1);
    const restarted = new VclockResolver({ maxSiblings: 4, maxContextEntries: 8 });
    const fromContext = restarted.stamp('a', r.context([{ version: again, value: null, writtenAt: 0 }]), [], 0);
    expect(decodeVersion(fromContext, 8).dot.counter).toBe(3);
    expect(decodeContext(restarted.context([{ version: fromContext, value: null, writtenAt: 0 }]), 8)).toEqual([['a', 3]]);
  });

  it('the plugin validates its options', () => {
    expect(() => vclockResolver({ maxSiblings: 0 })).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG' }));
    expect(() => vclockResolver({ pruneAfter: 5 } as never)).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG' }));
    expect(vclockResolver().provides).toEqual(['ConflictResolver']);
  });
});

const asVersionOf = (c: CausalContext) => c as unknown as Sibling['version'];
