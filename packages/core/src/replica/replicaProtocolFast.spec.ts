import { describe } from '@jest/globals';
import { fastParserContract } from '@dynamis/testkit';
import fc from 'fast-check';
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
const opts = { lengths: [0, 1, 3, 4, 128, 129] };

describe('replica protocol fast parsers', () => {
  fastParserContract('replica.read', s.read, fc.record({ key, partition }, { requiredKeys: ['key'] }), opts);
  fastParserContract(
    'replica.readBatch',
    s.readBatch,
    fc.record(
      { keys: fc.array(key, { minLength: 1, maxLength: 3 }), partitions: fc.array(partition, { minLength: 1, maxLength: 3 }) },
      { requiredKeys: ['keys'] },
    ),
    opts,
  );
  fastParserContract('replica.write', s.write, entry, opts);
  fastParserContract('replica.writeBatch', s.writeBatch, fc.record({ entries: fc.array(entry, { minLength: 1, maxLength: 3 }) }), opts);
  fastParserContract('replica.read.result', s.readResult, fc.record({ siblings }), opts);
  fastParserContract('replica.readBatch.result', s.readBatchResult, fc.record({ records: fc.array(siblings, { maxLength: 3 }) }), opts);
  fastParserContract('replica.write.result', s.writeResult, fc.record({ stored: fc.nat() }), opts);
  fastParserContract('replica.writeBatch.result', s.writeBatchResult, fc.record({ stored: fc.array(fc.nat(), { maxLength: 3 }) }), opts);
});
