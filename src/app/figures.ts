// The figures of one simulated point (what a sweep keeps per point × seed): block figures, full
// latency statistics, goodput, tokens/s/user as AIPerf defines it, GPUs per role, KV capacity; and
// the AIPerf metric tags (with statistics) by which plans, SLAs and tables name them.
import { stat } from '../metrics/summary.ts';
import type { Stat } from '../protocol/summary.ts';
import type { Scenario } from '../scenario/schema.ts';
import type { RunOutput } from './run.ts';

export interface Figures {
  scenario: string;
  /** GPUs per role: workers × tensor_parallel_size (a DEP/TEP group spans tensor_parallel_size GPUs). */
  gpus: Record<string, number>;
  gpusTotal: number;
  requests: { issued: number; completed: number; timedOut: number; rejected: number };
  durationS: number;
  requestThroughput: number;
  outputTokenThroughput: number;
  totalTokenThroughput: number;
  ttft: Stat;
  itl: Stat;
  e2el: Stat;
  /** AIPerf output_token_throughput_per_user: per completed request 1 / ITL (s), i.e. output tokens
   *  per second after the first token; statistics over requests. */
  perUser: Stat;
  /** Requests meeting the scenario's goodput SLA (AIPerf --goodput), per s and as a share of completed. */
  goodput: { requests: number; requestThroughput: number; fraction: number } | null;
  kvCapacityBlocksPerRank: Record<string, number>;
  events: number;
}

export function gpusOf(scenario: Scenario): Record<string, number> {
  const out: Record<string, number> = {};
  for (const role of ['agg', 'prefill', 'decode'] as const) {
    const g = scenario.workers[role];
    if (g) out[role] = g.count * g.engine.tensor_parallel_size;
  }
  return out;
}

export function figuresOf(scenario: Scenario, run: RunOutput): Figures {
  const s = run.summary;
  const gpus = gpusOf(scenario);
  const done = run.records.filter((r) => r.status === 'completed');
  const perUser = stat(done.filter((r) => Number.isFinite(r.itlMs) && r.itlMs > 0).map((r) => 1000 / r.itlMs));
  const kv: Record<string, number> = {};
  for (const [role, w] of Object.entries(s.workers)) kv[role] = w.kvCapacityBlocksPerRank;
  return {
    scenario: scenario.name,
    gpus,
    gpusTotal: Object.values(gpus).reduce((a, b) => a + b, 0),
    requests: { ...s.requests },
    durationS: s.durationS,
    requestThroughput: s.requestThroughput,
    outputTokenThroughput: s.outputTokenThroughput,
    totalTokenThroughput: s.totalTokenThroughput,
    ttft: s.ttftMs,
    itl: s.itlMs,
    e2el: s.e2elMs,
    perUser,
    goodput: s.goodput ? { requests: s.goodput.requests, requestThroughput: s.goodput.requestThroughput, fraction: s.requests.completed > 0 ? s.goodput.requests / s.requests.completed : 0 } : null,
    kvCapacityBlocksPerRank: kv,
    events: s.simulation.events,
  };
}

export const STATS = ['mean', 'median', 'std', 'min', 'max', 'p1', 'p5', 'p10', 'p25', 'p50', 'p75', 'p90', 'p95', 'p99'] as const;
export type StatName = (typeof STATS)[number];

/** AIPerf record metrics (a value per request; an SLA names a statistic of them), ms or tokens/s/user. */
export const RECORD_METRICS: Record<string, { get: (f: Figures) => Stat; unit: string; largerIsBetter: boolean }> = {
  time_to_first_token: { get: (f) => f.ttft, unit: 'ms', largerIsBetter: false },
  inter_token_latency: { get: (f) => f.itl, unit: 'ms', largerIsBetter: false },
  request_latency: { get: (f) => f.e2el, unit: 'ms', largerIsBetter: false },
  output_token_throughput_per_user: { get: (f) => f.perUser, unit: 'tokens/sec/user', largerIsBetter: true },
};

/** Aggregate metrics (one value per run): AIPerf's tags, and servesim's per-GPU throughput. */
export const AGGREGATE_METRICS: Record<string, { get: (f: Figures) => number; unit: string; largerIsBetter: boolean }> = {
  request_throughput: { get: (f) => f.requestThroughput, unit: 'requests/sec', largerIsBetter: true },
  output_token_throughput: { get: (f) => f.outputTokenThroughput, unit: 'tokens/sec', largerIsBetter: true },
  total_token_throughput: { get: (f) => f.totalTokenThroughput, unit: 'tokens/sec', largerIsBetter: true },
  output_token_throughput_per_gpu: { get: (f) => (f.gpusTotal > 0 ? f.outputTokenThroughput / f.gpusTotal : NaN), unit: 'tokens/sec/gpu', largerIsBetter: true },
  goodput: { get: (f) => f.goodput?.requestThroughput ?? NaN, unit: 'requests/sec', largerIsBetter: true },
  good_request_fraction: { get: (f) => f.goodput?.fraction ?? NaN, unit: 'ratio', largerIsBetter: true },
  request_count: { get: (f) => f.requests.completed, unit: 'requests', largerIsBetter: true },
  error_request_count: { get: (f) => f.requests.timedOut + f.requests.rejected, unit: 'requests', largerIsBetter: false },
  request_error_rate: { get: (f) => (f.requests.issued > 0 ? (100 * (f.requests.timedOut + f.requests.rejected)) / f.requests.issued : 0), unit: '%', largerIsBetter: false },
  benchmark_duration: { get: (f) => f.durationS, unit: 'sec', largerIsBetter: false },
};

export function statValue(s: Stat, name: StatName): number {
  return name === 'p50' ? s.median : s[name];
}

/** The value of `tag` (with `stat` for a record metric) in one run's figures. */
export function metricValue(f: Figures, tag: string, statName?: StatName): number {
  const r = RECORD_METRICS[tag];
  if (r) return statValue(r.get(f), statName ?? 'mean');
  const a = AGGREGATE_METRICS[tag];
  if (a) return a.get(f);
  throw new Error(`unknown metric ${tag}`);
}
