// SVG chart builders for the HTML report: line/scatter charts (CDFs, time series) and stacked bars, on
// d3-scale axes with d3-shape paths. Pure string building, no DOM; one <g data-series> per series.
import { line } from 'd3-shape';
import { domainOf, makeScale, ticksFor, wantsLog, xAxisSvg, yAxisSvg, type Box } from './axes.ts';
import { esc, short } from './text.ts';

export type Point = readonly [number, number];

export interface Series {
  label: string;
  color: string;
  /** Drawn as a line. */
  line?: readonly Point[];
  /** Drawn as dots (a scatter), under the line. */
  dots?: readonly Point[];
}

export interface ChartOptions {
  /** data-chart attribute, for tests and styling. */
  id: string;
  title: string;
  xLabel: string;
  yLabel: string;
  width?: number;
  height?: number;
  /** true, false, or 'auto': log when the data span more than 20×. */
  logX?: boolean | 'auto';
  logY?: boolean | 'auto';
  yMin?: number;
  yMax?: number;
}

const finite = (p: Point) => Number.isFinite(p[0]) && Number.isFinite(p[1]);

/** Legend swatches in one row under the title. */
export function legendRow(items: readonly { label: string; color: string }[], x: number, y: number, maxWidth: number): string {
  const out: string[] = [];
  let cx = x;
  let cy = y;
  for (const it of items) {
    const w = 30 + Math.min(30, it.label.length) * 6.7;
    if (cx + w > x + maxWidth && cx > x) {
      cx = x;
      cy += 15;
    }
    out.push(`<rect x="${cx}" y="${cy - 9}" width="14" height="4" fill="${esc(it.color)}" transform="translate(0 3)"/><text x="${cx + 18}" y="${cy}">${esc(it.label.length > 30 ? `${it.label.slice(0, 29)}…` : it.label)}</text>`);
    cx += w;
  }
  return out.join('');
}

/** A line and/or dot chart of several series on shared axes. */
export function lineChart(series: readonly Series[], o: ChartOptions): string {
  const W = o.width ?? 560;
  const H = o.height ?? 320;
  const box: Box = { left: 58, right: W - 14, top: 50, bottom: H - 38 };
  const all = series.flatMap((s) => [...(s.line ?? []), ...(s.dots ?? [])]).filter(finite);
  const head = `<svg class="chart" data-chart="${esc(o.id)}" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(o.title)}">`;
  const title = `<text x="${W / 2}" y="17" text-anchor="middle" class="title">${esc(o.title)}</text>`;
  if (all.length === 0) return `${head}${title}<text x="${W / 2}" y="${H / 2}" text-anchor="middle">no data</text></svg>`;

  const xs = all.map((p) => p[0]);
  const ys = all.map((p) => p[1]);
  const [xlo, xhi] = domainOf(xs, false);
  const [ylo, yhi] = domainOf(ys, false);
  const logX = o.logX === 'auto' ? wantsLog(xlo, xhi) : (o.logX ?? false);
  const logY = o.logY === 'auto' ? wantsLog(ylo, yhi) : (o.logY ?? false);
  const xd = domainOf(xs, logX);
  const yd = domainOf(ys, logY);
  if (o.yMin !== undefined) yd[0] = o.yMin;
  if (o.yMax !== undefined) yd[1] = o.yMax;
  const x = makeScale(xd, [box.left, box.right], logX);
  const y = makeScale(yd, [box.bottom, box.top], logY);
  const inDomain = (p: Point) => finite(p) && (!logX || p[0] > 0) && (!logY || p[1] > 0);

  const out = [head, title, legendRow(series, box.left, 36, box.right - box.left)];
  out.push(xAxisSvg(x, ticksFor(x, logX, box.right - box.left), box));
  out.push(yAxisSvg(y, ticksFor(y, logY, box.bottom - box.top, true), box));
  out.push(`<text x="${(box.left + box.right) / 2}" y="${H - 6}" text-anchor="middle">${esc(o.xLabel)}</text>`);
  out.push(`<text transform="translate(13 ${(box.top + box.bottom) / 2}) rotate(-90)" text-anchor="middle">${esc(o.yLabel)}</text>`);
  const path = line<Point>()
    .x((p) => x(p[0]))
    .y((p) => y(p[1]))
    .defined(inDomain)
    .digits(1);
  for (const s of series) {
    const color = esc(s.color);
    out.push(`<g class="series" data-series="${esc(s.label)}">`);
    if (s.dots) {
      const dots = s.dots.filter(inDomain).map((p) => `M${x(p[0]).toFixed(1)},${y(p[1]).toFixed(1)}h0`);
      out.push(`<path class="dots" d="${dots.join('')}" stroke="${color}" stroke-opacity="0.35" stroke-width="3" stroke-linecap="round"/>`);
    }
    if (s.line && s.line.length > 0) out.push(`<path class="line" d="${path(s.line) ?? ''}" fill="none" stroke="${color}" stroke-width="2"/>`);
    out.push('</g>');
  }
  out.push('</svg>');
  return out.join('');
}

export interface Bar {
  label: string;
  parts: { name: string; value: number; color: string }[];
}

/** Horizontal stacked bars (one per run) on a linear axis, parts in the same order and colours for every bar. */
export function stackedBars(bars: readonly Bar[], o: { id: string; title: string; unit: string; width?: number }): string {
  const W = o.width ?? 560;
  const rowH = 30;
  const box: Box = { left: 130, right: W - 70, top: 30, bottom: 30 + bars.length * rowH };
  const H = box.bottom + 52;
  const total = (b: Bar) => b.parts.reduce((a, p) => a + (Number.isFinite(p.value) ? Math.max(0, p.value) : 0), 0);
  const x = makeScale([0, Math.max(1e-9, ...bars.map(total))], [box.left, box.right], false);
  const out: string[] = [`<svg class="chart" data-chart="${esc(o.id)}" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(o.title)}">`];
  out.push(`<text x="${W / 2}" y="17" text-anchor="middle" class="title">${esc(o.title)}</text>`);
  out.push(xAxisSvg(x, ticksFor(x, false, box.right - box.left), box, (v) => `${short(v)}`));
  bars.forEach((b, i) => {
    const y = box.top + i * rowH;
    let acc = 0;
    out.push(`<g class="series" data-series="${esc(b.label)}"><text x="${box.left - 6}" y="${y + 19}" text-anchor="end">${esc(b.label.length > 20 ? `${b.label.slice(0, 19)}…` : b.label)}</text>`);
    for (const p of b.parts) {
      const v = Number.isFinite(p.value) ? Math.max(0, p.value) : 0;
      const x0 = x(acc);
      acc += v;
      out.push(`<rect x="${x0.toFixed(1)}" y="${y + 5}" width="${(x(acc) - x0).toFixed(1)}" height="${rowH - 8}" fill="${esc(p.color)}"><title>${esc(`${p.name}: ${short(v)} ${o.unit}`)}</title></rect>`);
    }
    out.push(`<text x="${(x(acc) + 4).toFixed(1)}" y="${y + 19}">${esc(`${short(acc)} ${o.unit}`)}</text></g>`);
  });
  out.push(`<text x="${(box.left + box.right) / 2}" y="${box.bottom + 28}" text-anchor="middle">${esc(o.unit)}</text>`);
  out.push(legendRow(bars[0]?.parts.map((p) => ({ label: p.name, color: p.color })) ?? [], 20, H - 6, W - 40));
  out.push('</svg>');
  return out.join('');
}
