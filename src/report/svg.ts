// Small SVG chart builders for the HTML report: line charts (CDFs, time series) and stacked bars,
// with linear or log axes, ticks and a legend. Pure string building, no DOM.
import { extent, ticks } from 'd3-array';

export interface Series {
  label: string;
  color: string;
  points: readonly [number, number][];
  /** Draw dots instead of a line. */
  dots?: boolean;
}

export interface ChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  width?: number;
  height?: number;
  logX?: boolean;
  yMin?: number;
  yMax?: number;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function fmt(v: number): string {
  const a = Math.abs(v);
  if (a >= 1e6) return `${+(v / 1e6).toPrecision(3)}M`;
  if (a >= 1e3) return `${+(v / 1e3).toPrecision(3)}k`;
  return `${+v.toPrecision(3)}`;
}

function logTicks(lo: number, hi: number): number[] {
  const out: number[] = [];
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) {
    const v = 10 ** e;
    if (v >= lo * 0.999 && v <= hi * 1.001) out.push(v);
  }
  return out.length >= 2 ? out : ticks(lo, hi, 5);
}

/** A line (or dot) chart of several series on shared axes. */
export function lineChart(series: readonly Series[], o: ChartOptions): string {
  const W = o.width ?? 560;
  const H = o.height ?? 320;
  const m = { l: 64, r: 16, t: 34, b: 46 };
  const pts = series.flatMap((s) => s.points).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y) && (!o.logX || x > 0));
  if (pts.length === 0) return `<svg class="chart" width="${W}" height="${H}" role="img"><text x="${W / 2}" y="${H / 2}" text-anchor="middle">${esc(o.title)}: no data</text></svg>`;
  let [x0, x1] = extent(pts, (p) => p[0]) as [number, number];
  let [y0, y1] = extent(pts, (p) => p[1]) as [number, number];
  if (o.yMin !== undefined) y0 = o.yMin;
  if (o.yMax !== undefined) y1 = o.yMax;
  if (x1 === x0) x1 = x0 + 1;
  if (y1 === y0) y1 = y0 + 1;
  const fx = o.logX ? (x: number) => Math.log10(x) : (x: number) => x;
  const X = (x: number) => m.l + ((fx(x) - fx(x0)) / (fx(x1) - fx(x0))) * (W - m.l - m.r);
  const Y = (y: number) => H - m.b - ((y - y0) / (y1 - y0)) * (H - m.t - m.b);
  const out: string[] = [`<svg class="chart" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(o.title)}">`];
  out.push(`<text x="${W / 2}" y="18" text-anchor="middle" class="title">${esc(o.title)}</text>`);
  for (const t of o.logX ? logTicks(x0, x1) : ticks(x0, x1, 6)) {
    out.push(`<line x1="${X(t)}" x2="${X(t)}" y1="${m.t}" y2="${H - m.b}" class="grid"/><text x="${X(t)}" y="${H - m.b + 14}" text-anchor="middle">${fmt(t)}</text>`);
  }
  for (const t of ticks(y0, y1, 5)) {
    out.push(`<line x1="${m.l}" x2="${W - m.r}" y1="${Y(t)}" y2="${Y(t)}" class="grid"/><text x="${m.l - 6}" y="${Y(t) + 4}" text-anchor="end">${fmt(t)}</text>`);
  }
  out.push(`<text x="${(m.l + W - m.r) / 2}" y="${H - 8}" text-anchor="middle">${esc(o.xLabel)}</text>`);
  out.push(`<text transform="translate(14 ${(m.t + H - m.b) / 2}) rotate(-90)" text-anchor="middle">${esc(o.yLabel)}</text>`);
  series.forEach((s, i) => {
    const p = s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y) && (!o.logX || x > 0));
    if (s.dots) out.push(...p.map(([x, y]) => `<circle cx="${X(x).toFixed(1)}" cy="${Y(y).toFixed(1)}" r="1.6" fill="${s.color}" fill-opacity="0.5"/>`));
    else if (p.length > 0) out.push(`<polyline fill="none" stroke="${s.color}" stroke-width="2" points="${p.map(([x, y]) => `${X(x).toFixed(1)},${Y(y).toFixed(1)}`).join(' ')}"/>`);
    out.push(`<rect x="${m.l + 8}" y="${m.t + 6 + i * 16}" width="10" height="10" fill="${s.color}"/><text x="${m.l + 22}" y="${m.t + 15 + i * 16}">${esc(s.label)}</text>`);
  });
  out.push('</svg>');
  return out.join('');
}

export interface Bar {
  label: string;
  parts: { name: string; value: number; color: string }[];
}

/** Horizontal stacked bars (one per run), parts in the same order and colours for every bar. */
export function stackedBars(bars: readonly Bar[], o: { title: string; unit: string; width?: number }): string {
  const W = o.width ?? 560;
  const rowH = 34;
  const m = { l: 150, r: 70, t: 34, b: 40 };
  const H = m.t + m.b + bars.length * rowH;
  const max = Math.max(1e-9, ...bars.map((b) => b.parts.reduce((a, p) => a + p.value, 0)));
  const X = (v: number) => (v / max) * (W - m.l - m.r);
  const out: string[] = [`<svg class="chart" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(o.title)}">`];
  out.push(`<text x="${W / 2}" y="18" text-anchor="middle" class="title">${esc(o.title)}</text>`);
  bars.forEach((b, i) => {
    let x = m.l;
    const y = m.t + i * rowH;
    out.push(`<text x="${m.l - 6}" y="${y + 17}" text-anchor="end">${esc(b.label)}</text>`);
    for (const p of b.parts) {
      const w = X(p.value);
      out.push(`<rect x="${x.toFixed(1)}" y="${y + 4}" width="${Math.max(0, w).toFixed(1)}" height="${rowH - 10}" fill="${p.color}"><title>${esc(`${p.name}: ${fmt(p.value)} ${o.unit}`)}</title></rect>`);
      x += w;
    }
    out.push(`<text x="${x + 4}" y="${y + 17}">${fmt(b.parts.reduce((a, p) => a + p.value, 0))} ${esc(o.unit)}</text>`);
  });
  const legend = bars[0]?.parts ?? [];
  const step = (W - 40) / Math.max(1, legend.length);
  legend.forEach((p, i) => {
    out.push(`<rect x="${20 + i * step}" y="${H - 22}" width="10" height="10" fill="${p.color}"/><text x="${34 + i * step}" y="${H - 13}">${esc(p.name)}</text>`);
  });
  out.push('</svg>');
  return out.join('');
}
