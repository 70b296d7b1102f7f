import { DynamisClient } from '@dynamis/client';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { sleep } from './drive';
import { clock } from './env';
import { LatencyHistogram, recordKey, type LatencySummary } from '@dynamis/workload';
import { connectAll, startNode } from './nodes';
import { benchTempDir, freePort, type BenchChild } from './processes';
import { median } from './stats';
import { loadRecords, RECORD_BYTES } from './ycsb';

/** What one rebalance round measured. */
export interface RebalanceResult {
  /** Record bytes the joining node streamed in (its `rebalance settled` log line), and its own rate over the streams. */
  readonly bytesMoved: number;
  readonly mbPerSec: number;
  /** Wall seconds from the first partition received to settled, seen from the driver (100 ms polling). */
  readonly seconds: number;
  /** The foreground load through n1 before n2 joins, and while it streams. */
  readonly before: { readonly opsPerSec: number; readonly latency: LatencySummary };
  readonly during: { readonly opsPerSec: number; readonly latency: LatencySummary };
}

const SETTLE_MS = 600_000;

/**
 * Rebalance throughput between two local processes: n1 (quorum, N=2 W=1
 * R=1, engine-lsm, gossip, rebalance with drainMs 1 s) loaded with `records`
 * records of 1 KiB; a foreground load (50% get / 50% put over those records,
 * `inflight` in flight, through n1) measured for `seconds`; then n2 joins,
 * pulls every partition from n1 (N=2: it replicates all of them), and the
 * same load is measured from its first received partition until its
 * `rebalance settled` log line. Fresh processes and directories per round.
 */
export async function rebalanceRound(records: number, inflight: number, seconds: number): Promise<RebalanceResult> {
  const dir = benchTempDir('rebalance');
  const config = join(dir, 'node.json');
  writeFileSync(config, JSON.stringify({ rebalanceOptions: { drainMs: 1000, announceIntervalMs: 250 }, ring: { partitions: 64 } }));
  const [p1, p2] = [await freePort(), await freePort()];
  const args = (id: string, port: number, peers: string[]): string[] => [
    ...['--config', config, '--node-id', id, '--host', '127.0.0.1', '--port', String(port), '--data-dir', join(dir, id)],
    ...['--coordinator', 'quorum', '--engine', 'lsm', '--replication', '2,1,1'],
    ...peers.flatMap((p) => ['--peer', p]),
  ];
  const n1 = await startNode('rebalance n1', args('n1', p1, [`n1@127.0.0.1:${p1}`]), [], 'info');
  const procs: BenchChild[] = [n1.proc];
  const nodes = await connectAll([n1.match[1]!], procs);
  try {
    await loadRecords(nodes.clients, records, inflight);
    const load = foreground(nodes.clients[0]!, records, inflight);
    await sleep(seconds * 1000);
    const before = load.take();
    const n2 = await startNode('rebalance n2', args('n2', p2, [`n1@127.0.0.1:${p1}`, `n2@127.0.0.1:${p2}`]), [], 'info');
    procs.push(n2.proc);
    const { first, settled } = await watch(n2.proc);
    const during = load.take(first);
    await load.stop();
    return {
      bytesMoved: settled.bytesMoved,
      mbPerSec: settled.bytesPerSecond / 1e6,
      seconds: (performance.now() - first) / 1000,
      before,
      during,
    };
  } finally {
    await nodes.stop();
    for (const p of procs) await p.stop();
  }
}

interface Settled {
  readonly bytesMoved: number;
  readonly bytesPerSecond: number;
}

/** Polls `n2`'s log: when its first partition arrived (performance.now()), then its `rebalance settled` line. */
async function watch(n2: BenchChild): Promise<{ first: number; settled: Settled }> {
  const until = clock.monotonic() + SETTLE_MS;
  let first: number | undefined;
  for (;;) {
    const out = n2.output();
    if (first === undefined && out.includes('"msg":"partition received"')) first = performance.now();
    const line = first === undefined ? undefined : out.split('\n').find((l) => l.includes('"msg":"rebalance settled"'));
    if (line !== undefined && first !== undefined) return { first, settled: JSON.parse(line) as Settled };
    if (clock.monotonic() > until) throw new Error(`n2 did not settle within ${SETTLE_MS} ms:\n${out}`);
    await sleep(100);
  }
}

/** A closed-loop load (50% get, 50% put of a 1 KiB value, keys spread over the records by a multiplicative hash of the sequence); `take(since)` returns what completed since the last take (or `since`). */
function foreground(client: DynamisClient, records: number, inflight: number) {
  let histogram = new LatencyHistogram();
  let ops = 0;
  let from = performance.now();
  let running = true;
  const value = new Uint8Array(RECORD_BYTES).fill(7);
  const loop = async (w: number): Promise<void> => {
    for (let i = w; running; i += inflight) {
      const key = recordKey((i * 2654435761) % records);
      const t0 = performance.now();
      try {
        if (i % 2 === 0) await client.get(key);
        else await client.put(key, value);
        if (t0 >= from) {
          ops++;
          histogram.record((performance.now() - t0) * 1000);
        }
      } catch {
        await yieldToLoop();
      }
    }
  };
  const loops = Promise.all(Array.from({ length: inflight }, (_, w) => loop(w)));
  return {
    take: (since = from) => {
      const now = performance.now();
      const result = { opsPerSec: ops / ((now - since) / 1000), latency: histogram.summary() };
      histogram.destroy();
      histogram = new LatencyHistogram();
      ops = 0;
      from = now;
      return result;
    },
    stop: async () => {
      running = false;
      await loops;
      histogram.destroy();
    },
  };
}

/** Markdown lines for the rounds' results: medians, and the p99 ratio during/before taken within each round. */
export function rebalanceReport(results: readonly RebalanceResult[]): string[] {
  const med = (f: (r: RebalanceResult) => number): number => median(results.map(f));
  const ms = (v: number): string => v.toFixed(2);
  return [
    '| MB streamed | MB/s (n2) | seconds | ops/s before | ops/s during | p50 before | p50 during | p99 before | p99 during | p99 during/before |',
    '| ----------- | --------- | ------- | ------------ | ------------ | ---------- | ---------- | ---------- | ---------- | ----------------- |',
    `| ${(med((r) => r.bytesMoved) / 1e6).toFixed(1)} | ${med((r) => r.mbPerSec).toFixed(1)} | ${med((r) => r.seconds).toFixed(1)} | ` +
      `${Math.round(med((r) => r.before.opsPerSec))} | ${Math.round(med((r) => r.during.opsPerSec))} | ` +
      `${ms(med((r) => r.before.latency.p50))} | ${ms(med((r) => r.during.latency.p50))} | ` +
      `${ms(med((r) => r.before.latency.p99))} | ${ms(med((r) => r.during.latency.p99))} | ${med((r) => r.during.latency.p99 / r.before.latency.p99).toFixed(2)} |`,
  ];
}
