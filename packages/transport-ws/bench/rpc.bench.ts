// Request/response round trips per second, WsTransport vs. a bare `ws` echo
// (the ceiling), side by side in one process. ~120-byte payloads, 1 and 64
// requests in flight; prints round trips/s, the ratios and p50/p99 latency.
// A second bare-ws client/server corks its socket per tick like WsTransport
// does, to show how much of the gain is batching and what the protocol costs.
//
//   npm run bench -w @dynamis/transport-ws            (3 rounds, 3 s per case)
//   node dist/bench/bench/rpc.bench.js --rounds 5 --seconds 5
//
// Built by `tsc -b tsconfig.bench.json` into dist/bench (see BENCHMARKS.md).
import { SystemClock, SystemRandom, type Logger } from '@dynamis/core';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { WebSocket, WebSocketServer } from 'ws';
import { WsTransport } from '../src/WsTransport';

interface Result {
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  /** Process CPU time (user + system) per round trip, µs: steadier than rates on a shared machine. */
  readonly cpuUs: number;
  /** Voluntary context switches (the process slept: nothing to read or write) per 1000 round trips. */
  readonly sleepsPerK: number;
}

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i]!.replace(/^--/, ''), process.argv[i + 1] ?? '');
const ROUNDS = Number(args.get('rounds') ?? 3);
const SECONDS = Number(args.get('seconds') ?? 3);
const ONLY = args.get('only'); // 'bare' | 'corked' | 'ws': run one case (profiling)
const INFLIGHT = (args.get('inflight') ?? '1,64').split(',').map(Number);
const WARMUP_MS = 500;
const PAYLOAD_BYTES = 120;

const silent: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => silent };

/** Drives `issue` with `inflight` concurrent loops for SECONDS after a warm-up; `issue` resolves per round trip. */
async function drive(inflight: number, issue: () => Promise<unknown>): Promise<Result> {
  const samples: number[] = [];
  let measuring = false;
  let count = 0;
  let stop = false;
  const loop = async (): Promise<void> => {
    while (!stop) {
      const t0 = performance.now();
      await issue();
      if (measuring) {
        count++;
        if ((count & 3) === 0 || inflight === 1) samples.push(performance.now() - t0);
      }
    }
  };
  const loops = Array.from({ length: inflight }, loop);
  await sleep(WARMUP_MS);
  measuring = true;
  const start = performance.now();
  const cpu0 = process.cpuUsage();
  const sleeps0 = process.resourceUsage().voluntaryContextSwitches;
  await sleep(SECONDS * 1000);
  measuring = false;
  const cpu = process.cpuUsage(cpu0);
  const sleeps = process.resourceUsage().voluntaryContextSwitches - sleeps0;
  const elapsed = (performance.now() - start) / 1000;
  stop = true;
  await Promise.all(loops);
  samples.sort((x, y) => x - y);
  return {
    rps: count / elapsed,
    p50: quantile(samples, 0.5),
    p99: quantile(samples, 0.99),
    cpuUs: (cpu.user + cpu.system) / count,
    sleepsPerK: (1000 * sleeps) / count,
  };
}

/** Sends on `ws`, corking its socket until the end of the tick when `cork` (what WsTransport does). */
function sender(ws: WebSocket, cork: boolean): (data: Buffer) => void {
  if (!cork) return (data) => ws.send(data);
  const socket = (ws as unknown as { _socket: Socket })._socket;
  let corked = false;
  const uncork = (): void => {
    corked = false;
    socket.uncork();
  };
  return (data) => {
    if (!corked) {
      corked = true;
      socket.cork();
      process.nextTick(uncork);
    }
    ws.send(data);
  };
}

/** A bare ws echo server and client: `cork` batches each tick's writes into one syscall, as WsTransport does. */
async function bareWs(inflight: number, cork: boolean): Promise<Result> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
  await new Promise<void>((r) => server.once('listening', () => r()));
  server.on('connection', (ws) => {
    const send = sender(ws, cork);
    ws.on('message', (data) => send(data as Buffer));
  });
  const port = (server.address() as { port: number }).port;
  const client = new WebSocket(`ws://127.0.0.1:${port}`, { perMessageDeflate: false });
  await new Promise<void>((r) => client.once('open', () => r()));
  const send = sender(client, cork);
  // Correlation by a 4-byte id, as a minimal RPC layer would need.
  const waiting = new Map<number, () => void>();
  client.on('message', (data: Buffer) => {
    const id = data.readUInt32LE(0);
    const done = waiting.get(id);
    waiting.delete(id);
    done?.();
  });
  let next = 0;
  const result = await drive(inflight, () => {
    const id = next++ >>> 0;
    const msg = Buffer.alloc(PAYLOAD_BYTES);
    msg.writeUInt32LE(id, 0);
    return new Promise<void>((resolve) => {
      waiting.set(id, resolve);
      send(msg);
    });
  });
  client.terminate();
  await new Promise<void>((r) => server.close(() => r()));
  return result;
}

async function transport(inflight: number): Promise<Result> {
  const clock = new SystemClock();
  const random = new SystemRandom();
  const secret = 'bench-cluster-secret-0123456789';
  const a = new WsTransport('bench-a', { secret, host: '127.0.0.1', port: 0 }, clock, random, silent);
  const b = new WsTransport('bench-b', { secret, host: '127.0.0.1', port: 0 }, clock, random, silent);
  b.setHandler(async (_from, msg) => ({ type: 'kv.get.reply', payload: msg.payload }));
  a.setHandler(async () => undefined);
  await Promise.all([a.start(), b.start()]);
  a.setPeerAddress('bench-b', b.address()!);
  // ~120 bytes on the wire: frame header + a small replica-get-like payload.
  const payload = { key: 'user:000000123', value: new Uint8Array(64).fill(7), ts: 1_700_000_000_000, n: 3 };
  const options = { timeoutMs: 10_000 };
  const envelope = { type: 'kv.get', payload };
  const result = await drive(inflight, () => a.request('bench-b', envelope, options));
  await Promise.all([a.stop(), b.stop()]);
  return result;
}

const NONE: Result = { rps: NaN, p50: NaN, p99: NaN, cpuUs: NaN, sleepsPerK: NaN };

async function main(): Promise<void> {
  console.log(`node ${process.version}, ${ROUNDS} rounds x ${SECONDS} s per case, payload ~${PAYLOAD_BYTES} B`);
  const table = new Map<number, { bare: Result[]; corked: Result[]; ws: Result[] }>();
  for (let round = 1; round <= ROUNDS; round++) {
    for (const inflight of INFLIGHT) {
      const bare = ONLY === undefined || ONLY === 'bare' ? await bareWs(inflight, false) : NONE;
      const corked = ONLY === undefined || ONLY === 'corked' ? await bareWs(inflight, true) : NONE;
      const ws = ONLY === undefined || ONLY === 'ws' ? await transport(inflight) : NONE;
      const row = table.get(inflight) ?? { bare: [], corked: [], ws: [] };
      row.bare.push(bare);
      row.corked.push(corked);
      row.ws.push(ws);
      table.set(inflight, row);
      console.log(`round ${round} ${report(inflight, bare, corked, ws)}`);
    }
  }
  console.log(`\nmedians of ${ROUNDS} rounds:`);
  for (const [inflight, row] of table)
    console.log(report(inflight, medianResult(row.bare), medianResult(row.corked), medianResult(row.ws)));
}

function report(inflight: number, bare: Result, corked: Result, ws: Result): string {
  const ratio = (x: Result): string => (ws.rps / x.rps).toFixed(2);
  return [
    `inflight ${String(inflight).padStart(2)}:`,
    line('bare ws', bare),
    line('bare ws+cork', corked),
    line('WsTransport', ws),
    `ratio vs bare ${ratio(bare)}, vs bare+cork ${ratio(corked)}`,
  ].join('\n  ');
}

function line(name: string, r: Result): string {
  return `${name.padEnd(13)} ${Math.round(r.rps).toString().padStart(6)} round trips/s   p50 ${r.p50.toFixed(3)} ms   p99 ${r.p99.toFixed(3)} ms   cpu ${r.cpuUs.toFixed(1)} µs/rt   sleeps ${r.sleepsPerK.toFixed(1)}/1k rt`;
}

function medianResult(rs: Result[]): Result {
  const m = (f: (r: Result) => number): number =>
    quantile(
      rs.map(f).sort((x, y) => x - y),
      0.5,
    );
  return { rps: m((r) => r.rps), p50: m((r) => r.p50), p99: m((r) => r.p99), cpuUs: m((r) => r.cpuUs), sleepsPerK: m((r) => r.sleepsPerK) };
}

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
