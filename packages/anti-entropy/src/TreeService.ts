import { DynamisError, type MessageRouter } from '@dynamis/core';
import type { MerkleIndex } from './merkle/MerkleIndex';
import type { AntiEntropyOptions } from './options';
import { AE_MESSAGE, AE_REPLY, leafRequestSchema, nodesRequestSchema, type LeafRequest, type NodesRequest } from './protocol';

const OWNER = '@dynamis/anti-entropy';

/**
 * Serves this node's trees to peers (protocol.ts): registers
 * `antiEntropy.nodes` and `antiEntropy.leaf` with the MessageRouter
 * (audience 'nodes') on start and removes them on stop. Errors to the peer:
 * PROTOCOL_ERROR (schema; the router), INVALID_ARGUMENT (partition count or
 * depth unlike ours, a partition, level, node or leaf out of range, more
 * nodes than maxNodesPerRequest), UNAVAILABLE `rebuilding` while the trees
 * are rebuilt. A leaf listing is cut at our own maxKeysPerRequest (`more`).
 */
export class TreeService {
  private registered = false;

  constructor(
    private readonly index: MerkleIndex,
    private readonly router: MessageRouter,
    private readonly options: AntiEntropyOptions,
  ) {}

  start(): void {
    if (this.registered) return;
    this.router.register(AE_MESSAGE.nodes, nodesRequestSchema, async (_from, m) => this.nodes(m), OWNER);
    this.router.register(AE_MESSAGE.leaf, leafRequestSchema, async (_from, m) => this.leaf(m), OWNER);
    this.registered = true;
  }

  stop(): void {
    if (!this.registered) return;
    this.router.unregister(AE_MESSAGE.nodes);
    this.router.unregister(AE_MESSAGE.leaf);
    this.registered = false;
  }

  private nodes(m: NodesRequest) {
    this.check(m);
    if (m.level > this.index.levels) throw invalid(`level ${m.level} is deeper than the tree (${this.index.levels})`);
    if (m.indices.length > this.options.maxNodesPerRequest) {
      throw invalid(`${m.indices.length} nodes asked for, more than maxNodesPerRequest (${this.options.maxNodesPerRequest})`);
    }
    const tree = this.index.peek(m.partition);
    const width = tree.width(m.level);
    for (const i of m.indices) if (i >= width) throw invalid(`node ${i} is outside level ${m.level} (${width} nodes)`);
    return { type: AE_REPLY.nodes, payload: { hashes: tree.hashes(m.level, m.indices) } };
  }

  private leaf(m: LeafRequest) {
    this.check(m);
    const tree = this.index.peek(m.partition);
    const width = tree.width(this.index.levels);
    if (m.leaf >= width) throw invalid(`leaf ${m.leaf} is outside the tree (${width} leaves)`);
    const page = tree.entries(m.leaf, m.after, Math.min(m.limit, this.options.maxKeysPerRequest));
    const entries = page.entries.map((e) => ({ key: e.key, digest: e.digest }));
    return { type: AE_REPLY.leaf, payload: { entries, more: page.more } };
  }

  private check(m: { partitionCount: number; levels: number; partition: number }): void {
    if (!this.index.ready) {
      throw new DynamisError('UNAVAILABLE', 'anti-entropy trees are being rebuilt; retry later', {
        details: { rebuilding: true, applied: false },
      });
    }
    if (m.partitionCount !== this.index.partitionCount || m.levels !== this.index.levels) {
      throw invalid(
        `trees not comparable: peer has ${m.partitionCount} partitions and depth ${m.levels}, ` +
          `this node ${this.index.partitionCount} and ${this.index.levels}`,
      );
    }
    if (m.partition >= this.index.partitionCount) throw invalid(`partition ${m.partition} is outside [0, ${this.index.partitionCount})`);
  }
}

function invalid(message: string): DynamisError {
  return new DynamisError('INVALID_ARGUMENT', message);
}
