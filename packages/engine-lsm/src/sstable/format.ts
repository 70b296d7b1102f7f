import { ByteBuffer, writeFixed32, writeFixed64 } from '../util/ByteBuffer';
import { readFixed32, readFixed64 } from '../util/coding';
import { corruption } from '../util/corruption';
import { crc, maskCrc } from '../util/crc';

/**
 * SSTable layout constants and the footer codec. The format is specified in
 * packages/engine-lsm/docs/format.md ("SSTable"); keep the two in step.
 */

/** Block trailer: 1 byte compression type + 4 bytes masked CRC-32. */
export const BLOCK_TRAILER_BYTES = 5;
/** The only compression type written: none. */
export const COMPRESSION_NONE = 0;
/** Fixed footer size at the end of every table. */
export const FOOTER_BYTES = 64;
/** Current table format version. */
export const TABLE_FORMAT_VERSION = 1;
/** The last 8 bytes of every table: ASCII "DYNSST\x00\x01". */
export const TABLE_MAGIC = new Uint8Array([0x44, 0x59, 0x4e, 0x53, 0x53, 0x54, 0x00, 0x01]);

/** Where a block's contents lie in the file (the trailer follows them). */
export interface BlockHandle {
  readonly offset: number;
  readonly size: number;
}

/** The decoded footer. A filter handle of size 0 means "no filter". */
export interface Footer {
  readonly index: BlockHandle;
  readonly filter: BlockHandle;
  readonly properties: BlockHandle;
  readonly version: number;
}

/** Appends the 64-byte footer to `out`. */
export function writeFooter(out: ByteBuffer, index: BlockHandle, filter: BlockHandle, properties: BlockHandle): void {
  out.ensure(FOOTER_BYTES);
  const b = out.buf;
  const p = out.length;
  writeFixed64(b, p, index.offset);
  writeFixed64(b, p + 8, index.size);
  writeFixed64(b, p + 16, filter.offset);
  writeFixed64(b, p + 24, filter.size);
  writeFixed64(b, p + 32, properties.offset);
  writeFixed64(b, p + 40, properties.size);
  writeFixed32(b, p + 48, TABLE_FORMAT_VERSION);
  writeFixed32(b, p + 52, maskCrc(crc(b.subarray(p, p + 52))));
  b.set(TABLE_MAGIC, p + 56);
  out.length += FOOTER_BYTES;
}

/**
 * Decodes the footer `f` (the last FOOTER_BYTES of a file of `fileSize`
 * bytes). Throws CORRUPTION naming `file` and the footer offset on a bad
 * magic, checksum, version or a handle outside the file.
 */
export function readFooter(f: Uint8Array, file: string, fileSize: number): Footer {
  const at = fileSize - FOOTER_BYTES;
  for (let i = 0; i < 8; i++) {
    if (f[56 + i] !== TABLE_MAGIC[i]) throw corruption('bad table magic number (not an SSTable)', file, at);
  }
  if (readFixed32(f, 52) !== maskCrc(crc(f.subarray(0, 52)))) throw corruption('footer checksum mismatch', file, at);
  const version = readFixed32(f, 48);
  if (version !== TABLE_FORMAT_VERSION) {
    throw corruption(`unsupported table format version ${version}`, file, at, { version });
  }
  const handle = (pos: number): BlockHandle => {
    const offset = readFixed64(f, pos);
    const size = readFixed64(f, pos + 8);
    if (offset < 0 || size < 0 || offset + size + BLOCK_TRAILER_BYTES > at) {
      throw corruption('footer block handle outside the file', file, at, { handleOffset: offset, handleSize: size });
    }
    return { offset, size };
  };
  const index = handle(0);
  const filterSize = readFixed64(f, 24);
  const filter = filterSize === 0 ? { offset: 0, size: 0 } : handle(16);
  return { index, filter, properties: handle(32), version };
}
