import type { FileSystem } from '@dynamis/core';
import { BlockCache } from '../cache/BlockCache';
import type { CompactionStrategy } from '../compaction/CompactionStrategy';
import { LeveledStrategy } from '../compaction/LeveledStrategy';
import { TieredStrategy } from '../compaction/TieredStrategy';
import type { ResolvedLsmOptions } from '../options';
import type { Block } from '../sstable/Block';
import { QUARANTINE_DIR, quarantinePath } from '../damage/Damage';
import { corruption } from '../util/corruption';
import { lockFileName, parseFileName, tableFileName } from '../version/fileNames';
import type { FileMeta } from '../version/FileMeta';
import { VersionEdit } from '../version/VersionEdit';
import { VersionSet } from '../version/VersionSet';
import { Db, type DbEnv } from './Db';
import { newMemtableSlot } from './MemtableSlot';
import { DbCounters } from './DbCounters';
import { replayWals } from './replayWals';
import { TableCache } from './TableCache';
import { WalFile } from './WalFile';

/** The strategy named by the options. */
export function strategyFor(options: ResolvedLsmOptions): CompactionStrategy {
  return options.compaction.strategy === 'tiered' ? new TieredStrategy(options.compaction) : new LeveledStrategy(options.compaction);
}

/**
 * Opens (creating if needed) the database in `env.dir`: takes the LOCK,
 * loads the manifest named by CURRENT, checks that every live table exists,
 * replays the WALs numbered >= the manifest's log number into new L0 tables
 * (with the configured recovery mode; dropped bytes are logged and
 * counted), starts a new WAL, records all of it in a new manifest, and
 * removes the files no longer needed (old WALs and manifests, orphan
 * tables, CURRENT.tmp). On failure it releases what it took and rethrows:
 * UNAVAILABLE (lock held), CORRUPTION (file and offset), IO_ERROR.
 */
export async function openDb(env: DbEnv): Promise<Db> {
  const { fs, dir, options, logger } = env;
  fs.mkdirp(dir);
  const lock = fs.lock(lockFileName(dir));
  const tables = new TableCache(fs, dir, new BlockCache<Block>(options.blockCacheBytes), options.residentTableBytes);
  let db: Db | undefined;
  const remove = (path: string): void => (db === undefined ? fs.remove(path) : db.background.removeFile(path));
  const quarantined = new Set<number>();
  const versions = new VersionSet(fs, dir, options.compaction.maxLevels, (f) => dropTable(env, tables, f, remove, quarantined));
  let wal: WalFile | undefined;
  try {
    if (versions.exists()) versions.recover();
    if (versions.manifestDroppedBytes > 0) {
      logger?.warn('engine-lsm manifest had a torn tail (an unacknowledged edit); ignored it', {
        droppedBytes: versions.manifestDroppedBytes,
      });
    }
    checkTablesExist(fs, dir, versions.current.allFiles());
    const counters = new DbCounters();
    const recovered = await replayWals(env, versions, counters);
    const edit = new VersionEdit();
    for (const f of recovered.tables) edit.addFile(0, f);
    edit.addedRangeDels.push(...recovered.rangeDels);
    const logNumber = versions.newFileNumber();
    const walHooks: { stats: DbCounters; onFailure?: (err: unknown) => void } = { stats: counters };
    wal = WalFile.create(fs, dir, logNumber, undefined, walHooks);
    edit.logNumber = logNumber;
    await versions.logAndApply(edit);
    removeObsoleteFiles(fs, dir, versions);
    const mem = newMemtableSlot(logNumber, options.memtableBytes);
    const opened = new Db(env, versions, tables, strategyFor(options), mem, wal, () => lock.release(), counters, walHooks, quarantined);
    db = opened;
    walHooks.onFailure = (err) => opened.fail(err);
    opened.background.schedule();
    opened.scrubber.start();
    return opened;
  } catch (err) {
    await wal?.retire().catch(() => undefined);
    await versions.close().catch(() => undefined);
    tables.closeAll();
    lock.release();
    throw err;
  }
}

function checkTablesExist(fs: FileSystem, dir: string, files: readonly FileMeta[]): void {
  for (const f of files) {
    const path = tableFileName(dir, f.number);
    if (!fs.exists(path)) throw corruption('the manifest lists a table file that is missing', path, 0, { number: f.number });
  }
}

/** Removes WALs below the log number, manifests but the current one, tables no version lists, CURRENT.tmp. */
function removeObsoleteFiles(fs: FileSystem, dir: string, versions: VersionSet): void {
  const live = versions.liveFiles();
  const fenced = new Set(versions.current.damaged.map((d) => d.file)); // quarantined before a crash moved the file
  for (const name of fs.list(dir)) {
    const p = parseFileName(name);
    if (p === undefined) continue;
    const obsolete =
      (p.kind === 'log' && p.number < versions.logNumber) ||
      (p.kind === 'table' && !live.has(p.number)) ||
      (p.kind === 'manifest' && p.number !== versions.manifestNumber) ||
      p.kind === 'temp';
    if (!obsolete) continue;
    if (p.kind === 'table' && fenced.has(p.number)) moveToQuarantine(fs, dir, p.number);
    else fs.remove(`${dir}/${name}`);
  }
}

/** Moves table `number` to quarantine/ (README, "Damaged tables"), kept for inspection. */
function moveToQuarantine(fs: FileSystem, dir: string, number: number): void {
  fs.mkdirp(`${dir}/${QUARANTINE_DIR}`);
  fs.rename(tableFileName(dir, number), quarantinePath(dir, number));
}

/**
 * A table no live version lists any more: close it, drop its cached blocks,
 * delete the file (via `remove`) — or, when it was quarantined, move it to
 * quarantine/.
 */
function dropTable(env: DbEnv, tables: TableCache, f: FileMeta, remove: (path: string) => void, quarantined: ReadonlySet<number>): void {
  tables.evict(f.number);
  try {
    if (quarantined.has(f.number)) moveToQuarantine(env.fs, env.dir, f.number);
    else remove(tableFileName(env.dir, f.number));
  } catch (err) {
    env.logger?.warn('engine-lsm could not remove an obsolete table (the next open will)', { file: f.number, error: String(err) });
  }
}
