// kill -9 recovery: a child process (crashWriter.ts) writes under fsync
// 'always' and is SIGKILLed at random moments; every acknowledged write must
// read back after reopen, and no deleted key may come back.
//
// What this test cannot see: a missing or misplaced fsync. A SIGKILL ends the
// process but not the kernel, so every write(2) already made survives in the
// page cache whether or not it was fsynced; only a power loss drops unsynced
// data. Durability against power loss (fsync order of WAL, tables, manifest,
// CURRENT and directory entries) is tested by crash.int.spec.ts, on the
// fault-injecting file system (CrashingFileSystem over testkit's
// FaultyFileSystem), which drops or tears whatever was not synced.
import { describe, expect, it } from '@jest/globals';
import { NodeFileSystem, SystemClock } from '@dynamis/core';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LsmStorageEngine } from '../src';

const ROOT = join(__dirname, '../../..');
// 8 rounds by default (kills before, during and after the worker thread's first compaction); DYNAMIS_KILL_ROUNDS=<n> for a longer run.
const ROUNDS = Number(process.env['DYNAMIS_KILL_ROUNDS'] ?? 8);

/** Per key: the value of the last acknowledged op (null = deleted, undefined = none), and the values tried since. */
interface KeyHistory {
  acked: string | null | undefined;
  triedSince: Set<string | null>;
}

/**
 * Runs the writer until it has acknowledged some writes (or, with
 * `afterWorkerCompaction`, until its background thread has run a compaction),
 * then SIGKILLs it at a random moment. Returns its stdout lines.
 */
function runAndKill(dir: string, seed: number, round: number, killAfterMs: number, afterWorkerCompaction = false): Promise<string[]> {
  const start = afterWorkerCompaction ? /^worker [1-9]/m : /^ready$/m;
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['-r', '@swc-node/register', join(__dirname, 'crashWriter.ts'), dir, String(seed), String(round)],
      {
        cwd: ROOT,
        env: { ...process.env, SWC_NODE_PROJECT: join(ROOT, 'tsconfig.check.json') },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      const started = start.test(out);
      out += d.toString();
      if (!started && start.test(out)) setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    });
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`writer exited with ${code}/${signal}: ${err}`));
      else resolve(out.split('\n').slice(0, -1)); // the last piece may be a torn line: ignore it
    });
  });
}

/** The last `worker <compactions>` report of a round: the compactions the engine's worker thread ran. */
function workerCompactionsOf(lines: string[]): number {
  const last = lines.filter((l) => l.startsWith('worker ')).pop();
  return Number((last ?? 'worker 0').split(' ')[1]);
}

function record(history: Map<string, KeyHistory>, lines: string[]): number {
  let acks = 0;
  for (const line of lines) {
    const [kind, op, key, raw] = line.split(' ');
    if ((kind !== 'try' && kind !== 'ack') || key === undefined) continue;
    const value = op === 'del' ? null : raw!;
    const h = history.get(key) ?? { acked: undefined, triedSince: new Set() };
    if (kind === 'try') h.triedSince.add(value);
    else {
      acks++;
      h.acked = value;
      h.triedSince = new Set();
    }
    history.set(key, h);
  }
  return acks;
}

describe('engine-lsm survives kill -9 of a real process', () => {
  it(`keeps every acknowledged write across ${ROUNDS} SIGKILLs at random moments, and nothing never written`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dynamis-kill-'));
    const history = new Map<string, KeyHistory>();
    let totalAcks = 0;
    let workerCompactions = 0;
    try {
      for (let round = 0; round < ROUNDS; round++) {
        // Kills land from 150 ms to ~2.5 s after open: before, while and after the
        // background worker thread starts and runs compactions; every 4th round
        // only once the thread has run one (however slow the box).
        const lines = await runAndKill(dir, 1000 + round, round, 150 + ((round * 7919) % 2400), round % 4 === 3);
        totalAcks += record(history, lines);
        workerCompactions += workerCompactionsOf(lines);
        const engine = new LsmStorageEngine(new NodeFileSystem(), dir, { fsync: 'always' }, new SystemClock());
        await engine.open();
        for (const [key, h] of history) {
          const got = await engine.get(Buffer.from(key));
          const value = got === undefined ? null : Buffer.from(got).toString();
          const allowed = new Set([...h.triedSince, h.acked === undefined ? null : h.acked]);
          if (!allowed.has(value)) {
            throw new Error(
              `round ${round}: key ${key} holds ${JSON.stringify(value?.slice(0, 20))}, acked ${JSON.stringify(h.acked?.slice(0, 20))}`,
            );
          }
          // What survived is now the state later rounds build on.
          h.acked = value;
          h.triedSince = new Set();
        }
        for await (const [key] of engine.iterator()) {
          const name = Buffer.from(key).toString();
          if (!history.has(name)) throw new Error(`round ${round}: key ${name} was never written`);
        }
        await engine.close();
      }
      expect(totalAcks).toBeGreaterThan(ROUNDS * 10);
      // Some writers were killed after the worker thread had compacted (how many
      // depends on the load of the box, hence no tighter bound).
      expect(workerCompactions).toBeGreaterThan(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 240_000);
});
