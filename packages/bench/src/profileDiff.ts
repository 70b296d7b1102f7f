import { summariseProfile, type CpuProfile } from './cpuProfile';

/** One function's self time in two profiles, in CPU µs per operation. */
export interface FrameDiff {
  readonly frame: string;
  readonly owner: string;
  readonly a: number;
  readonly b: number;
}

/**
 * Where `b` spends more CPU per operation than `a`: each function's self
 * time as its share of its profile's busy samples times that run's CPU µs
 * per operation (`aUsPerOp`, `bUsPerOp`), for every function busy in either
 * profile, largest b − a first (the top `count`), then the same by owner
 * (all of them). Idle samples are left out: the CPU per op counts none.
 * Pure.
 */
export function profileDiff(
  a: CpuProfile,
  aUsPerOp: number,
  b: CpuProfile,
  bUsPerOp: number,
  count: number,
): { frames: FrameDiff[]; owners: FrameDiff[] } {
  const all = Number.MAX_SAFE_INTEGER;
  const sa = summariseProfile(a, all);
  const sb = summariseProfile(b, all);
  type Sum = { -readonly [K in keyof FrameDiff]: FrameDiff[K] };
  const frames = new Map<string, Sum>();
  const owners = new Map<string, Sum>();
  const add = (into: Map<string, Sum>, key: string, owner: string, side: 'a' | 'b', us: number): void => {
    const d = into.get(key) ?? { frame: key, owner, a: 0, b: 0 };
    d[side] += us;
    into.set(key, d);
  };
  for (const [side, s, us] of [
    ['a', sa, aUsPerOp],
    ['b', sb, bUsPerOp],
  ] as const) {
    for (const f of s.frames) if (f.owner !== '(idle)') add(frames, f.frame, f.owner, side, f.busyShare * us);
    for (const o of s.owners) if (o.owner !== '(idle)') add(owners, o.owner, o.owner, side, o.busyShare * us);
  }
  const byGrowth = (x: FrameDiff, y: FrameDiff): number => y.b - y.a - (x.b - x.a);
  return { frames: [...frames.values()].sort(byGrowth).slice(0, count), owners: [...owners.values()].sort(byGrowth) };
}

/** profileDiff as Markdown lines: the functions, then the owners, each with a's and b's µs per op and the difference. */
export function profileDiffTable(
  a: CpuProfile,
  aUsPerOp: number,
  b: CpuProfile,
  bUsPerOp: number,
  count: number,
  names: { a: string; b: string },
): string[] {
  const { frames, owners } = profileDiff(a, aUsPerOp, b, bUsPerOp, count);
  const us = (x: number): string => x.toFixed(1);
  const lines = [
    `CPU µs per operation by self time: ${names.a} ${us(aUsPerOp)}, ${names.b} ${us(bUsPerOp)} (each profile's busy shares times its run's CPU per op)`,
    '',
    `| function (file:line) | owner | ${names.a} | ${names.b} | + |`,
    '| --- | --- | ---: | ---: | ---: |',
  ];
  for (const f of frames) lines.push(`| \`${f.frame}\` | ${f.owner} | ${us(f.a)} | ${us(f.b)} | ${us(f.b - f.a)} |`);
  lines.push('', `| owner | ${names.a} | ${names.b} | + |`, '| --- | ---: | ---: | ---: |');
  for (const o of owners) lines.push(`| ${o.owner} | ${us(o.a)} | ${us(o.b)} | ${us(o.b - o.a)} |`);
  return lines;
}
