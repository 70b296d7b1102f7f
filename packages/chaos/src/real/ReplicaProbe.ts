import { lwwResolver } from '@dynamis/conflict-lww';
import { localCoordinator } from '@dynamis/coordinator-local';
import { createNode, PeerRpcToken, ReplicaClientToken, TransportToken, type DynamisNode, type Member, type Sibling } from '@dynamis/core';
import { memoryEngine } from '@dynamis/engine-memory';
import { entrySchema, SYNC, SYNC_REPLY, toMember } from '@dynamis/gossip';
import { wsTransport } from '@dynamis/transport-ws';
import { z } from 'zod';
import type { ReadValue, ReplicaCopy } from './check';

const syncReply = z.object({ from: z.string(), updates: z.array(entrySchema) });
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const str = (b: Uint8Array): string => new TextDecoder().decode(b);

/**
 * Reads one node's own copy of keys through the cluster's replica protocol
 * (`replica.readBatch`: served from the node's local Replica, no
 * forwarding, no quorum, no read repair), so replicas can be compared. An
 * in-process node `chaos-probe` authenticated with the cluster secret; no
 * member (no Membership), holds nothing. Also asks a node for its gossip
 * view, from which the ring placement is rebuilt.
 */
export class ReplicaProbe {
  private constructor(private readonly node: DynamisNode) {}

  /** Starts the probe listening on `host` (an address the nodes can reach), any port. */
  static async start(secret: string, host: string): Promise<ReplicaProbe> {
    const node = await createNode({ nodeId: 'chaos-probe', listen: { host, port: 0 }, log: { level: 'silent' } }, [
      wsTransport({ secret }),
      memoryEngine(),
      lwwResolver(),
      localCoordinator(),
    ]);
    await node.start();
    return new ReplicaProbe(node);
  }

  /** Tells the probe where node `id` listens. */
  setAddress(id: string, address: string): void {
    this.node.resolve(TransportToken).setPeerAddress(id, address);
  }

  /** Node `id`'s records of `keys`, in order ([] for a key it does not hold), in batches of 100. Rejects as ReplicaClient does. */
  async read(id: string, keys: readonly string[]): Promise<Sibling[][]> {
    const client = this.node.resolve(ReplicaClientToken);
    const out: Sibling[][] = [];
    for (let i = 0; i < keys.length; i += 100) out.push(...(await client.readBatch(id, keys.slice(i, i + 100), { timeoutMs: 10_000 })));
    return out;
  }

  /** Node `id`'s gossip view (with joinedAt/leftAt, what its ring is built from), asked with an empty full sync. */
  async members(id: string): Promise<Member[]> {
    const reply = await this.node
      .resolve(PeerRpcToken)
      .call(id, SYNC, { updates: [], full: true }, { replySchema: syncReply, replyType: SYNC_REPLY, timeoutMs: 10_000 });
    return reply.updates.map(toMember);
  }

  stop(): Promise<void> {
    return this.node.stop();
  }
}

/** A replica's record of a key as a ReplicaCopy: siblings sorted by version, each `value@version` (`~` for a tombstone). */
export function toCopy(node: string, siblings: readonly Sibling[]): ReplicaCopy {
  const sorted = [...siblings].sort((a, b) => hex(a.version).localeCompare(hex(b.version)));
  const record = sorted.map((s) => `${s.value === null ? '~' : JSON.stringify(str(s.value))}@${hex(s.version)}`).join(',');
  const live = sorted.filter((s) => s.value !== null).map((s) => str(s.value!));
  const value: ReadValue = live.length === 0 ? null : live.length === 1 ? live[0]! : live;
  return { node, record, live: value };
}
