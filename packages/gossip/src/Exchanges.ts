import { DynamisError, type NodeId, type PeerRpc } from '@dynamis/core';
import { z } from 'zod';
import type { GossipState } from './GossipState';
import { encodeEntry, messageSchemas, PROBE, PROBE_REPLY, SYNC, SYNC_REPLY, type MessageSchemas } from './messages';
import type { GossipOptions } from './options';

const anything = z.unknown();
type Reply = { type: string; payload: unknown };

/**
 * The messages of one node, both ways: outbound exchanges over PeerRpc
 * (sync, indirect probe) and the inbound handlers. Every payload and reply
 * is checked here (count first, then the zod schema); refusals are counted
 * in the state's stats. Results that arrive after `generation()` changed
 * (the node stopped) are ignored. A request from a node, or a valid reply
 * from the node called, verifies it (GossipState.markVerified: the
 * transport authenticated its id), and what it says about itself is merged
 * as first-hand.
 */
export class Exchanges {
  private readonly schemas: MessageSchemas;

  constructor(
    private readonly self: NodeId,
    private readonly state: GossipState,
    private readonly rpc: PeerRpc,
    private readonly options: GossipOptions,
    private readonly generation: () => number,
  ) {
    this.schemas = messageSchemas(options.maxEntriesPerMessage);
  }

  /**
   * One push-pull `gossip.sync` with `to`; true if it answered as itself with
   * a valid reply (whose entries were merged, and `to` is then verified).
   * `ping` (a verification probe) carries only this node's own entry, so the
   * piggyback queue is not spent on a member that may not exist.
   */
  async sync(to: string, full: boolean, timeoutMs = this.options.probeTimeoutMs, ping = false): Promise<boolean> {
    const generation = this.generation();
    const entries = ping ? [this.state.view.self] : full ? this.state.fullView(to) : this.state.piggyback(to);
    const updates = entries.map(encodeEntry);
    let reply: unknown;
    try {
      reply = await this.rpc.call(to, SYNC, { updates, full }, { replySchema: anything, replyType: SYNC_REPLY, timeoutMs });
    } catch {
      return false;
    }
    if (generation !== this.generation()) return false;
    const parsed = this.parse(this.schemas.syncReply, reply);
    if (parsed === undefined) return false;
    if (parsed.from !== to) {
      this.state.stats.dropped['wrong-sender']++;
      return false;
    }
    this.state.mergeAll(parsed.updates, full, to);
    this.state.markVerified(to);
    return true;
  }

  /** Asks `helper` to probe `target` (`gossip.probe`, 2 × probeTimeoutMs); true if the helper reached it. */
  async indirect(helper: string, target: string): Promise<boolean> {
    const generation = this.generation();
    const payload = { target, updates: this.state.piggyback(helper).map(encodeEntry) };
    let reply: unknown;
    try {
      const timeoutMs = 2 * this.options.probeTimeoutMs;
      reply = await this.rpc.call(helper, PROBE, payload, { replySchema: anything, replyType: PROBE_REPLY, timeoutMs });
    } catch {
      return false;
    }
    if (generation !== this.generation()) return false;
    const parsed = this.parse(this.schemas.probeReply, reply);
    if (parsed === undefined) return false;
    const source = parsed.from === helper ? helper : undefined;
    this.state.mergeAll(parsed.updates, false, source);
    if (source !== undefined) this.state.markVerified(source);
    return source !== undefined && parsed.ok;
  }

  /** Handler of `gossip.sync`: merges, replies with piggyback (or, for `full`, what the requester lacks). PROTOCOL_ERROR when refused. */
  readonly onSync = async (from: NodeId, payload: unknown): Promise<Reply> => {
    const msg = this.parseOrThrow(this.schemas.sync, payload, from, SYNC);
    this.state.mergeAll(msg.updates, msg.full, from);
    this.state.markVerified(from);
    const updates = msg.full ? this.state.fullView(from, msg.updates) : this.state.piggyback(from, msg.updates);
    return { type: SYNC_REPLY, payload: { from: this.self, updates: updates.map(encodeEntry) } };
  };

  /** Handler of `gossip.probe`: merges, probes the target, says whether it answered. PROTOCOL_ERROR when refused. */
  readonly onProbe = async (from: NodeId, payload: unknown): Promise<Reply> => {
    const msg = this.parseOrThrow(this.schemas.probe, payload, from, PROBE);
    this.state.mergeAll(msg.updates, false, from);
    this.state.markVerified(from);
    const ok = msg.target !== this.self && (await this.sync(msg.target, false));
    return { type: PROBE_REPLY, payload: { from: this.self, ok, updates: this.state.piggyback(from, msg.updates).map(encodeEntry) } };
  };

  /** Parses a payload; undefined (counted) when it is refused. */
  private parse<S extends z.ZodType>(schema: S, value: unknown): z.output<S> | undefined {
    const updates = (value as { updates?: unknown } | null)?.updates;
    if (Array.isArray(updates) && updates.length > this.options.maxEntriesPerMessage) {
      this.state.stats.dropped['too-many-entries']++;
      return undefined;
    }
    const parsed = schema.safeParse(value);
    if (parsed.success) return parsed.data;
    this.state.stats.dropped['invalid-message']++;
    return undefined;
  }

  private parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, from: NodeId, type: string): z.output<S> {
    const parsed = this.parse(schema, value);
    if (parsed !== undefined) return parsed;
    throw new DynamisError('PROTOCOL_ERROR', `Invalid '${type}' message from ${from} (refused, counted)`, {
      details: { type, from, maxEntriesPerMessage: this.options.maxEntriesPerMessage },
    });
  }
}
