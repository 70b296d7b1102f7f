import { isBytes, isPlainObject, isZodInt, isZodNumber, onlyKeys, optional } from '../wire/fastChecks';
import { NOT_FAST, type FastParser } from '../wire/fastParse';
import { READ_DIGEST_RAW_MAX } from './readDigest';

/*
 * Fast parsers of the replica protocol's messages (replicaProtocol.ts
 * attaches them to its schemas; see wire/fastParse.ts). Every schema there is
 * strict, so an accepted value is its own parse. Each mirrors its schema rule
 * for rule; replicaProtocolFast.spec.ts proves them equivalent with
 * fast-check.
 */

const SIBLING = new Set(['version', 'value', 'writtenAt', 'expiresAt']);
const KEY = new Set(['key', 'partition', 'digest']);
const KEYS = new Set(['keys', 'partitions', 'digest']);
const ENTRY = new Set(['key', 'siblings', 'partition']);
const ENTRIES = new Set(['entries']);
const SIBLINGS = new Set(['siblings']);
const RECORDS = new Set(['records']);
const STORED = new Set(['stored']);
const DIGEST = new Set(['digest']);
const DIGESTS = new Set(['digests']);

type Check = (v: unknown) => boolean;

/** A fast parser from a check: the value itself when the check accepts it (typed by the schema it is attached to). */
function parser(check: Check): FastParser<never> {
  return (v) => (check(v) ? (v as never) : NOT_FAST);
}

/** z.array(item).min(min).max(max) */
function arrayOf(v: unknown, min: number, max: number, item: Check): boolean {
  if (!Array.isArray(v) || v.length < min || v.length > max) return false;
  for (let i = 0; i < v.length; i++) if (!item(v[i])) return false;
  return true;
}

function isKey(v: unknown): boolean {
  return typeof v === 'string' && v.length >= 1;
}

function isCount(v: unknown): boolean {
  return isZodInt(v) && (v as number) >= 0;
}

/** partition.optional(): absent, or an integer ≥ 0 (the replica checks it against Q). */
function isPartition(v: unknown): boolean {
  return optional(v, isCount);
}

/** z.boolean().optional() */
function isFlag(v: unknown): boolean {
  return v === undefined || typeof v === 'boolean';
}

/** digestBytes: at most `READ_DIGEST_RAW_MAX` bytes. */
function isDigest(v: unknown): boolean {
  return isBytes(v) && v.length <= READ_DIGEST_RAW_MAX;
}

/** wireSiblingSchema */
function isWireSibling(s: unknown): boolean {
  return (
    isPlainObject(s) &&
    onlyKeys(s, SIBLING) &&
    isBytes(s.version) &&
    (s.value === null || isBytes(s.value)) &&
    isZodNumber(s.writtenAt) &&
    optional(s.expiresAt, isZodNumber)
  );
}

/** The fast parsers of replicaSchemas(limits), `maxSiblings` per key, `maxBatch` keys per batch. */
export function replicaFastParsers(maxSiblings: number, maxBatch: number) {
  const siblings: Check = (v) => arrayOf(v, 0, maxSiblings, isWireSibling);
  const entry: Check = (v) => isPlainObject(v) && onlyKeys(v, ENTRY) && isKey(v.key) && siblings(v.siblings) && isPartition(v.partition);
  return {
    read: parser((v) => isPlainObject(v) && onlyKeys(v, KEY) && isKey(v.key) && isPartition(v.partition) && isFlag(v.digest)),
    readBatch: parser(
      (v) =>
        isPlainObject(v) &&
        onlyKeys(v, KEYS) &&
        arrayOf(v.keys, 1, maxBatch, isKey) &&
        (v.partitions === undefined || arrayOf(v.partitions, 1, maxBatch, isCount)) &&
        isFlag(v.digest),
    ),
    write: parser(entry),
    writeBatch: parser((v) => isPlainObject(v) && onlyKeys(v, ENTRIES) && arrayOf(v.entries, 1, maxBatch, entry)),
    readResult: parser((v) => isPlainObject(v) && onlyKeys(v, SIBLINGS) && siblings(v.siblings)),
    readBatchResult: parser((v) => isPlainObject(v) && onlyKeys(v, RECORDS) && arrayOf(v.records, 0, maxBatch, siblings)),
    readDigestResult: parser((v) => isPlainObject(v) && onlyKeys(v, DIGEST) && isDigest(v.digest)),
    readDigestBatchResult: parser((v) => isPlainObject(v) && onlyKeys(v, DIGESTS) && arrayOf(v.digests, 0, maxBatch, isDigest)),
    writeResult: parser((v) => isPlainObject(v) && onlyKeys(v, STORED) && isCount(v.stored)),
    writeBatchResult: parser((v) => isPlainObject(v) && onlyKeys(v, STORED) && arrayOf(v.stored, 0, maxBatch, isCount)),
  };
}
