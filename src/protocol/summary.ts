// The run summary as plain data (summary.json): the benchmark block's figures computed from the
// records as AIPerf computes them, where the time went, cache, workers and routing.

/** Statistics of one per-request metric over the completed requests. */
export interface Stat {
  mean: number;
  median: number;
  p99: number;
  p90: number;
  min: number;
  max: number;
}

/** The figures of the "Serving Benchmark Result" block. */
export interface BlockFigures {
  requestThroughput: number;
  outputTokenThroughput: number;
  totalTokenThroughput: number;
  ttftMs: { mean: number; median: number; p99: number };
  tpotMs: { mean: number; median: number; p99: number };
  itlMs: { mean: number; median: number; p99: number };
  e2elMs: { mean: number; median: number; p99: number };
}

export interface RoutingTargetRow {
  /** e.g. "prefill0.r3". */
  target: string;
  /** Requests admitted on the rank (decode: requests whose KV it received). */
  requests: number;
  promptTokens: number;
  /** Prompt tokens served from the rank's prefix cache. */
  cachedTokens: number;
  /** cachedTokens / promptTokens (0 without prompt tokens). */
  hitRate: number;
  /** Share of the worker's iterations in which this rank had tokens to compute. */
  busyFraction: number;
}

/** Pool role → one row per target, worker-major. */
export type RoutingTable = Record<string, RoutingTargetRow[]>;

export interface WorkerSummary {
  workers: number;
  ranksPerWorker: number;
  iterations: number;
  busyFraction: number;
  prefillIterationFraction: number;
  /** Mean duration of iterations with / without prefill chunks, ms. */
  meanPrefillIterationMs: number;
  meanDecodeIterationMs: number;
}

export interface Summary extends BlockFigures {
  scenario: string;
  seed: string;
  workload: string;
  requests: { issued: number; completed: number; timedOut: number; rejected: number };
  durationS: number;
  ttftMs: Stat;
  tpotMs: Stat;
  itlMs: Stat;
  e2elMs: Stat;
  goodput: { ttftMs: number; itlMs: number; requests: number; requestThroughput: number } | null;
  /** Mean over completed requests of each part of E2EL, ms (they add up to mean E2EL). */
  breakdownMs: { clientWait: number; queue: number; prefill: number; transfer: number; decode: number };
  /** Share of completed requests that waited for a client connection. */
  clientWaitedFraction: number;
  kvCache: { hitRate: Record<string, number>; evictedBlocks: Record<string, number> };
  workers: Record<string, WorkerSummary>;
  client: { peakInFlight: number; peakWaiting: number };
  router: Record<string, string>;
  /** Per (worker, rank) target of each pool: requests, prompt/cached tokens, hit rate, busy share. */
  routing: RoutingTable;
  /** Where the cost model extrapolated or used a proxy. */
  modelNotes: string[];
  simulation: { events: number; simulatedS: number };
}
