import { isDynamisError } from '../errors/DynamisError';
import type { BatchOp, StorageEngine } from '../ports/StorageEngine';

/** Most puts in one grouped engine write; the next put starts a new group. */
export const MAX_GROUP_OPS = 256;
/** Most key and value bytes in one grouped engine write; a bigger put is written alone. */
export const MAX_GROUP_BYTES = 4 * 1024 * 1024;

const RESOLVED = Promise.resolve();

/** Codes that name one bad op rather than the engine: a group failing so is re-written op by op. */
const PER_OP = new Set(['INVALID_ARGUMENT', 'INVALID_KEY', 'VALUE_TOO_LARGE']);

interface Waiter {
  readonly op: BatchOp;
  resolve(): void;
  reject(err: unknown): void;
}

/**
 * Groups the replica's single-key engine writes of one tick (those made
 * before the microtask queue drains) into one atomic `engine.write`, so a
 * burst of puts costs one engine round trip (for engine-lsm one WAL record and
 * one fsync group) instead of one each.
 *
 * - Durability and outcome per put are unchanged: each `put` resolves only
 *   once the engine write holding it resolved (durable as the engine's
 *   write() is), and rejects with that write's error if it failed, in which
 *   case the atomic write applied none of the group. A group refused for one
 *   op's content (INVALID_ARGUMENT, INVALID_KEY, VALUE_TOO_LARGE) is re-written
 *   op by op, so only the bad put fails.
 * - Order: puts apply in call order (ops of one write apply in order); the
 *   caller serializes writes of one key (Replica holds the key's lock).
 * - Bounds: at most MAX_GROUP_OPS puts and MAX_GROUP_BYTES per group.
 * - The key and value must not be changed by the caller until the put settles.
 */
export class WriteGroup {
  private waiting: Waiter[] = [];
  private bytes = 0;
  private scheduled = false;

  constructor(private readonly engine: StorageEngine) {}

  /** Writes `key` = `value` in this tick's group; resolves once that group is written. */
  put(key: Uint8Array, value: Uint8Array): Promise<void> {
    const size = key.length + value.length;
    if (this.waiting.length >= MAX_GROUP_OPS || (this.waiting.length > 0 && this.bytes + size > MAX_GROUP_BYTES)) this.flush();
    this.bytes += size;
    const promise = new Promise<void>((resolve, reject) => this.waiting.push({ op: { type: 'put', key, value }, resolve, reject }));
    if (!this.scheduled) {
      this.scheduled = true;
      // A resolved promise's then, not queueMicrotask (which wraps each callback in an AsyncResource): same microtask timing.
      void RESOLVED.then(this.flush);
    }
    return promise;
  }

  private readonly flush = (): void => {
    this.scheduled = false;
    const group = this.waiting;
    if (group.length === 0) return;
    this.waiting = [];
    this.bytes = 0;
    if (group.length === 1) {
      this.writeAlone(group[0]!);
      return;
    }
    this.engine.write(group.map((w) => w.op)).then(
      () => {
        for (const w of group) w.resolve();
      },
      (err: unknown) => {
        if (isDynamisError(err) && PER_OP.has(err.code)) for (const w of group) this.writeAlone(w);
        else for (const w of group) w.reject(err);
      },
    );
  };

  private writeAlone(w: Waiter): void {
    this.engine.write([w.op]).then(w.resolve, w.reject);
  }
}
