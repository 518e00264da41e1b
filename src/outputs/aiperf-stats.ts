// The statistics AIPerf computes over a record metric, reproduced operation by operation.
// (metric_dicts.py, metric_result_from_array: running-sum mean, min/max, linear percentiles, numpy population std)
import { quantileSorted } from 'd3-array';

/** AIPerf's percentile band, in its order. */
export const PERCENTILES = [1, 5, 10, 25, 50, 75, 90, 95, 99] as const;
export type PercentileKey = `p${(typeof PERCENTILES)[number]}`;

/** Statistics of one record metric in its base unit (ns, tokens, ...). */
export interface BaseStats {
  count: number;
  sum: number;
  avg: number;
  min: number;
  max: number;
  std: number;
  percentiles: Record<PercentileKey, number>;
}

/** numpy's pairwise summation of a contiguous float64 array (loops_utils.h.src, PW_BLOCKSIZE 128, 8 accumulators). */
function pairwiseSum(a: Float64Array, start: number, n: number): number {
  if (n < 8) {
    let res = -0;
    for (let i = 0; i < n; i++) res += a[start + i];
    return res;
  }
  if (n <= 128) {
    const r = [a[start], a[start + 1], a[start + 2], a[start + 3], a[start + 4], a[start + 5], a[start + 6], a[start + 7]];
    let i = 8;
    for (; i < n - (n % 8); i += 8) for (let j = 0; j < 8; j++) r[j] += a[start + i + j];
    let res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
    for (; i < n; i++) res += a[start + i];
    return res;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return pairwiseSum(a, start, n2) + pairwiseSum(a, start + n2, n - n2);
}

/** np.sum of a 1-D float64 array: the add identity (0.0) plus the pairwise sum. */
export function numpySum(a: Float64Array): number {
  return 0 + pairwiseSum(a, 0, a.length);
}

/** np.std(a, ddof=0): sqrt(sum((a - mean)²) / n), both sums pairwise, mean = np.sum(a) / n. */
export function numpyStd(a: Float64Array): number {
  const n = a.length;
  const mean = numpySum(a) / n;
  const sq = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const d = a[i] - mean;
    sq[i] = d * d;
  }
  return Math.sqrt(numpySum(sq) / n);
}

/**
 * AIPerf's MetricResult of a record metric. `valuesInArrivalOrder` are the per-record values in the order records were
 * processed: the column store keeps a running sum in that order (avg = sum / count); min, max, std and the percentiles
 * come from the sorted copy (clean[lo] + frac * (clean[hi] - clean[lo]) with virtual index q/100 * (n - 1), which is
 * exactly d3's quantileSorted).
 */
export function recordStats(valuesInArrivalOrder: ArrayLike<number>): BaseStats | undefined {
  const n = valuesInArrivalOrder.length;
  if (n === 0) return undefined;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += valuesInArrivalOrder[i];
  const sorted = Float64Array.from(valuesInArrivalOrder).sort();
  const percentiles = {} as Record<PercentileKey, number>;
  for (const q of PERCENTILES) percentiles[`p${q}`] = quantileSorted(sorted as unknown as number[], q / 100)!;
  return { count: n, sum, avg: sum / n, min: sorted[0], max: sorted[n - 1], std: numpyStd(sorted), percentiles };
}
