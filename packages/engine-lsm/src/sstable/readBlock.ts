import type { RandomAccessFile } from '@dynamis/core';
import { readFixed32 } from '../util/coding';
import { corruption } from '../util/corruption';
import { crc, maskCrc } from '../util/crc';
import { BLOCK_TRAILER_BYTES, COMPRESSION_NONE } from './format';

/**
 * Reads the block at [offset, offset + size) plus its trailer, verifies the
 * compression type and the CRC-32 over contents + type byte, and returns the
 * contents (a view into a fresh buffer the caller owns). Throws CORRUPTION
 * naming `file.path` and `offset` on a short read, bad type or bad checksum.
 */
export function readBlock(file: RandomAccessFile, offset: number, size: number): Uint8Array {
  const raw = file.read(offset, size + BLOCK_TRAILER_BYTES);
  if (raw.length !== size + BLOCK_TRAILER_BYTES) {
    throw corruption(`truncated block (wanted ${size + BLOCK_TRAILER_BYTES} bytes, got ${raw.length})`, file.path, offset);
  }
  const type = raw[size]!;
  const stored = readFixed32(raw, size + 1);
  if (stored !== maskCrc(crc(raw.subarray(0, size + 1)))) {
    throw corruption('block checksum mismatch', file.path, offset, { blockSize: size });
  }
  if (type !== COMPRESSION_NONE) throw corruption(`unknown block compression type ${type}`, file.path, offset);
  return raw.subarray(0, size);
}
