import type { WritableFile } from '@dynamis/core';
import { ByteBuffer, writeFixed32 } from '../util/ByteBuffer';
import { crc, maskCrc } from '../util/crc';
import { FIRST, FULL, LAST, LOG_BLOCK_SIZE, LOG_HEADER_BYTES, MIDDLE, TYPE_CRC } from './logFormat';

/**
 * Appends records to a write-ahead log (docs/format.md, "WAL"). Each
 * `addRecord` is split into fragments that never cross a 32 KiB block,
 * built in one reusable buffer, and handed to the file in ONE append call
 * (`encodeRecord` + `flush` do the same for several records at once):
 * when it returns, the record survives a kill -9 of the process; it
 * survives a machine crash once a later `sync()` resolves. Group commit
 * (sharing one sync among writers) is the engine's job.
 *
 * The writer owns the file. If `file` already holds data (openAppend), the
 * writer continues its block layout. After an append fails (IO_ERROR) the
 * log's tail is unknown: every later call rethrows that error; recover by
 * starting a new log. Single-threaded.
 */
export class WalWriter {
  private readonly buf = new ByteBuffer(64 * 1024);
  private blockOffset: number;
  private failure: unknown;

  constructor(private readonly file: WritableFile) {
    this.blockOffset = file.size % LOG_BLOCK_SIZE;
  }

  /** Bytes in the log file (all records appended so far, with headers and padding). */
  get size(): number {
    return this.file.size;
  }

  /** The log file's path. */
  get path(): string {
    return this.file.path;
  }

  /**
   * Appends one record (any length, empty allowed); the bytes are copied
   * before it returns. Throws IO_ERROR from the file.
   */
  addRecord(payload: Uint8Array): void {
    this.encodeRecord(payload);
    this.flush();
  }

  /**
   * Encodes one record after those already pending, without writing it:
   * `flush` hands every pending record to the file in one append call.
   * Throws the earlier IO_ERROR, if any.
   */
  encodeRecord(payload: Uint8Array): void {
    if (this.failure !== undefined) throw this.failure;
    const out = this.buf;
    let blockOffset = this.blockOffset;
    let pos = 0;
    let first = true;
    do {
      const leftover = LOG_BLOCK_SIZE - blockOffset;
      if (leftover < LOG_HEADER_BYTES) {
        out.putZeros(leftover); // block trailer
        blockOffset = 0;
      }
      const avail = LOG_BLOCK_SIZE - blockOffset - LOG_HEADER_BYTES;
      const n = Math.min(avail, payload.length - pos);
      const end = pos + n === payload.length;
      const type = first ? (end ? FULL : FIRST) : end ? LAST : MIDDLE;
      this.putFragment(payload, pos, n, type);
      pos += n;
      blockOffset += LOG_HEADER_BYTES + n;
      first = false;
    } while (pos < payload.length);
    this.blockOffset = blockOffset;
  }

  /** Appends every pending record with one append call (one write(2)). Throws IO_ERROR. */
  flush(): void {
    const out = this.buf;
    if (out.length === 0) return;
    try {
      if (this.failure !== undefined) throw this.failure;
      this.file.append(out.buf.subarray(0, out.length));
    } catch (err) {
      this.failure = err;
      throw err;
    } finally {
      out.reset();
    }
  }

  /** Makes every record added so far durable (fdatasync). Rejects IO_ERROR. */
  sync(): Promise<void> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    return this.file.sync();
  }

  /** Closes the file without syncing. Idempotent. */
  close(): Promise<void> {
    return this.file.close();
  }

  private putFragment(payload: Uint8Array, pos: number, n: number, type: number): void {
    const out = this.buf;
    out.ensure(LOG_HEADER_BYTES + n);
    const b = out.buf;
    const h = out.length;
    const whole = pos === 0 && n === payload.length;
    const c = crc(whole ? payload : payload.subarray(pos, pos + n), TYPE_CRC[type]);
    writeFixed32(b, h, maskCrc(c));
    b[h + 4] = n & 0xff;
    b[h + 5] = n >>> 8;
    b[h + 6] = type;
    out.length = h + LOG_HEADER_BYTES;
    out.putBytes(payload, pos, pos + n);
  }
}
