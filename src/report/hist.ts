// The seed's "Metric Distributions" figure: one row per run, one column per metric, each panel a
// Gaussian-smoothed request-count histogram (log x when its data span > 20×) with mean,
// median, p25, p75 and p99 marked. Each panel has its own x range, as in the seed (the CDFs share theirs).
import { mean, quantileSorted } from 'd3-array';
import { area, curveMonotoneX, line } from 'd3-shape';
import { domainOf, makeScale, ticksFor, wantsLog, xAxisSvg, yAxisSvg, type Box } from './axes.ts';
import { esc, short } from './text.ts';

export interface HistColumn {
  /** data-metric attribute, e.g. "ttft". */
  id: string;
  title: string;
}

export interface HistRow {
  label: string;
  color: string;
  /** One array of finite values per column, in the column's unit. */
  values: readonly (readonly number[])[];
}

type Marker = { id: 'mean' | 'median' | 'p25' | 'p75' | 'p99'; label: string; color: string; dash: string };
const MARKERS: Marker[] = [
  { id: 'mean', label: 'mean', color: '#d62728', dash: '2 2' },
  { id: 'median', label: 'median', color: '#2ca02c', dash: '2 2' },
  { id: 'p25', label: 'p25', color: '#8a8a8a', dash: '5 3' },
  { id: 'p75', label: 'p75', color: '#8a8a8a', dash: '5 3' },
  { id: 'p99', label: 'p99', color: '#333333', dash: '6 2 1 2' },
];

/** Bin edges over `domain`: geometric on a log axis, even otherwise. */
export function binEdges(domain: [number, number], bins: number, log: boolean): number[] {
  const [lo, hi] = domain;
  return Array.from({ length: bins + 1 }, (_, i) => (log ? lo * (hi / lo) ** (i / bins) : lo + ((hi - lo) * i) / bins));
}

/** Request counts per bin, smoothed by a Gaussian of `sigma` bins (mass past the ends is dropped, like numpy's 'same'). */
export function smoothedCounts(values: readonly number[], edges: readonly number[], log: boolean, sigma = 1): number[] {
  const bins = edges.length - 1;
  const f = log ? Math.log : (v: number) => v;
  const lo = f(edges[0]);
  const span = f(edges[bins]) - lo;
  const counts = new Array<number>(bins).fill(0);
  for (const v of values) {
    if (!Number.isFinite(v) || (log && v <= 0)) continue;
    const i = Math.floor(((f(v) - lo) / span) * bins);
    if (i >= 0 && i <= bins) counts[Math.min(i, bins - 1)]++;
  }
  if (sigma <= 0) return counts;
  const radius = Math.max(1, Math.round(3 * sigma));
  const kernel = Array.from({ length: 2 * radius + 1 }, (_, k) => Math.exp(-0.5 * ((k - radius) / sigma) ** 2));
  const ksum = kernel.reduce((a, b) => a + b, 0);
  return counts.map((_, i) => {
    let acc = 0;
    for (let k = -radius; k <= radius; k++) if (i + k >= 0 && i + k < bins) acc += counts[i + k] * kernel[k + radius];
    return acc / ksum;
  });
}

/** Mean and quantiles of the finite values (NaN when empty). */
export function markerValues(values: readonly number[]): Record<Marker['id'], number> {
  const v = values.filter(Number.isFinite).slice().sort((a, b) => a - b);
  const q = (p: number) => quantileSorted(v, p) ?? NaN;
  return { mean: mean(v) ?? NaN, median: q(0.5), p25: q(0.25), p75: q(0.75), p99: q(0.99) };
}

/** Bins for n values: about 2√n, 30 to 200 (the seed plots 200 bins of 10,000 requests). */
export const binsFor = (n: number) => Math.max(30, Math.min(200, Math.round(2 * Math.sqrt(n))));

const W = 380;
const H = 222;
/** Legend cells: mean, median, p99 on the first row, p25 and p75 under them. */
const LEGEND_ORDER: Marker['id'][] = ['mean', 'median', 'p99', 'p25', 'p75'];

function panel(row: HistRow, col: HistColumn, values: readonly number[]): string {
  const box: Box = { left: 50, right: W - 12, top: 8, bottom: H - 68 };
  const out = [`<svg class="panel" data-panel data-run="${esc(row.label)}" data-metric="${esc(col.id)}" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(`${row.label}: ${col.title}`)}">`];
  const [lo, hi] = domainOf(values, false);
  const log = wantsLog(lo, hi);
  const finiteValues = values.filter((v) => Number.isFinite(v) && (!log || v > 0));
  if (finiteValues.length === 0) {
    out.push(`<text x="${W / 2}" y="${H / 2}" text-anchor="middle">${esc(col.title)}: no completed requests</text></svg>`);
    return out.join('');
  }
  const domain = domainOf(finiteValues, log);
  const x = makeScale(domain, [box.left, box.right], log);
  const edges = binEdges(domain, binsFor(finiteValues.length), log);
  const counts = smoothedCounts(finiteValues, edges, log);
  const centres = counts.map((_, i) => (log ? Math.sqrt(edges[i] * edges[i + 1]) : (edges[i] + edges[i + 1]) / 2));
  const y = makeScale([0, Math.max(1, ...counts) * 1.08], [box.bottom, box.top], false);
  out.push(xAxisSvg(x, ticksFor(x, log, box.right - box.left), box));
  out.push(yAxisSvg(y, ticksFor(y, false, box.bottom - box.top, true), box));
  out.push(`<text transform="translate(12 ${(box.top + box.bottom) / 2}) rotate(-90)" text-anchor="middle">requests / bin</text>`);
  out.push(`<text x="${(box.left + box.right) / 2}" y="${box.bottom + 27}" text-anchor="middle">${esc(col.title)}${log ? ', log scale' : ''}</text>`);
  const pts = centres.map((c, i) => [c, counts[i]] as const);
  const a = area<readonly [number, number]>()
    .x((p) => x(p[0]))
    .y0(box.bottom)
    .y1((p) => y(p[1]))
    .curve(curveMonotoneX)
    .digits(1);
  const l = line<readonly [number, number]>()
    .x((p) => x(p[0]))
    .y((p) => y(p[1]))
    .curve(curveMonotoneX)
    .digits(1);
  const color = esc(row.color);
  out.push(`<g class="series" data-series="${esc(row.label)}"><path d="${a(pts) ?? ''}" fill="${color}" fill-opacity="0.14"/><path d="${l(pts) ?? ''}" fill="none" stroke="${color}" stroke-width="1.8"/></g>`);

  const m = markerValues(finiteValues);
  for (const mk of MARKERS) {
    const px = x(Math.min(domain[1], Math.max(domain[0], m[mk.id]))).toFixed(1);
    out.push(`<g class="marker" data-marker="${mk.id}"><line x1="${px}" x2="${px}" y1="${box.top}" y2="${box.bottom}" stroke="${mk.color}" stroke-width="1.4" stroke-dasharray="${mk.dash}"/><title>${esc(`${mk.label}: ${short(m[mk.id])}`)}</title></g>`);
  }
  const cell = (W - 20) / 3;
  const legend = LEGEND_ORDER.map((id, i) => {
    const mk = MARKERS.find((k) => k.id === id)!;
    const lx = 14 + (i % 3) * cell;
    const ly = box.bottom + 46 + Math.floor(i / 3) * 15;
    return `<line x1="${lx}" x2="${lx + 18}" y1="${ly - 4}" y2="${ly - 4}" stroke="${mk.color}" stroke-width="1.6" stroke-dasharray="${mk.dash}"/><text x="${lx + 23}" y="${ly}">${esc(`${mk.label} ${short(m[id])}`)}</text>`;
  });
  out.push(`<g class="legend">${legend.join('')}</g></svg>`);
  return out.join('');
}

/** The whole grid as HTML: column headings, then per run a heading and one panel per column (own x range each, as in the seed). */
export function histogramGrid(rows: readonly HistRow[], cols: readonly HistColumn[]): string {
  const out = [`<div class="hgrid" data-rows="${rows.length}" data-cols="${cols.length}">`];
  out.push(...cols.map((c) => `<div class="hhead">${esc(c.title)}</div>`));
  for (const r of rows) {
    out.push(`<div class="hrow" style="border-color:${esc(r.color)}">${esc(r.label)}</div>`);
    cols.forEach((c, i) => out.push(panel(r, c, r.values[i] ?? [])));
  }
  out.push('</div>');
  return out.join('\n');
}
