/** The parts of a V8 .cpuprofile (node --cpu-prof) that the summary reads. */
export interface CpuProfile {
  readonly nodes: readonly {
    readonly id: number;
    readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  }[];
  readonly samples: readonly number[];
}

/** One function's self time: the share of samples in which it was the running frame. */
export interface FrameShare {
  /** `name (where:line)`; where is the file path from `packages/` or `node_modules/` on, or the url as is. */
  readonly frame: string;
  /** The code's owner: a package (@dynamis/x, a node_modules package), 'node' (node: internals), or the V8 category ('(garbage collector)', '(program)', '(idle)'). */
  readonly owner: string;
  /** Of all samples. */
  readonly share: number;
  /** Of the samples in which the thread was busy (all but '(idle)'): where the CPU time went. NaN for '(idle)' itself. */
  readonly busyShare: number;
}

const IDLE = '(idle)';

/** The owner and short location of a script url. */
function where(url: string): { owner: string; file: string } {
  const pkg = /\/packages\/([^/]+)\/(.*)$/.exec(url);
  if (pkg !== null) return { owner: `@dynamis/${pkg[1]}`, file: `${pkg[1]}/${pkg[2]}` };
  const mod = /.*\/node_modules\/((?:@[^/]+\/)?[^/]+)\/(.*)$/.exec(url);
  if (mod !== null) return { owner: mod[1]!, file: `${mod[1]}/${mod[2]}` };
  if (url.startsWith('node:')) return { owner: 'node', file: url };
  return { owner: url === '' ? '' : url, file: url };
}

/**
 * Self time by function and by owner, as shares of all samples, largest
 * first (top `n` functions), each also as a share of the busy (non-idle)
 * samples. Frames without a url are V8's categories ('(garbage collector)',
 * '(program)', '(idle)') and count as their own owner. '(idle)' is the
 * thread waiting in the event loop — for I/O, or, on an overloaded machine,
 * for a CPU to run on.
 * Pure; an empty profile gives empty lists.
 */
export function summariseProfile(
  profile: CpuProfile,
  n: number,
): { frames: FrameShare[]; owners: { owner: string; share: number; busyShare: number }[]; idleShare: number } {
  const hits = new Map<number, number>();
  for (const id of profile.samples) hits.set(id, (hits.get(id) ?? 0) + 1);
  const total = profile.samples.length;
  const byFrame = new Map<string, { owner: string; count: number }>();
  const byOwner = new Map<string, number>();
  for (const node of profile.nodes) {
    const count = hits.get(node.id) ?? 0;
    if (count === 0) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    const w = where(url);
    const owner = url === '' ? functionName || '(anonymous)' : w.owner;
    const frame = url === '' ? functionName : `${functionName || '(anonymous)'} (${w.file}:${lineNumber + 1})`;
    const f = byFrame.get(frame) ?? { owner, count: 0 };
    f.count += count;
    byFrame.set(frame, f);
    byOwner.set(owner, (byOwner.get(owner) ?? 0) + count);
  }
  const idle = byOwner.get(IDLE) ?? 0;
  const busy = (count: number, owner: string): number => (owner === IDLE ? NaN : count / (total - idle));
  const frames = [...byFrame.entries()]
    .map(([frame, f]) => ({ frame, owner: f.owner, share: f.count / total, busyShare: busy(f.count, f.owner) }))
    .sort((a, b) => b.share - a.share)
    .slice(0, n);
  const owners = [...byOwner.entries()]
    .map(([owner, c]) => ({ owner, share: c / total, busyShare: busy(c, owner) }))
    .sort((a, b) => b.share - a.share);
  return { frames, owners, idleShare: total === 0 ? 0 : idle / total };
}
