// Chart axes from d3-scale: linear or log scales, the seed's log-or-not rule, 1-2-5 log ticks that fit
// the axis length, and the SVG of tick labels and grid lines (pure strings, no DOM).
import { scaleLinear, scaleLog, type ScaleContinuousNumeric } from 'd3-scale';
import { esc, short } from './text.ts';

export type Scale = ScaleContinuousNumeric<number, number>;

/** The seed's plot rule: a log axis when every value is > 0 and the range spans more than `ratio`×. */
export function wantsLog(lo: number, hi: number, ratio = 20): boolean {
  return lo > 0 && Number.isFinite(hi) && hi / lo > ratio;
}

/** Finite [min, max] of `values` (only > 0 ones for a log axis), widened when empty or a single point. */
export function domainOf(values: Iterable<number>, log: boolean): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (!Number.isFinite(v) || (log && v <= 0)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (lo > hi) return log ? [1, 10] : [0, 1];
  if (lo === hi) return log ? [lo / 2, hi * 2] : [lo - 0.5, hi + 0.5];
  return [lo, hi];
}

export function makeScale(domain: [number, number], range: [number, number], log: boolean): Scale {
  return log ? scaleLog().domain(domain).range(range) : scaleLinear().domain(domain).range(range);
}

const mantissa = (v: number) => Math.round(v / 10 ** Math.floor(Math.log10(v) + 1e-9));

export interface Ticks {
  /** Labelled ticks. */
  major: number[];
  /** Unlabelled grid lines (the other k·10^e of a log axis). */
  minor: number[];
}

/** Approximate width of a tick label at the page's 11 px sans-serif (digits 0.64 em, '.' 0.32 em). */
const labelWidth = (text: string) => [...text].reduce((w, c) => w + (c === '.' ? 3.5 : c === 'M' ? 9.5 : 7), 0);

/**
 * Linear: d3's ticks for the length. Log: d3's k·10^e ticks, labelled 1-2-5 within each decade where
 * the labels fit (decades first, then 5s, then 2s, each kept only if it stays clear of the labels
 * already placed: `vertical` 14 px rows, horizontal by the labels' widths); the rest are minor grid lines.
 */
export function ticksFor(scale: Scale, log: boolean, px: number, vertical = false, fmt: (v: number) => string = short): Ticks {
  if (!log) return { major: scale.ticks(Math.max(2, Math.round(px / (vertical ? 40 : 55)))), minor: [] };
  const clear = (a: number, b: number) => Math.abs(scale(a) - scale(b)) >= (vertical ? 14 : (labelWidth(fmt(a)) + labelWidth(fmt(b))) / 2 + 6);
  const all = scale.ticks();
  const placed: number[] = [];
  const place = (v: number) => {
    if (placed.every((p) => clear(p, v))) placed.push(v);
  };
  const powers = all.filter((v) => mantissa(v) === 1);
  // decades: every one if they fit, else every n-th
  let every = 1;
  while (every < powers.length && !powers.filter((_, i) => i % every === 0).every((v, i, a) => i === 0 || clear(a[i - 1], v))) every++;
  powers.filter((_, i) => i % every === 0).forEach(place);
  if (every === 1) for (const k of [5, 2]) all.filter((v) => mantissa(v) === k).forEach(place);
  // a narrow domain without two labels: label every tick d3 gave that fits
  if (placed.length < 2) all.forEach(place);
  const major = placed.sort((a, b) => a - b);
  return { major, minor: all.filter((v) => !major.includes(v)) };
}

export interface Box {
  left: number;
  right: number;
  top: number;
  bottom: number;
}

/** Vertical grid lines and labels of an x axis under the plot box. */
export function xAxisSvg(x: Scale, t: Ticks, box: Box, fmt: (v: number) => string = short): string {
  const out = t.minor.map((v) => `<line x1="${x(v).toFixed(1)}" x2="${x(v).toFixed(1)}" y1="${box.top}" y2="${box.bottom}" class="minor"/>`);
  for (const v of t.major) {
    const px = x(v).toFixed(1);
    // a label at the plot's edge runs inwards, clear of the y axis labels
    const anchor = x(v) - box.left < 10 ? 'start' : box.right - x(v) < 10 ? 'end' : 'middle';
    out.push(`<line x1="${px}" x2="${px}" y1="${box.top}" y2="${box.bottom}" class="grid"/><text x="${px}" y="${box.bottom + 13}" text-anchor="${anchor}">${esc(fmt(v))}</text>`);
  }
  out.push(`<line x1="${box.left}" x2="${box.right}" y1="${box.bottom}" y2="${box.bottom}" class="axis"/>`);
  return out.join('');
}

/** Horizontal grid lines and labels of a y axis left of the plot box. */
export function yAxisSvg(y: Scale, t: Ticks, box: Box, fmt: (v: number) => string = short): string {
  const out = t.minor.map((v) => `<line x1="${box.left}" x2="${box.right}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" class="minor"/>`);
  for (const v of t.major) {
    const py = y(v).toFixed(1);
    out.push(`<line x1="${box.left}" x2="${box.right}" y1="${py}" y2="${py}" class="grid"/><text x="${box.left - 5}" y="${(y(v) + 3.5).toFixed(1)}" text-anchor="end">${esc(fmt(v))}</text>`);
  }
  out.push(`<line x1="${box.left}" x2="${box.left}" y1="${box.top}" y2="${box.bottom}" class="axis"/>`);
  return out.join('');
}
