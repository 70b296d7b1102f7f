import { copyBytes } from '@dynamis/core';
import type { WriteOp } from '../wal/writeBatch';

/** A write waiting for room, in call order. */
export interface QueuedWrite {
  readonly ops: readonly WriteOp[];
  readonly sync: boolean;
  resolve(): void;
  reject(err: unknown): void;
  /** Counted as a stall already. */
  stalled: boolean;
  /** Slowed down by 1 ms already. */
  delayed: boolean;
}

/** A write deferred to the end of the current burst (see WritePath.write). */
export interface GroupedWrite {
  readonly ops: readonly WriteOp[];
  resolve(): void;
  reject(err: unknown): void;
}

/** A deferred write joining the stall queue. */
export function queued(w: GroupedWrite): QueuedWrite {
  return { ops: w.ops, sync: false, resolve: w.resolve, reject: w.reject, stalled: false, delayed: false };
}

export function resolveAll(group: readonly GroupedWrite[]): void {
  for (const w of group) w.resolve();
}

/** About what `ops` add to a memtable (keys, values, ~40 bytes of overhead each). */
export function opsBytes(ops: readonly WriteOp[]): number {
  let n = 0;
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i]!;
    n += op.key.length + (op.type === 'put' ? op.value.length : op.type === 'delRange' ? op.end.length : 0) + 40;
  }
  return n;
}

/** Ops with their own copies of every key and value. */
export function copyOps(ops: readonly WriteOp[]): WriteOp[] {
  const out = new Array<WriteOp>(ops.length);
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i]!;
    out[i] =
      op.type === 'put'
        ? { type: 'put', key: copyBytes(op.key), value: copyBytes(op.value) }
        : op.type === 'del'
          ? { type: 'del', key: copyBytes(op.key) }
          : { type: 'delRange', key: copyBytes(op.key), end: copyBytes(op.end) };
  }
  return out;
}
