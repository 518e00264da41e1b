// Interpolation of cost tables (binary search as d3-array's bisectRight): 1-D piecewise-linear (held below the first key,
// extrapolated linearly past the last), a cumulative curve whose differences price prompt chunks,
// and 2-D bilinear with clamped rows and optionally extrapolated columns. Every table is read as
// non-decreasing in its keys (more tokens, bytes or context never take less time): `monotone` caps
// each value by the values at larger keys, which removes single-point spikes of the microbenchmarks.

/** The index after the last key <= x (d3-array's bisectRight on numbers, inlined: no comparator calls). */
function bisectRight(a: readonly number[], x: number): number {
  let lo = 0;
  let hi = a.length;
  if (x !== x) return hi; // NaN: d3 returns the end
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** `ys` capped by every later value (suffix minimum): the table read as non-decreasing in its key. */
export function monotone(ys: readonly number[]): number[] {
  const out = ys.slice();
  for (let i = out.length - 2; i >= 0; i--) if (out[i + 1] < out[i]) out[i] = out[i + 1];
  return out;
}

/** A grid made non-decreasing along its rows, then along its columns. */
export function monotoneGrid(values: readonly (readonly number[])[]): number[][] {
  const cols = values[0].length;
  const byCol = Array.from({ length: cols }, (_, j) => monotone(values.map((r) => r[j])));
  return values.map((_, i) => monotone(byCol.map((c) => c[i])));
}

export class Linear1D {
  constructor(readonly xs: readonly number[], readonly ys: readonly number[]) {
    if (xs.length < 2 || xs.length !== ys.length) throw new Error('a cost table needs >= 2 points and as many values as keys');
    for (let i = 1; i < xs.length; i++) if (!(xs[i] > xs[i - 1])) throw new Error('cost table keys must increase');
  }

  get lastKey(): number {
    return this.xs[this.xs.length - 1];
  }

  at(x: number): number {
    const { xs, ys } = this;
    const n = xs.length;
    if (x <= xs[0]) return ys[0];
    let i = bisectRight(xs, x) - 1;
    if (i > n - 2) i = n - 2;
    return ys[i] + ((ys[i + 1] - ys[i]) * (x - xs[i])) / (xs[i + 1] - xs[i]);
  }
}

/**
 * A cumulative cost T(s) (e.g. a whole-prompt prefill of s tokens), so that T(b) − T(a) is the cost of
 * the tokens at positions [a, b). Piecewise linear through (0, 0) and the table points (given
 * non-decreasing, see `monotone`: table noise never prices a token below zero); past the last key
 * the marginal cost per token keeps growing along the line through the last two segments' marginal
 * costs (taken at their midpoints), never decreasing.
 */
export class Cumulative1D {
  private readonly xs: number[];
  private readonly ts: number[];
  private readonly lastMarginal: number;
  private readonly lastMid: number;
  private readonly marginalSlope: number;

  constructor(xs: readonly number[], ys: readonly number[]) {
    if (xs.length < 3 || xs.length !== ys.length) throw new Error('a cumulative cost table needs >= 3 points');
    this.xs = [0];
    this.ts = [0];
    for (let i = 0; i < xs.length; i++) {
      if (!(xs[i] > this.xs[this.xs.length - 1])) throw new Error('cost table keys must increase from above 0');
      if (i > 0 && ys[i] < ys[i - 1]) throw new Error('a cumulative cost table must not decrease');
      this.xs.push(xs[i]);
      this.ts.push(ys[i]);
    }
    const n = this.xs.length;
    const m = (i: number) => (this.ts[i] - this.ts[i - 1]) / (this.xs[i] - this.xs[i - 1]);
    const mid = (i: number) => (this.xs[i] + this.xs[i - 1]) / 2;
    this.lastMarginal = m(n - 1);
    this.lastMid = mid(n - 1);
    this.marginalSlope = Math.max(0, (m(n - 1) - m(n - 2)) / (mid(n - 1) - mid(n - 2)));
  }

  get lastKey(): number {
    return this.xs[this.xs.length - 1];
  }

  at(s: number): number {
    const { xs, ts } = this;
    const n = xs.length;
    if (s <= 0) return 0;
    if (s >= xs[n - 1]) {
      const a = xs[n - 1] - this.lastMid;
      const b = s - this.lastMid;
      return ts[n - 1] + (s - xs[n - 1]) * this.lastMarginal + (this.marginalSlope / 2) * (b * b - a * a);
    }
    const i = bisectRight(xs, s) - 1;
    return ts[i] + ((ts[i + 1] - ts[i]) * (s - xs[i])) / (xs[i + 1] - xs[i]);
  }
}

/** A 2-D table along its rows at a fixed column: value(r') = valueAt + slope · (r' − r) for r' < untilR. */
export interface RowLine {
  valueAt: number;
  slope: number;
  untilR: number;
}

export class Bilinear2D {
  /** `extrapolateCols`: past the last column continue linearly along the last two columns (else hold). */
  constructor(
    readonly rows: readonly number[],
    readonly cols: readonly number[],
    readonly values: readonly (readonly number[])[],
    readonly extrapolateCols = false,
  ) {
    if (values.length !== rows.length || values.some((r) => r.length !== cols.length)) throw new Error('2-D cost table shape mismatch');
  }

  /**
   * The table along r at fixed c as a line: value(r') = valueAt + slope · (r' − r), exact for
   * r' < untilR (the next row key; Infinity past the last, where the table is held constant). Written
   * into `out` when given (no allocation on the hot path).
   */
  lineAlongRows(r: number, c: number, out: RowLine = { valueAt: 0, slope: 0, untilR: 0 }): RowLine {
    const rows = this.rows;
    const nr = rows.length;
    out.valueAt = this.at(r, c);
    if (r >= rows[nr - 1]) (out.slope = 0), (out.untilR = Infinity);
    else if (r < rows[0]) (out.slope = 0), (out.untilR = rows[0]);
    else {
      const i = bisectRight(rows, r) - 1;
      out.slope = this.rowSlope(i, c);
      out.untilR = rows[i + 1];
    }
    return out;
  }

  /** Slopes along rows by row segment, per integer column key below 4096 (a decode batch size), computed once. */
  private readonly slopes: (Float64Array | undefined)[] = [];

  /** The table's slope along rows between rows i and i + 1 at column key c. */
  private rowSlope(i: number, c: number): number {
    const rows = this.rows;
    const cacheable = Number.isInteger(c) && c >= 0 && c < 4096;
    let seg = cacheable ? this.slopes[c] : undefined;
    if (seg !== undefined && !Number.isNaN(seg[i])) return seg[i];
    const slope = (this.at(rows[i + 1], c) - this.at(rows[i], c)) / (rows[i + 1] - rows[i]);
    if (cacheable) {
      seg ??= this.slopes[c] = new Float64Array(rows.length - 1).fill(NaN);
      seg[i] = slope;
    }
    return slope;
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
    else if (c >= cols[nc - 1]) (j = nc - 2), (fc = this.extrapolateCols ? (c - cols[j]) / (cols[j + 1] - cols[j]) : 1);
    else (j = bisectRight(cols, c) - 1), (fc = (c - cols[j]) / (cols[j + 1] - cols[j]));
    const v = this.values;
    const top = v[i][j] + (v[i][j + 1] - v[i][j]) * fc;
    const bot = v[i + 1][j] + (v[i + 1][j + 1] - v[i + 1][j]) * fc;
    return top + (bot - top) * fr;
  }
}
