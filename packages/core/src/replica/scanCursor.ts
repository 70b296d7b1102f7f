import { DynamisError } from '../errors/DynamisError';
import type { PartitionId } from '../ports/Partitioner';

/** Where a scan resumes: a partition, and the last key returned from it (absent: the partition's start). */
export interface ScanPosition {
  readonly partition: PartitionId;
  readonly after?: string;
}

const CURSOR = /^(0|[1-9][0-9]{0,4})\.([A-Za-z0-9_-]*)$/;
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * The cursor string of `position` (docs/protocol.md "Scan"): the partition
 * in decimal, '.', then the base64url (no padding) UTF-8 bytes of `after`
 * (nothing when absent). Clients treat it as opaque.
 */
export function encodeScanCursor(position: ScanPosition): string {
  const after = position.after === undefined ? '' : Buffer.from(position.after, 'utf8').toString('base64url');
  return `${position.partition}.${after}`;
}

/**
 * Decodes a cursor of encodeScanCursor. INVALID_ARGUMENT ("malformed scan
 * cursor") unless it has that shape, its partition is below
 * `partitionCount`, and its key is well-formed UTF-8 of 1..`maxKeyBytes`
 * bytes (a cursor from a cluster with another Q is refused, never misread).
 */
export function decodeScanCursor(cursor: string, partitionCount: number, maxKeyBytes: number): ScanPosition {
  const m = CURSOR.exec(cursor);
  if (m === null || cursor.length > 16 + Math.ceil((maxKeyBytes * 4) / 3)) throw malformed(cursor, 'not a scan cursor');
  const partition = Number(m[1]);
  if (partition >= partitionCount) throw malformed(cursor, `partition ${partition} is not below Q = ${partitionCount}`);
  if (m[2] === '') return { partition };
  const bytes = Buffer.from(m[2]!, 'base64url');
  if (bytes.length === 0 || bytes.length > maxKeyBytes || bytes.toString('base64url') !== m[2]) throw malformed(cursor, 'bad key');
  let after: string;
  try {
    after = utf8.decode(bytes);
  } catch {
    throw malformed(cursor, 'key is not UTF-8');
  }
  return { partition, after };
}

function malformed(cursor: string, why: string): DynamisError {
  return new DynamisError('INVALID_ARGUMENT', `malformed scan cursor (${why}): pass the cursor of a previous page unchanged`, {
    details: { cursor: cursor.length > 64 ? `${cursor.slice(0, 64)}…` : cursor },
  });
}
