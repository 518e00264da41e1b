// Interpolation helpers for cost tables (d3-array bisection): 1-D piecewise-linear (held below the
// first key, extrapolated linearly past the last), its exact integral, and 2-D bilinear with clamping.
import { bisectRight } from 'd3-array';

export class Linear1D {
  private readonly cum: number[];
  constructor(readonly xs: readonly number[], readonly ys: readonly number[]) {
    if (xs.length < 2 || xs.length !== ys.length) throw new Error('a cost table needs >= 2 points and as many values as keys');
    for (let i = 1; i < xs.length; i++) if (!(xs[i] > xs[i - 1])) throw new Error('cost table keys must increase');
    // cumulative integral at knots; below xs[0] the value is held at ys[0] unless extrapolating
    this.cum = [this.headIntegral(xs[0])];
    for (let i = 1; i < xs.length; i++) this.cum.push(this.cum[i - 1] + ((xs[i] - xs[i - 1]) * (ys[i] + ys[i - 1])) / 2);
  }

  private headIntegral(x: number): number {
    return x * this.ys[0];
  }

  at(x: number): number {
    const { xs, ys } = this;
    const n = xs.length;
    if (x <= xs[0]) return ys[0];
    let i = bisectRight(xs, x) - 1;
    if (i < 0) i = 0;
    if (i > n - 2) i = n - 2;
    return ys[i] + ((ys[i + 1] - ys[i]) * (x - xs[i])) / (xs[i + 1] - xs[i]);
  }

  /** ∫_0^x of the function (held constant below the first key). */
  integralTo(x: number): number {
    const { xs } = this;
    if (x <= xs[0]) return this.headIntegral(x);
    let i = bisectRight(xs, x) - 1;
    if (i > xs.length - 2) i = xs.length - 2;
    return this.cum[i] + ((x - xs[i]) * (this.at(xs[i]) + this.at(x))) / 2;
  }
}

export class Bilinear2D {
  constructor(
    readonly rows: readonly number[],
    readonly cols: readonly number[],
    readonly values: readonly (readonly number[])[],
  ) {
    if (values.length !== rows.length || values.some((r) => r.length !== cols.length)) throw new Error('2-D cost table shape mismatch');
  }

  /**
   * The table along r at fixed c as a line: value(r') = valueAt + slope · (r' − r), exact for
   * r' < untilR (the next row key; Infinity past the last, where the table is held constant).
   */
  lineAlongRows(r: number, c: number): { valueAt: number; slope: number; untilR: number } {
    const rows = this.rows;
    const nr = rows.length;
    const valueAt = this.at(r, c);
    if (r >= rows[nr - 1]) return { valueAt, slope: 0, untilR: Infinity };
    if (r < rows[0]) return { valueAt, slope: 0, untilR: rows[0] };
    const i = bisectRight(rows, r) - 1;
    const slope = (this.at(rows[i + 1], c) - this.at(rows[i], c)) / (rows[i + 1] - rows[i]);
    return { valueAt, slope, untilR: rows[i + 1] };
  }

  at(r: number, c: number): number {
    const rows = this.rows;
    const cols = this.cols;
    const nr = rows.length;
    const nc = cols.length;
    let i: number;
    let fr: number;
    if (r <= rows[0]) (i = 0), (fr = 0);
    else if (r >= rows[nr - 1]) (i = nr - 2), (fr = 1);
    else (i = bisectRight(rows, r) - 1), (fr = (r - rows[i]) / (rows[i + 1] - rows[i]));
    let j: number;
    let fc: number;
    if (c <= cols[0]) (j = 0), (fc = 0);
    else if (c >= cols[nc - 1]) (j = nc - 2), (fc = 1);
    else (j = bisectRight(cols, c) - 1), (fc = (c - cols[j]) / (cols[j + 1] - cols[j]));
    const v = this.values;
    const top = v[i][j] + (v[i][j + 1] - v[i][j]) * fc;
    const bot = v[i + 1][j] + (v[i + 1][j + 1] - v[i + 1][j]) * fc;
    return top + (bot - top) * fr;
  }
}
