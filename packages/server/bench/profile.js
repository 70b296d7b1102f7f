#!/usr/bin/env node
/* eslint-disable */
// Profiling driver for the node's request path (issue 10). Not a test, not the
// product bench (that is packages/bench): a quick, repeatable way to see where a
// node spends its CPU. Runs against the built code (npm run build first).
//
//   node packages/server/bench/profile.js [--nodes 1|3] [--engine memory|lsm]
//        [--ops 40000] [--inflight 64] [--value 100] [--rounds 3] [--phase put|get|both] [--cpu-prof DIR]
//
// Starts 1 node (coordinator local) or 3 nodes (coordinator quorum, N=3 W=2 R=2)
// as child processes of packages/server/dist/main.js, drives them with
// DynamisClient (one client per node, `inflight` requests in flight in all),
// first `ops` puts of `value`-byte values on `ops/4` keys, then `ops` gets, and
// prints per phase: ops/s, CPU µs per op of the node(s) (/proc/<pid>/stat) and
// of this client process (process.cpuUsage). With --cpu-prof DIR the nodes run
// under `node --cpu-prof` and, after a graceful stop, the top self-time frames of
// each profile are printed (see summarise()).
'use strict';
const { spawn } = require('node:child_process');
const { mkdtempSync, rmSync, readFileSync, readdirSync, mkdirSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { createServer } = require('node:net');
const { DynamisClient } = require('@dynamis/client');

const ROOT = join(__dirname, '..', '..', '..');
const MAIN = join(ROOT, 'packages', 'server', 'dist', 'main.js');
const TOKEN = 'bench-client-token-0123456789';
const SECRET = 'bench-cluster-secret-0123456789';
const TICKS = 100; // getconf CLK_TCK on Linux

function args() {
  const out = { nodes: 1, engine: 'memory', ops: 40000, inflight: 64, value: 100, rounds: 3, cpuProf: undefined, top: 25, phase: 'both' };
  const a = process.argv.slice(2);
  for (let i = 0; i < a.length; i += 2) {
    const k = a[i].replace(/^--/, '');
    const v = a[i + 1];
    if (k === 'cpu-prof') out.cpuProf = v;
    else if (k === 'engine') out.engine = v;
    else if (k === 'phase') {
      if (!['put', 'get', 'both'].includes(v)) throw new Error(`--phase must be put, get or both, got ${v}`);
      out.phase = v;
    }
    else if (k in out) out[k] = Number(v);
    else throw new Error(`unknown flag ${a[i]}`);
  }
  return out;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = srv.address().port;
      srv.close(() => resolve(port));
    });
  });
}

function startNode(id, port, flags, dir, cpuProf) {
  const nodeArgs = cpuProf === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', join(cpuProf, id)];
  if (cpuProf !== undefined) mkdirSync(join(cpuProf, id), { recursive: true });
  const child = spawn(
    process.execPath,
    [...nodeArgs, MAIN, '--node-id', id, '--host', '127.0.0.1', '--port', String(port), '--data-dir', join(dir, id), '--log-level', 'error', ...flags],
    { cwd: ROOT, env: { ...process.env, DYNAMIS_SECRET: SECRET, DYNAMIS_CLIENT_TOKEN: TOKEN }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  const exited = new Promise((resolve) => child.once('exit', (code, sig) => resolve(code ?? sig)));
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (d) => {
      out += d;
      const m = /listening on (ws:\/\/\S+)/.exec(out);
      if (m !== null) resolve({ id, child, address: m[1], exited });
    });
    exited.then((code) => reject(new Error(`node ${id} exited ${code}: ${err}`)));
  });
}

/**
 * Starts the nodes on ports that were free a moment ago; if one exits before
 * listening (another process took its port meanwhile), stops the others and
 * tries again with fresh ports, at most 3 times.
 */
async function startNodes(ids, o, dir) {
  for (let attempt = 1; ; attempt++) {
    const ports = [];
    for (const _ of ids) ports.push(await freePort());
    const peers = ids.flatMap((id, i) => ['--peer', `${id}@127.0.0.1:${ports[i]}`]);
    const flags = ['--engine', o.engine, ...(o.nodes === 1 ? [] : ['--coordinator', 'quorum', ...peers, '--replication', '3,2,2'])];
    const starting = ids.map((id, i) => startNode(id, ports[i], flags, dir, o.cpuProf));
    const settled = await Promise.allSettled(starting);
    if (settled.every((r) => r.status === 'fulfilled')) return settled.map((r) => r.value);
    for (const r of settled) if (r.status === 'fulfilled') r.value.child.kill('SIGKILL');
    await Promise.all(settled.filter((r) => r.status === 'fulfilled').map((r) => r.value.exited));
    const why = settled.find((r) => r.status === 'rejected').reason;
    if (attempt >= 3) throw why;
    console.error(`starting the nodes failed (${String(why.message).split('\n')[0]}); retrying with fresh ports`);
  }
}

/** utime + stime of `pid`, in µs. */
function cpuOf(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1e6) / TICKS;
}

async function phase(name, clients, nodes, o, op) {
  let next = 0;
  const total = o.ops;
  const nodeCpu0 = nodes.map((n) => cpuOf(n.child.pid));
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const worker = async (w) => {
    const client = clients[w % clients.length];
    for (;;) {
      const i = next++;
      if (i >= total) return;
      await op(client, i);
    }
  };
  await Promise.all(Array.from({ length: o.inflight }, (_, w) => worker(w)));
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  const nodeCpu = nodes.reduce((sum, n, i) => sum + cpuOf(n.child.pid) - nodeCpu0[i], 0);
  return { name, opsPerSec: total / secs, nodeUsPerOp: nodeCpu / total, clientUsPerOp: (cpu.user + cpu.system) / total };
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Top self-time frames of one .cpuprofile: [share %, ms, "fn url:line"]. */
function summarise(file, top) {
  const prof = JSON.parse(readFileSync(file, 'utf8'));
  const dt = (prof.endTime - prof.startTime) / Math.max(1, prof.samples.length) / 1000;
  const byNode = new Map(prof.nodes.map((n) => [n.id, n]));
  const self = new Map();
  const files = new Map();
  const counts = new Map();
  for (const s of prof.samples) counts.set(s, (counts.get(s) ?? 0) + 1);
  let all = 0;
  for (const [id, c] of counts) {
    const f = byNode.get(id).callFrame;
    const url = f.url.replace(/^file:\/\//, '').replace(ROOT + '/', '');
    const name = `${f.functionName || '(anonymous)'} ${url}:${f.lineNumber + 1}`;
    self.set(name, (self.get(name) ?? 0) + c);
    const file = url === '' ? f.functionName : url.replace(/^node_modules\/([^/]+)\/.*/, 'node_modules/$1');
    files.set(file, (files.get(file) ?? 0) + c);
    all += c;
  }
  const idle = self.get('(idle) :0') ?? 0;
  const rank = (m) =>
    [...m.entries()]
      .filter(([n]) => n !== '(idle) :0' && n !== '(idle)')
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([n, c]) => [((100 * c) / (all - idle)).toFixed(1), (c * dt).toFixed(0), n]);
  return {
    busy: (all - idle) * dt,
    files: rank(files),
    frames: [...self.entries()]
      .filter(([n]) => n !== '(idle) :0')
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([n, c]) => [((100 * c) / (all - idle)).toFixed(1), (c * dt).toFixed(0), n]),
  };
}

async function main() {
  const o = args();
  const dir = mkdtempSync(join(tmpdir(), 'dynamis-profile-'));
  const ids = o.nodes === 1 ? ['n1'] : ['n1', 'n2', 'n3'];
  const nodes = await startNodes(ids, o, dir);
  const clients = [];
  for (const n of nodes) clients.push(await DynamisClient.connect({ nodes: [n.address], token: TOKEN, timeoutMs: 30000, retries: 0 }));
  const value = new Uint8Array(o.value).fill(7);
  const keys = Math.max(1, Math.floor(o.ops / 4));
  const put = (c, i) => c.put(`key-${i % keys}`, value);
  const get = (c, i) => c.get(`key-${i % keys}`);
  // cluster: wait until every node sees the others (membership), by retrying a put
  for (let tries = 0; ; tries++) {
    try {
      await Promise.all(clients.map((c) => c.put('warm', value)));
      break;
    } catch (err) {
      if (tries > 200) throw err;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  await phase('warmup', clients, nodes, { ...o, ops: Math.min(o.ops, 5000) }, put);
  const results = { put: [], get: [] };
  for (let r = 0; r < o.rounds; r++) {
    if (o.phase !== 'get' || r === 0) results.put.push(await phase('put', clients, nodes, o, put));
    if (o.phase !== 'put') results.get.push(await phase('get', clients, nodes, o, get));
  }
  const label = `${o.nodes} node(s), engine-${o.engine}, ${o.inflight} in flight, ${o.value}-byte values, ${o.ops} ops/round`;
  console.log(`# ${label}; medians of ${o.rounds} rounds`);
  console.log('| op | ops/s | node CPU µs/op (sum of nodes) | client CPU µs/op | runs (ops/s) |');
  console.log('|---|---:|---:|---:|---|');
  for (const name of ['put', 'get']) {
    const rs = results[name];
    if (rs.length === 0) continue;
    const m = (f) => median(rs.map(f));
    console.log(
      `| ${name} | ${m((r) => r.opsPerSec).toFixed(0)} | ${m((r) => r.nodeUsPerOp).toFixed(1)} | ${m((r) => r.clientUsPerOp).toFixed(1)} | ${rs.map((r) => r.opsPerSec.toFixed(0)).join(', ')} |`,
    );
  }
  for (const c of clients) await c.close();
  for (const n of nodes) n.child.kill('SIGTERM');
  await Promise.all(nodes.map((n) => n.exited));
  if (o.cpuProf !== undefined) {
    for (const id of ids) {
      const d = join(o.cpuProf, id);
      for (const f of readdirSync(d).filter((x) => x.endsWith('.cpuprofile'))) {
        printProfile(id, join(d, f), o.top);
      }
    }
  }
  rmSync(dir, { recursive: true, force: true });
}

function printProfile(title, file, top) {
  const s = summarise(file, top);
  console.log(`\n## ${title}: top self-time frames (${file}; ${s.busy.toFixed(0)} ms busy)`);
  console.log('| share of busy | ms | frame |\n|---:|---:|---|');
  for (const [share, ms, name] of s.frames) console.log(`| ${share}% | ${ms} | ${name} |`);
  console.log(`\n## ${title}: self time by file / package\n| share of busy | ms | file |\n|---:|---:|---|`);
  for (const [share, ms, name] of s.files) console.log(`| ${share}% | ${ms} | ${name} |`);
}

// `--summarise FILE [TOP]`: only print the summary of an existing .cpuprofile.
const run = process.argv[2] === '--summarise' ? async () => printProfile('profile', process.argv[3], Number(process.argv[4] ?? 25)) : main;
run().catch((err) => {
  console.error(err);
  process.exit(1);
});
