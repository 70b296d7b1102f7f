import { DynamisError, type RangeBounds } from '@dynamis/core';

/**
 * A fenced key range (docs/format.md, "Damaged ranges"): the table `file`
 * was found damaged and left the version, so nothing in [gte, lte] (user
 * keys, inclusive: the table's key range) is served until a durable
 * deleteRange covers it (StorageEngine.damaged).
 */
export interface Damage {
  /** Number of the quarantined table (under `quarantine/` in the database directory). */
  readonly file: number;
  readonly gte: Uint8Array;
  readonly lte: Uint8Array;
  /** The message of the error that revealed it. */
  readonly reason: string;
}

/** Name of the directory, inside the database directory, that quarantined tables are moved to. */
export const QUARANTINE_DIR = 'quarantine';

/** The path a quarantined table is kept at. */
export function quarantinePath(dir: string, file: number): string {
  return `${dir}/${QUARANTINE_DIR}/${String(file).padStart(6, '0')}.sst`;
}

/** The fence of `fences` that holds `key`, or undefined. */
export function fenceOf(fences: readonly Damage[], key: Uint8Array): Damage | undefined {
  for (const d of fences) if (Buffer.compare(d.gte, key) <= 0 && Buffer.compare(key, d.lte) <= 0) return d;
  return undefined;
}

/** The fence of `fences` that meets the iterator range `bounds`, or undefined. */
export function fenceMeeting(fences: readonly Damage[], bounds: RangeBounds): Damage | undefined {
  const { lower, upper } = bounds;
  for (const d of fences) {
    if (lower !== undefined) {
      const c = Buffer.compare(d.lte, lower);
      if (c < 0 || (c === 0 && !bounds.lowerInclusive)) continue;
    }
    if (upper !== undefined) {
      const c = Buffer.compare(d.gte, upper);
      if (c > 0 || (c === 0 && !bounds.upperInclusive)) continue;
    }
    return d;
  }
  return undefined;
}

/** The fences of `fences` that a deleteRange(start, end) removes: start <= gte and lte < end. */
export function fencesCleared(fences: readonly Damage[], start: Uint8Array, end: Uint8Array): Damage[] {
  return fences.filter((d) => Buffer.compare(start, d.gte) <= 0 && Buffer.compare(d.lte, end) < 0);
}

/** The CORRUPTION a read inside fence `d` rejects with. */
export function fencedError(dir: string, d: Damage): DynamisError {
  const file = quarantinePath(dir, d.file);
  return new DynamisError('CORRUPTION', `${file}: key range fenced after damage (${d.reason}); delete and rebuild it`, {
    details: { file, offset: 0, damaged: true },
  });
}
