import { describe } from '@jest/globals';
import { fastParserContract } from '@dynamis/testkit';
import fc from 'fast-check';
import { forwardReadReplySchema, forwardRequestSchema, forwardWriteReplySchema } from './forwardProtocol';

const key = fc.string({ unit: 'binary', minLength: 1, maxLength: 12 });
const bytes = fc.uint8Array({ maxLength: 8 });
const number = fc.double({ noNaN: true, noDefaultInfinity: true });
const level = fc.oneof(fc.constantFrom('one', 'quorum', 'all'), fc.integer({ min: 1 }));
const positiveInt = fc.integer({ min: 1 });
const get = fc.record({ op: fc.constant('get'), key, consistency: level, timeoutMs: positiveInt }, { requiredKeys: ['op', 'key'] });
const write = fc.record(
  {
    op: fc.constant('write'),
    key,
    value: fc.option(bytes, { nil: null }),
    ttlMs: fc.double({ min: Number.MIN_VALUE, noNaN: true, noDefaultInfinity: true }),
    context: bytes,
    ifAbsent: fc.boolean(),
    ifVersion: bytes,
    sloppyQuorum: fc.boolean(),
    consistency: level,
    timeoutMs: positiveInt,
    requestId: fc.string({ minLength: 1, maxLength: 64 }),
  },
  { requiredKeys: ['op', 'key', 'value'] },
);
const liveValue = fc.record({ value: bytes, writtenAt: number, expiresAt: number }, { requiredKeys: ['value', 'writtenAt'] });

describe('forward protocol fast parsers', () => {
  fastParserContract('quorum.forward', forwardRequestSchema, fc.oneof(get, write));
  fastParserContract(
    'forwarded read reply',
    forwardReadReplySchema,
    fc.record({ found: fc.boolean(), siblings: fc.array(liveValue, { maxLength: 3 }), context: bytes }),
  );
  fastParserContract('forwarded write reply', forwardWriteReplySchema, fc.record({ context: bytes, acks: fc.nat() }));
});
