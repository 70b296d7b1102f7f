import { expect } from '@jest/globals';
import { DynamisError } from '@dynamis/core';
import type { EngineIterator, Entry, ErrorCode, StorageEngine } from '@dynamis/core';

/**
 * How the StorageEngine suites get engines. `create` is called for every test
 * (and once, never opened, to read `supports`), so it must be synchronous and
 * cheap: do I/O in open(), not in the constructor.
 */
export interface EngineFactory {
  /** A new, unopened engine over fresh, empty storage. */
  create(): StorageEngine;
  /**
   * A new, unopened instance over the storage of `closed`, which the suite
   * has closed. Required for the persistence tests of a persistent engine.
   */
  reopen?(closed: StorageEngine): StorageEngine;
  /** Frees what create() allocated for `engine` (temp dirs); called after it is closed. */
  destroy?(engine: StorageEngine): void | Promise<void>;
}

/** Bytes from numbers. */
export function b(...bytes: number[]): Uint8Array {
  return Uint8Array.from(bytes);
}

/** UTF-8 bytes of `s` (test data only). */
export function s(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, 'utf8'));
}

/** Hex of bytes, to compare byte strings with toEqual whatever their class. */
export function hex(bytes: Uint8Array | undefined): string | undefined {
  return bytes === undefined ? undefined : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/** Entries as [hexKey, hexValue] pairs. */
export function hexEntries(entries: readonly Entry[]): [string, string][] {
  return entries.map(([k, v]) => [hex(k) as string, hex(v) as string]);
}

/** Every remaining entry of `it`, through next(). */
export async function drain(it: EngineIterator): Promise<Entry[]> {
  const out: Entry[] = [];
  for (let e = await it.next(); e !== undefined; e = await it.next()) out.push(e);
  return out;
}

/** Asserts that `err` is a DynamisError with `code`. */
export function expectCode(err: unknown, code: ErrorCode): void {
  if (!(err instanceof DynamisError)) throw new Error(`expected DynamisError ${code}, got ${String(err)}`);
  expect(err.code).toBe(code);
}

/**
 * Asserts that `call` returns a promise (it must not throw synchronously)
 * that rejects with a DynamisError of `code`.
 */
export async function expectRejects(call: () => Promise<unknown>, code: ErrorCode): Promise<void> {
  const promise = call();
  expect(promise).toBeInstanceOf(Promise);
  let caught: unknown;
  try {
    await promise;
  } catch (err) {
    caught = err;
  }
  if (caught === undefined) throw new Error(`expected a rejection with ${code}, but the call resolved`);
  expectCode(caught, code);
}

/** Asserts that `call` throws synchronously a DynamisError of `code`. */
export function expectThrows(call: () => unknown, code: ErrorCode): void {
  let caught: unknown;
  try {
    call();
  } catch (err) {
    caught = err;
  }
  if (caught === undefined) throw new Error(`expected a throw with ${code}, but the call returned`);
  expectCode(caught, code);
}

/**
 * Holds the engines of one test: `engine()` creates and opens one; `cleanup()`
 * closes and destroys every engine made or reopened.
 */
export class EngineHarness {
  private readonly made: StorageEngine[] = [];

  constructor(readonly factory: EngineFactory) {}

  /** A fresh engine, not yet opened. */
  fresh(): StorageEngine {
    const engine = this.factory.create();
    this.made.push(engine);
    return engine;
  }

  /** A fresh, open engine. */
  async engine(): Promise<StorageEngine> {
    const engine = this.fresh();
    await engine.open();
    return engine;
  }

  /** Closes `engine` and opens a new instance over its storage (needs factory.reopen). */
  async reopen(engine: StorageEngine): Promise<StorageEngine> {
    const reopen = this.factory.reopen;
    if (reopen === undefined) throw new Error('factory.reopen is required for this test');
    await engine.close();
    const next = reopen.call(this.factory, engine);
    const i = this.made.indexOf(engine);
    if (i >= 0) this.made.splice(i, 1);
    this.made.push(next);
    await next.open();
    return next;
  }

  async cleanup(): Promise<void> {
    const engines = this.made.splice(0);
    for (const engine of engines) {
      await engine.close();
      await this.factory.destroy?.(engine);
    }
  }
}
