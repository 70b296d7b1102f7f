import { describe } from '@jest/globals';
import { fastParserContract } from '@dynamis/testkit';
import fc from 'fast-check';
import { clientDeleteSchema, clientGetSchema, clientPutSchema, clientReadResultSchema, clientWriteResultSchema } from './clientProtocol';

/** Keys of any UTF-16 content (lone surrogates included: the Store, not the schema, refuses them). */
const key = fc.string({ unit: 'binary', maxLength: 12 });
const bytes = fc.uint8Array({ maxLength: 8 });
const number = fc.double({ noNaN: true, noDefaultInfinity: true });
const consistency = fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom('one', 'quorum', 'all'), fc.integer());
const readOptions = fc.record({ consistency, timeoutMs: number }, { requiredKeys: [] });
const writeOptions = fc.record(
  { consistency, timeoutMs: number, ttlMs: number, context: bytes, ifAbsent: fc.boolean(), ifVersion: bytes },
  { requiredKeys: [] },
);
const sibling = fc.record({ value: bytes, writtenAt: number, expiresAt: number }, { requiredKeys: ['value', 'writtenAt'] });

describe('client protocol fast parsers', () => {
  fastParserContract(
    'client.put',
    clientPutSchema,
    fc.record({ key, value: bytes, options: writeOptions }, { requiredKeys: ['key', 'value'] }),
  );
  fastParserContract('client.get', clientGetSchema, fc.record({ key, options: readOptions }, { requiredKeys: ['key'] }));
  fastParserContract('client.delete', clientDeleteSchema, fc.record({ key, options: writeOptions }, { requiredKeys: ['key'] }));
  fastParserContract('client write result', clientWriteResultSchema, fc.record({ context: bytes, acks: fc.nat() }));
  fastParserContract(
    'client read result',
    clientReadResultSchema,
    fc.record({ found: fc.boolean(), siblings: fc.array(sibling, { maxLength: 3 }), context: bytes }),
  );
});
