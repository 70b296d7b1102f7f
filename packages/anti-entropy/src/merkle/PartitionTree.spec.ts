import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { createHash } from 'node:crypto';
import { asVersion, partitionOfKey, type Sibling } from '@dynamis/core';
import { DIGEST_BYTES, keyLeaf, keyPosition, recordDigest, xorInto } from './digest';
import { PartitionTree } from './PartitionTree';

const sib = (version: string, value: string | null, writtenAt = 1): Sibling => ({
  version: asVersion(Buffer.from(version)),
  value: value === null ? null : Buffer.from(value),
  writtenAt,
});

/** A tree built in one go from a final key → digest state. */
function treeOf(levels: number, state: Map<string, Uint8Array>): PartitionTree {
  const t = new PartitionTree(levels);
  for (const [key, digest] of state) t.set(key, keyPosition(key, 0, levels).leaf, digest);
  return t;
}

/** recordDigest's documented input, fed to MD5 piece by piece: the reference the one-buffer version must match. */
function referenceDigest(key: string, siblings: readonly Sibling[]): Buffer {
  const h = createHash('md5');
  const head = Buffer.alloc(4);
  head.writeUInt32BE(Buffer.byteLength(key, 'utf8'), 0);
  h.update(head).update(key, 'utf8');
  for (const s of siblings) {
    const fixed = Buffer.alloc(21);
    fixed.writeUInt32BE(s.version.length, 0);
    fixed[4] = (s.value === null ? 1 : 0) | (s.expiresAt === undefined ? 0 : 2);
    fixed.writeDoubleBE(s.writtenAt, 5);
    fixed.writeDoubleBE(s.expiresAt ?? 0, 13);
    h.update(fixed).update(s.version);
  }
  return h.digest();
}

describe('keyLeaf', () => {
  it('is pinned: the same leaf on every node and release of this format', () => {
    expect([keyLeaf('', 2), keyLeaf('a', 2), keyLeaf('user1', 2), keyLeaf('user1', 4), keyLeaf('ключ🙂', 3)]).toEqual(PINNED_LEAVES);
  });

  it('spreads keys evenly over the leaves', () => {
    const counts = new Array<number>(256).fill(0);
    for (let i = 0; i < 256 * 64; i++) counts[keyLeaf(`user${i}`, 2)]!++;
    // 64 keys a leaf on average; a leaf-picking bias (e.g. fmix32 dropped: FNV's top bits barely move for similar keys) leaves some nearly empty.
    expect(Math.min(...counts)).toBeGreaterThan(32);
    expect(Math.max(...counts)).toBeLessThan(96);
  });
});

describe('keyPosition and recordDigest', () => {
  it('puts a key in the partition Placement.partitionOf gives it', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.integer({ min: 0, max: 16 }), (key, bits) => {
        expect(keyPosition(key, bits, 2).partition).toBe(partitionOfKey(key, 2 ** bits));
        for (const levels of [1, 2, 3, 4]) expect(keyPosition(key, bits, levels).leaf).toBe(keyLeaf(key, levels));
        const leaf = keyPosition(key, bits, 3).leaf;
        expect(leaf).toBeGreaterThanOrEqual(0);
        expect(leaf).toBeLessThan(16 ** 3);
        // A deeper tree refines the shallower one: leaf at depth 2 is the prefix of the leaf at depth 3.
        expect(Math.floor(leaf / 16)).toBe(keyPosition(key, bits, 2).leaf);
      }),
    );
  });

  it('digests exactly the documented bytes (one buffer, any key and record size)', () => {
    const sibling = fc.record(
      {
        version: fc.uint8Array({ minLength: 1, maxLength: 64 }).map((b) => asVersion(Buffer.from(b))),
        value: fc.option(fc.uint8Array({ maxLength: 4 }), { nil: null }),
        writtenAt: fc.double({ noNaN: true }),
        expiresAt: fc.double({ noNaN: true }),
      },
      { requiredKeys: ['version', 'value', 'writtenAt'] },
    );
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), fc.array(sibling, { minLength: 1, maxLength: 4 }), (key, siblings) => {
        expect(recordDigest(key, siblings)).toEqual(referenceDigest(key, siblings));
      }),
    );
    // Bigger than the 16 KiB scratch buffer: a buffer of its own.
    const big = [{ ...sib('v', 'x'), version: asVersion(Buffer.alloc(4096, 7)) }];
    const many = Array.from({ length: 8 }, () => big[0]!);
    expect(recordDigest('k'.repeat(300), many)).toEqual(referenceDigest('k'.repeat(300), many));
  });

  it('digests equal records equally and tells versions, tombstones, expiry and keys apart', () => {
    const a = recordDigest('k', [sib('v1', 'x')])!;
    expect(recordDigest('k', [sib('v1', 'other value')])).toEqual(a); // a version names one write
    expect(recordDigest('k', [sib('v2', 'x')])).not.toEqual(a);
    expect(recordDigest('k', [sib('v1', null)])).not.toEqual(a);
    expect(recordDigest('k', [{ ...sib('v1', 'x'), expiresAt: 5 }])).not.toEqual(a);
    expect(recordDigest('k', [sib('v1', 'x', 2)])).not.toEqual(a);
    expect(recordDigest('j', [sib('v1', 'x')])).not.toEqual(a);
    expect(recordDigest('k', [sib('v1', 'x'), sib('v2', 'y')])).not.toEqual(a);
    expect(recordDigest('k', [])).toBeUndefined();
    expect(a.length).toBe(DIGEST_BYTES);
  });
});

describe('PartitionTree', () => {
  const op = fc.record({ key: fc.constantFrom(...Array.from({ length: 40 }, (_, i) => `key-${i}`)), v: fc.option(fc.nat(5)) });

  it('updated incrementally, equals the tree built from the final state, and the root is the XOR of all digests', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), fc.integer({ min: 1, max: 3 }), (ops, levels) => {
        const tree = new PartitionTree(levels);
        const state = new Map<string, Uint8Array>();
        for (const { key, v } of ops) {
          const digest = v === null ? undefined : recordDigest(key, [sib(`v${v}`, 'x')]);
          tree.set(key, keyPosition(key, 0, levels).leaf, digest);
          if (digest === undefined) state.delete(key);
          else state.set(key, digest);
        }
        const fresh = treeOf(levels, state);
        expect(tree.size).toBe(state.size);
        expect(Buffer.from(tree.root())).toEqual(Buffer.from(fresh.root()));
        for (let l = 0; l <= levels; l++) {
          const all = Array.from({ length: tree.width(l) }, (_, i) => i);
          expect(Buffer.compare(tree.hashes(l, all), fresh.hashes(l, all))).toBe(0);
        }
        const xor = new Uint8Array(DIGEST_BYTES);
        for (const d of state.values()) xorInto(xor, 0, d);
        expect(Buffer.from(tree.root())).toEqual(Buffer.from(xor));
      }),
    );
  });

  it('a change shows in exactly one node per level: its path from the leaf to the root', () => {
    const levels = 2;
    const a = new PartitionTree(levels);
    const b = new PartitionTree(levels);
    for (let i = 0; i < 300; i++) {
      const key = `k${i}`;
      const d = recordDigest(key, [sib('v', 'x')]);
      a.set(key, keyPosition(key, 0, levels).leaf, d);
      b.set(key, keyPosition(key, 0, levels).leaf, d);
    }
    const leaf = keyPosition('k7', 0, levels).leaf;
    b.set('k7', leaf, recordDigest('k7', [sib('v2', 'x')]));
    for (let l = 0; l <= levels; l++) {
      const differing = Array.from({ length: a.width(l) }, (_, i) => i).filter(
        (i) => Buffer.compare(a.hashes(l, [i]), b.hashes(l, [i])) !== 0,
      );
      expect(differing).toEqual([Math.floor(leaf / 16 ** (levels - l))]);
    }
  });

  it('lists a leaf sorted, in pages after a key', () => {
    const t = new PartitionTree(1);
    const keys = ['d', 'a', 'c', 'b', 'e'];
    for (const k of keys) t.set(k, 3, recordDigest(k, [sib('v', 'x')]));
    expect(t.entries(3, undefined, 2)).toMatchObject({ entries: [{ key: 'a' }, { key: 'b' }], more: true });
    expect(t.entries(3, 'b', 2)).toMatchObject({ entries: [{ key: 'c' }, { key: 'd' }], more: true });
    expect(t.entries(3, 'd', 2)).toMatchObject({ entries: [{ key: 'e' }], more: false });
    expect(t.entries(4, undefined, 2)).toEqual({ entries: [], more: false });
    t.set('c', 3, undefined);
    expect(t.entries(3, 'b', 10).entries.map((e) => e.key)).toEqual(['d', 'e']);
    expect(t.get('c', 3)).toBeUndefined();
    expect(() => t.hashes(1, [16])).toThrow(RangeError);
    expect(() => t.hashes(2, [0])).toThrow(RangeError);
  });
});

/** keyLeaf of the pinned test's keys, computed once from this implementation (a change of format changes them). */
const PINNED_LEAVES = [171, 26, 201, 51660, 2858];
