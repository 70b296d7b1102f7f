// Helpers of the background-thread tests: engines on a real temp directory
// (so flushes and compactions go to the worker thread), a Map model, polling.
import { NodeFileSystem, SystemClock, type Logger, type StorageEngine } from '@dynamis/core';
import { expect } from '@jest/globals';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { LsmStorageEngine, type LsmOptions } from '../src';
import { key, prng, s } from './helpers';

export type Model = Map<number, string | undefined>;

/** A fresh temp directory for one database. */
export function tempDir(): string {
  return join(mkdtempSync(join(tmpdir(), 'dynamis-bg-')), 'db');
}

/** Small sizes on disk: 32 KiB memtables, many flushes and compactions. */
/** Runs `fn` with a fresh temp database directory (see tempDir), removed afterwards. */
export async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = tempDir();
  try {
    await fn(dir);
  } finally {
    rmSync(dirname(dir), { recursive: true, force: true });
  }
}

export function diskOptions(strategy: 'leveled' | 'tiered', extra: LsmOptions = {}): LsmOptions {
  return {
    memtableBytes: 32 * 1024,
    blockBytes: 1024,
    fsync: 'none',
    ...extra,
    compaction: {
      strategy,
      l0CompactionTrigger: 2,
      baseLevelBytes: 64 * 1024,
      targetFileBytes: 16 * 1024,
      maxLevels: 4,
      ...extra.compaction,
    },
  };
}

export async function openDisk(dir: string, options: LsmOptions, logger?: Logger): Promise<LsmStorageEngine> {
  const e = new LsmStorageEngine(new NodeFileSystem(), dir, options, new SystemClock(), logger);
  await e.open();
  return e;
}

/** `n` random puts (overwrites) and deletes (15%) over `keys` keys, recorded in `model`; returns it. */
export async function fill(e: StorageEngine, n: number, keys: number, seed: number, model: Model = new Map()): Promise<Model> {
  const rand = prng(seed);
  for (let i = 0; i < n; i++) {
    const k = Math.floor(rand() * keys);
    if (rand() < 0.15) {
      await e.delete(key(k));
      model.set(k, undefined);
    } else {
      const v = `v${seed}.${i}-`.padEnd(20 + Math.floor(rand() * 120), '#');
      await e.put(key(k), s(v));
      model.set(k, v);
    }
  }
  return model;
}

function text(b: Uint8Array | undefined): string | undefined {
  return b === undefined ? undefined : Buffer.from(b).toString();
}

/** Every key of the model reads back (gets and a full scan). */
export async function expectModel(e: StorageEngine, model: Model): Promise<void> {
  const wrong: [number, string | undefined, string | undefined][] = [];
  for (const [k, v] of model) {
    const got = text(await e.get(key(k)));
    if (got !== v) wrong.push([k, v, got]);
  }
  expect(wrong).toEqual([]);
  const live = [...model].filter(([, v]) => v !== undefined).sort(([a], [b]) => a - b);
  const scanned: [number, string][] = [];
  for await (const [k, v] of e.iterator()) scanned.push([Number(Buffer.from(k).toString().slice(1)), Buffer.from(v).toString()]);
  expect(scanned).toEqual(live);
}

/** Polls `cond` every 10 ms until true; throws after `ms`. */
export async function until(cond: () => boolean, ms = 20_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * Waits until the engine's background work is idle: no flush or compaction
 * running, none due (read from its internals, Background.busy: each loop
 * reschedules itself synchronously as it ends, so `busy` false between two
 * turns of the event loop means nothing is left to do). Not a guess from
 * counters that stopped moving: a slow compaction on a loaded machine would
 * pass for idle.
 */
export async function settle(e: LsmStorageEngine): Promise<void> {
  const db = (e as unknown as { db?: { background: { busy: boolean }; imm: readonly unknown[] } }).db;
  if (db === undefined) throw new Error('settle: the engine is not open');
  await until(() => !db.background.busy && db.imm.length === 0, 60_000, 'background work to finish');
}

/** Table file numbers in `dir`. */
export function tableFiles(dir: string): number[] {
  return readdirSync(dir)
    .filter((n) => n.endsWith('.sst'))
    .map((n) => Number(n.slice(0, -4)))
    .sort((a, b) => a - b);
}
