import { lwwResolver } from '@dynamis/conflict-lww';
import { localCoordinator } from '@dynamis/coordinator-local';
import {
  createNode,
  HINT_MESSAGE,
  HINT_REPLY,
  hintSchemas,
  PeerRpcToken,
  ReplicaClientToken,
  toWireSibling,
  TransportToken,
  type DynamisNode,
  type Member,
  type Sibling,
} from '@dynamis/core';
import { memoryEngine } from '@dynamis/engine-memory';
import { entrySchema, SYNC, SYNC_REPLY, toMember } from '@dynamis/gossip';
import { HINT_STATS_MESSAGE, HINT_STATS_REPLY, hintStatsSchemas, type HintStatsReply } from '@dynamis/hinted-handoff';
import { wsTransport } from '@dynamis/transport-ws';
import { z } from 'zod';
import { SECRET } from './serverProcess';

const syncReply = z.object({ from: z.string(), updates: z.array(entrySchema) });

/**
 * Reads one node's own copy of keys, as the cluster's replica protocol does
 * (`replica.readBatch`, served by core's ReplicaService from the node's local
 * Replica: no forwarding, no quorum, no read repair). It is an in-process
 * node, `probe`, authenticated with the cluster secret; it is no member (no
 * Membership: the cluster never places data on it, gossip never hears of it)
 * and holds nothing. Used to compare the replicas of a key across processes,
 * and to hand a node a hint as a sloppy-quorum coordinator would.
 */
export class ReplicaProbe {
  private constructor(private readonly node: DynamisNode) {}

  /** Starts the probe on a free port of 127.0.0.1. */
  static async start(): Promise<ReplicaProbe> {
    const node = await createNode({ nodeId: 'probe', listen: { host: '127.0.0.1', port: 0 }, log: { level: 'silent' } }, [
      wsTransport({ secret: SECRET }),
      memoryEngine(),
      lwwResolver(),
      localCoordinator(),
    ]);
    await node.start();
    return new ReplicaProbe(node);
  }

  /** Tells the probe where node `id` listens (its address may change after a restart). */
  setAddress(id: string, address: string): void {
    this.node.resolve(TransportToken).setPeerAddress(id, address);
  }

  /**
   * Node `id`'s local records of `keys`, in order ([] for a key it does not
   * hold), read in batches of at most `batch` keys. Rejects as ReplicaClient
   * does (UNAVAILABLE, TIMEOUT, ...).
   */
  async read(id: string, keys: readonly string[], batch = 100): Promise<Sibling[][]> {
    const client = this.node.resolve(ReplicaClientToken);
    const out: Sibling[][] = [];
    for (let i = 0; i < keys.length; i += batch) out.push(...(await client.readBatch(id, keys.slice(i, i + batch), { timeoutMs: 10_000 })));
    return out;
  }

  /**
   * Asks node `via` to hold `siblings` of `key` for `target` (`hints.store`,
   * core's hint protocol, as a sloppy-quorum coordinator does); resolves once
   * `via` answered that the hint is durable.
   */
  async storeHint(via: string, target: string, key: string, siblings: readonly Sibling[]): Promise<void> {
    await this.node
      .resolve(PeerRpcToken)
      .call(
        via,
        HINT_MESSAGE.store,
        { target, key, siblings: siblings.map(toWireSibling) },
        { replySchema: hintSchemas.storeResult, replyType: HINT_REPLY.store, timeoutMs: 10_000 },
      );
  }

  /**
   * Node `id`'s gossip view as the Membership port publishes it (with
   * joinedAt and leftAt: what its ring is built from), asked with a full
   * `gossip.sync` that carries no entry, so the node learns nothing of the
   * probe. Rejects as PeerRpc does.
   */
  async members(id: string): Promise<Member[]> {
    const reply = await this.node
      .resolve(PeerRpcToken)
      .call(id, SYNC, { updates: [], full: true }, { replySchema: syncReply, replyType: SYNC_REPLY, timeoutMs: 10_000 });
    return reply.updates.map(toMember);
  }

  /** Node `id`'s hint stats (`hints.stats` of @dynamis/hinted-handoff: pending hints per target, dropped, delivered). */
  async hintStats(id: string): Promise<HintStatsReply> {
    return this.node
      .resolve(PeerRpcToken)
      .call(id, HINT_STATS_MESSAGE, {}, { replySchema: hintStatsSchemas.reply, replyType: HINT_STATS_REPLY, timeoutMs: 10_000 });
  }

  stop(): Promise<void> {
    return this.node.stop();
  }
}
