import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { asVersion, type Sibling } from '../ports/types';
import { createHash } from 'node:crypto';
import { READ_DIGEST_BYTES, READ_DIGEST_RAW_MAX, readDigest, siblingsDigestBytes, writeSiblingsDigestInput } from './readDigest';

const sibling = (version: number[], value: number[] | null, writtenAt: number, expiresAt?: number): Sibling =>
  expiresAt === undefined
    ? { version: asVersion(Uint8Array.from(version)), value: value === null ? null : Uint8Array.from(value), writtenAt }
    : { version: asVersion(Uint8Array.from(version)), value: value === null ? null : Uint8Array.from(value), writtenAt, expiresAt };

const arbSibling = fc.record(
  {
    version: fc.uint8Array({ minLength: 1, maxLength: 64 }),
    value: fc.option(fc.uint8Array({ maxLength: 64 }), { nil: null }),
    writtenAt: fc.integer({ min: 0, max: 2 ** 47 }),
    expiresAt: fc.integer({ min: 0, max: 2 ** 47 }),
  },
  { requiredKeys: ['version', 'value', 'writtenAt'] },
) as fc.Arbitrary<Sibling>;

describe('readDigest', () => {
  it('is the digest input itself up to READ_DIGEST_RAW_MAX bytes (empty for the empty record), its MD5 beyond, equal for equal records', () => {
    expect(readDigest([])).toHaveLength(0);
    fc.assert(
      fc.property(fc.array(arbSibling, { maxLength: 4 }), (siblings) => {
        const copy = siblings.map((s) => ({ ...s, version: asVersion(Uint8Array.from(s.version)) }));
        const d = readDigest(siblings);
        expect(d.equals(readDigest(copy))).toBe(true);
        const input = Buffer.alloc(siblingsDigestBytes(siblings));
        writeSiblingsDigestInput(input, 0, siblings);
        if (input.length <= READ_DIGEST_RAW_MAX) expect(d.equals(input)).toBe(true);
        else expect(d.equals(createHash('md5').update(input).digest())).toBe(true);
        // never 16 bytes unless hashed: the two forms cannot be taken for each other
        expect(d.length === READ_DIGEST_BYTES).toBe(input.length > READ_DIGEST_RAW_MAX);
      }),
    );
  });

  it('switches to MD5 exactly past READ_DIGEST_RAW_MAX bytes of input', () => {
    const fixed = 21;
    const atMax = [
      sibling(
        Array.from({ length: READ_DIGEST_RAW_MAX - fixed }, () => 7),
        [1],
        5,
      ),
    ];
    const past = [
      sibling(
        Array.from({ length: READ_DIGEST_RAW_MAX - fixed + 1 }, () => 7),
        [1],
        5,
      ),
    ];
    expect(readDigest(atMax)).toHaveLength(READ_DIGEST_RAW_MAX);
    expect(readDigest(past)).toHaveLength(READ_DIGEST_BYTES);
  });

  it('returns its own bytes, not a view of a buffer the next digest overwrites', () => {
    const first = readDigest([sibling([1], null, 1)]);
    const saved = Buffer.from(first);
    readDigest([sibling([2, 2], [0], 9)]);
    expect(first.equals(saved)).toBe(true);
  });

  it('differs when a version, a tombstone, writtenAt, expiresAt, the order or the sibling count differs', () => {
    const a = sibling([1, 2, 3], [9], 1000);
    const b = sibling([4, 5], null, 2000, 3000);
    const base = readDigest([a, b]);
    const variants: Sibling[][] = [
      [sibling([1, 2, 4], [9], 1000), b], // another version
      [sibling([1, 2], [9], 1000), b], // a shorter version
      [a, sibling([4, 5], [], 2000, 3000)], // not a tombstone
      [sibling([1, 2, 3], [9], 1001), b], // writtenAt
      [a, sibling([4, 5], null, 2000, 3001)], // expiresAt
      [a, sibling([4, 5], null, 2000)], // no expiry
      [b, a], // order
      [a], // one sibling fewer
      [a, b, b], // one more
      [],
    ];
    for (const v of variants) expect(readDigest(v).equals(base)).toBe(false);
    // Versions are length-prefixed: moving a byte from one version to the next changes the digest.
    expect(
      readDigest([sibling([1, 2], [0], 5), sibling([3], [0], 5)]).equals(readDigest([sibling([1], [0], 5), sibling([2, 3], [0], 5)])),
    ).toBe(false);
  });

  it('does not hash values: a version names one write', () => {
    expect(readDigest([sibling([7], [1, 2, 3], 10)]).equals(readDigest([sibling([7], [4, 5, 6, 7], 10)]))).toBe(true);
  });

  it('hashes records bigger than its scratch buffer', () => {
    const big = Array.from({ length: 80 }, (_, i) =>
      sibling(
        Array.from({ length: 64 }, () => i),
        null,
        i,
      ),
    );
    const d = readDigest(big);
    expect(d).toHaveLength(READ_DIGEST_BYTES);
    expect(readDigest(big.slice(0, 79)).equals(d)).toBe(false);
    // the scratch buffer used by a small record afterwards gives its own digest
    expect(readDigest([sibling([1], null, 1)]).equals(readDigest([sibling([1], null, 1)]))).toBe(true);
  });
});
