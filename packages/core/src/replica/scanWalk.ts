import { DynamisError } from '../errors/DynamisError';
import type { Limits } from '../kernel/requestChecks';
import type { ConflictResolver } from '../ports/ConflictResolver';
import type { ScanItem, ScanOptions, ScanPage } from '../ports/Coordinator';
import type { PartitionId } from '../ports/Partitioner';
import { liveValues } from './liveValues';
import { decodeScanCursor, encodeScanCursor } from './scanCursor';
import { scanEntryBytes, type ScanPageRequest, type ScanPageResult } from './scanPage';

/** Items per scan page when `limit` is not given. */
export const SCAN_DEFAULT_LIMIT = 100;
/** Most items one scan page may ask for. */
export const SCAN_MAX_LIMIT = 1000;
/** Byte budget of one scan page (scanEntryBytes of its records), 1 MiB; the first item is always included. */
export const SCAN_PAGE_BYTES = 1024 * 1024;
/**
 * Most replica pages one scan page reads: a walk over many empty
 * partitions returns (with fewer items, possibly none, and a cursor) after
 * this many calls instead of visiting every partition in one request.
 */
export const SCAN_MAX_FETCHES = 64;

/** Reads one replica page of `partition` (from some replica holding it). */
export type ScanPageFetcher = (partition: PartitionId, request: ScanPageRequest) => Promise<ScanPageResult>;

/**
 * Checks scan options at the public boundary (the Store, the client):
 * INVALID_ARGUMENT unless `prefix` is a well-formed string of at most
 * limits.maxKeyBytes UTF-8 bytes, `cursor` a string, `limit` an integer in
 * [1, SCAN_MAX_LIMIT], `consistency` absent, 'one' or 1 (a scan reads each
 * partition from one replica), `timeoutMs` a positive integer.
 */
export function checkScanOptions(options: unknown, limits: Limits): asserts options is ScanOptions {
  if (options === null || typeof options !== 'object') throw invalid('scan options must be an object');
  const o = options as Record<string, unknown>;
  const { prefix, cursor, limit, consistency, timeoutMs } = o;
  for (const k of Object.keys(o)) {
    if (!['prefix', 'cursor', 'limit', 'consistency', 'timeoutMs'].includes(k)) throw invalid(`unknown scan option ${JSON.stringify(k)}`);
  }
  if (prefix !== undefined) {
    if (typeof prefix !== 'string' || !prefix.isWellFormed()) throw invalid('scan prefix must be a well-formed string');
    if (Buffer.byteLength(prefix, 'utf8') > limits.maxKeyBytes)
      throw invalid(`scan prefix is longer than limits.maxKeyBytes (${limits.maxKeyBytes})`);
  }
  if (cursor !== undefined && typeof cursor !== 'string') throw invalid('scan cursor must be a string (the cursor of a previous page)');
  if (limit !== undefined && !(Number.isInteger(limit) && (limit as number) >= 1 && (limit as number) <= SCAN_MAX_LIMIT)) {
    throw invalid(`scan limit must be an integer in [1, ${SCAN_MAX_LIMIT}], got ${JSON.stringify(limit)}`);
  }
  if (consistency !== undefined && consistency !== 'one' && consistency !== 1) {
    throw new DynamisError(
      'INVALID_ARGUMENT',
      `scan reads each partition from one replica: consistency must be 'one', got ${JSON.stringify(consistency)}`,
      { details: { consistency } },
    );
  }
  if (timeoutMs !== undefined && !(Number.isInteger(timeoutMs) && (timeoutMs as number) > 0))
    throw invalid('timeoutMs must be a positive integer');
}

/**
 * One page of a cluster-wide scan over `partitionCount` partitions, from the
 * options' cursor (checked: decodeScanCursor, INVALID_ARGUMENT), reading
 * replica pages through `fetch` partition by partition, in partition order.
 * Records whose siblings are all dead at `now` are left out; each item
 * carries its live siblings and the resolver's context of its whole record.
 * Ends at `limit` items, SCAN_PAGE_BYTES, SCAN_MAX_FETCHES replica pages, or
 * the last partition (cursor null). `fetch`'s errors pass through.
 */
export async function walkScan(
  options: ScanOptions,
  partitionCount: number,
  limits: Limits,
  fetch: ScanPageFetcher,
  resolver: ConflictResolver,
  now: () => number,
): Promise<ScanPage> {
  const limit = options.limit ?? SCAN_DEFAULT_LIMIT;
  const start = options.cursor === undefined ? { partition: 0 } : decodeScanCursor(options.cursor, partitionCount, limits.maxKeyBytes);
  let partition = start.partition;
  let after = start.after;
  const items: ScanItem[] = [];
  let bytes = 0;
  for (let fetches = 0; fetches < SCAN_MAX_FETCHES && items.length < limit && bytes < SCAN_PAGE_BYTES; fetches++) {
    const request: ScanPageRequest = { limit: limit - items.length, maxBytes: SCAN_PAGE_BYTES - bytes };
    const page = await fetch(partition, withOptional(request, after, options.prefix));
    const at = now();
    for (const e of page.entries) {
      const siblings = liveValues(e.siblings, at);
      if (siblings.length === 0) continue;
      items.push({ key: e.key, siblings, context: resolver.context(e.siblings) });
      bytes += scanEntryBytes(e.key, e.siblings);
    }
    if (page.next !== null) {
      after = page.next;
      continue;
    }
    after = undefined;
    if (++partition >= partitionCount) return { items, cursor: null };
  }
  return { items, cursor: encodeScanCursor(after === undefined ? { partition } : { partition, after }) };
}

function withOptional(request: ScanPageRequest, after: string | undefined, prefix: string | undefined): ScanPageRequest {
  if (after === undefined && prefix === undefined) return request;
  return { ...request, ...(after === undefined ? {} : { after }), ...(prefix === undefined ? {} : { prefix }) };
}

function invalid(message: string): DynamisError {
  return new DynamisError('INVALID_ARGUMENT', message);
}
