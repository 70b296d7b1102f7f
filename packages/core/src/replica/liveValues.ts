import type { VersionedValue } from '../ports/Coordinator';
import type { Sibling } from '../ports/types';

/** True when `s` is a value (not a tombstone) that has not expired at `now`. */
export function isLive(s: Sibling, now: number): boolean {
  return s.value !== null && (s.expiresAt === undefined || s.expiresAt > now);
}

/** The siblings a reader sees at `now`: values only, expired ones hidden. */
export function liveValues(siblings: readonly Sibling[], now: number): VersionedValue[] {
  const out: VersionedValue[] = [];
  for (const s of siblings) {
    if (!isLive(s, now)) continue;
    out.push(
      s.expiresAt === undefined
        ? { value: s.value!, writtenAt: s.writtenAt }
        : { value: s.value!, writtenAt: s.writtenAt, expiresAt: s.expiresAt },
    );
  }
  return out;
}
