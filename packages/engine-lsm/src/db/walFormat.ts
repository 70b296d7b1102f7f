import type { FileSystem } from '@dynamis/core';
import { WalReader, type WalRecoveryMode } from '../wal/WalReader';
import { decodeWriteBatch, type WriteOpKind } from '../wal/writeBatch';

/** What replaying one log found. */
export interface LogReadResult {
  /** Bytes of the intact prefix that was read. */
  readonly bytesRead: number;
  readonly records: number;
  /** Bytes dropped as damaged or torn (0 when the log was clean). */
  readonly droppedBytes: number;
  /** Offset of the first dropped byte (-1 when clean). */
  readonly droppedAt: number;
  /** Why bytes were dropped ('' when clean). */
  readonly reason: string;
  /** True when damage ended the replay early under 'point-in-time' (later logs must be skipped). */
  readonly stopped: boolean;
}

/**
 * Reads every record of the log at `path` through the WAL's WalReader
 * (docs/format.md, "WAL") in `mode`, calling `onRecord(payload, offset)`
 * (`offset`: where the intact prefix before the record ends). Damage is
 * handled by the mode (CORRUPTION naming file and offset when it refuses).
 */
export function readRecords(
  fs: FileSystem,
  path: string,
  mode: WalRecoveryMode,
  onRecord: (payload: Uint8Array, offset: number) => void,
): LogReadResult {
  const reader = WalReader.open(fs, path, mode);
  let records = 0;
  for (let start = reader.validBytes, r = reader.next(); r !== undefined; start = reader.validBytes, r = reader.next()) {
    onRecord(r, start);
    records++;
  }
  const dropped = reader.dropped;
  return {
    bytesRead: reader.validBytes,
    records,
    droppedBytes: dropped?.droppedBytes ?? 0,
    droppedAt: dropped?.offset ?? -1,
    reason: dropped?.reason ?? '',
    stopped: dropped !== undefined && mode === 'point-in-time',
  };
}

/**
 * Replays a WAL: calls `onEntry` for every op of every intact write batch
 * (docs/format.md, "Write batch"), in order (a range deletion: kind 2,
 * `key` its start, `value` its end). A batch that fails to decode
 * inside an intact record is CORRUPTION (file, offset) in every mode.
 */
export function readWal(
  fs: FileSystem,
  path: string,
  mode: WalRecoveryMode,
  onEntry: (seq: number, kind: WriteOpKind, key: Uint8Array, value: Uint8Array) => void,
): LogReadResult {
  return readRecords(fs, path, mode, (payload, offset) => {
    const batch = decodeWriteBatch(payload, path, offset);
    const ops = batch.ops;
    for (let i = 0; i < ops.length; i++) {
      const op = ops[i]!;
      onEntry(batch.baseSeq + i, op.kind, op.key, op.value ?? EMPTY);
    }
  });
}

const EMPTY = new Uint8Array(0);
