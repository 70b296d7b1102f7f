/** Slab size for small allocations. */
const SLAB_BYTES = 64 * 1024;
/** Larger requests get their own ArrayBuffer. */
const MAX_POOLED = 4096;

let slab = new ArrayBuffer(SLAB_BYTES);
let slabPos = 0;

/**
 * A new zero-filled byte array of `len` bytes for values handed to
 * callers, ~4x cheaper than `new Uint8Array(len)` for small sizes (V8 backs
 * every non-tiny typed array with its own off-heap store). Small arrays are
 * carved out of a shared 64 KiB ArrayBuffer, as Buffer.allocUnsafe does: the
 * caller owns the bytes of its view (nobody else writes them), but `.buffer`
 * is shared, so code must not use `.buffer` without `byteOffset`/`byteLength`.
 * Contents are zero (slabs are fresh and never reused).
 */
export function allocBytes(len: number): Uint8Array {
  if (len > MAX_POOLED) return new Uint8Array(len);
  if (slabPos + len > SLAB_BYTES) {
    slab = new ArrayBuffer(SLAB_BYTES);
    slabPos = 0;
  }
  const out = new Uint8Array(slab, slabPos, len);
  slabPos = (slabPos + len + 7) & ~7;
  return out;
}

/** An owned copy of `src[start, end)` (see allocBytes for the sharing caveat). */
export function copyOut(src: Uint8Array, start: number, end: number): Uint8Array {
  const len = end - start;
  const out = allocBytes(len);
  if (len <= 128) for (let i = 0; i < len; i++) out[i] = src[start + i]!;
  else out.set(src.subarray(start, end));
  return out;
}

/** Slab size for block buffers: 16 blocks of 4 KiB, so a cached block pins at most 64 KiB. */
const BLOCK_SLAB_BYTES = 64 * 1024;
let blockSlab: ArrayBufferLike = Buffer.allocUnsafeSlow(BLOCK_SLAB_BYTES).buffer;
let blockSlabPos = 0;

/**
 * A byte array of `len` bytes for an SSTable block about to be read into,
 * carved out of a shared 64 KiB slab (its own ArrayBuffer when larger than
 * a quarter slab). Much cheaper than Buffer.allocUnsafeSlow per block; the
 * same `.buffer` caveat as allocBytes. Contents are UNINITIALIZED: the
 * caller must fill every byte (or throw it away) before exposing it.
 */
export function allocBlockBytes(len: number): Uint8Array {
  if (len > BLOCK_SLAB_BYTES / 4) return new Uint8Array(len);
  if (blockSlabPos + len > BLOCK_SLAB_BYTES) {
    blockSlab = Buffer.allocUnsafeSlow(BLOCK_SLAB_BYTES).buffer;
    blockSlabPos = 0;
  }
  const out = new Uint8Array(blockSlab, blockSlabPos, len);
  blockSlabPos = (blockSlabPos + len + 7) & ~7;
  return out;
}
