import type { Timer } from '@dynamis/core';
import type { WriteOp } from '../wal/writeBatch';
import { KIND_DELETION, KIND_VALUE } from '../util/internalKey';
import { afterTurn, type Db } from './Db';
import { keyHash } from './MemtableFilter';
import { newMemtableSlot } from './MemtableSlot';
import { WalFile } from './WalFile';
import { copyOps, opsBytes, queued, resolveAll, type GroupedWrite, type QueuedWrite } from './writeQueue';

/** Period of the keep-alive timer of the stall queue: it only has to exist (never fires in practice). */
const KEEP_ALIVE_MS = 2 ** 31 - 1;

function noop(): void {}

/**
 * The write path. `write` is synchronous when there is room: it takes the
 * next sequence numbers, encodes the batch into one WAL record, appends it
 * (one write(2): from then on a kill -9 cannot lose it), inserts the ops
 * into the active memtable and returns; under fsync 'always' or with
 * `sync` it returns the group commit's promise instead. When the active
 * memtable is full it is frozen and a new WAL and memtable take over.
 *
 * When there is no room (L0 at the stop trigger, or a full memtable with
 * maxImmutableMemtables already frozen) or L0 is at the slowdown trigger,
 * writes queue in call order and a drain loop applies them as room appears
 * (stalls) or after ~1 ms each (slowdown). Queued writes never fail for
 * lack of room; they reject only after a background failure. While any
 * write is queued, a referenced timer keeps the process alive (a pending
 * write is a pending operation): what wakes the queue, the Clock's 1 ms
 * sleep (unref'd with SystemClock) or a flush or compaction finishing,
 * need not hold a handle of its own.
 */
export class WritePath {
  private readonly queue: QueuedWrite[] = [];
  /** Writes deferred to the end of the burst, in call order. */
  private group: GroupedWrite[] = [];
  /** True from a synchronous write until the microtask that ends its burst. */
  private burst = false;
  private readonly endBurst = (): void => {
    this.burst = false;
    if (this.group.length > 0) this.flushGroup();
  };
  private draining = false;
  private readonly syncAlways: boolean;
  private timer: Timer | undefined = undefined;

  constructor(private readonly db: Db) {
    const { options } = db.env;
    this.syncAlways = options.fsync === 'always';
    if (options.fsync === 'interval') this.armTimer();
  }

  /** Applies `ops` (see the class comment). Throws the background failure, if any, or IO_ERROR from the WAL. */
  write(ops: readonly WriteOp[], sync: boolean): Promise<void> | undefined {
    const db = this.db;
    if (db.bgError !== undefined) throw db.bgError;
    const durable = sync || this.syncAlways;
    if (this.burst && !durable && this.queue.length === 0) return this.defer(ops);
    if (this.group.length > 0) this.flushGroup(); // keep call order in the WAL
    if (this.queue.length > 0 || !this.makeRoom()) return this.enqueue(ops, sync);
    this.apply(ops);
    if (!this.burst) {
      this.burst = true;
      queueMicrotask(this.endBurst);
    }
    const synced = durable ? db.wal.group.sync() : undefined;
    if (!db.shouldYield(ops.length)) return synced;
    return synced === undefined ? afterTurn(undefined) : synced.then(afterTurn);
  }

  /**
   * True when a write may be applied synchronously right now (no queued
   * writes, room in the memtable, no slowdown, no failure): `write` will
   * then consume its ops before returning, so the caller's buffers need no
   * copy. May freeze a full memtable (as `write` would).
   */
  canWriteNow(): boolean {
    return this.db.bgError === undefined && this.queue.length === 0 && this.makeRoom();
  }

  /** Freezes the active memtable (if it holds anything) as soon as there is room; see Background.compactRange. */
  async freeze(): Promise<void> {
    const db = this.db;
    while (!db.mem.mem.isEmpty) {
      if (db.bgError !== undefined) throw db.bgError;
      if (db.imm.length < db.env.options.maxImmutableMemtables) return this.rotate();
      db.background.schedule();
      await db.changed.wait();
    }
  }

  /** Stops the interval timer. Queued writes are settled by then (the engine waits for them). */
  stop(): void {
    this.timer?.cancel();
    this.timer = undefined;
  }

  /** True when a write may go now; freezes a full memtable when allowed. */
  private makeRoom(): boolean {
    const db = this.db;
    const { options } = db.env;
    const l0 = db.l0Files;
    if (l0 >= options.compaction.l0StopTrigger) return false;
    if (db.mem.mem.approximateBytes >= options.memtableBytes) {
      if (db.imm.length >= options.maxImmutableMemtables) return false;
      this.rotate();
    }
    return l0 < options.compaction.l0SlowdownTrigger;
  }

  private apply(ops: readonly WriteOp[]): void {
    const db = this.db;
    const versions = db.versions;
    const seq = versions.lastSequence + 1;
    try {
      db.counters.walBytes += db.wal.append(seq, ops);
    } catch (err) {
      db.fail(err);
      throw err;
    }
    versions.lastSequence = this.insert(seq, ops) - 1;
  }

  /** Inserts `ops` into the active memtable from sequence `seq`; returns the next sequence. */
  private insert(seq: number, ops: readonly WriteOp[]): number {
    const db = this.db;
    const { mem, filter } = db.mem;
    let bytes = 0;
    for (let i = 0; i < ops.length; i++) {
      const op = ops[i]!;
      if (op.type === 'put') {
        filter.add(keyHash(op.key));
        mem.add(seq + i, KIND_VALUE, op.key, op.value);
        bytes += op.key.length + op.value.length;
      } else if (op.type === 'del') {
        filter.add(keyHash(op.key));
        mem.add(seq + i, KIND_DELETION, op.key);
        bytes += op.key.length;
      } else {
        mem.addRangeDeletion(seq + i, op.key, op.end);
        bytes += op.key.length + op.end.length;
      }
    }
    db.counters.userBytes += bytes;
    return seq + ops.length;
  }

  /**
   * Defers a write to the end of the burst. Its bytes are copied now: the
   * caller may reuse its buffers as soon as the call returns (port contract),
   * and a deferred write is applied only later.
   */
  private defer(ops: readonly WriteOp[]): Promise<void> {
    const owned = copyOps(ops);
    return new Promise<void>((resolve, reject) => this.group.push({ ops: owned, resolve, reject }));
  }

  /**
   * Applies the deferred writes of a burst: as many as fit in the active
   * memtable at a time are appended with ONE write(2), then inserted into
   * the memtable, then resolved (so each is acknowledged only once handed
   * to the OS). Without room the rest join the stall queue, in order.
   */
  private flushGroup(): void {
    const db = this.db;
    const group = this.group;
    this.group = [];
    const limit = db.env.options.memtableBytes;
    for (let i = 0; i < group.length;) {
      let room: boolean;
      try {
        if (db.bgError !== undefined) throw db.bgError;
        room = this.queue.length === 0 && this.makeRoom();
      } catch (err) {
        for (let j = i; j < group.length; j++) group[j]!.reject(err);
        return;
      }
      if (!room) {
        for (let j = i; j < group.length; j++) {
          this.queue.push(queued(group[j]!));
        }
        if (!this.draining) void this.drain();
        return;
      }
      // As many writes as the memtable takes (the last may overshoot, as a single write may).
      let budget = limit - db.mem.mem.approximateBytes;
      let end = i;
      do budget -= opsBytes(group[end++]!.ops);
      while (end < group.length && budget > 0);
      const chunk = i === 0 && end === group.length ? group : group.slice(i, end);
      i = end;
      try {
        this.applyGroup(chunk);
      } catch (err) {
        for (const w of chunk) w.reject(err);
        continue;
      }
      if (db.shouldYield(chunk.length)) void afterTurn(chunk).then(resolveAll);
      else resolveAll(chunk);
    }
  }

  private applyGroup(group: readonly GroupedWrite[]): void {
    const db = this.db;
    const versions = db.versions;
    const seq = versions.lastSequence + 1;
    const batches = group.map((w) => w.ops);
    try {
      db.counters.walBytes += db.wal.appendMany(seq, batches);
    } catch (err) {
      db.fail(err);
      throw err;
    }
    let next = seq;
    for (const ops of batches) next = this.insert(next, ops);
    versions.lastSequence = next - 1;
  }

  /** Freezes the active memtable and starts a new WAL + memtable; schedules the flush. */
  private rotate(): void {
    const db = this.db;
    const number = db.versions.newFileNumber();
    let wal: WalFile;
    try {
      wal = WalFile.create(db.env.fs, db.env.dir, number, db.wal, db.walHooks);
    } catch (err) {
      db.fail(err);
      throw err;
    }
    db.wal.retire().catch((err: unknown) => db.fail(err));
    db.imm.push(db.mem);
    db.mem = newMemtableSlot(number, db.env.options.memtableBytes);
    db.wal = wal;
    db.background.schedule();
  }

  private enqueue(ops: readonly WriteOp[], sync: boolean): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      for (const w of this.group.splice(0)) this.queue.push(queued(w));
      // Copied: a queued write is applied later, and the caller may reuse its buffers now.
      this.queue.push({ ops: copyOps(ops), sync, resolve, reject, stalled: false, delayed: false });
      if (!this.draining) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.draining = true;
    // eslint-disable-next-line no-restricted-globals -- not timing: a handle that keeps the process alive, which the Clock port cannot express
    const keepAlive = setInterval(noop, KEEP_ALIVE_MS);
    const db = this.db;
    const { clock } = db.env;
    try {
      while (this.queue.length > 0) {
        const head = this.queue[0]!;
        if (db.bgError !== undefined) return this.rejectAll(db.bgError);
        let wait: 'stall' | 'slow' | 'none';
        try {
          wait = this.waitReason();
        } catch (err) {
          db.fail(err);
          continue;
        }
        if (wait === 'none') {
          this.queue.shift();
          this.applyQueued(head);
          continue;
        }
        const start = clock.monotonic();
        if (wait === 'stall') {
          if (!head.stalled) db.counters.stallCount++;
          head.stalled = true;
          db.background.schedule();
          await db.changed.wait();
        } else {
          head.delayed = true;
          db.counters.slowdowns++;
          await clock.sleep(1);
        }
        db.counters.stallMs += clock.monotonic() - start;
      }
    } finally {
      clearInterval(keepAlive);
      this.draining = false;
    }
  }

  /** Why the queue head must wait: 'stall' (no room), 'slow' (1 ms slowdown due), or 'none'. */
  private waitReason(): 'stall' | 'slow' | 'none' {
    const db = this.db;
    const { options } = db.env;
    const head = this.queue[0]!;
    const l0 = db.l0Files;
    if (l0 >= options.compaction.l0StopTrigger) return 'stall';
    if (db.mem.mem.approximateBytes >= options.memtableBytes) {
      if (db.imm.length >= options.maxImmutableMemtables) return 'stall';
      this.rotate();
    }
    return l0 >= options.compaction.l0SlowdownTrigger && !head.delayed ? 'slow' : 'none';
  }

  private applyQueued(w: QueuedWrite): void {
    try {
      this.apply(w.ops);
    } catch (err) {
      w.reject(err);
      return;
    }
    if (w.sync || this.syncAlways) this.db.wal.group.sync().then(w.resolve, w.reject);
    else w.resolve();
  }

  private rejectAll(err: Error): void {
    for (const w of this.queue.splice(0)) w.reject(err);
  }

  private armTimer(): void {
    const db = this.db;
    this.timer = db.env.clock.setTimer(db.env.options.fsyncIntervalMs, () => {
      if (db.closing) return;
      db.wal.group.syncIfDirty()?.catch((err: unknown) => db.fail(err));
      this.armTimer();
    });
  }
}
