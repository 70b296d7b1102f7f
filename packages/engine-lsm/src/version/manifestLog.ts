import type { FileSystem } from '@dynamis/core';
import { readRecords } from '../db/walFormat';
import { WalWriter } from '../wal/WalWriter';

/** An append-only log of records (the manifest), in the WAL's record format. */
export interface RecordLog {
  /** Bytes of the file so far. */
  readonly size: number;
  /** Appends one record (one write(2)). Throws IO_ERROR. */
  addRecord(data: Uint8Array): void;
  /** fsync of everything appended so far. */
  sync(): Promise<void>;
  close(): Promise<void>;
}

/** Creates (truncating) the log at `path`. Throws IO_ERROR. */
export function createRecordLog(fs: FileSystem, path: string): RecordLog {
  return new WalWriter(fs.create(path));
}

/**
 * Every record of the log at `path` with its offset. A damaged or torn
 * record at the tail is dropped (an edit never acknowledged: edits are
 * fsynced before they take effect) and counted; damage followed by intact
 * records is not a torn tail and throws CORRUPTION (path, offset).
 */
export function readRecordLog(fs: FileSystem, path: string): { records: { data: Uint8Array; offset: number }[]; droppedBytes: number } {
  const records: { data: Uint8Array; offset: number }[] = [];
  const result = readRecords(fs, path, 'tolerate-corrupted-tail', (data, offset) => records.push({ data: data.slice(), offset }));
  return { records, droppedBytes: result.droppedBytes };
}
