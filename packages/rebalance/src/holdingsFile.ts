import { crc32 } from 'node:zlib';
import { DynamisError, MAX_PARTITIONS, type FileSystem, type NodeId, type PartitionId } from '@dynamis/core';

/** The file, in `${dataDir}/rebalance`, that keeps which partitions this node holds completely. */
export const HOLDINGS_FILE = 'holdings';
const HEADER = /^dynamis-rebalance-holdings 1 ([A-Za-z0-9._-]{1,64}) ([0-9]{1,7}) ([0-9a-f]{8})\n([0-9a-f]*)\n$/;
/** The largest file: the bitmap of MAX_PARTITIONS partitions in hex, plus the header. */
const MAX_BYTES = 2 * (MAX_PARTITIONS / 8) + 128;

/**
 * The persisted holdings of `node`: the set stored in `${dir}/holdings`, or
 * undefined when there is no file (a first start, or data from before
 * holdings were kept). The file is two lines: `dynamis-rebalance-holdings 1
 * <nodeId> <partitionCount> <crc32 of the bitmap, hex>` and the bitmap in
 * hex (bit p of byte p >> 3 = holds partition p).
 * Throws CORRUPTION for a file that is not that (torn, wrong checksum,
 * longer than the largest bitmap), INCOMPATIBLE_DATA when it names another
 * node or another partition count (the data dir is not this node's, or the
 * ring changed Q under it), IO_ERROR from the FileSystem.
 */
export function loadHoldings(fs: FileSystem, dir: string, node: NodeId, partitionCount: number): Set<PartitionId> | undefined {
  const path = `${dir}/${HOLDINGS_FILE}`;
  if (!fs.exists(path)) return undefined;
  const bytes = fs.readFile(path);
  const m = bytes.length > MAX_BYTES ? null : HEADER.exec(new TextDecoder('utf-8', { fatal: false }).decode(bytes));
  const bitmap = m === null ? undefined : Buffer.from(m[4]!, 'hex');
  if (m === null || bitmap === undefined || bitmap.length * 2 !== m[4]!.length || crc32(bitmap).toString(16).padStart(8, '0') !== m[3]) {
    throw new DynamisError('CORRUPTION', `${path} is not a rebalance holdings file (torn or altered)`, {
      details: { where: 'rebalance holdings', file: path },
    });
  }
  if (m[1] !== node || Number(m[2]) !== partitionCount || bitmap.length !== Math.ceil(partitionCount / 8)) {
    throw new DynamisError(
      'INCOMPATIBLE_DATA',
      `${path} belongs to node ${m[1]!} with ${m[2]!} partitions, not ${node} with ${partitionCount}: this data dir is another node's or another ring's`,
      { details: { stored: { node: m[1], partitions: Number(m[2]) }, expected: { node, partitions: partitionCount }, file: path } },
    );
  }
  const out = new Set<PartitionId>();
  for (let p = 0; p < partitionCount; p++) if ((bitmap[p >> 3]! & (1 << (p & 7))) !== 0) out.add(p);
  return out;
}

/**
 * Stores `own` as `node`'s holdings, atomically (a temporary file synced,
 * renamed over, the directory synced): a crash leaves the old set or the
 * new one. Resolves once it is durable. IO_ERROR from the FileSystem.
 */
export async function saveHoldings(
  fs: FileSystem,
  dir: string,
  node: NodeId,
  partitionCount: number,
  own: ReadonlySet<PartitionId>,
): Promise<void> {
  const bitmap = Buffer.alloc(Math.ceil(partitionCount / 8));
  for (const p of own) bitmap[p >> 3]! |= 1 << (p & 7);
  const crc = crc32(bitmap).toString(16).padStart(8, '0');
  const path = `${dir}/${HOLDINGS_FILE}`;
  const tmp = `${path}.tmp`;
  fs.mkdirp(dir);
  const file = fs.create(tmp);
  try {
    file.append(new TextEncoder().encode(`dynamis-rebalance-holdings 1 ${node} ${partitionCount} ${crc}\n${bitmap.toString('hex')}\n`));
    await file.sync();
  } finally {
    await file.close();
  }
  fs.rename(tmp, path);
  await fs.syncDir(dir);
}
