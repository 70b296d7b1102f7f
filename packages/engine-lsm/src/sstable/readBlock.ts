import type { RandomAccessFile } from '@dynamis/core';
import { allocBlockBytes } from '../util/allocBytes';
import { readFixed32 } from '../util/coding';
import { corruption } from '../util/corruption';
import { crc, maskCrc } from '../util/crc';
import { BLOCK_TRAILER_BYTES, COMPRESSION_NONE } from './format';

/**
 * Reads the block at [offset, offset + size) plus its trailer, verifies the
 * compression type and the CRC-32 over contents + type byte, and returns the
 * contents (a view the caller owns, carved from a shared slab: see
 * allocBlockBytes; one readInto, no other allocation). Throws CORRUPTION
 * naming `file.path` and `offset` on a short read, bad type or bad checksum.
 */
export function readBlock(file: RandomAccessFile, offset: number, size: number): Uint8Array {
  return readBlockInto(file, offset, size, allocBlockBytes(size + BLOCK_TRAILER_BYTES));
}

/** One reusable buffer for blocks read only for the duration of a synchronous lookup. */
let scratch = new Uint8Array(64 * 1024);

/**
 * As readBlock, into a module-wide scratch buffer that the NEXT call
 * overwrites: for a synchronous point lookup that copies out what it keeps.
 * Reused (already touched) memory spares the allocation and page faults of
 * a fresh buffer per block.
 */
export function readBlockScratch(file: RandomAccessFile, offset: number, size: number): Uint8Array {
  const want = size + BLOCK_TRAILER_BYTES;
  if (scratch.length < want) scratch = new Uint8Array(want * 2);
  return readBlockInto(file, offset, size, scratch);
}

function readBlockInto(file: RandomAccessFile, offset: number, size: number, raw: Uint8Array): Uint8Array {
  const want = size + BLOCK_TRAILER_BYTES;
  const got = file.readInto(offset, want, raw, 0);
  if (got !== want) {
    throw corruption(`truncated block (wanted ${want} bytes, got ${got})`, file.path, offset);
  }
  return verifyBlock(raw, 0, size, file.path, offset);
}

/**
 * Verifies the block whose contents are `image[at, at + size)`, followed by
 * its trailer (type byte, masked CRC-32 of contents + type), and returns a
 * view of the contents. Throws CORRUPTION naming `path` and `fileOffset`
 * (default `at`: the block's offset in the file) if the trailer does not
 * fit, the checksum does not match or the type is unknown.
 */
export function verifyBlock(image: Uint8Array, at: number, size: number, path: string, fileOffset = at): Uint8Array {
  if (at + size + BLOCK_TRAILER_BYTES > image.length) {
    throw corruption(`block extends past the end of the file (${size} bytes at ${at})`, path, fileOffset);
  }
  const type = image[at + size]!;
  const stored = readFixed32(image, at + size + 1);
  if (stored !== maskCrc(crc(image.subarray(at, at + size + 1)))) {
    throw corruption('block checksum mismatch', path, fileOffset, { blockSize: size });
  }
  if (type !== COMPRESSION_NONE) throw corruption(`unknown block compression type ${type}`, path, fileOffset);
  return image.subarray(at, at + size);
}
