import { execFile, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Prefix of every network namespace a runner creates: `dyn-chaos-<pid>-n<i>`. */
export const NS_PREFIX = 'dyn-chaos-';
/** The address of the bridge (the root namespace's side) in each run's /24. */
const BRIDGE_HOST = 254;

/** Runs `ip args`; rejects with its stderr. */
export async function ip(args: readonly string[]): Promise<string> {
  try {
    return (await run('ip', [...args], { timeout: 10_000 })).stdout;
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`ip ${args.join(' ')}: ${(e.stderr ?? '').trim() || e.message}`);
  }
}

/**
 * Why network namespaces cannot be used here, or null when they can: the
 * process must be root and `ip netns` must work (checked by creating and
 * deleting a throwaway namespace).
 */
export function netnsUnavailable(): string | null {
  if (typeof process.getuid === 'function' && process.getuid() !== 0) return 'not root (ip netns needs CAP_SYS_ADMIN)';
  const probe = `${NS_PREFIX}${process.pid}-probe`;
  try {
    execFileSync('ip', ['netns', 'add', probe], { stdio: 'pipe', timeout: 10_000 });
    execFileSync('ip', ['netns', 'del', probe], { stdio: 'pipe', timeout: 10_000 });
    return null;
  } catch (err) {
    return `ip netns does not work here: ${(err as Error).message.split('\n')[0]}`;
  }
}

const alive = (pid: number): boolean => existsSync(`/proc/${pid}`);

/**
 * Removes what runners that are no longer running left behind (a runner
 * killed -9 cannot clean up): every `dyn-chaos-<pid>-*` namespace and
 * `dc<pid36>b` bridge whose pid is dead (deleting a namespace deletes its
 * veth ends, and so their peers). Returns what it removed.
 */
export async function cleanupStale(): Promise<string[]> {
  const removed: string[] = [];
  const namespaces = (await ip(['netns', 'list'])).split('\n').map((l) => l.split(' ')[0]!);
  for (const ns of namespaces) {
    const m = new RegExp(`^${NS_PREFIX}(\\d+)-`).exec(ns);
    if (m === null || alive(Number(m[1]))) continue;
    await ip(['netns', 'del', ns]).catch(() => undefined);
    removed.push(`netns ${ns}`);
  }
  const links = (await ip(['-o', 'link', 'show', 'type', 'bridge'])).split('\n');
  for (const line of links) {
    const m = /^\d+: (dc([0-9a-z]+)b)[:@]/.exec(line);
    if (m === null || alive(parseInt(m[2]!, 36))) continue;
    await ip(['link', 'del', m[1]!]).catch(() => undefined);
    removed.push(`bridge ${m[1]}`);
  }
  return removed;
}

/** One node's place on the network. */
export interface NetNode {
  readonly index: number;
  readonly ns: string;
  readonly address: string;
  /** The veth end in the root namespace, enslaved to the bridge. */
  readonly hostVeth: string;
}

/**
 * A private network of `size` namespaces joined by veth pairs to a bridge in
 * the root namespace, which holds 10.77.k.254/24 (k: the first /24 of
 * 10.77.0.0/16 no route uses yet) so that processes of the root namespace
 * (the client load) reach every node at 10.77.k.i. Faults: a link cut
 * (`isolate`: the node's veth down, it reaches nobody and nobody reaches it)
 * and blackhole routes inside namespaces (`cut`: packets from a to b are
 * dropped, as a firewall DROP would). `destroy()` removes everything; it is
 * also safe to call after a partial `create()`.
 */
export class NetnsNetwork {
  readonly nodes: NetNode[] = [];
  private readonly tag = process.pid.toString(36);
  private readonly bridge = `dc${this.tag}b`;
  private readonly routes: Array<{ ns: string; dst: string }> = [];
  private readonly down = new Set<number>();
  private subnet = '';

  private constructor(private readonly size: number) {}

  /** Builds the network; rejects (after removing what it made) if any step fails. */
  static async create(size: number): Promise<NetnsNetwork> {
    const net = new NetnsNetwork(size);
    try {
      await net.build();
    } catch (err) {
      await net.destroy();
      throw err;
    }
    return net;
  }

  /** The address of the root namespace on this network. */
  get hostAddress(): string {
    return `${this.subnet}.${BRIDGE_HOST}`;
  }

  private async build(): Promise<void> {
    this.subnet = await freeSubnet();
    await ip(['link', 'add', this.bridge, 'type', 'bridge']);
    await ip(['addr', 'add', `${this.hostAddress}/24`, 'dev', this.bridge]);
    await ip(['link', 'set', this.bridge, 'up']);
    for (let i = 1; i <= this.size; i += 1) {
      const node: NetNode = {
        index: i,
        ns: `${NS_PREFIX}${process.pid}-n${i}`,
        address: `${this.subnet}.${i}`,
        hostVeth: `dc${this.tag}v${i}`,
      };
      const inner = `dc${this.tag}p${i}`;
      await ip(['netns', 'add', node.ns]);
      this.nodes.push(node);
      await ip(['link', 'add', node.hostVeth, 'type', 'veth', 'peer', 'name', inner]);
      await ip(['link', 'set', inner, 'netns', node.ns]);
      await ip(['link', 'set', node.hostVeth, 'master', this.bridge]);
      await ip(['link', 'set', node.hostVeth, 'up']);
      await ip(['-n', node.ns, 'link', 'set', 'lo', 'up']);
      await ip(['-n', node.ns, 'addr', 'add', `${node.address}/24`, 'dev', inner]);
      await ip(['-n', node.ns, 'link', 'set', inner, 'up']);
    }
  }

  /** Node `i` (1-based). */
  node(i: number): NetNode {
    const n = this.nodes[i - 1];
    if (n === undefined) throw new Error(`no node ${i}`);
    return n;
  }

  /** Cuts node `i`'s link: it reaches nobody, nobody (the client included) reaches it. */
  async isolate(i: number): Promise<void> {
    await ip(['link', 'set', this.node(i).hostVeth, 'down']);
    this.down.add(i);
  }

  /** Drops every packet between nodes `a` and `b`, both ways (blackhole routes in both namespaces); the client still reaches both. */
  async cut(a: number, b: number): Promise<void> {
    for (const [from, to] of [
      [a, b],
      [b, a],
    ] as const) {
      const route = { ns: this.node(from).ns, dst: `${this.node(to).address}/32` };
      await ip(['-n', route.ns, 'route', 'add', 'blackhole', route.dst]);
      this.routes.push(route);
    }
  }

  /** Brings every link up and removes every blackhole route. */
  async heal(): Promise<void> {
    for (const i of [...this.down]) {
      await ip(['link', 'set', this.node(i).hostVeth, 'up']);
      this.down.delete(i);
    }
    while (this.routes.length > 0) {
      const r = this.routes.pop()!;
      await ip(['-n', r.ns, 'route', 'del', 'blackhole', r.dst]).catch(() => undefined);
    }
  }

  /** Deletes the namespaces (and with them every veth pair) and the bridge. Never rejects. */
  async destroy(): Promise<void> {
    for (const n of this.nodes) await ip(['netns', 'del', n.ns]).catch(() => undefined);
    await ip(['link', 'del', this.bridge]).catch(() => undefined);
    this.nodes.length = 0;
  }

  /** destroy(), synchronously: for a process `exit` handler, where nothing asynchronous runs. */
  destroySync(): void {
    for (const n of this.nodes) {
      try {
        execFileSync('ip', ['netns', 'del', n.ns], { stdio: 'ignore', timeout: 10_000 });
      } catch {
        // already gone
      }
    }
    try {
      execFileSync('ip', ['link', 'del', this.bridge], { stdio: 'ignore', timeout: 10_000 });
    } catch {
      // already gone
    }
    this.nodes.length = 0;
  }
}

/** `10.77.k`: the first k whose /24 no route of the root namespace uses. */
async function freeSubnet(): Promise<string> {
  const routes = await ip(['-o', 'route', 'show']);
  for (let k = 0; k < 255; k += 1) {
    if (!routes.includes(`10.77.${k}.`)) return `10.77.${k}`;
  }
  throw new Error('no free /24 in 10.77.0.0/16');
}
