import { crc } from '../util/crc';

/**
 * WAL physical format constants (docs/format.md, "WAL"): the log is a
 * sequence of 32 KiB blocks; each holds fragments with a 7-byte header
 * (masked CRC-32 of type + payload: 4 bytes LE, payload length: 2 bytes LE,
 * type: 1 byte). Fewer than 7 bytes left in a block are zero padding.
 */
export const LOG_BLOCK_SIZE = 32 * 1024;
export const LOG_HEADER_BYTES = 7;

/** Fragment types. 0 is reserved (zeroed / preallocated space). */
export const FULL = 1;
export const FIRST = 2;
export const MIDDLE = 3;
export const LAST = 4;

/** CRC-32 of the single type byte, the starting value for a fragment's CRC. */
export const TYPE_CRC: readonly number[] = [0, 1, 2, 3, 4].map((t) => crc(new Uint8Array([t])));
