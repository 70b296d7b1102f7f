import type { FileSystem } from '@dynamis/core';
import { corruption } from '../util/corruption';
import { applyEdit, emptyVersion } from './applyEdit';
import { currentFileName, manifestBaseName, manifestFileName, parseFileName, tempCurrentFileName } from './fileNames';
import type { FileMeta } from './FileMeta';
import { createRecordLog, readRecordLog, type RecordLog } from './manifestLog';
import type { Version } from './Version';
import { VersionEdit } from './VersionEdit';

/** A manifest larger than this is replaced by a fresh one (a snapshot) at the next edit. */
export const MANIFEST_ROLL_BYTES = 4 * 1024 * 1024;

/** Called when a file leaves the last live Version that listed it (delete it then). */
export type ObsoleteFileHandler = (file: FileMeta) => void;

/**
 * The durable catalogue of the database (docs/format.md, "Manifest"): the
 * current Version (live tables by level) and the counters next file number,
 * last sequence and log number (WALs numbered below it are obsolete), kept
 * in an append-only MANIFEST-NNNNNN log of VersionEdits named by CURRENT.
 *
 * Edits go through `logAndApply`, one at a time in call order: each is
 * appended and fsynced before the new version is installed, so a file an
 * edit lists is durable in the catalogue before anything relies on it.
 * Versions are reference-counted (acquire / release); a table whose last
 * holder goes away is handed to `onObsolete`. Not re-entrant across opens:
 * make a new VersionSet per open.
 */
export class VersionSet {
  current: Version;
  nextFileNumber = 1;
  /** The largest sequence number used; the engine advances it on every write. */
  lastSequence = 0;
  /** WALs numbered below this hold nothing the tables lack. */
  logNumber = 0;
  manifestNumber = 0;
  readonly compactPointers: (Uint8Array | undefined)[];
  /** Bytes of the manifest torn off its tail at recovery (an edit never acknowledged). */
  manifestDroppedBytes = 0;
  private manifest: RecordLog | undefined = undefined;
  private queue: Promise<void> = Promise.resolve();
  private broken: Error | undefined = undefined;

  constructor(
    private readonly fs: FileSystem,
    private readonly dir: string,
    readonly levelCount: number,
    private readonly onObsolete: ObsoleteFileHandler,
  ) {
    this.current = emptyVersion(levelCount);
    this.ref(this.current);
    this.compactPointers = new Array<Uint8Array | undefined>(levelCount).fill(undefined);
  }

  /** Allocates a file number (tables, WALs, manifests share one counter). */
  newFileNumber(): number {
    return this.nextFileNumber++;
  }

  /** True when the directory holds a database (a CURRENT file). */
  exists(): boolean {
    return this.fs.exists(currentFileName(this.dir));
  }

  /**
   * Loads the state named by CURRENT. Throws CORRUPTION (naming the file and
   * offset) for a malformed CURRENT, a missing manifest, a damaged record
   * before the manifest's tail or an inconsistent edit; IO_ERROR on reads.
   */
  recover(): void {
    const currentPath = currentFileName(this.dir);
    const text = Buffer.from(this.fs.readFile(currentPath)).toString('latin1');
    const name = text.endsWith('\n') ? text.slice(0, -1) : '';
    const parsed = parseFileName(name);
    if (parsed === undefined || parsed.kind !== 'manifest') throw corruption('CURRENT does not name a manifest', currentPath, 0);
    const path = manifestFileName(this.dir, parsed.number);
    if (!this.fs.exists(path)) throw corruption(`CURRENT names ${name}, which does not exist`, currentPath, 0);
    const { records, droppedBytes } = readRecordLog(this.fs, path);
    this.manifestDroppedBytes = droppedBytes;
    let version = emptyVersion(this.levelCount);
    let sawNext = false;
    for (const { data, offset } of records) {
      const edit = VersionEdit.decode(data, this.levelCount, path, offset);
      version = applyEdit(version, edit, path);
      if (edit.logNumber !== undefined) this.logNumber = edit.logNumber;
      if (edit.nextFileNumber !== undefined) sawNext = true;
      if (edit.nextFileNumber !== undefined) this.nextFileNumber = Math.max(this.nextFileNumber, edit.nextFileNumber);
      if (edit.lastSequence !== undefined) this.lastSequence = Math.max(this.lastSequence, edit.lastSequence);
      for (const p of edit.compactPointers) this.compactPointers[p.level] = p.key;
    }
    if (!sawNext) throw corruption('manifest holds no complete snapshot', path, 0);
    this.manifestNumber = parsed.number;
    this.nextFileNumber = Math.max(this.nextFileNumber, parsed.number + 1);
    for (const f of version.allFiles()) this.nextFileNumber = Math.max(this.nextFileNumber, f.number + 1);
    this.install(version);
  }

  /**
   * Starts a new manifest holding a snapshot of the current state, makes it
   * durable, points CURRENT at it (write-temp, sync, rename, syncDir) and
   * removes the previous manifest. Serialized with logAndApply.
   */
  writeNewManifest(): Promise<void> {
    return this.serialize(() => this.durably(() => this.rollManifest(this.current)));
  }

  /**
   * Records `edit` durably, then installs the version it yields. Fills in
   * nextFileNumber and lastSequence. Edits run one at a time in call order.
   * Rejects (and installs nothing) on an I/O failure; the manifest is then
   * unusable and every later edit rejects with the same error.
   */
  logAndApply(edit: VersionEdit): Promise<void> {
    return this.serialize(async () => {
      edit.nextFileNumber = this.nextFileNumber;
      edit.lastSequence = this.lastSequence;
      const version = applyEdit(this.current, edit, '(version edit)');
      await this.durably(async () => {
        const manifest = this.manifest;
        if (manifest === undefined || manifest.size >= MANIFEST_ROLL_BYTES) {
          this.applyCounters(edit);
          await this.rollManifest(version);
        } else {
          manifest.addRecord(edit.encode());
          await manifest.sync();
          this.applyCounters(edit);
        }
      });
      this.install(version);
    });
  }

  /** The current version, held until `release`. */
  acquire(): Version {
    this.ref(this.current);
    return this.current;
  }

  /** One more hold on `version`, which the caller already holds; release it like acquire's. */
  hold(version: Version): Version {
    this.ref(version);
    return version;
  }

  /** Drops a hold on `version`; its files no live version lists go to onObsolete. */
  release(version: Version): void {
    if (--version.refs > 0) return;
    for (const f of version.allFiles()) {
      if (--f.refs === 0) this.onObsolete(f);
    }
  }

  /** Numbers of every file the current version lists. */
  liveFiles(): Set<number> {
    return new Set(this.current.allFiles().map((f) => f.number));
  }

  /** Waits for pending edits, then closes the manifest. The versions stay as they are. */
  async close(): Promise<void> {
    await this.queue;
    const manifest = this.manifest;
    this.manifest = undefined;
    await manifest?.close();
  }

  /** Runs `task` after the edits before it; rejects at once once the manifest is broken. */
  private serialize(task: () => Promise<void>): Promise<void> {
    const run = this.queue.then(() => {
      if (this.broken !== undefined) throw this.broken;
      return task();
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Runs manifest I/O; a failure leaves the manifest's tail unknown, so it breaks the set for good. */
  private async durably(io: () => Promise<void>): Promise<void> {
    try {
      await io();
    } catch (err) {
      this.broken = err instanceof Error ? err : new Error(String(err));
      throw err;
    }
  }

  private applyCounters(edit: VersionEdit): void {
    if (edit.logNumber !== undefined) this.logNumber = Math.max(this.logNumber, edit.logNumber);
    for (const p of edit.compactPointers) this.compactPointers[p.level] = p.key;
  }

  private async rollManifest(version: Version): Promise<void> {
    const number = this.newFileNumber();
    const path = manifestFileName(this.dir, number);
    const log = createRecordLog(this.fs, path);
    try {
      log.addRecord(this.snapshot(version).encode());
      await log.sync();
      await this.setCurrent(number);
    } catch (err) {
      await log.close().catch(() => undefined);
      throw err;
    }
    const old = this.manifest;
    const oldNumber = this.manifestNumber;
    this.manifest = log;
    this.manifestNumber = number;
    if (old !== undefined) await old.close().catch(() => undefined);
    if (oldNumber !== 0) this.fs.remove(manifestFileName(this.dir, oldNumber));
  }

  private async setCurrent(manifestNumber: number): Promise<void> {
    const tmp = tempCurrentFileName(this.dir);
    const f = this.fs.create(tmp);
    try {
      f.append(Buffer.from(`${manifestBaseName(manifestNumber)}\n`, 'latin1'));
      await f.sync();
    } finally {
      await f.close();
    }
    this.fs.rename(tmp, currentFileName(this.dir));
    await this.fs.syncDir(this.dir);
  }

  /** An edit that rebuilds `version` and the counters from nothing. */
  private snapshot(version: Version): VersionEdit {
    const edit = new VersionEdit();
    edit.logNumber = this.logNumber;
    edit.nextFileNumber = this.nextFileNumber;
    edit.lastSequence = this.lastSequence;
    this.compactPointers.forEach((key, level) => {
      if (key !== undefined) edit.compactPointers.push({ level, key });
    });
    version.levels.forEach((files, level) => files.forEach((f) => edit.addFile(level, f)));
    edit.addedRangeDels.push(...version.rangeDels);
    edit.addedDamage.push(...version.damaged);
    return edit;
  }

  private ref(version: Version): void {
    if (version.refs++ > 0) return;
    for (const f of version.allFiles()) f.refs++;
  }

  private install(version: Version): void {
    this.ref(version);
    const old = this.current;
    this.current = version;
    this.release(old);
  }
}
