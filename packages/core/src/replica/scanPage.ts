import { DynamisError } from '../errors/DynamisError';
import type { PartitionId } from '../ports/Partitioner';
import type { StorageEngine } from '../ports/StorageEngine';
import type { Sibling } from '../ports/types';
import { compareBytes } from '../util/bytes';
import { dataKey, partitionRange, userKeyOf } from './keySpace';
import { isLive } from './liveValues';
import { decodeRecordShared } from './recordCodec';

/** Most entries one replica scan page may ask for. */
export const REPLICA_SCAN_MAX_LIMIT = 1000;
/** Largest `maxBytes` one replica scan page may ask for (16 MiB). */
export const REPLICA_SCAN_MAX_BYTES = 16 * 1024 * 1024;
/**
 * Most records one page visits, live or not: a partition full of tombstones
 * or expired values costs at most this many engine records per request; the
 * page then ends early with `next` set to the last record visited.
 */
export const REPLICA_SCAN_MAX_VISITED = 4096;

/** What one replica scan page reads: one partition, after a key, under a prefix. */
export interface ScanPageRequest {
  /** Only keys after this one (exclusive); absent = from the partition's first key. */
  readonly after?: string;
  /** Only keys starting with this string (UTF-8 bytes). */
  readonly prefix?: string;
  /** Most entries, 1..REPLICA_SCAN_MAX_LIMIT. */
  readonly limit: number;
  /** Byte budget of the entries (see scanEntryBytes), 1..REPLICA_SCAN_MAX_BYTES; the first entry is always included. */
  readonly maxBytes: number;
}

/** One live record: its key and every stored sibling (tombstones included, so the reader can compute its context). */
export interface ScanEntry {
  readonly key: string;
  readonly siblings: Sibling[];
}

/** A replica scan page: live records in key order, and where the next page of this partition starts. */
export interface ScanPageResult {
  readonly entries: ScanEntry[];
  /** The last key this page covered (pass as `after`); null when the partition is exhausted. */
  readonly next: string | null;
}

/** The bytes an entry counts against a page's byte budget: key, versions and values, plus 32 per sibling. */
export function scanEntryBytes(key: string, siblings: readonly Sibling[]): number {
  let n = Buffer.byteLength(key, 'utf8');
  for (const s of siblings) n += 32 + s.version.length + (s.value?.length ?? 0);
  return n;
}

/**
 * Reads one scan page of `partition` from `engine`: the records after
 * `after`, starting with `prefix`, that have a live sibling at `now`
 * (records holding only tombstones or expired values are skipped), in
 * UTF-8 byte order of the keys. Stops at `limit` entries, at `maxBytes`
 * (scanEntryBytes; an entry that would cross it is left for the next page,
 * except the first), or after REPLICA_SCAN_MAX_VISITED records; `next` is
 * then the last key covered, else null (nothing more in the partition).
 * From one engine iterator (its own snapshot). INVALID_ARGUMENT for a limit
 * or maxBytes out of range; a corrupt record is CORRUPTION.
 */
export async function readScanPage(
  engine: StorageEngine,
  partition: PartitionId,
  request: ScanPageRequest,
  now: number,
): Promise<ScanPageResult> {
  checkBudget('limit', request.limit, REPLICA_SCAN_MAX_LIMIT);
  checkBudget('maxBytes', request.maxBytes, REPLICA_SCAN_MAX_BYTES);
  const bounds = pageBounds(partition, request.after, request.prefix);
  const entries: ScanEntry[] = [];
  if (bounds === undefined) return { entries, next: null };
  const it = engine.iterator(bounds);
  let bytes = 0;
  let visited = 0;
  let last: string | undefined;
  try {
    for (;;) {
      const batch = await it.nextv(Math.min(256, REPLICA_SCAN_MAX_VISITED - visited));
      if (batch.length === 0) return { entries, next: null };
      for (const [k, v] of batch) {
        const key = userKeyOf(k);
        const siblings = decodeRecordShared(v, 'record', key);
        if (siblings.some((s) => isLive(s, now))) {
          const size = scanEntryBytes(key, siblings);
          if (entries.length > 0 && bytes + size > request.maxBytes) return { entries, next: last! };
          entries.push({ key, siblings });
          bytes += size;
        }
        last = key;
        visited++;
        if (entries.length >= request.limit || visited >= REPLICA_SCAN_MAX_VISITED) return { entries, next: last };
      }
    }
  } finally {
    await it.close();
  }
}

/** The engine range of a page: partition ∩ [after⁺, …) ∩ prefix; undefined when empty. */
function pageBounds(
  partition: PartitionId,
  after: string | undefined,
  prefix: string | undefined,
): { gte: Uint8Array; lt: Uint8Array } | undefined {
  const whole = partitionRange(partition);
  let gte = whole.gte;
  let lt = whole.lt;
  if (prefix !== undefined && prefix.length > 0) {
    gte = dataKey(partition, prefix);
    lt = successor(gte) ?? lt;
  }
  if (after !== undefined) {
    // after + 0x00 is the first byte string that sorts after `after`.
    const key = dataKey(partition, after);
    const afterNext = Buffer.concat([key, Uint8Array.of(0)]);
    if (compareBytes(afterNext, gte) > 0) gte = afterNext;
  }
  return compareBytes(gte, lt) < 0 ? { gte, lt } : undefined;
}

/** The first byte string above every string starting with `prefix`, or undefined if none (all 0xff). */
function successor(prefix: Uint8Array): Uint8Array | undefined {
  for (let i = prefix.length - 1; i >= 0; i--) {
    if (prefix[i]! < 0xff) {
      const out = Uint8Array.from(prefix.subarray(0, i + 1));
      out[i] = prefix[i]! + 1;
      return out;
    }
  }
  return undefined;
}

function checkBudget(name: string, value: number, max: number): void {
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw new DynamisError('INVALID_ARGUMENT', `scan ${name} must be an integer in [1, ${max}], got ${String(value)}`, {
      details: { [name]: value, max },
    });
  }
}
