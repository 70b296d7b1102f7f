import { crc32 } from 'node:zlib';

const MASK_DELTA = 0xa282ead8;

/**
 * CRC-32 (zlib's polynomial, via node:zlib) of `data`, continuing from
 * `initial` (0 for a fresh checksum).
 */
export function crc(data: Uint8Array, initial = 0): number {
  return crc32(data, initial);
}

/**
 * LevelDB's masking of a stored CRC, so that a CRC computed over bytes that
 * themselves contain CRCs stays well distributed. Stored = mask(crc).
 */
export function maskCrc(c: number): number {
  return (((c >>> 15) | (c << 17)) + MASK_DELTA) >>> 0;
}

/** Inverse of maskCrc. */
export function unmaskCrc(masked: number): number {
  const rot = (masked - MASK_DELTA) >>> 0;
  return ((rot >>> 17) | (rot << 15)) >>> 0;
}
