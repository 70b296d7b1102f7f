/** Series colours, in order (colour-blind-safe, Okabe–Ito). */
const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#D55E00', '#CC79A7', '#56B4E9', '#F0E442', '#000000'];

const W = 640;
const H = 320;
const M = { top: 36, right: 16, bottom: 84, left: 64 };
/** Legend entries per row, and the height a further row adds. */
const LEGEND_PER_ROW = 3;
const LEGEND_ROW = 16;
/** Approximate width of one character of the 11 px labels, for wrapping. */
const CHAR_PX = 6.2;
const PLOT_W = W - M.left - M.right;
const PLOT_H = H - M.top - M.bottom;

/** Text safe inside SVG/HTML element content and attribute values. */
export function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** A coordinate with one decimal (fixed, so the same figures give the same bytes). */
const c = (v: number): string => (Math.round(v * 10) / 10).toFixed(1);

/** A figure as a label: an integer as it is, else up to 3 significant digits, no exponent. */
export function label(v: number): string {
  if (Number.isInteger(v) && Math.abs(v) < 1e15) return String(v);
  const a = Math.abs(v);
  if (a >= 100) return v.toFixed(0);
  if (a >= 10) return v.toFixed(1);
  if (a >= 1) return v.toFixed(2);
  return v.toPrecision(2);
}

/** A "nice" axis maximum ≥ `max` (1, 2, 2.5 or 5 × 10^k); 1 when max ≤ 0. */
export function niceMax(max: number): number {
  if (!(max > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(max));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= max) return m * p;
  return 10 * p;
}

/**
 * `text` in lines of at most `maxChars` characters, broken at spaces (a
 * longer word stays whole), at most `maxLines` lines, the last one ending
 * in … when text was left out.
 */
export function wrapLabel(text: string, maxChars: number, maxLines = 3): string[] {
  const lines: string[] = [];
  for (const word of text.split(/\s+/).filter((w) => w !== '')) {
    const last = lines[lines.length - 1];
    if (last !== undefined && last.length + 1 + word.length <= maxChars) lines[lines.length - 1] = `${last} ${word}`;
    else lines.push(word);
  }
  if (lines.length <= maxLines) return lines;
  const kept = lines.slice(0, maxLines);
  kept[maxLines - 1] = `${kept[maxLines - 1]}…`;
  return kept;
}

/** A centred label under the plot at `x`, wrapped to `width` px. */
function xLabel(x: number, width: number, text: string): string {
  const lines = wrapLabel(text, Math.max(4, Math.floor(width / CHAR_PX)));
  const spans = lines.map((l, i) => `<tspan x="${c(x)}" dy="${i === 0 ? 0 : 12}">${escapeXml(l)}</tspan>`).join('');
  return `<text x="${c(x)}" y="${M.top + PLOT_H + 16}" text-anchor="middle">${spans}</text>`;
}

function frame(title: string, yLabel: string, yMax: number, body: string[], legend: readonly string[]): string {
  const height = H + Math.max(0, Math.ceil(legend.length / LEGEND_PER_ROW) - 1) * LEGEND_ROW;
  const out = [
    `<svg viewBox="0 0 ${W} ${height}" width="${W}" height="${height}" role="img" aria-label="${escapeXml(title)}">`,
    `<text x="${W / 2}" y="20" text-anchor="middle" class="title">${escapeXml(title)}</text>`,
    `<text x="14" y="${c(M.top + PLOT_H / 2)}" text-anchor="middle" transform="rotate(-90 14 ${c(M.top + PLOT_H / 2)})">${escapeXml(yLabel)}</text>`,
  ];
  for (let k = 0; k <= 4; k++) {
    const y = M.top + PLOT_H - (PLOT_H * k) / 4;
    out.push(`<line x1="${M.left}" y1="${c(y)}" x2="${W - M.right}" y2="${c(y)}" class="grid"/>`);
    out.push(`<text x="${M.left - 6}" y="${c(y + 4)}" text-anchor="end">${label((yMax * k) / 4)}</text>`);
  }
  out.push(...body);
  legend.forEach((name, i) => {
    const x = M.left + (i % LEGEND_PER_ROW) * (PLOT_W / LEGEND_PER_ROW);
    const y = H - 18 + Math.floor(i / LEGEND_PER_ROW) * LEGEND_ROW;
    out.push(`<rect x="${c(x)}" y="${y}" width="10" height="10" fill="${PALETTE[i % PALETTE.length]}"/>`);
    out.push(`<text x="${c(x + 14)}" y="${y + 9}">${escapeXml(name)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n');
}

/** One series of values per group, drawn as side-by-side bars. */
export interface BarSeries {
  readonly name: string;
  /** One value per group; null: not measured (no bar, "n/a" written). */
  readonly values: readonly (number | null)[];
}

/**
 * Pure: a bar chart (grouped when several series) of `groups` along x, each
 * bar labelled with its value. Same input, same bytes.
 */
export function barChart(title: string, yLabel: string, groups: readonly string[], series: readonly BarSeries[]): string {
  const yMax = niceMax(Math.max(0, ...series.flatMap((s) => s.values.map((v) => v ?? 0))));
  const slot = PLOT_W / Math.max(1, groups.length);
  const bar = (slot * 0.8) / Math.max(1, series.length);
  const body: string[] = [];
  groups.forEach((g, gi) => {
    const x0 = M.left + gi * slot + slot * 0.1;
    body.push(xLabel(M.left + gi * slot + slot / 2, slot - 4, g));
    series.forEach((s, si) => {
      const v = s.values[gi] ?? null;
      const x = x0 + si * bar;
      if (v === null) {
        body.push(`<text x="${c(x + bar / 2)}" y="${M.top + PLOT_H - 4}" text-anchor="middle" class="value">n/a</text>`);
        return;
      }
      const h = (PLOT_H * v) / yMax;
      const y = M.top + PLOT_H - h;
      body.push(`<rect x="${c(x)}" y="${c(y)}" width="${c(bar - 2)}" height="${c(h)}" fill="${PALETTE[si % PALETTE.length]}"/>`);
      body.push(`<text x="${c(x + bar / 2)}" y="${c(y - 4)}" text-anchor="middle" class="value">${label(v)}</text>`);
    });
  });
  return frame(title, yLabel, yMax, body, series.length > 1 ? series.map((s) => s.name) : []);
}

/** One line: points (x, y) in x order. */
export interface LineSeries {
  readonly name: string;
  readonly points: readonly (readonly [number, number])[];
}

/**
 * Pure: a line chart with a linear x axis over the points' x values (ticks
 * at each distinct x) and a y axis from 0 to `yMax` (or a nice maximum of
 * the data when undefined); a marker at each point. Same input, same bytes.
 */
export function lineChart(title: string, xLabel: string, yLabel: string, series: readonly LineSeries[], yMax?: number): string {
  const xs = [...new Set(series.flatMap((s) => s.points.map((p) => p[0])))].sort((a, b) => a - b);
  const xMin = xs[0] ?? 0;
  const xSpan = Math.max(1e-9, (xs[xs.length - 1] ?? 1) - xMin);
  const top = yMax ?? niceMax(Math.max(0, ...series.flatMap((s) => s.points.map((p) => p[1]))));
  const px = (x: number): number => M.left + ((x - xMin) / xSpan) * PLOT_W;
  const py = (y: number): number => M.top + PLOT_H - (PLOT_H * y) / top;
  const body: string[] = xs.map((x) => `<text x="${c(px(x))}" y="${M.top + PLOT_H + 16}" text-anchor="middle">${label(x)}</text>`);
  body.push(`<text x="${M.left + PLOT_W / 2}" y="${M.top + PLOT_H + 32}" text-anchor="middle">${escapeXml(xLabel)}</text>`);
  series.forEach((s, i) => {
    const colour = PALETTE[i % PALETTE.length]!;
    const d = s.points.map((p, k) => `${k === 0 ? 'M' : 'L'}${c(px(p[0]))},${c(py(p[1]))}`).join(' ');
    body.push(`<path d="${d}" fill="none" stroke="${colour}" stroke-width="2"/>`);
    for (const p of s.points) {
      body.push(
        `<circle cx="${c(px(p[0]))}" cy="${c(py(p[1]))}" r="3" fill="${colour}"><title>${escapeXml(`${s.name}: t=${label(p[0])} → ${label(p[1])}`)}</title></circle>`,
      );
    }
  });
  return frame(
    title,
    yLabel,
    top,
    body,
    series.map((s) => s.name),
  );
}
