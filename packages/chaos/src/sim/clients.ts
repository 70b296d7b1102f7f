import { DynamisError, type CausalContext, type NodeId, type ReadResult } from '@dynamis/core';
import type { SeededRandom, Simulation } from '@dynamis/testkit/sim';
import type { History, HistoryOp } from '../history';
import type { ChaosCluster } from './chaosCluster';

/** What the client processes do. */
export interface WorkloadOptions {
  /** Client processes (default 5). */
  readonly clients: number;
  /** Operations each process runs (default 20). */
  readonly opsPerClient: number;
  /** 'register': each process owns `keysPerClient` keys (one writer per key) and puts, gets and deletes them, reading others' keys too. 'set': processes add elements to `sets` shared sets by read-modify-write with sibling union (vector clocks). */
  readonly workload: 'register' | 'set';
  /** Keys each process owns in the register workload (default 2). */
  readonly keysPerClient: number;
  /** Shared sets in the set workload (default 2). */
  readonly sets: number;
  /** A client gives up on an operation after this long (virtual ms) and records it 'info' (default 3000). */
  readonly clientTimeoutMs: number;
  /** Most think time between two operations of a process, ms (default 40). */
  readonly maxThinkMs: number;
}

export const DEFAULT_WORKLOAD: WorkloadOptions = {
  clients: 5,
  opsPerClient: 20,
  workload: 'register',
  keysPerClient: 2,
  sets: 2,
  clientTimeoutMs: 3000,
  maxThinkMs: 40,
};

/** The register keys process `p` owns. */
export const registerKeys = (o: WorkloadOptions, p: number): string[] => Array.from({ length: o.keysPerClient }, (_, j) => `k${p}.${j}`);
/** Every register key of the run. */
export const allRegisterKeys = (o: WorkloadOptions): string[] => Array.from({ length: o.clients }, (_, p) => registerKeys(o, p)).flat();
/** Every set key of the run. */
export const allSetKeys = (o: WorkloadOptions): string[] => Array.from({ length: o.sets }, (_, i) => `set${i}`);

/** A set's stored value: its elements, sorted, as a JSON array. */
export const encodeSet = (elements: Iterable<string>): Uint8Array => Buffer.from(JSON.stringify([...new Set(elements)].sort()));

/** The union of the elements of every sibling of a set read. Throws INVALID_ARGUMENT for a sibling that is no set. */
export function decodeSet(read: Pick<ReadResult, 'siblings'>): string[] {
  const all = new Set<string>();
  for (const s of read.siblings) {
    const parsed: unknown = JSON.parse(Buffer.from(s.value).toString());
    if (!Array.isArray(parsed)) throw new DynamisError('INVALID_ARGUMENT', 'a set sibling is not a JSON array');
    for (const e of parsed) all.add(String(e));
  }
  return [...all].sort();
}

type Outcome =
  { type: 'ok'; value?: HistoryOp['value']; version?: string; context?: CausalContext } | { type: 'fail' | 'info'; error: string };

/**
 * What an error means for the operation's fate: 'fail' when it provably did
 * not happen (details.applied === false, a failed condition or a bad
 * argument; any failed read), else 'info' (maybe applied).
 */
export function classify(err: unknown, isWrite: boolean): Outcome {
  const e = err instanceof DynamisError ? err : undefined;
  const error = e === undefined ? String(err) : `${e.code}: ${e.message}`;
  if (!isWrite) return { type: 'fail', error };
  const details = (e?.details ?? {}) as { applied?: unknown };
  if (e !== undefined && (details.applied === false || e.code === 'CONFLICT' || e.code === 'INVALID_ARGUMENT' || e.code === 'INVALID_KEY'))
    return { type: 'fail', error };
  return { type: 'info', error };
}

/**
 * Runs the client processes of one run: each process, in turn, thinks
 * (0..maxThinkMs), picks a coordinator by rotation among the running nodes,
 * invokes one operation through that node's store, and records it in
 * `history` with its outcome. An operation still pending after
 * clientTimeoutMs, or whose coordinator crashed meanwhile, is 'info' for a
 * write (a read: 'fail'). Resolves when every process is done. Runs inside
 * the simulation: the caller drives virtual time.
 */
export async function runClients(
  sim: Simulation,
  cluster: ChaosCluster,
  history: History,
  random: SeededRandom,
  o: WorkloadOptions,
): Promise<void> {
  const delay = (ms: number) => new Promise<void>((resolve) => sim.scheduler.schedule(ms, resolve));
  const process = async (p: number): Promise<void> => {
    const r = random.fork(`client/${p}`);
    const contexts = new Map<string, CausalContext>();
    const unsure = new Set<string>();
    for (let i = 0; i < o.opsPerClient; i++) {
      await delay(r.int(o.maxThinkMs + 1));
      const live = cluster.live();
      const node = live[(p + i) % live.length]!;
      const step = o.workload === 'set' ? setStep(o, r, p, i) : registerStep(o, r, p, i, unsure);
      await runOp(sim, cluster, history, o, p, node, step, contexts, unsure);
    }
  };
  await Promise.all(Array.from({ length: o.clients }, (_, p) => process(p)));
}

interface Step {
  readonly f: HistoryOp['f'];
  readonly key: string;
  readonly value: string | null;
}

function registerStep(o: WorkloadOptions, r: SeededRandom, p: number, i: number, unsure: ReadonlySet<string>): Step {
  const own = registerKeys(o, p);
  const key = own[r.int(own.length)]!;
  if (unsure.has(key)) return { f: 'get', key, value: null }; // after an unknown write: read first, for a fresh context
  const roll = r.int(10);
  if (roll < 5) return { f: 'put', key, value: `${key}=${p}.${i}` };
  if (roll < 6) return { f: 'del', key, value: null };
  if (roll < 8) return { f: 'get', key, value: null };
  const all = allRegisterKeys(o);
  return { f: 'get', key: all[r.int(all.length)]!, value: null };
}

function setStep(o: WorkloadOptions, r: SeededRandom, p: number, i: number): Step {
  const key = allSetKeys(o)[r.int(o.sets)]!;
  return r.int(4) === 0 ? { f: 'read-set', key, value: null } : { f: 'add', key, value: `e${p}.${i}` };
}

async function runOp(
  sim: Simulation,
  cluster: ChaosCluster,
  history: History,
  o: WorkloadOptions,
  p: number,
  node: NodeId,
  step: Step,
  contexts: Map<string, CausalContext>,
  unsure: Set<string>,
): Promise<void> {
  const isWrite = step.f === 'put' || step.f === 'del' || step.f === 'add';
  history.invoke(p, step.f, step.key, step.value, node);
  const store = cluster.node(node).store;
  const context = contexts.get(step.key);
  const ctx = context === undefined ? {} : { context };
  const attempt = async (): Promise<Outcome> => {
    // A client talking to a frozen node gets no answer until it resumes (or the client gives up).
    while (sim.isPaused(node)) await new Promise<void>((resolve) => sim.scheduler.schedule(10, resolve));
    switch (step.f) {
      case 'put':
      case 'del': {
        const res = step.f === 'put' ? await store.put(step.key, Buffer.from(step.value!), ctx) : await store.delete(step.key, ctx);
        return { type: 'ok', version: Buffer.from(res.context).toString('hex'), context: res.context };
      }
      case 'get': {
        const res = await store.get(step.key, {});
        return { type: 'ok', value: res.siblings.map((s) => Buffer.from(s.value).toString()), context: res.context };
      }
      case 'read-set':
        return { type: 'ok', value: decodeSet(await store.get(step.key, {})) };
      case 'add': {
        const read = await store.get(step.key, {});
        const res = await store.put(step.key, encodeSet([...decodeSet(read), step.value!]), { context: read.context });
        return { type: 'ok', version: Buffer.from(res.context).toString('hex') };
      }
    }
  };
  const timeout = new Promise<Outcome>((resolve) =>
    sim.scheduler.schedule(o.clientTimeoutMs, () =>
      resolve({ type: isWrite ? 'info' : 'fail', error: `client timeout after ${o.clientTimeoutMs} ms` }),
    ),
  );
  const incarnationBefore = cluster.incarnation(node);
  let outcome = await Promise.race([attempt().catch((err: unknown) => classify(err, isWrite)), timeout]);
  if (outcome.type === 'ok' && cluster.incarnation(node) !== incarnationBefore) {
    // The coordinator crashed before its answer could reach the client: the client never sees it.
    outcome = { type: isWrite ? 'info' : 'fail', error: `coordinator ${node} crashed` };
  }
  if (outcome.type === 'ok') {
    history.complete(p, 'ok', {
      ...(outcome.value === undefined ? {} : { value: outcome.value }),
      ...(outcome.version === undefined ? {} : { version: outcome.version }),
    });
    if (outcome.context !== undefined) contexts.set(step.key, outcome.context);
    unsure.delete(step.key);
  } else {
    history.complete(p, outcome.type, { error: outcome.error });
    if (isWrite && outcome.type === 'info') unsure.add(step.key);
  }
}
