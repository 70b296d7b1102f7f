import { createNode, type DynamisNode, type NodeId } from '@dynamis/core';
import { wsTransport } from '@dynamis/transport-ws';
import { customStore, REPLICATION } from './customStore';

export interface StoreNodeOptions {
  readonly id: NodeId;
  readonly port: number;
  /** Every node as `id@127.0.0.1:port`. */
  readonly seeds: readonly string[];
  readonly dataDir: string;
  /** Node-to-node HMAC secret (>= 16 characters). */
  readonly secret: string;
  /** The token of client id 'default' (>= 16 characters). */
  readonly clientToken: string;
}

/** One node of the store as a process runs it: the LSM engine in `dataDir`, transport-ws on 127.0.0.1:`port`. Started. */
export async function startStoreNode(o: StoreNodeOptions): Promise<DynamisNode> {
  const node = await createNode(
    {
      nodeId: o.id,
      dataDir: o.dataDir,
      listen: { host: '127.0.0.1', port: o.port },
      seeds: [...o.seeds],
      replication: REPLICATION,
      log: { level: 'warn' },
    },
    [...customStore('lsm'), wsTransport({ secret: o.secret, clientTokens: { default: o.clientToken } })],
  );
  await node.start();
  return node;
}
