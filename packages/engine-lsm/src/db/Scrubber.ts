import { isDynamisError, type RandomAccessFile, type Timer } from '@dynamis/core';
import { yieldToEventLoop } from '../compaction/runCompaction';
import { Block } from '../sstable/Block';
import { BLOCK_TRAILER_BYTES, FOOTER_BYTES, readFooter, type BlockHandle } from '../sstable/format';
import { IndexBlock } from '../sstable/IndexBlock';
import { decodeProperties } from '../sstable/properties';
import { verifyBlock } from '../sstable/readBlock';
import { corruption } from '../util/corruption';
import { tableFileName } from '../version/fileNames';
import type { Version } from '../version/Version';
import type { Db } from './Db';

/** Name of the file, in the database directory, that records when the last scrub pass ended (wall-clock ms). */
export const SCRUB_RECORD = 'SCRUBBED';

/** A damaged table a scrub pass found. */
export interface ScrubFinding {
  /** The table's path when it was found (it then moves to quarantine/ if it was quarantined). */
  readonly file: string;
  /** Byte offset of the block that failed. */
  readonly offset: number;
  /** The CORRUPTION message. */
  readonly reason: string;
  /** True when this finding quarantined the table (false: it had left the version meanwhile). */
  readonly quarantined: boolean;
}

/** What one scrub pass did (LsmStorageEngine.scrub). */
export interface ScrubReport {
  /** Tables verified to the end (damaged ones excluded). */
  readonly tables: number;
  /** Bytes of table files read and verified. */
  readonly bytes: number;
  /** Tables left out because they left the version (compaction) before or while being read. */
  readonly skipped: number;
  /** Tables that could not be read (IO_ERROR: logged; not damage). */
  readonly errors: number;
  /** Damaged tables found. */
  readonly damaged: readonly ScrubFinding[];
  /** True when the pass was cut short by close(). */
  readonly stopped: boolean;
}

/** How a scrub pass runs. */
export interface ScrubPassOptions {
  /** Honour `scrub.bytesPerSec` (default true); false reads as fast as it can (yielding to the event loop). */
  readonly throttle?: boolean;
}

/** Unthrottled passes yield one event-loop turn after this many bytes. */
const YIELD_EVERY_BYTES = 1024 * 1024;
/** The throttle never lets a pass that fell behind (a busy event loop) catch up by more than this much time. */
const MAX_CREDIT_MS = 1000;
/** A throttled pass sleeps in steps of at least this long (not once per 4 KiB block). */
const MIN_SLEEP_MS = 50;

/** The period of the keep-alive timer of an awaited scrub() (it never fires in practice). */
const KEEP_ALIVE_MS = 2 ** 31 - 1;

function noop(): void {}

/** Thrown inside a pass when the engine closes. */
class ScrubStopped extends Error {}

/**
 * The background scrub (README, "Scrub"): a pass reads every table of the
 * current version from the file (not the block cache, not a resident
 * image), block by block, and verifies every checksum the format has: the
 * footer, the index, the filter, the properties and every data block (and
 * that the index and properties decode and agree). Damage goes through
 * Db.noteCorruption, the path of damage found by a read: quarantine, fence,
 * damage listener. Reads are rate-limited on the Clock to
 * `scrub.bytesPerSec`; one block is held at a time (plus the table's
 * decoded index). A table that leaves the version while being read
 * (compaction) is skipped; tables created during a pass wait for the next.
 * Passes run on the event loop (reads are synchronous, like a `get`'s) and
 * one at a time; a pass starts `scrub.intervalMs` after the previous one
 * ended, as recorded in SCRUBBED so that restarts do not postpone it.
 */
export class Scrubber {
  /** Bytes of table files verified since open. */
  scrubbedBytes = 0;
  /** Tables verified to the end since open. */
  scrubbedTables = 0;
  /** Passes completed since open. */
  passes = 0;
  /** Damaged tables found by the scrub since open. */
  damagedTables = 0;
  /** Wall-clock ms when the last pass (since open) ended; 0 if none did. */
  lastPassAt = 0;
  private running: Promise<ScrubReport> | undefined = undefined;
  private timer: Timer | undefined = undefined;
  private sleeping: { timer: Timer; wake: () => void } | undefined = undefined;
  private stopped = false;
  private scratch = new Uint8Array(0);

  constructor(private readonly db: Db) {}

  /** Schedules the first background pass (none when `scrub.intervalMs` is 0). */
  start(): void {
    const { intervalMs } = this.db.env.options.scrub;
    if (intervalMs === 0) return;
    const last = this.readRecord();
    const now = this.db.env.clock.now();
    // Due one interval after the last recorded pass; a record from the future (clock jump) counts as now.
    const delay = last === undefined ? intervalMs : Math.max(0, Math.min(intervalMs, last + intervalMs - now));
    this.scheduleIn(delay);
  }

  /**
   * Runs a pass now (or joins the one running) and resolves with what it
   * found. While the caller waits, a referenced timer keeps the process
   * alive (the pass sleeps on the Clock, whose SystemClock timers are
   * unref'd): a script awaiting scrub() does not exit mid-pass.
   */
  scrub(options: ScrubPassOptions = {}): Promise<ScrubReport> {
    // eslint-disable-next-line no-restricted-globals -- not timing: a handle that keeps the process alive, which the Clock port cannot express
    const keepAlive = setInterval(noop, KEEP_ALIVE_MS);
    return this.run(options).finally(() => clearInterval(keepAlive));
  }

  /** A pass now, or the one running. Background passes hold no referenced handle. */
  private run(options: ScrubPassOptions = {}): Promise<ScrubReport> {
    if (this.running !== undefined) return this.running;
    this.timer?.cancel();
    this.timer = undefined;
    const run = this.pass(options.throttle !== false).finally(() => {
      this.running = undefined;
      if (!this.stopped && this.db.env.options.scrub.intervalMs > 0) this.scheduleIn(this.db.env.options.scrub.intervalMs);
    });
    this.running = run;
    return run;
  }

  /** Stops: no more passes; a pass under way stops at its next block. Resolves once it has. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.timer?.cancel();
    this.timer = undefined;
    const sleep = this.sleeping;
    if (sleep !== undefined) {
      sleep.timer.cancel();
      sleep.wake();
    }
    await this.running?.catch(() => undefined);
  }

  private scheduleIn(ms: number): void {
    if (this.stopped) return;
    this.timer?.cancel();
    this.timer = this.db.env.clock.setTimer(ms, () => {
      this.timer = undefined;
      this.run().catch((err: unknown) => this.db.env.logger?.warn('engine-lsm scrub pass failed', { error: String(err) }));
    });
  }

  private async pass(throttle: boolean): Promise<ScrubReport> {
    const { db } = this;
    const { clock, logger } = db.env;
    const tables = db.versions.current.levels.flat().map((f) => f.number);
    const pace = new Pace(db.env.options.scrub.bytesPerSec, clock.monotonic());
    const report = { tables: 0, bytes: 0, skipped: 0, errors: 0, damaged: [] as ScrubFinding[], stopped: false };
    logger?.debug('engine-lsm scrub pass started', { tables: tables.length });
    try {
      for (const number of tables) {
        if (!this.isLive(number)) {
          report.skipped++;
          continue;
        }
        const outcome = await this.scrubTable(number, throttle, pace, report);
        if (outcome === 'done') {
          report.tables++;
          this.scrubbedTables++;
        } else if (outcome === 'skipped') report.skipped++;
      }
    } catch (err) {
      if (!(err instanceof ScrubStopped)) throw err;
      report.stopped = true;
    } finally {
      this.scratch = new Uint8Array(0);
    }
    if (report.stopped) return report;
    this.passes++;
    this.lastPassAt = clock.now();
    await this.writeRecord(this.lastPassAt);
    const level = report.damaged.length > 0 ? 'warn' : 'info';
    logger?.[level]('engine-lsm scrub pass done', {
      tables: report.tables,
      bytes: report.bytes,
      skipped: report.skipped,
      errors: report.errors,
      damaged: report.damaged.map((d) => d.file),
    });
    return report;
  }

  /** Verifies table `number`; its damage goes to Db.noteCorruption. */
  private async scrubTable(
    number: number,
    throttle: boolean,
    pace: Pace,
    report: { bytes: number; errors: number; damaged: ScrubFinding[] },
  ): Promise<'done' | 'skipped' | 'damaged' | 'error'> {
    const { db } = this;
    const path = tableFileName(db.env.dir, number);
    let file: RandomAccessFile | undefined = undefined;
    let seen: Version | undefined = undefined;
    let live = true;
    // Whether the table is still live: the version is walked again only when it changed (a flush, a compaction).
    const stillLive = (): boolean => {
      if (db.quarantined.has(number)) return false;
      if (db.versions.current !== seen) {
        seen = db.versions.current;
        live = inVersion(seen, number);
      }
      return live;
    };
    // Reads `handle`'s block (with its trailer) once the pace allows, unless the table left the version.
    const read = async (at: number, length: number): Promise<Uint8Array | undefined> => {
      await this.admit(length, throttle, pace);
      if (!stillLive()) return undefined;
      if (this.scratch.length < length) this.scratch = new Uint8Array(length);
      const got = file!.readInto(at, length, this.scratch, 0);
      report.bytes += got;
      this.scrubbedBytes += got;
      if (got !== length) throw corruption(`truncated table (wanted ${length} bytes at ${at}, got ${got})`, path, at);
      return this.scratch.subarray(0, length);
    };
    const block = async (h: BlockHandle): Promise<Uint8Array | undefined> => {
      const raw = await read(h.offset, h.size + BLOCK_TRAILER_BYTES);
      return raw === undefined ? undefined : verifyBlock(raw, 0, h.size, path, h.offset);
    };
    try {
      file = db.env.fs.openRead(path);
      const size = file.size;
      if (size < FOOTER_BYTES) throw corruption(`file too short for an SSTable (${size} bytes)`, path, 0);
      const footerBytes = await read(size - FOOTER_BYTES, FOOTER_BYTES);
      if (footerBytes === undefined) return 'skipped';
      const footer = readFooter(footerBytes, path, size);
      const dataEnd = Math.min(footer.index.offset, footer.properties.offset, footer.filter.size > 0 ? footer.filter.offset : size);
      const indexData = await block(footer.index);
      if (indexData === undefined) return 'skipped';
      const index = new IndexBlock(indexData, path, footer.index.offset, dataEnd); // copies what it keeps
      if (footer.filter.size > 0 && (await block(footer.filter)) === undefined) return 'skipped';
      const props = await block(footer.properties);
      if (props === undefined) return 'skipped';
      if (decodeProperties(props, path, footer.properties.offset, size).dataBlockCount !== index.count) {
        throw corruption('properties and index disagree on the block count', path, footer.properties.offset);
      }
      for (let i = 0; i < index.count; i++) {
        const offset = index.offsets[i]!;
        const data = await block({ offset, size: index.sizes[i]! });
        if (data === undefined) return 'skipped';
        new Block(data, path, offset); // the restart array must fit, as a read would check
      }
      return 'done';
    } catch (err) {
      if (err instanceof ScrubStopped) throw err;
      closeQuietly(file);
      file = undefined;
      if (!stillLive()) return 'skipped'; // compacted away (and deleted) meanwhile
      if (isDynamisError(err, 'CORRUPTION')) {
        const quarantine = db.noteCorruption(err); // the path of damage found by a read
        if (quarantine !== undefined) await quarantine;
        this.damagedTables++;
        const offset = typeof err.details?.['offset'] === 'number' ? err.details['offset'] : 0;
        report.damaged.push({
          file: path,
          offset,
          reason: err.message,
          quarantined: quarantine !== undefined && db.quarantined.has(number),
        });
        return 'damaged';
      }
      report.errors++;
      db.env.logger?.warn('engine-lsm scrub could not read a table', { file: path, error: String(err) });
      return 'error';
    } finally {
      closeQuietly(file);
    }
  }

  /** Waits until the pace lets `bytes` more be read (throttled), or yields now and then (unthrottled). */
  private async admit(bytes: number, throttle: boolean, pace: Pace): Promise<void> {
    if (this.stopped || this.db.closing) throw new ScrubStopped();
    const clock = this.db.env.clock;
    if (!throttle) {
      if (pace.take(bytes)) await yieldToEventLoop();
    } else {
      const wait = pace.waitFor(bytes, clock.monotonic());
      if (wait > 0) await this.sleep(wait);
      pace.consume(bytes);
    }
    if (this.stopped || this.db.closing) throw new ScrubStopped();
  }

  /** A clock sleep that stop() cuts short. */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = (): void => {
        this.sleeping = undefined;
        resolve();
      };
      this.sleeping = { timer: this.db.env.clock.setTimer(ms, wake), wake };
    });
  }

  /** True while table `number` is in the current version (and not being quarantined). */
  private isLive(number: number): boolean {
    if (this.db.quarantined.has(number)) return false;
    return inVersion(this.db.versions.current, number);
  }

  private readRecord(): number | undefined {
    const { fs, dir } = this.db.env;
    try {
      const path = `${dir}/${SCRUB_RECORD}`;
      if (!fs.exists(path)) return undefined;
      const n = Number(Buffer.from(fs.readFile(path)).toString('latin1').trim());
      return Number.isSafeInteger(n) && n > 0 ? n : undefined; // a torn write reads as no record
    } catch {
      return undefined;
    }
  }

  /** Records the end of a pass (not synced: losing it costs one postponed pass). */
  private async writeRecord(at: number): Promise<void> {
    const { fs, dir, logger } = this.db.env;
    try {
      const f = fs.create(`${dir}/${SCRUB_RECORD}`);
      try {
        f.append(Buffer.from(`${at}\n`, 'latin1'));
      } finally {
        await f.close();
      }
    } catch (err) {
      logger?.warn('engine-lsm could not record the scrub pass', { error: String(err) });
    }
  }
}

/**
 * The scrub's rate limit: after a pass started at `start`, at most
 * `bytesPerSec × elapsed` bytes have been read at any moment (credit for
 * time the pass fell behind is capped at MAX_CREDIT_MS).
 */
class Pace {
  private consumed = 0;
  private sinceYield = 0;

  constructor(
    private readonly bytesPerSec: number,
    private start: number,
  ) {}

  /** Ms to wait before `bytes` more may be read at `now` (0: now); when waiting, waits for MIN_SLEEP_MS more of credit. */
  waitFor(bytes: number, now: number): number {
    const allowed = ((now - this.start) * this.bytesPerSec) / 1000;
    const maxCredit = (MAX_CREDIT_MS * this.bytesPerSec) / 1000;
    if (allowed - this.consumed > maxCredit) this.start = now - ((this.consumed + maxCredit) * 1000) / this.bytesPerSec;
    const need = this.consumed + bytes;
    if (need <= ((now - this.start) * this.bytesPerSec) / 1000) return 0;
    const until = this.start + (need * 1000) / this.bytesPerSec;
    return Math.max(until - now, MIN_SLEEP_MS);
  }

  consume(bytes: number): void {
    this.consumed += bytes;
  }

  /** Counts `bytes` of an unthrottled pass; true when it is time to yield. */
  take(bytes: number): boolean {
    this.sinceYield += bytes;
    if (this.sinceYield < YIELD_EVERY_BYTES) return false;
    this.sinceYield = 0;
    return true;
  }
}

function inVersion(version: Version, number: number): boolean {
  for (const files of version.levels) for (const f of files) if (f.number === number) return true;
  return false;
}

function closeQuietly(file: RandomAccessFile | undefined): void {
  try {
    file?.close();
  } catch {
    // already closed, or a handle a crash invalidated
  }
}
