// Seeded random sampling helpers shared by the trace synthesizer and the built-in workloads.
import type { Rng } from '../util/random.ts';

/** Index of the first CDF entry strictly above u (u in [0,1)); never selects a zero-weight entry. */
export function searchCdf(cdf: ArrayLike<number>, u: number): number {
  let lo = 0;
  let hi = cdf.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cdf[mid] > u) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** Normalised cumulative sum of non-negative weights (last entry exactly 1). */
export function cdfOf(weights: readonly number[]): Float64Array {
  const cdf = new Float64Array(weights.length);
  let sum = 0;
  for (let i = 0; i < weights.length; i++) {
    sum += weights[i];
    cdf[i] = sum;
  }
  if (!(sum > 0)) throw new Error('cdfOf: weights sum to zero');
  for (let i = 0; i < cdf.length; i++) cdf[i] /= sum;
  cdf[cdf.length - 1] = 1;
  return cdf;
}

/**
 * Pure empirical distribution of a data set (datagen's EmpiricalSampler): sorted distinct values with
 * their frequency CDF; a sample is a value drawn with its observed frequency.
 */
export class EmpiricalSampler {
  readonly values: number[];
  readonly cdf: Float64Array;

  constructor(data: Iterable<number>) {
    const counts = new Map<number, number>();
    for (const v of data) counts.set(v, (counts.get(v) ?? 0) + 1);
    if (counts.size === 0) throw new Error('EmpiricalSampler: empty data');
    this.values = [...counts.keys()].sort((a, b) => a - b);
    this.cdf = cdfOf(this.values.map((v) => counts.get(v)!));
  }

  sample(rng: Rng): number {
    return this.values[searchCdf(this.cdf, rng())];
  }
}

/** Python's round(): nearest integer, halves to even. */
export function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (d < 0.5) return f;
  if (d > 0.5) return f + 1;
  return f % 2 === 0 ? f : f + 1;
}

/**
 * Inverse-CDF sampling from a quantile table: `quantiles[i]` is the value at probability
 * i/(n-1); values between table points are interpolated linearly.
 */
export function sampleQuantiles(quantiles: readonly number[], u: number): number {
  const n = quantiles.length;
  if (n === 1) return quantiles[0];
  const x = u * (n - 1);
  const i = Math.min(Math.floor(x), n - 2);
  const t = x - i;
  return quantiles[i] + (quantiles[i + 1] - quantiles[i]) * t;
}

/** Standard normal via Box–Muller (one value per call; deterministic for the rng). */
export function sampleStdNormal(rng: Rng): number {
  let u = rng();
  while (u <= 0) u = rng();
  const v = rng();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** Exponential with the given mean. */
export function sampleExponential(rng: Rng, mean: number): number {
  let u = rng();
  while (u <= 0) u = rng();
  return -Math.log(u) * mean;
}
