import { summariseProfile, type CpuProfile } from './cpuProfile';

/**
 * A profile's summary as Markdown lines: the idle share, the top `count`
 * frames by self time and the top 15 owners, as shares of the busy samples
 * (what profileTop.js and `--cpu-prof` print). Pure.
 */
export function profileTable(profile: CpuProfile, count: number): string[] {
  const { frames, owners, idleShare } = summariseProfile(profile, count);
  const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
  const busyOnly = (x: { owner: string }): boolean => x.owner !== '(idle)';
  const lines = [`idle: ${pct(idleShare)} of the samples; shares below are of the busy samples`, ''];
  lines.push('| self (busy) | function (file:line) | owner |', '| ---: | --- | --- |');
  for (const f of frames.filter(busyOnly)) lines.push(`| ${pct(f.busyShare)} | \`${f.frame}\` | ${f.owner} |`);
  lines.push('', '| self (busy) | owner |', '| ---: | --- |');
  for (const o of owners.filter(busyOnly).slice(0, 15)) lines.push(`| ${pct(o.busyShare)} | ${o.owner} |`);
  return lines;
}
