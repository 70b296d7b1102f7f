import { DynamisError } from '../errors/DynamisError';
import { partitionBits } from '../placement/keyHash';
import type { StorageEngine } from '../ports/StorageEngine';
import { keySpaceRange, KeySpace } from './keySpace';

/**
 * The data layout this build writes: 2 = data keys prefixed by their
 * partition ('d' + 2-byte partition + key). Layout 1 (unprefixed 'd' + key)
 * was written by builds that kept no layout record.
 */
export const REPLICA_LAYOUT_VERSION = 2;

/** Engine key of the layout record: 'm' + "replica.layout" (docs/format.md "Replica layout record"). */
export const REPLICA_LAYOUT_KEY: Uint8Array = Buffer.concat([Uint8Array.of(KeySpace.meta), Buffer.from('replica.layout', 'utf8')]);

const RECORD_BYTES = 6;

/** The layout record: u16 layout version, u32 partition count Q, both big-endian. */
export function encodeReplicaLayout(partitionCount: number): Uint8Array {
  partitionBits(partitionCount);
  const out = Buffer.alloc(RECORD_BYTES);
  out.writeUInt16BE(REPLICA_LAYOUT_VERSION, 0);
  out.writeUInt32BE(partitionCount, 2);
  return out;
}

/** Decodes a layout record; CORRUPTION unless it is exactly 6 bytes. */
export function decodeReplicaLayout(bytes: Uint8Array): { version: number; partitionCount: number } {
  if (bytes.length !== RECORD_BYTES) {
    throw new DynamisError('CORRUPTION', `replica layout record has ${bytes.length} bytes, expected ${RECORD_BYTES}`, {
      details: { where: 'replica layout record' },
    });
  }
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  return { version: b.readUInt16BE(0), partitionCount: b.readUInt32BE(2) };
}

/**
 * Checks that the data in `engine` (open) was written with this build's
 * layout and `partitionCount` partitions, so a node never silently reads
 * nothing from a data dir whose keys sit elsewhere:
 * - a layout record of another version, or of another Q: INCOMPATIBLE_DATA
 *   (details `stored`, `expected`), nothing written;
 * - no record but data-space keys present (a data dir of a build before
 *   layout 2): INCOMPATIBLE_DATA (`stored: { version: 1 }`), nothing written;
 * - no record and no data: writes the record (synced) — a new data dir.
 * CORRUPTION if the record cannot be decoded; engine errors pass through.
 */
export async function checkReplicaLayout(engine: StorageEngine, partitionCount: number): Promise<void> {
  const expected = { version: REPLICA_LAYOUT_VERSION, partitionCount };
  const bytes = await engine.get(REPLICA_LAYOUT_KEY);
  if (bytes !== undefined) {
    const stored = decodeReplicaLayout(bytes);
    if (stored.version !== expected.version || stored.partitionCount !== partitionCount) {
      throw incompatible(
        stored.version !== expected.version
          ? `the data dir holds replica layout ${stored.version}; this build reads layout ${expected.version}`
          : `the data dir was written with ${stored.partitionCount} partitions; this node is configured with ${partitionCount} (Q is fixed at cluster creation)`,
        stored,
        expected,
      );
    }
    return;
  }
  const it = engine.iterator({ ...keySpaceRange(KeySpace.data), limit: 1 });
  let legacy: boolean;
  try {
    legacy = (await it.next()) !== undefined;
  } finally {
    await it.close();
  }
  if (legacy) {
    throw incompatible(
      'the data dir holds records in replica layout 1 (keys not prefixed by partition), written by an older build; this build reads layout 2',
      { version: 1 },
      expected,
    );
  }
  await engine.put(REPLICA_LAYOUT_KEY, encodeReplicaLayout(partitionCount), { sync: true });
}

function incompatible(message: string, stored: object, expected: object): DynamisError {
  return new DynamisError('INCOMPATIBLE_DATA', `${message}: refusing to open it (migrate or start from an empty data dir)`, {
    details: { stored, expected },
  });
}
