import { DynamisError } from '@dynamis/core';
import type { ConfigResult } from './results';

type Counters = Readonly<Record<string, unknown>>;

function record(v: unknown): Counters | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Counters) : undefined;
}

function count(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** Σ `field` over `sources`; null when any source lacks it (a figure the nodes do not export is "n/a", never 0). */
function sum(sources: readonly (Counters | undefined)[], field: string): number | null {
  let total = 0;
  for (const s of sources) {
    const v = count(s?.[field]);
    if (v === undefined) return null;
    total += v;
  }
  return sources.length === 0 ? null : total;
}

/**
 * Pure: the cluster-wide storage and repair figures from each node's admin
 * `/status` body (@dynamis/admin: `stats.engine.counters`,
 * `stats.coordinator`, `stats.anti_entropy`). Write amplification = Σ bytes
 * the engines wrote to disk (WAL + flushes + compaction output) / Σ user
 * bytes written to them; space amplification = Σ SSTable bytes / Σ their
 * estimated live bytes (each engine's own ratio inverted), null until
 * something was flushed. Any figure a node lacks (engine-memory has no
 * counters, a node without anti-entropy) is null for the cluster.
 */
export function clusterFigures(statuses: readonly unknown[]): Pick<ConfigResult, 'storage' | 'repair'> {
  const stats = statuses.map((s) => record(record(s)?.stats));
  const engines = stats.map((s) => record(s?.engine));
  const counters = engines.map((e) => record(e?.counters));
  const engine = [...new Set(engines.map((e) => (typeof e?.engine === 'string' ? e.engine : 'unknown')))].join('+');
  const user = sum(counters, 'userBytesWritten');
  const wal = sum(counters, 'walBytesWritten');
  const flush = sum(counters, 'flushBytes');
  const compaction = sum(counters, 'compactionBytesWritten');
  const sst = sum(counters, 'sstBytes');
  const disk = wal === null || flush === null || compaction === null ? null : wal + flush + compaction;
  let live: number | null = 0;
  for (const c of counters) {
    const bytes = count(c?.sstBytes);
    const ratio = count(c?.spaceAmplification);
    if (bytes === undefined || ratio === undefined) live = null;
    else if (live !== null && bytes > 0 && ratio > 0) live += bytes / ratio;
  }
  const coordinators = stats.map((s) => record(s?.coordinator));
  const antiEntropy = stats.map((s) => record(s?.anti_entropy));
  const sent = sum(antiEntropy, 'keysSent');
  const received = sum(antiEntropy, 'keysReceived');
  return {
    storage: {
      engine,
      writeAmplification: disk !== null && user !== null && user > 0 ? disk / user : null,
      spaceAmplification: sst !== null && live !== null && live > 0 ? sst / live : null,
      userBytesWritten: user,
      diskBytesWritten: disk,
      sstBytes: sst,
    },
    repair: {
      readRepairs: sum(coordinators, 'readRepairs'),
      antiEntropyBytes: sum(antiEntropy, 'bytesTransferred'),
      antiEntropyKeys: sent === null || received === null ? null : sent + received,
    },
  };
}

/** Most bytes of one /status body read. */
const MAX_STATUS_BYTES = 4 * 1024 * 1024;

/** GETs `${adminUrl}status` and parses it; UNAVAILABLE naming the URL when it fails, answers anything but 200 JSON, or sends more than `maxBytes` (reading stops there). */
export async function fetchStatus(adminUrl: string, timeoutMs: number, maxBytes = MAX_STATUS_BYTES): Promise<unknown> {
  const url = `${adminUrl}status`;
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    const text = await boundedText(res, maxBytes);
    if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new DynamisError('UNAVAILABLE', `cannot read ${url}: ${(err as Error).message}`, { cause: err });
  }
}

/** The body of `res` as UTF-8; throws (after cancelling the rest) once it passes `max` bytes. */
async function boundedText(res: Response, max: number): Promise<string> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = res.body?.getReader();
  for (;;) {
    const next = await reader?.read();
    if (next === undefined || next.done) break;
    size += next.value.byteLength;
    if (size > max) {
      await reader!.cancel();
      throw new Error(`body over ${max} bytes`);
    }
    chunks.push(next.value);
  }
  return Buffer.concat(chunks).toString('utf8');
}
