// Prints the top frames by self time of a V8 CPU profile (node --cpu-prof):
//   node packages/bench/dist/profileTop.js <file.cpuprofile> [count=15]
// as a Markdown table, then the self time by owner (package, node internals, GC).
import { readFileSync } from 'node:fs';
import { summariseProfile, type CpuProfile } from './cpuProfile';

const [file, count] = process.argv.slice(2);
if (file === undefined) {
  process.stderr.write('usage: node profileTop.js <file.cpuprofile> [count]\n');
  process.exit(2);
}
const { frames, owners, idleShare } = summariseProfile(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile, Number(count ?? 15));
const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
const busyOnly = (x: { owner: string }): boolean => x.owner !== '(idle)';
const lines = [`idle: ${pct(idleShare)} of the samples; shares below are of the busy samples`, ''];
lines.push('| self (busy) | function (file:line) | owner |', '| ---: | --- | --- |');
for (const f of frames.filter(busyOnly)) lines.push(`| ${pct(f.busyShare)} | \`${f.frame}\` | ${f.owner} |`);
lines.push('', '| self (busy) | owner |', '| ---: | --- |');
for (const o of owners.filter(busyOnly).slice(0, 15)) lines.push(`| ${pct(o.busyShare)} | ${o.owner} |`);
process.stdout.write(`${lines.join('\n')}\n`);
