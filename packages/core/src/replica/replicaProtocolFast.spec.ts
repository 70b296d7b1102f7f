import { describe, expect, it } from '@jest/globals';
import { fastParserOf, NOT_FAST } from '../wire/fastParse';
import { fastParserContract } from '@dynamis/testkit';
import fc from 'fast-check';
import { READ_DIGEST_RAW_MAX } from './readDigest';
import { replicaSchemas } from './replicaProtocol';

/** Small batch bounds, so mutations cross them. */
const s = replicaSchemas({ maxKeyBytes: 64, maxValueBytes: 64, maxBatchOps: 3 });
const key = fc.string({ unit: 'binary', minLength: 1, maxLength: 12 });
const bytes = fc.uint8Array({ maxLength: 8 });
const number = fc.double({ noNaN: true, noDefaultInfinity: true });
const sibling = fc.record(
  { version: bytes, value: fc.option(bytes, { nil: null }), writtenAt: number, expiresAt: number },
  { requiredKeys: ['version', 'value', 'writtenAt'] },
);
const siblings = fc.array(sibling, { maxLength: 3 });
const partition = fc.nat({ max: 70_000 });
const entry = fc.record({ key, siblings, partition }, { requiredKeys: ['key', 'siblings'] });
const digest = fc.uint8Array({ maxLength: READ_DIGEST_RAW_MAX });
const opts = { lengths: [0, 1, 3, 4, 128, 129] };

describe('replica protocol fast parsers', () => {
  fastParserContract('replica.read', s.read, fc.record({ key, partition, digest: fc.boolean() }, { requiredKeys: ['key'] }), opts);
  fastParserContract(
    'replica.readBatch',
    s.readBatch,
    fc.record(
      {
        keys: fc.array(key, { minLength: 1, maxLength: 3 }),
        partitions: fc.array(partition, { minLength: 1, maxLength: 3 }),
        digest: fc.boolean(),
      },
      { requiredKeys: ['keys'] },
    ),
    opts,
  );
  fastParserContract('replica.write', s.write, entry, opts);
  fastParserContract('replica.writeBatch', s.writeBatch, fc.record({ entries: fc.array(entry, { minLength: 1, maxLength: 3 }) }), opts);
  fastParserContract('replica.read.result', s.readResult, fc.record({ siblings }), opts);
  fastParserContract('replica.readBatch.result', s.readBatchResult, fc.record({ records: fc.array(siblings, { maxLength: 3 }) }), opts);
  fastParserContract('replica.read.result (digest)', s.readDigestResult, fc.record({ digest }), opts);
  fastParserContract(
    'replica.readBatch.result (digests)',
    s.readDigestBatchResult,
    fc.record({ digests: fc.array(digest, { maxLength: 3 }) }),
    opts,
  );
  fastParserContract('replica.write.result', s.writeResult, fc.record({ stored: fc.nat() }), opts);
  fastParserContract('replica.writeBatch.result', s.writeBatchResult, fc.record({ stored: fc.array(fc.nat(), { maxLength: 3 }) }), opts);
  it('a digest up to READ_DIGEST_RAW_MAX bytes is accepted by both, one byte more refused by zod and declined by the fast parser', () => {
    for (const length of [0, 16, READ_DIGEST_RAW_MAX]) {
      const one = { digest: new Uint8Array(length) };
      expect(s.readDigestResult.safeParse(one).success).toBe(true);
      expect(fastParserOf(s.readDigestResult)!(one)).toEqual(one);
    }
    const long = new Uint8Array(READ_DIGEST_RAW_MAX + 1);
    const one = { digest: long };
    const many = { digests: [new Uint8Array(16), long] };
    expect(s.readDigestResult.safeParse(one).success).toBe(false);
    expect(fastParserOf(s.readDigestResult)!(one)).toBe(NOT_FAST);
    expect(s.readDigestBatchResult.safeParse(many).success).toBe(false);
    expect(fastParserOf(s.readDigestBatchResult)!(many)).toBe(NOT_FAST);
  });
});
