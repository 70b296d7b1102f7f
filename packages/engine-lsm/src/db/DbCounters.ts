/**
 * The engine's running counters since open (plain mutable numbers, so the
 * hot paths only increment fields). See `statsOf` for what is reported.
 */
export class DbCounters {
  /** User key + value bytes written (puts and deletes). */
  userBytes = 0;
  /** Bytes appended to WALs (records with their framing). */
  walBytes = 0;
  /** Point lookups. */
  gets = 0;
  /** Tables consulted by point lookups (range matched; Bloom skips included). */
  tablesProbed = 0;
  /** Writes that waited for room (stop trigger or full memtables) or were slowed down. */
  stallCount = 0;
  /** Milliseconds writes spent waiting (stalls and slowdowns). */
  stallMs = 0;
  /** Writes delayed by the L0 slowdown trigger. */
  slowdowns = 0;
  flushes = 0;
  flushBytes = 0;
  compactions = 0;
  trivialMoves = 0;
  compactionBytesRead = 0;
  compactionBytesWritten = 0;
  /** Compactions (merges) that ran on the background worker thread. */
  workerCompactions = 0;
  /** Background compactions retried without the filter because it threw. */
  filterFailures = 0;
  filterRemoved = 0;
  filterReplaced = 0;
  /** WAL bytes replayed at open, and bytes dropped as a torn or corrupt tail. */
  recoveredWalBytes = 0;
  droppedWalBytes = 0;
  recoveredRecords = 0;
  /** Range tombstones written (deleteRange calls) and dropped from the manifest once obsolete. */
  rangeDeletions = 0;
  rangeDelsDropped = 0;
  /** Tables found damaged and quarantined since open. */
  quarantinedTables = 0;
  /** WAL fsyncs started (group commits). */
  walSyncs = 0;
}
