import { crc32 } from 'node:zlib';
import { DynamisError, MAX_PARTITIONS, type FileSystem, type NodeId, type PartitionId } from '@dynamis/core';

/** The file, in `${dataDir}/rebalance`, that keeps which partitions this node holds completely. */
export const HOLDINGS_FILE = 'holdings';
const HEADER_V1 = /^dynamis-rebalance-holdings 1 ([A-Za-z0-9._-]{1,64}) ([0-9]{1,7}) ([0-9a-f]{8})\n([0-9a-f]*)\n$/;
const HEADER_V2 = /^dynamis-rebalance-holdings 2 ([A-Za-z0-9._-]{1,64}) ([0-9]{1,7}) ([0-9a-f]{1,128}|-) ([0-9a-f]{8})\n([0-9a-f]*)\n$/;
const SETTLED_HASH = /^[0-9a-f]{1,128}$/;
/** The largest file: the bitmap of MAX_PARTITIONS partitions in hex, plus the header. */
const MAX_BYTES = 2 * (MAX_PARTITIONS / 8) + 256;

/** What a holdings file keeps. */
export interface StoredHoldings {
  /** The partitions the node held completely. */
  readonly own: Set<PartitionId>;
  /**
   * The hash of the placement at which the node last saw every node of it
   * announce it is settled there, and has announced no view under another
   * placement since (README, "Start"); undefined when there is none (or a
   * version 1 file).
   */
  readonly settledHash: string | undefined;
}

/** Whether `hash` can be stored as a settled hash: a placement hash in lowercase hex, 1 to 128 digits. */
export function isStorableHash(hash: string): boolean {
  return SETTLED_HASH.test(hash);
}

/**
 * The persisted holdings of `node` stored in `${dir}/holdings`, or undefined
 * when there is no file (a first start, or data from before holdings were
 * kept). The file is two lines (README, "Persistence"): a header
 * `dynamis-rebalance-holdings 2 <nodeId> <partitionCount> <settledHash or ->
 * <crc32, hex>` and the bitmap in hex (bit p of byte p >> 3 = holds
 * partition p); the crc32 covers the settled hash's text (or `-`) followed by
 * the bitmap bytes. Version 1 files (`dynamis-rebalance-holdings 1 <nodeId>
 * <partitionCount> <crc32 of the bitmap>`) still load, with no settled hash.
 * Throws CORRUPTION for a file that is neither (torn, wrong checksum, a
 * settled hash that is not 1-128 lowercase hex digits, longer than the
 * largest bitmap), INCOMPATIBLE_DATA when it names another node or another
 * partition count (the data dir is not this node's, or the ring changed Q
 * under it), IO_ERROR from the FileSystem.
 */
export function loadHoldings(fs: FileSystem, dir: string, node: NodeId, partitionCount: number): StoredHoldings | undefined {
  const path = `${dir}/${HOLDINGS_FILE}`;
  if (!fs.exists(path)) return undefined;
  const bytes = fs.readFile(path);
  const parsed = bytes.length > MAX_BYTES ? undefined : parse(new TextDecoder('utf-8', { fatal: false }).decode(bytes));
  if (parsed === undefined) {
    throw new DynamisError('CORRUPTION', `${path} is not a rebalance holdings file (torn or altered)`, {
      details: { where: 'rebalance holdings', file: path },
    });
  }
  const { id, count, settledHash, bitmap } = parsed;
  if (id !== node || count !== partitionCount || bitmap.length !== Math.ceil(partitionCount / 8)) {
    throw new DynamisError(
      'INCOMPATIBLE_DATA',
      `${path} belongs to node ${id} with ${count} partitions, not ${node} with ${partitionCount}: this data dir is another node's or another ring's`,
      { details: { stored: { node: id, partitions: count }, expected: { node, partitions: partitionCount }, file: path } },
    );
  }
  const own = new Set<PartitionId>();
  for (let p = 0; p < partitionCount; p++) if ((bitmap[p >> 3]! & (1 << (p & 7))) !== 0) own.add(p);
  return { own, settledHash };
}

/** The fields of a well-formed version 1 or 2 file whose checksum matches; undefined otherwise. */
function parse(text: string): { id: string; count: number; settledHash: string | undefined; bitmap: Buffer } | undefined {
  const v2 = HEADER_V2.exec(text);
  const v1 = v2 === null ? HEADER_V1.exec(text) : null;
  const m = v2 ?? v1;
  if (m === null) return undefined;
  const hex = v2 !== null ? v2[5]! : m[4]!;
  const bitmap = Buffer.from(hex, 'hex');
  if (bitmap.length * 2 !== hex.length) return undefined;
  const settledHash = v2 !== null && v2[3] !== '-' ? v2[3]! : undefined;
  const crc = v2 !== null ? checksum(settledHash, bitmap) : crc32(bitmap).toString(16).padStart(8, '0');
  if (crc !== (v2 !== null ? v2[4] : m[3])) return undefined;
  return { id: m[1]!, count: Number(m[2]), settledHash, bitmap };
}

/** crc32 (8 hex digits) of the settled hash's text (`-` for none) followed by the bitmap bytes. */
function checksum(settledHash: string | undefined, bitmap: Uint8Array): string {
  return crc32(bitmap, crc32(settledHash ?? '-'))
    .toString(16)
    .padStart(8, '0');
}

/**
 * Stores `own` as `node`'s holdings, with `settledHash` (see StoredHoldings;
 * undefined for none), in version 2, atomically (a temporary file synced,
 * renamed over, the directory synced): a crash leaves the old file or the
 * new one. Resolves once it is durable. INVALID_ARGUMENT for a settled hash
 * that is not storable (isStorableHash), before anything is written;
 * IO_ERROR from the FileSystem.
 */
export async function saveHoldings(
  fs: FileSystem,
  dir: string,
  node: NodeId,
  partitionCount: number,
  own: ReadonlySet<PartitionId>,
  settledHash: string | undefined,
): Promise<void> {
  if (settledHash !== undefined && !isStorableHash(settledHash)) {
    throw new DynamisError(
      'INVALID_ARGUMENT',
      `settled placement hash ${JSON.stringify(settledHash.slice(0, 140))} is not 1-128 hex digits`,
    );
  }
  const bitmap = Buffer.alloc(Math.ceil(partitionCount / 8));
  for (const p of own) bitmap[p >> 3]! |= 1 << (p & 7);
  const header = `dynamis-rebalance-holdings 2 ${node} ${partitionCount} ${settledHash ?? '-'} ${checksum(settledHash, bitmap)}`;
  const path = `${dir}/${HOLDINGS_FILE}`;
  const tmp = `${path}.tmp`;
  fs.mkdirp(dir);
  const file = fs.create(tmp);
  try {
    file.append(new TextEncoder().encode(`${header}\n${bitmap.toString('hex')}\n`));
    await file.sync();
  } finally {
    await file.close();
  }
  fs.rename(tmp, path);
  await fs.syncDir(dir);
}
