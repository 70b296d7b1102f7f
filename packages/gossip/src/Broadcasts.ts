import type { GossipEntry } from './messages';

interface Queued {
  entry: GossipEntry;
  transmits: number;
}

/**
 * The piggyback queue: at most one pending update per member (a newer one
 * replaces it and restarts its count), so its size is bounded by the view.
 * `take` hands out the least-transmitted updates first and drops an update
 * once it has been handed out `limit` times (the retransmit bound λ·log n).
 */
export class Broadcasts {
  private readonly queue = new Map<string, Queued>();

  /** Queues `entry` (replacing any pending update of the same member), untransmitted. */
  enqueue(entry: GossipEntry): void {
    this.queue.set(entry.id, { entry, transmits: 0 });
  }

  get size(): number {
    return this.queue.size;
  }

  /**
   * Up to `max` updates for one message, each counted as transmitted once;
   * those that reach `limit` leave the queue. Updates the receiver is known
   * to hold (`known`: what it just sent, by id) are skipped, not counted.
   */
  take(max: number, limit: number, known?: ReadonlyMap<string, GossipEntry>): GossipEntry[] {
    if (this.queue.size === 0) return [];
    const news =
      known === undefined ? [...this.queue.values()] : [...this.queue.values()].filter((q) => !same(known.get(q.entry.id), q.entry));
    const picked = news.sort((a, b) => a.transmits - b.transmits).slice(0, max);
    for (const q of picked) {
      q.transmits++;
      if (q.transmits >= limit) this.queue.delete(q.entry.id);
    }
    return picked.map((q) => q.entry);
  }

  /** Drops the pending update of member `id`, if any. */
  remove(id: string): void {
    this.queue.delete(id);
  }

  clear(): void {
    this.queue.clear();
  }
}

function same(a: GossipEntry | undefined, b: GossipEntry): boolean {
  return a !== undefined && a.incarnation === b.incarnation && a.status === b.status;
}
