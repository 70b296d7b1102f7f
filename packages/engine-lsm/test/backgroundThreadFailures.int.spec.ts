import { describe, expect, it } from '@jest/globals';
import { NodeFileSystem, SystemClock, type Clock, type CompactionFilter, type DamagedRange, type DynamisError } from '@dynamis/core';
import { Scheduler, VirtualClock } from '@dynamis/testkit';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LsmStorageEngine, type LsmOptions } from '../src';
import { YIELD_EVERY_ENTRIES } from '../src/compaction/runCompaction';
import { diskOptions, expectModel, fill, openDisk, settle, tableFiles, withDir, until, type Model } from './bgHelpers';
import { exitingFilter, gatedFilter, GATE, stuckFilter } from './fixtures/testFilters';
import { key, s, stat } from './helpers';

/** No compaction: L0 piles up (the triggers are far away). */
const noCompaction = (): LsmOptions =>
  diskOptions('leveled', { compaction: { l0CompactionTrigger: 200, l0SlowdownTrigger: 200, l0StopTrigger: 200 } });

/** A database of `n` writes in many L0 tables (no compaction yet); closed. Returns the model. */
async function pileUp(dir: string, n: number): Promise<Model> {
  const e = await openDisk(dir, noCompaction());
  const model = await fill(e, n, n, 11);
  await settle(e);
  expect(stat(e, 'level0Files')).toBeGreaterThan(4);
  expect(stat(e, 'compactions')).toBe(0);
  await e.close();
  return model;
}

/** Opens `dir` with compaction due at once and `filter` installed before open. */
async function openCompacting(
  dir: string,
  filter: CompactionFilter | undefined,
  clock: Clock = new SystemClock(),
): Promise<LsmStorageEngine> {
  // No scrub: on a virtual clock the only timer is then close()'s grace period (the stuck-filter case waits for it).
  const e = new LsmStorageEngine(new NodeFileSystem(), dir, { ...diskOptions('leveled'), scrub: { intervalMs: 0 } }, clock);
  e.setCompactionFilter(filter);
  await e.open();
  return e;
}

/** Reopens without compaction: every table left in the directory is live (orphans removed), data reads back. */
async function expectCleanReopen(dir: string, model: Model): Promise<void> {
  const e = await openDisk(dir, noCompaction());
  try {
    expect(tableFiles(dir).length).toBe(stat(e, 'sstFiles'));
    await expectModel(e, model);
  } finally {
    await e.close();
  }
}

/** Writes (recorded in `model`) until one rejects with the engine's background failure; returns that error. */
async function backgroundFailure(e: LsmStorageEngine, model: Model): Promise<DynamisError> {
  const deadline = Date.now() + 30_000;
  for (let i = 0; ; i++) {
    if (Date.now() > deadline) throw new Error('timed out waiting for a background failure');
    try {
      await e.put(key(i % 100), s('probe'));
      model.set(i % 100, 'probe');
    } catch (err) {
      return err as DynamisError;
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('engine-lsm background thread: failures and close', () => {
  it(
    'a corrupt input table fails the worker compaction with CORRUPTION naming the file: the table is quarantined, not a background failure',
    () =>
      withDir(async (dir) => {
        const model = await pileUp(dir, 3000);
        const number = tableFiles(dir)[0]!;
        const victim = join(dir, `${String(number).padStart(6, '0')}.sst`);
        const bytes = readFileSync(victim);
        bytes[20]! ^= 0xff; // inside the first data block
        writeFileSync(victim, bytes);
        const e = await openCompacting(dir, undefined);
        const heard: DamagedRange[] = [];
        e.setDamageListener((d) => heard.push(d));
        try {
          const deadline = Date.now() + 30_000;
          for (let i = 0; heard.length === 0; i++) {
            if (Date.now() > deadline) throw new Error('timed out waiting for the quarantine');
            await e.put(key(i % 100), s('probe')); // writes never fail meanwhile
            model.set(i % 100, 'probe');
            await new Promise((resolve) => setTimeout(resolve, 5));
          }
          expect(heard[0]!.reason).toContain(`${victim} @0`); // the worker's CORRUPTION, naming the file
          expect(heard[0]!.source).toBe(join(dir, 'quarantine', `${String(number).padStart(6, '0')}.sst`));
          expect(stat(e, 'quarantinedTables')).toBe(1);
          await e.put(key(1), s('x'));
          model.set(1, 'x');
          expect(await e.get(key(1))).toEqual(s('x'));
        } finally {
          await e.close();
        }
        expect(existsSync(join(dir, 'quarantine', `${String(number).padStart(6, '0')}.sst`))).toBe(true);
      }),
    120_000,
  );

  it(
    'close() stops a running worker compaction at its next checkpoint, without waiting for the job or the grace period',
    () =>
      withDir(async (dir) => {
        const model = await pileUp(dir, 20_000);
        const live = [...model.values()].filter((v) => v !== undefined).length;
        const at = 3000; // the filter pauses the merge here, past its first checkpoint
        expect(live).toBeGreaterThan(at + YIELD_EVERY_ENTRIES); // the whole job would go well past where it must stop
        const shared = new SharedArrayBuffer(8);
        const gate = new Int32Array(shared);
        const scheduler = new Scheduler(); // never advanced: the grace period cannot end
        const before = tableFiles(dir);
        const e = await openCompacting(dir, gatedFilter(shared, at), new VirtualClock(scheduler));
        await until(() => Atomics.load(gate, GATE.calls) >= at, 30_000, 'the compaction to reach the gate');
        let closed = false;
        const closing = e.close().then(() => void (closed = true)); // tells the thread to stop: it reads that at its next checkpoint
        await new Promise((resolve) => setImmediate(resolve));
        Atomics.store(gate, GATE.open, 1);
        Atomics.notify(gate, GATE.open);
        // The virtual clock never advances: close() can only resolve because the thread acknowledged the stop.
        await until(() => closed, 30_000, 'close() to resolve without its grace period');
        await closing;
        expect(Atomics.load(gate, GATE.calls)).toBeLessThanOrEqual(at + YIELD_EVERY_ENTRIES); // stopped at its next checkpoint after the gate
        await expectCleanReopen(dir, model);
        expect(tableFiles(dir)).toEqual(expect.arrayContaining(before)); // the job was not installed: its inputs are all live
      }),
    120_000,
  );

  it(
    'close() ends a worker stuck in its filter after the grace period; reopen removes the orphans it left',
    () =>
      withDir(async (dir) => {
        const model = await pileUp(dir, 20_000);
        const before = new Set(tableFiles(dir));
        const scheduler = new Scheduler();
        const e = await openCompacting(dir, stuckFilter('k001500'), new VirtualClock(scheduler));
        await until(() => tableFiles(dir).filter((n) => !before.has(n)).length >= 2, 30_000, 'output files');
        let closed = false;
        const closing = e.close().then(() => void (closed = true));
        await until(() => scheduler.pending() > 0, 30_000, 'close() to start its grace period');
        expect(scheduler.nextAt()).toBe(2000); // the grace period: 2 s
        expect(closed).toBe(false); // the stuck thread never answers the stop
        await scheduler.runFor(2000);
        await until(() => closed, 30_000, 'close() to terminate the thread'); // the grace period is over
        await closing;
        expect(tableFiles(dir).some((n) => !before.has(n))).toBe(true); // orphans: outputs of the killed job
        await expectCleanReopen(dir, model);
      }),
    120_000,
  );

  it(
    'a worker thread that dies during a job is a background IO_ERROR, not a hang',
    () =>
      withDir(async (dir) => {
        const model = await pileUp(dir, 3000);
        const e = await openCompacting(dir, exitingFilter(7));
        try {
          const err = await backgroundFailure(e, model);
          expect(err.code).toBe('IO_ERROR');
          expect(err.message).toMatch(/background worker thread exited \(code 7\)/);
        } finally {
          await e.close();
        }
        await expectCleanReopen(dir, model);
      }),
    120_000,
  );
});
