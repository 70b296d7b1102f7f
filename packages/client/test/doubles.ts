import { DynamisError, type Clock, type Envelope, type Random, type Timer } from '@dynamis/core';
import { notSent, type Connector, type Link } from '../src/Link';

/**
 * Test doubles for the client's unit tests:
 * a scripted cluster of fake nodes behind a Connector, and a clock that
 * records sleeps and never waits.
 */
export type NodeScript = (msg: Envelope) => Envelope | Promise<Envelope>;

export class FakeCluster {
  /** Every request that reached a node, in order. */
  readonly sent: Array<{ node: string; type: string; payload: unknown }> = [];
  readonly connects: string[] = [];
  readonly down = new Set<string>();
  readonly refuseToken = new Set<string>();
  private readonly scripts = new Map<string, NodeScript>();
  private readonly links: Array<[string, FakeLink]> = [];

  /** `node` answers with `script` (a throw becomes the error reply). */
  on(node: string, script: NodeScript): this {
    this.scripts.set(node, script);
    return this;
  }

  readonly connector: Connector = async (node) => {
    this.connects.push(node);
    if (this.refuseToken.has(node)) throw new DynamisError('UNAUTHORIZED', `node refused the client`);
    if (this.down.has(node)) throw notSent(node, 'cannot connect: ECONNREFUSED');
    const link = new FakeLink(node, this);
    this.links.push([node, link]);
    return link;
  };

  /** `node` goes down: its open links drop and new connections are refused. */
  kill(node: string): void {
    this.down.add(node);
    for (const [n, link] of this.links) if (n === node) link.isOpen = false;
  }

  /** @internal */
  async serve(node: string, msg: Envelope): Promise<Envelope> {
    this.sent.push({ node, type: msg.type, payload: msg.payload });
    const script = this.scripts.get(node);
    if (script === undefined) throw new DynamisError('UNAVAILABLE', `${node} has no script`);
    return script(msg);
  }
}

class FakeLink implements Link {
  isOpen = true;
  constructor(
    private readonly node: string,
    private readonly cluster: FakeCluster,
  ) {}

  request(msg: Envelope): Promise<Envelope> {
    if (!this.isOpen) return Promise.reject(notSent(this.node, 'connection lost before sending'));
    return this.cluster.serve(this.node, msg);
  }

  async close(): Promise<void> {
    this.isOpen = false;
  }
}

/** Sleeps resolve at once and are recorded; timers never fire. */
export class RecordingClock implements Clock {
  readonly sleeps: number[] = [];
  now(): number {
    return 0;
  }
  monotonic(): number {
    return 0;
  }
  setTimer(): Timer {
    return { cancel: () => undefined };
  }
  async sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
  }
}

/** Always returns `value`. */
export const fixedRandom = (value: number): Random => ({ next: () => value, int: (bound) => Math.floor(value * bound) });

export const writeReply = (type: string, acks = 1): Envelope => ({ type, payload: { context: Uint8Array.of(acks), acks } });
