// Hint delivery rate between two node processes' worth of components on
// 127.0.0.1 (one process, real WebSocket transport, LSM engines on real temp
// directories): node h holds hints for node t while t is down, then t starts
// and h delivers them. Prints hints/s and MB/s for adding the hints and for
// delivering them (from the first acknowledged batch to the last), unthrottled
// and with the throttle set, over several rounds after a warm-up round.
//
//   npm run bench -w @dynamis/hinted-handoff
//   node dist/bench/bench/delivery.bench.js --hints 20000 --value 100 --rounds 3 --throttle 262144
import { lwwResolver } from '@dynamis/conflict-lww';
import { ConflictResolverToken, createNode, HintStoreToken, type DynamisNode, type Plugin } from '@dynamis/core';
import { localCoordinator } from '@dynamis/coordinator-local';
import { lsmEngine } from '@dynamis/engine-lsm';
import { staticMembership } from '@dynamis/membership-static';
import { wsTransport } from '@dynamis/transport-ws';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { hintedHandoff, HintDeliveryToken, type EngineHintStore } from '../src';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i]!.replace(/^--/, ''), process.argv[i + 1] ?? '');
const HINTS = Number(args.get('hints') ?? 20_000);
const VALUE = Number(args.get('value') ?? 100);
const ROUNDS = Number(args.get('rounds') ?? 3);
const THROTTLE = Number(args.get('throttle') ?? 256 * 1024);
const SECRET = 'bench-secret-bench-secret-bench-secret';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(cond: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!cond()) {
    if (performance.now() > deadline) throw new Error(`not done within ${timeoutMs} ms`);
    await sleep(2);
  }
}

async function node(id: string, port: number, seeds: string[], dir: string, maxBytesPerSecond: number): Promise<DynamisNode> {
  const plugins: Plugin[] = [
    wsTransport({ secret: SECRET }),
    staticMembership({ pingIntervalMs: 100, pingTimeoutMs: 50, failuresBeforeDown: 1, minTransitionMs: 0 }),
    lsmEngine({ fsync: 'none' }),
    lwwResolver(),
    localCoordinator(),
    hintedHandoff({ maxBytesPerSecond, checkIntervalMs: 50, batchSize: 200 }),
  ];
  const n = await createNode(
    { nodeId: id, listen: { host: '127.0.0.1', port }, seeds, dataDir: join(dir, id), log: { level: 'silent' } },
    plugins,
  );
  await n.start();
  return n;
}

async function round(maxBytesPerSecond: number): Promise<{ add: number; deliver: number; bytes: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'dynamis-hints-bench-'));
  const base = 20_000 + Math.floor(Math.random() * 20_000);
  const seeds = [`h@127.0.0.1:${base}`, `t@127.0.0.1:${base + 1}`];
  const h = await node('h', base, seeds, dir, maxBytesPerSecond);
  try {
    const store = h.resolve(HintStoreToken) as EngineHintStore;
    const resolver = h.resolve(ConflictResolverToken);
    const value = Buffer.alloc(VALUE, 7);
    let t0 = performance.now();
    const pendingAdds: Promise<void>[] = [];
    for (let i = 0; i < HINTS; i++) {
      const now = Date.now();
      pendingAdds.push(store.add('t', `key-${i}`, [{ version: resolver.stamp('h', undefined, [], now), value, writtenAt: now }]));
      if (pendingAdds.length === 64) await Promise.all(pendingAdds.splice(0));
    }
    await Promise.all(pendingAdds);
    const add = HINTS / ((performance.now() - t0) / 1000);
    const bytes = store.stats().pendingBytes['t'] ?? 0;
    const t = await node('t', base + 1, seeds, dir, maxBytesPerSecond);
    const delivery = h.resolve(HintDeliveryToken);
    await until(() => delivery.stats().delivered > 0, 60_000); // t marked up (a ping) and the first batch acknowledged
    const first = delivery.stats().delivered;
    t0 = performance.now();
    await until(() => (store.stats().pending['t'] ?? 0) === 0, 600_000);
    const deliver = (HINTS - first) / ((performance.now() - t0) / 1000);
    if (delivery.stats().delivered !== HINTS) throw new Error('not every hint was delivered');
    await t.stop();
    return { add, deliver, bytes };
  } finally {
    await h.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  console.log(`hinted handoff: ${HINTS} hints of ${VALUE}-byte values, ${ROUNDS} rounds, medians`);
  for (const [label, rate] of [
    ['unthrottled', 1024 * 1024 * 1024],
    [`throttle ${THROTTLE} B/s`, THROTTLE],
  ] as const) {
    await round(rate); // warm-up
    const runs = [];
    for (let r = 0; r < ROUNDS; r++) runs.push(await round(rate));
    const bytesPerHint = median(runs.map((x) => x.bytes)) / HINTS;
    const add = median(runs.map((x) => x.add));
    const deliver = median(runs.map((x) => x.deliver));
    console.log(
      `${label.padEnd(24)} add ${add.toFixed(0).padStart(7)} hints/s   deliver ${deliver.toFixed(0).padStart(7)} hints/s ` +
        `(${((deliver * bytesPerHint) / 1e6).toFixed(2)} MB/s of stored hint bytes, ${bytesPerHint.toFixed(0)} B/hint; from the first acknowledged batch)`,
    );
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
