import { DynamisError } from '@dynamis/core';
import type { Connector, Link } from './Link';

interface Entry {
  promise: Promise<Link>;
  link?: Link;
}

/**
 * The client's connections: at most one Link per node, opened on first use and
 * replaced when lost; concurrent callers share one connection attempt. Keeps a
 * preferred node (the first that answered); a node that fails passes the
 * preference to the next one in the list, so later operations start there.
 */
export class NodePool {
  private readonly links = new Map<string, Entry>();
  private preferred = 0;
  private closed = false;

  constructor(
    readonly nodes: readonly string[],
    private readonly connector: Connector,
  ) {}

  /** Index of the node the next operation starts at. */
  get start(): number {
    return this.preferred;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** The node for `attempt` (0-based) of an operation that started at index `start`: round robin. */
  nodeFor(start: number, attempt: number): string {
    return this.nodes[(start + attempt) % this.nodes.length]!;
  }

  /** The link to `node` if it is connected and open now (no promise, no connection attempt); else undefined (use `link`). */
  openLink(node: string): Link | undefined {
    if (this.closed) return undefined;
    const link = this.links.get(node)?.link;
    return link !== undefined && link.isOpen ? link : undefined;
  }

  /**
   * An open link to `node`, connecting if needed. Rejects like the Connector
   * (UNAVAILABLE with details.sent === false, or UNAUTHORIZED), or NOT_OPEN
   * after close().
   */
  link(node: string): Promise<Link> {
    if (this.closed) return Promise.reject(notOpen());
    const entry = this.links.get(node);
    if (entry !== undefined && (entry.link === undefined || entry.link.isOpen)) return entry.promise;
    if (entry?.link !== undefined) void entry.link.close();
    const fresh: Entry = { promise: Promise.resolve(undefined as unknown as Link) };
    fresh.promise = this.connector(node).then(
      (link) => {
        fresh.link = link;
        if (!this.closed) return link;
        void link.close();
        throw notOpen();
      },
      (err: unknown) => {
        if (this.links.get(node) === fresh) this.links.delete(node);
        throw err;
      },
    );
    this.links.set(node, fresh);
    return fresh.promise;
  }

  /** `node` answered: prefer it. */
  succeeded(node: string): void {
    const i = this.nodes.indexOf(node);
    if (i >= 0) this.preferred = i;
  }

  /** `node` failed: if it was preferred, prefer the next one. */
  failed(node: string): void {
    if (this.nodes[this.preferred] === node) this.preferred = (this.preferred + 1) % this.nodes.length;
  }

  /** Closes every link; later calls fail NOT_OPEN. Idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    const entries = [...this.links.values()];
    this.links.clear();
    await Promise.all(entries.map((e) => e.promise.then((l) => l.close()).catch(() => undefined)));
  }
}

export function notOpen(): DynamisError {
  return new DynamisError('NOT_OPEN', 'the client is closed');
}
