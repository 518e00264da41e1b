// The AIC op-table lookups the cost-composition tests expect, written independently of src/cost/interp.ts:
// tables read non-decreasing (each value capped by those at larger keys), linear interpolation between
// rows, whole-prompt differences through (0, 0), and bilinear on the attention grid.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MODELS_DIR } from '../src/cost/load.ts';

export type Curve = { x: number[]; ms: number[] };
export type Grid = { rows: number[]; cols: number[]; ms: number[][] };

/** A models/<name>.json file as plain JSON (the tables straight from the file). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function modelJson(name: string): any {
  return JSON.parse(readFileSync(join(MODELS_DIR, `${name}.json`), 'utf8'));
}

/** The table read non-decreasing in its key: each value capped by the values at larger keys. */
export function capped(ms: number[]): number[] {
  return ms.map((v, i) => Math.min(v, ...ms.slice(i)));
}

/** Linear interpolation between table rows of the non-decreasing table (tests stay inside the table). */
export function lin(c: Curve, x: number): number {
  return raw({ x: c.x, ms: capped(c.ms) }, x);
}

export function raw(c: Curve, x: number): number {
  if (x <= c.x[0]) return c.ms[0];
  let i = c.x.findIndex((k) => k >= x);
  if (i < 0) throw new Error(`${x} past the table`);
  if (c.x[i] === x) return c.ms[i];
  i -= 1;
  return c.ms[i] + ((c.ms[i + 1] - c.ms[i]) * (x - c.x[i])) / (c.x[i + 1] - c.x[i]);
}

/** Whole-prompt module time at s tokens: through (0, 0) and the (non-decreasing) batch-1 rows. */
export function prompt(c: Curve, s: number): number {
  return raw({ x: [0, ...c.x], ms: [0, ...capped(c.ms)] }, s);
}

export function bilinear(g: Grid, r: number, c: number): number {
  const byCol = g.cols.map((_, j) => capped(g.ms.map((row) => row[j])));
  const grid = g.rows.map((_, i) => capped(byCol.map((col) => col[i])));
  const col = (j: number) => raw({ x: g.rows, ms: grid.map((row) => row[j]) }, r);
  return raw({ x: g.cols, ms: g.cols.map((_, j) => col(j)) }, c);
}
