import type { ServiceIdentifier } from 'inversify';

/**
 * A file opened for appending. `append` hands bytes to the operating system
 * synchronously (like write(2)): once it returns, a kill -9 of the process
 * cannot lose them, but a machine crash can until `sync()` resolves.
 *
 * Not safe for concurrent use by two writers. After `close()` every method
 * throws (or rejects with) IO_ERROR, details.errno 'EBADF'.
 */
export interface WritableFile {
  readonly path: string;
  /** Bytes appended so far (including any the file held when opened). */
  readonly size: number;
  /**
   * Appends all of `data` (an empty array is a no-op). The bytes are copied
   * before it returns, so the caller may reuse its buffer. Throws IO_ERROR;
   * after a failure, `size` counts only the bytes that were written.
   */
  append(data: Uint8Array): void;
  /**
   * fdatasync: makes every byte appended before the call durable (the file's
   * data and size, not its name: see FileSystem.syncDir). Rejects IO_ERROR.
   */
  sync(): Promise<void>;
  /** Waits for pending syncs, then closes. Does not sync. Idempotent. */
  close(): Promise<void>;
}

/**
 * A file opened for positional reads. Reads are synchronous (page-cache speed).
 * After `close()` `read` throws IO_ERROR (errno 'EBADF'); `close` is idempotent.
 */
export interface RandomAccessFile {
  readonly path: string;
  /** The file's size when it was opened. */
  readonly size: number;
  /**
   * Reads `length` bytes at `position` into a new buffer that the caller owns.
   * Returns fewer bytes only at end of file (none at or past it).
   * Throws INVALID_ARGUMENT unless both are non-negative safe integers.
   */
  read(position: number, length: number): Uint8Array;
  /**
   * Reads up to `length` bytes at `position` into `target[targetOffset, ...)`
   * (which must have room) and returns how many were read: fewer only at end
   * of file. Allocates nothing. Throws INVALID_ARGUMENT unless position,
   * length and targetOffset are non-negative safe integers and the range fits.
   */
  readInto(position: number, length: number, target: Uint8Array, targetOffset: number): number;
  close(): void;
}

/**
 * The engines' window on storage, after LevelDB's Env. Paths are plain
 * strings joined with '/'. Synchronous methods are for small metadata
 * operations and reads that hit the page cache; the slow ones (sync) are
 * async.
 *
 * Durability model: a file's *data* is durable once a `WritableFile.sync()`
 * issued after the append resolves; its *name* (a create, rename or remove)
 * is durable once `syncDir` of the parent directory resolves after the
 * change. Directories made by `mkdirp` and trees deleted by `removeTree` are
 * not covered by this guarantee unless the caller syncs their parent.
 *
 * Errors: operating-system failures are DynamisError 'IO_ERROR' with
 * details `{ path, errno }` (errno the POSIX name: 'ENOENT', 'EISDIR', ...).
 * A file operation whose parent directory is missing fails with 'ENOENT'.
 *
 * Implementations: NodeFileSystem (core, the default), MemoryFileSystem and
 * FaultyFileSystem (testkit, for crash tests). All of them pass the testkit
 * suite `fileSystemContract`.
 */
export interface FileSystem {
  /** Creates `path` (truncating an existing file) for appending. */
  create(path: string): WritableFile;
  /** Opens `path` for appending, creating it if absent, keeping its contents. */
  openAppend(path: string): WritableFile;
  /** Opens an existing file; IO_ERROR 'ENOENT' if absent. */
  openRead(path: string): RandomAccessFile;
  /** Whole-file read into a new buffer; throws IO_ERROR (details.errno 'ENOENT') if absent. */
  readFile(path: string): Uint8Array;
  /** True if a file or directory exists at `path`. Never throws. */
  exists(path: string): boolean;
  /**
   * Entry names (not paths) in `dir`, files and directories, sorted by UTF-16
   * code unit (byte order for ASCII names); [] if `dir` does not exist.
   */
  list(dir: string): string[];
  /** Creates `dir` and any missing parents; no error if it exists. */
  mkdirp(dir: string): void;
  /**
   * Atomically replaces `to` with the file `from`: a reader sees the old `to`
   * or the new one, never neither. IO_ERROR 'ENOENT' if `from` is absent.
   */
  rename(from: string, to: string): void;
  /** Removes a file; no error if absent. */
  remove(path: string): void;
  /** Removes a directory tree (or a file); no error if absent. */
  removeTree(path: string): void;
  /** Makes the directory's entries (creates, renames, removes) durable. */
  syncDir(dir: string): Promise<void>;
  /** Size in bytes; throws IO_ERROR if absent. */
  size(path: string): number;
  /**
   * Takes an exclusive lock on `path` (creating the file), so two processes,
   * or two openers in one process, never open one database. Throws
   * UNAVAILABLE (details.path, and details.pid when another process holds it)
   * if held. `release()` is idempotent and removes the lock file.
   */
  lock(path: string): { release(): void };
}

export const FileSystemToken: ServiceIdentifier<FileSystem> = Symbol.for('dynamis.FileSystem');
