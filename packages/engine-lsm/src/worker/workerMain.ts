// Entry of engine-lsm's background worker thread (started by
// BackgroundWorker): runs the compaction merges the engine sends, through
// its own NodeFileSystem, and answers each job with its result or error
// (see protocol.ts); deletes the obsolete files it is told to. A merge
// yields to this thread's event loop every ~2000 entries, so a `stop`
// message takes effect within that.
import { NodeFileSystem, type CompactionFilter, type PortableCompactionFilter } from '@dynamis/core';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parentPort } from 'node:worker_threads';
import { CompactionAborted, mergeInputs, watchFilter, type CompactionContext, type FilterWatch } from '../compaction/runCompaction';
import { openCompactionInput } from '../compaction/ReadaheadFile';
import { NumberPool } from './NumberPool';
import {
  errorToData,
  resultToData,
  specFromData,
  type CompactionResultData,
  type CompactMessage,
  type FailureKind,
  type FromWorker,
  type ToWorker,
} from './protocol';

const port = parentPort;
if (port === null) throw new Error('engine-lsm workerMain must run in a worker thread');

const fs = new NodeFileSystem();
let stopping = false;
/** Compactions waiting for file numbers, by job id. */
const pools = new Map<number, NumberPool>();

/** The portable filter could not be built here (the engine then runs the job on its own thread). */
class FilterLoadError extends Error {
  constructor(readonly reason: unknown) {
    super(`could not build the portable compaction filter: ${reason instanceof Error ? reason.message : String(reason)}`);
  }
}

function post(message: FromWorker): void {
  port!.postMessage(message);
}

port.on('message', (msg: ToWorker) => {
  switch (msg.type) {
    case 'compact': {
      const watch: FilterWatch = { threw: false };
      void run(msg.id, () => compact(msg, watch), watch);
      break;
    }
    case 'numbers':
      pools.get(msg.id)?.add(msg.numbers);
      break;
    case 'remove':
      try {
        fs.remove(msg.path);
      } catch (err) {
        post({ type: 'removeFailed', path: msg.path, error: errorToData(err) });
      }
      break;
    case 'stop':
      stopping = true;
      for (const pool of pools.values()) pool.close(new CompactionAborted());
      post({ type: 'stopped' });
      break;
  }
});
post({ type: 'ready' });

/** Runs one job and answers it: `done`, or `failed` with what kind of failure it was. */
async function run(id: number, job: () => Promise<CompactionResultData>, watch: FilterWatch): Promise<void> {
  try {
    post({ type: 'done', id, result: await job() });
  } catch (err) {
    const kind: FailureKind =
      err instanceof CompactionAborted ? 'aborted' : err instanceof FilterLoadError ? 'filter-load' : watch.threw ? 'filter' : 'error';
    post({ type: 'failed', id, kind, error: errorToData(err instanceof FilterLoadError ? err.reason : err) });
  }
}

async function compact(msg: CompactMessage, watch: FilterWatch): Promise<CompactionResultData> {
  const filter = msg.filter === undefined ? undefined : loadFilter(msg.filter);
  const pool = new NumberPool(msg.numbers, () => post({ type: 'needNumbers', id: msg.id, count: 1 }));
  pools.set(msg.id, pool);
  const ctx: CompactionContext = {
    fs,
    dir: msg.dir,
    openTable: (f) => openCompactionInput(fs, msg.dir, f),
    builderOptions: msg.builderOptions,
    targetFileBytes: msg.targetFileBytes,
    newFileNumber: () => pool.take(),
    afterCut: () => pool.ready(),
    filter: filter === undefined ? undefined : watchFilter(filter, watch),
    purgeLogBytes: msg.purgeLogBytes,
    shouldStop: () => stopping,
  };
  try {
    return resultToData(await mergeInputs(specFromData(msg.spec), ctx));
  } finally {
    pools.delete(msg.id);
  }
}

/** `require(spec.module)[spec.export](...spec.args)`, checked; FilterLoadError when that fails. */
function loadFilter(spec: PortableCompactionFilter): CompactionFilter {
  let filter: unknown;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const factory = (require(resolveModule(spec.module)) as Record<string, unknown>)[spec.export];
    if (typeof factory !== 'function') throw new Error(`${spec.module} exports no function ${spec.export}`);
    filter = (factory as (...args: unknown[]) => unknown)(...spec.args);
  } catch (err) {
    throw new FilterLoadError(err);
  }
  if (typeof filter !== 'function') throw new FilterLoadError(new Error(`${spec.module}.${spec.export}() did not return a function`));
  return filter as CompactionFilter;
}

/**
 * The module to require for `name`. Built, that is `name` itself. In the
 * source tree only (this file is TypeScript, run by @swc-node/register),
 * `@dynamis/x` is mapped to packages/x/src/index.ts: the tsconfig paths
 * that map this thread's own imports to the sources do not apply to a
 * require() of a name known only at run time, which would load the built
 * copy instead.
 */
function resolveModule(name: string): string {
  const m = /^@dynamis\/([a-z0-9-]+)$/.exec(name);
  if (m === null || !__filename.endsWith('.ts')) return name;
  const source = join(__dirname, '../../..', m[1]!, 'src/index.ts');
  return existsSync(source) ? source : name;
}
