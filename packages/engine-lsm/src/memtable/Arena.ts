import { copyOut } from '../util/allocBytes';

/** Size of a shared arena chunk. */
const CHUNK_BYTES = 1 << 20;

/**
 * Append-only storage for memtable key/value bytes, after LevelDB's Arena:
 * small entries share 1 MiB chunks; an entry larger than a quarter chunk
 * gets a chunk of its own. Bytes once stored are never moved or overwritten.
 */
export class Arena {
  private readonly chunks: Uint8Array[] = [];
  private current = -1;
  private pos = CHUNK_BYTES;
  /** Chunk index of the last `store`. */
  lastChunk = 0;
  /** Key and value bytes stored. */
  usedBytes = 0;

  /** Copies key then value; returns the key's offset in chunk `lastChunk`. */
  store(key: Uint8Array, value: Uint8Array): number {
    const size = key.length + value.length;
    const off = this.reserve(size);
    const c = this.chunks[this.lastChunk]!;
    copyInto(c, off, key);
    copyInto(c, off + key.length, value);
    this.usedBytes += size;
    return off;
  }

  chunk(i: number): Uint8Array {
    return this.chunks[i]!;
  }

  /** An owned copy (see allocBytes) of `len` bytes at chunk `i`, offset `off`. */
  copy(i: number, off: number, len: number): Uint8Array {
    return copyOut(this.chunks[i]!, off, off + len);
  }

  private reserve(size: number): number {
    const chunks = this.chunks;
    if (size > CHUNK_BYTES / 4) {
      chunks.push(new Uint8Array(size));
      this.lastChunk = chunks.length - 1;
      return 0;
    }
    if (this.current < 0 || this.pos + size > CHUNK_BYTES) {
      chunks.push(new Uint8Array(CHUNK_BYTES));
      this.current = chunks.length - 1;
      this.pos = 0;
    }
    this.lastChunk = this.current;
    const off = this.pos;
    this.pos += size;
    return off;
  }
}

function copyInto(dst: Uint8Array, at: number, src: Uint8Array): void {
  const n = src.length;
  if (n <= 32) for (let i = 0; i < n; i++) dst[at + i] = src[i]!;
  else dst.set(src, at);
}
