import type { DynamisClient } from '@dynamis/client';
import { DynamisError, type CausalContext, type Clock } from '@dynamis/core';
import type { SeededRng } from './SeededRng';
import type { History, HistoryEntry, OpFunction } from './history';

const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const str = (b: Uint8Array): string => new TextDecoder().decode(b);

/** Codes of write errors that prove nothing was applied (refused before any replica). */
const NEVER_APPLIED = new Set(['INVALID_ARGUMENT', 'INVALID_KEY', 'VALUE_TOO_LARGE', 'CONFLICT', 'UNAUTHORIZED', 'NOT_OPEN']);

export interface WorkloadOptions {
  /** Concurrent client processes, each the only writer of its own keys. */
  readonly processes: number;
  readonly keysPerProcess: number;
  /** Pause between two operations of one process, ms (bounds the traffic). */
  readonly thinkMs: number;
  /**
   * After a write of unknown outcome, the process reads the key before it
   * writes it again, and waits this long first (ms): longer than the largest
   * clock offset between two nodes, so that a maybe-applied write stamped by
   * a node whose clock is ahead cannot carry a later timestamp than the next
   * write (the condition under which LWW keeps every acknowledged write of a
   * single writer; @dynamis/conflict-lww "The anomaly").
   */
  readonly settleAfterInfoMs: number;
}

/** Per key: what its writer knows. */
interface KeyState {
  context: CausalContext | undefined;
  mustRead: boolean;
  writableAt: number;
}

/**
 * The client load: `processes` loops, each owning `keysPerProcess` keys
 * (`p<i>/k<j>`) and issuing puts (60 %), gets at R=2 (25 %) and deletes
 * (15 %) on them, one at a time, each through a node drawn at random (the
 * client connected to that node alone: the history names the coordinator).
 * Every write carries the context of the writer's last acknowledged write
 * or read of the key, so it supersedes it whatever the coordinators'
 * clocks say. Values are unique (`<key>=<process>.<seq>`), so a read names
 * the write it saw.
 */
export class Workload {
  private stopping = false;
  private seq = 0;

  constructor(
    private readonly options: WorkloadOptions,
    private readonly clients: ReadonlyMap<string, DynamisClient>,
    private readonly history: History,
    private readonly clock: Clock,
    private readonly random: SeededRng,
    private readonly startedAt: number,
  ) {}

  /** Every key the load may write. */
  keys(): string[] {
    const out: string[] = [];
    for (let p = 0; p < this.options.processes; p += 1) for (let k = 0; k < this.options.keysPerProcess; k += 1) out.push(`p${p}/k${k}`);
    return out;
  }

  /** Runs until stop(); resolves once every process has finished its operation in flight. */
  run(): Promise<void> {
    return Promise.all(Array.from({ length: this.options.processes }, (_, p) => this.loop(p))).then(() => undefined);
  }

  stop(): void {
    this.stopping = true;
  }

  private async loop(p: number): Promise<void> {
    const random = this.random.fork(`process-${p}`);
    const nodes = [...this.clients.keys()];
    const state = new Map<string, KeyState>();
    while (!this.stopping) {
      const key = `p${p}/k${random.int(this.options.keysPerProcess)}`;
      const s = state.get(key) ?? { context: undefined, mustRead: false, writableAt: 0 };
      state.set(key, s);
      const node = nodes[random.int(nodes.length)]!;
      const roll = random.next();
      const f: OpFunction = s.mustRead || roll < 0.25 ? 'get' : roll < 0.85 ? 'put' : 'del';
      if (f !== 'get' && this.clock.monotonic() < s.writableAt) {
        await this.clock.sleep(this.options.thinkMs);
        continue;
      }
      await this.op(p, f, key, node, s);
      await this.clock.sleep(this.options.thinkMs);
    }
  }

  private now(): number {
    return Math.round(this.clock.monotonic() - this.startedAt);
  }

  private async op(p: number, f: OpFunction, key: string, node: string, s: KeyState): Promise<void> {
    const client = this.clients.get(node)!;
    const value = f === 'put' ? `${key}=${p}.${this.seq++}` : null;
    const base = { process: p, f, key, node };
    this.history.add({ ...base, type: 'invoke', value, time: this.now() });
    try {
      if (f === 'get') {
        const r = await client.get(key, { consistency: 2 });
        const read = r.values.map(str);
        this.history.add({ ...base, type: 'ok', value: read.length === 0 ? null : read.length === 1 ? read[0]! : read, time: this.now() });
        s.context = r.context;
        s.mustRead = false;
        return;
      }
      const w =
        f === 'put'
          ? await client.put(key, text(value!), { context: s.context })
          : await client.delete(key, s.context === undefined ? {} : { context: s.context });
      this.history.add({ ...base, type: 'ok', value, time: this.now() });
      s.context = w.context;
    } catch (err) {
      const outcome = classify(f, err);
      const entry: HistoryEntry = { ...base, type: outcome, value, time: this.now(), error: describe(err) };
      this.history.add(entry);
      if (outcome === 'info') {
        s.mustRead = true;
        s.writableAt = this.clock.monotonic() + this.options.settleAfterInfoMs;
      }
    }
  }
}

/**
 * `fail` when the error proves the operation had no effect (any failed read;
 * a write refused before it was applied: `details.applied === false`, or a
 * validation/condition error), else `info` (maybe applied).
 */
export function classify(f: OpFunction, err: unknown): 'fail' | 'info' {
  if (f === 'get') return 'fail';
  if (!(err instanceof DynamisError)) return 'info';
  if (NEVER_APPLIED.has(err.code)) return 'fail';
  const details = err.details as { applied?: unknown } | undefined;
  return details?.applied === false ? 'fail' : 'info';
}

function describe(err: unknown): string {
  if (err instanceof DynamisError) return `${err.code}: ${err.message}`.slice(0, 300);
  return String(err).slice(0, 300);
}
