/**
 * The dashboard, one self-contained HTML document (inline CSS and script, no
 * external resource) served at `GET /`. Its script opens `events` (relative,
 * with the page's own query string, so `?token=` travels along) as an
 * EventSource and renders each DashboardSnapshot. The `data-testid`
 * attributes are a stable interface (the browser test and any scraper read
 * them): `node-id`, `conn`, `seq`, `members-up`, `member-<id>`,
 * `member-<id>-state`, `hints-total`, `hints-<target>-pending`, `ring`,
 * `ops-rate`, `lat-p50`, `lat-p99`, `chart-ops`, `chart-latency`,
 * `ae-rounds`, `ae-keys`, `ae-bytes`, `rebalance-state`.
 */
export const DASHBOARD_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Dynamis dashboard</title>
<style>
  body { font: 14px/1.4 system-ui, sans-serif; margin: 0; background: #f4f5f7; color: #222; }
  header { background: #1f2933; color: #fff; padding: 10px 16px; display: flex; gap: 16px; align-items: baseline; }
  header h1 { font-size: 18px; margin: 0; }
  main { display: grid; grid-template-columns: repeat(auto-fit, minmax(320px, 1fr)); gap: 12px; padding: 12px; }
  section { background: #fff; border-radius: 6px; padding: 10px 14px; box-shadow: 0 1px 2px #0002; }
  h2 { font-size: 14px; margin: 0 0 8px; text-transform: uppercase; letter-spacing: .05em; color: #52606d; }
  table { border-collapse: collapse; width: 100%; }
  td, th { text-align: left; padding: 3px 6px; border-bottom: 1px solid #e4e7eb; }
  .up { color: #2f855a; font-weight: 600; } .suspect { color: #b7791f; font-weight: 600; }
  .down, .left { color: #c53030; font-weight: 600; } .joining, .leaving { color: #2b6cb0; }
  .figure { font-size: 22px; font-weight: 600; } .muted { color: #7b8794; }
  .legend span { display: inline-block; margin-right: 10px; } .legend i { display: inline-block; width: 10px; height: 10px; margin-right: 4px; }
  svg.chart { width: 100%; height: 120px; background: #fafbfc; }
</style>
</head>
<body>
<header><h1>Dynamis</h1><span>node <b data-testid="node-id" id="node-id">?</b></span>
  <span data-testid="conn" id="conn">connecting</span><span class="muted">update <span data-testid="seq" id="seq">0</span></span></header>
<main>
  <section><h2>Ring</h2>
    <svg data-testid="ring" id="ring" viewBox="0 0 220 220" width="220" height="220"></svg>
    <div class="legend" id="legend"></div>
    <div class="muted">bright: partitions this node replicates; <span id="ring-info"></span></div></section>
  <section><h2>Members <span data-testid="members-up" id="members-up"></span> up</h2>
    <table><thead><tr><th>id</th><th>state</th><th>incarnation</th><th>for</th><th>address</th></tr></thead>
    <tbody id="members"></tbody></table></section>
  <section><h2>Pending hints</h2>
    <div>total <span class="figure" data-testid="hints-total" id="hints-total">-</span>
      <span class="muted">delivered <span id="hints-delivered">-</span>, dropped <span id="hints-dropped">-</span></span></div>
    <table><thead><tr><th>target</th><th>pending</th></tr></thead><tbody id="hints"></tbody></table></section>
  <section><h2>Operations</h2>
    <div><span class="figure" data-testid="ops-rate" id="ops-rate">0</span> ops/s,
      p50 <b data-testid="lat-p50" id="lat-p50">0</b> ms, p99 <b data-testid="lat-p99" id="lat-p99">0</b> ms</div>
    <svg class="chart" data-testid="chart-ops" id="chart-ops" viewBox="0 0 300 100" preserveAspectRatio="none"></svg>
    <svg class="chart" data-testid="chart-latency" id="chart-latency" viewBox="0 0 300 100" preserveAspectRatio="none"></svg>
    <div class="legend"><span><i style="background:#4e79a7"></i>ops/s</span><span><i style="background:#59a14f"></i>p50</span><span><i style="background:#e15759"></i>p99</span></div></section>
  <section><h2>Anti-entropy</h2>
    <div>rounds <b data-testid="ae-rounds" id="ae-rounds">-</b> (failed <span id="ae-failed">-</span>),
      keys repaired <b data-testid="ae-keys" id="ae-keys">-</b>, bytes <b data-testid="ae-bytes" id="ae-bytes">-</b></div></section>
  <section><h2>Rebalancing</h2>
    <div><b data-testid="rebalance-state" id="rebalance-state">-</b></div>
    <div class="muted" id="rebalance-detail"></div></section>
</main>
<script>
'use strict';
var COLORS = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];
var SVG = 'http://www.w3.org/2000/svg';
var ringHash = '';

function $(id) { return document.getElementById(id); }
function show(id, v) { $(id).textContent = String(v); }
function el(tag, attrs, text) {
  var e = tag === 'path' || tag === 'polyline' ? document.createElementNS(SVG, tag) : document.createElement(tag);
  Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); });
  if (text !== undefined) e.textContent = String(text);
  return e;
}
function round(x) { return x >= 100 ? Math.round(x) : Math.round(x * 10) / 10; }

function arc(a0, a1) {
  var r = 90, c = 110;
  var p = function (a) { return (c + r * Math.sin(a)).toFixed(2) + ' ' + (c - r * Math.cos(a)).toFixed(2); };
  return 'M ' + p(a0) + ' A ' + r + ' ' + r + ' 0 ' + (a1 - a0 > Math.PI ? 1 : 0) + ' 1 ' + p(a1);
}

function drawRing(ring) {
  if (ring.hash === ringHash) return;
  ringHash = ring.hash;
  var step = 2 * Math.PI / ring.partitions, paths = [];
  ring.owners.forEach(function (owner, i) {
    paths.push(el('path', { d: arc(i * step, (i + 1) * step), fill: 'none', 'stroke-width': ring.mine[i] ? 22 : 12,
      stroke: owner < 0 ? '#ccc' : COLORS[owner % COLORS.length], 'stroke-opacity': ring.mine[i] ? 1 : 0.35,
      'data-partition': i, 'data-owner': owner < 0 ? '' : ring.nodes[owner] }));
  });
  $('ring').replaceChildren.apply($('ring'), paths);
  $('legend').replaceChildren.apply($('legend'), ring.nodes.map(function (id, i) {
    var s = el('span', {}); s.appendChild(el('i', { style: 'background:' + COLORS[i % COLORS.length] })); s.append(id); return s;
  }));
  show('ring-info', ring.partitions + ' partitions, placement ' + ring.hash.slice(0, 8));
}

function drawMembers(members) {
  var up = members.filter(function (m) { return m.state === 'up'; }).length;
  show('members-up', up + '/' + members.length);
  $('members').replaceChildren.apply($('members'), members.map(function (m) {
    var tr = el('tr', { 'data-testid': 'member-' + m.id });
    tr.append(el('td', {}, m.id), el('td', { class: m.state, 'data-testid': 'member-' + m.id + '-state' }, m.state),
      el('td', {}, m.incarnation === undefined ? '-' : m.incarnation), el('td', {}, m.stateAgeSec + ' s'), el('td', {}, m.address));
    return tr;
  }));
}

function drawHints(h) {
  if (!h) { show('hints-total', 'n/a'); return; }
  show('hints-total', h.total); show('hints-delivered', h.delivered); show('hints-dropped', h.dropped);
  $('hints').replaceChildren.apply($('hints'), Object.keys(h.pending).sort().map(function (t) {
    var tr = el('tr', { 'data-testid': 'hints-' + t });
    tr.append(el('td', {}, t), el('td', { 'data-testid': 'hints-' + t + '-pending' }, h.pending[t]));
    return tr;
  }));
}

function chart(id, series) {
  var max = 1;
  series.forEach(function (s) { s.values.forEach(function (v) { max = Math.max(max, v); }); });
  $(id).replaceChildren.apply($(id), series.map(function (s) {
    var pts = s.values.map(function (v, i) { return (i * 300 / 59).toFixed(1) + ',' + (100 - 95 * v / max).toFixed(1); });
    return el('polyline', { points: pts.join(' '), fill: 'none', stroke: s.color, 'stroke-width': 2, 'vector-effect': 'non-scaling-stroke' });
  }));
}

function render(s) {
  show('node-id', s.node); show('seq', s.seq); show('conn', 'live');
  if (s.ring) drawRing(s.ring);
  drawMembers(s.members);
  drawHints(s.hints);
  show('ops-rate', round(s.ops.totalPerSec)); show('lat-p50', round(s.ops.p50Ms)); show('lat-p99', round(s.ops.p99Ms));
  chart('chart-ops', [{ color: '#4e79a7', values: s.history.map(function (p) { return p.opsPerSec; }) }]);
  chart('chart-latency', [{ color: '#59a14f', values: s.history.map(function (p) { return p.p50Ms; }) },
    { color: '#e15759', values: s.history.map(function (p) { return p.p99Ms; }) }]);
  if (s.antiEntropy) {
    show('ae-rounds', s.antiEntropy.rounds); show('ae-failed', s.antiEntropy.failedRounds);
    show('ae-keys', s.antiEntropy.keysRepaired); show('ae-bytes', s.antiEntropy.bytes);
  }
  var r = s.rebalance;
  if (r) {
    show('rebalance-state', r.settled ? 'settled' : 'not settled');
    show('rebalance-detail', 'pending ' + r.pending + ', streaming ' + r.streaming + ', done ' + r.done + ', to drop ' + r.toDrop +
      ', moved ' + r.keysMoved + ' keys / ' + r.bytesMoved + ' bytes');
  } else show('rebalance-state', 'n/a');
}

var events = new EventSource('events' + location.search);
events.onmessage = function (e) { render(JSON.parse(e.data)); };
events.onerror = function () { show('conn', 'reconnecting'); };
</script>
</body>
</html>
`;
