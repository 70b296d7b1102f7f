import { inject, injectable, type ServiceIdentifier } from 'inversify';
import { ConfigToken } from '../config/parseConfig';
import type { DynamisConfig } from '../config/schema';
import { MessageRouter, MessageRouterToken } from '../kernel/MessageRouter';
import { DynamisError } from '../errors/DynamisError';
import { checkKey } from '../kernel/requestChecks';
import type { Lifecycle } from '../ports/Lifecycle';
import { Replica, ReplicaToken } from './Replica';
import { fromWireSibling, REPLICA_MESSAGE, REPLICA_REPLY, replicaSchemas, toWireSibling } from './replicaProtocol';

const OWNER = '@dynamis/core:replica-protocol';

/**
 * Serves the replica protocol (replicaProtocol.ts, docs/protocol.md "Replica
 * protocol") on this node's Replica: registers `replica.read`,
 * `replica.readBatch`, `replica.write`, `replica.writeBatch` and
 * `replica.scan` (one page of a partition's live records) with the
 * MessageRouter (audience 'nodes': refused to clients) on start, and removes
 * them on stop, after which they are answered UNAVAILABLE `notStarted` (the
 * kernel declares them). Active in every node that has a Transport.
 *
 * A request may carry each key's partition (computed by the coordinator
 * from the key, so the replica does not hash it again). It is checked to be
 * in [0, Q) and otherwise trusted: peers are authenticated by the transport
 * (cluster membership), as their versions and siblings already are. A wrong
 * partition from a buggy peer would file the record where reads of the key
 * do not look; anti-entropy does not catch it either.
 *
 * Errors to the caller: PROTOCOL_ERROR (schema, batch bounds: the router),
 * INVALID_KEY (a key the Store would refuse), INVALID_ARGUMENT (a partition
 * outside [0, Q), `partitions` not as long as `keys`, a sibling
 * the replica refuses, among them any version the resolver's `validate`
 * rejects; a batch is checked whole before anything is written), then the
 * engine's errors. A read of a missing key is an empty sibling list. A
 * read or readBatch with `digest: true` answers the record's digest
 * (readDigest.ts) instead of its siblings (`{ digest }`, `{ digests }`).
 */
@injectable()
export class ReplicaService implements Lifecycle {
  private registered = false;

  constructor(
    @inject(ReplicaToken) private readonly replica: Replica,
    @inject(MessageRouterToken) private readonly router: MessageRouter,
    @inject(ConfigToken) private readonly config: DynamisConfig,
  ) {}

  /** Registers the replica types. Throws INVALID_ARGUMENT if another owner registered one. Idempotent. */
  async start(): Promise<void> {
    if (this.registered) return;
    const s = replicaSchemas(this.config.limits);
    const limits = this.config.limits;
    const r = this.router;
    r.register(
      REPLICA_MESSAGE.read,
      s.read,
      async (_from, m) => {
        checkKey(m.key, limits);
        // Replica.readDigest: the stored record decoded as views, its siblings' metadata hashed (no sibling objects for the wire).
        if (m.digest === true) return { type: REPLICA_REPLY.read, payload: { digest: await this.replica.readDigest(m.key, m.partition) } };
        const record = await this.replica.read(m.key, m.partition);
        return { type: REPLICA_REPLY.read, payload: { siblings: record.map(toWireSibling) } };
      },
      OWNER,
    );
    r.register(
      REPLICA_MESSAGE.readBatch,
      s.readBatch,
      async (_from, m) => {
        for (const key of m.keys) checkKey(key, limits);
        const partitions = m.partitions;
        if (partitions !== undefined && partitions.length !== m.keys.length) {
          throw new DynamisError('INVALID_ARGUMENT', `${partitions.length} partitions for ${m.keys.length} keys`, {
            details: { keys: m.keys.length, partitions: partitions.length },
          });
        }
        if (m.digest === true) {
          const digests: Uint8Array[] = [];
          for (let i = 0; i < m.keys.length; i++) digests.push(await this.replica.readDigest(m.keys[i]!, partitions?.[i]));
          return { type: REPLICA_REPLY.readBatch, payload: { digests } };
        }
        const records = [];
        for (let i = 0; i < m.keys.length; i++) records.push((await this.replica.read(m.keys[i]!, partitions?.[i])).map(toWireSibling));
        return { type: REPLICA_REPLY.readBatch, payload: { records } };
      },
      OWNER,
    );
    r.register(
      REPLICA_MESSAGE.write,
      s.write,
      async (_from, m) => {
        checkKey(m.key, limits);
        const merged = await this.replica.apply(m.key, m.siblings.map(fromWireSibling), m.partition);
        return { type: REPLICA_REPLY.write, payload: { stored: merged.length } };
      },
      OWNER,
    );
    r.register(
      REPLICA_MESSAGE.writeBatch,
      s.writeBatch,
      async (_from, m) => {
        for (const e of m.entries) checkKey(e.key, limits);
        const merged = await this.replica.applyMany(
          m.entries.map((e) => ({ key: e.key, siblings: e.siblings.map(fromWireSibling), partition: e.partition })),
        );
        return { type: REPLICA_REPLY.writeBatch, payload: { stored: m.entries.map((e) => merged.get(e.key)?.length ?? 0) } };
      },
      OWNER,
    );
    r.register(
      REPLICA_MESSAGE.scan,
      s.scan,
      async (_from, m) => {
        if (m.after !== undefined) checkKey(m.after, limits);
        const page = await this.replica.scanPage(m.partition, m);
        const entries = page.entries.map((e) => ({ key: e.key, siblings: e.siblings.map(toWireSibling) }));
        return { type: REPLICA_REPLY.scan, payload: { entries, next: page.next } };
      },
      OWNER,
    );
    this.registered = true;
  }

  /** Unregisters the types (requests in flight finish). Idempotent. */
  async stop(): Promise<void> {
    if (!this.registered) return;
    for (const type of Object.values(REPLICA_MESSAGE)) this.router.unregister(type);
    this.registered = false;
  }
}

export const ReplicaServiceToken: ServiceIdentifier<ReplicaService> = Symbol.for('dynamis.ReplicaService');
