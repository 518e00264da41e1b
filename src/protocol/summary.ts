// The run summary as plain data (summary.json): the benchmark block's figures computed from the
// records as AIPerf computes them, where the time went, cache, workers and routing.
import type { EndReason } from './records.ts';

/** Statistics of one per-request metric over the completed requests (AIPerf's: linear-interpolated
 *  percentiles, population standard deviation). */
export interface Stat {
  count: number;
  mean: number;
  std: number;
  min: number;
  max: number;
  median: number;
  p1: number;
  p5: number;
  p10: number;
  p25: number;
  p75: number;
  p90: number;
  p95: number;
  p99: number;
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
  /** KV blocks one rank holds (HBM − weights − reserve − transfer buffers, × free_gpu_memory_fraction). */
  kvCapacityBlocksPerRank: number;
}

/** What a person needs to reproduce a run: the simulator, the command, the resolved scenario, the inputs. */
export interface Provenance {
  servesimVersion: string;
  /** The command line as typed (servesim …), or the library call's description. */
  command: string;
  seed: string;
  scenarioFile: string | null;
  /** The scenario after --set overrides and defaults. */
  scenario: unknown;
  /** A built-in workload with its resolved parameters, or a trace file with its content hash. */
  workload: { name: string; params: Record<string, number> } | { trace: string; sha256: string };
}

export interface Summary extends BlockFigures {
  scenario: string;
  seed: string;
  workload: string;
  /** How to reproduce the run (absent for runs made without it, e.g. inside tests). */
  run?: Provenance;
  requests: { issued: number; completed: number; timedOut: number; rejected: number };
  /** Set when no request completed: why, with counts by end reason. The latency statistics are then
   *  empty (count 0; their values, NaN in memory, are null in summary.json). */
  noneCompleted?: string;
  /** Set when the run was stopped before its end (Ctrl-C): the figures cover the requests ended so far. */
  interrupted?: { signal: string; simulatedS: number; inFlight: number; notSent: number };
  /** GPUs of the deployment, output tokens/s per GPU, and output tokens/s per user (AIPerf's
   *  output_token_throughput_per_user: 1000 / ITL, averaged over completed requests). */
  gpus: number;
  outputTokenThroughputPerGpu: number;
  outputTokenThroughputPerUser: number;
  /** The load mode the client ran (fixed schedule, request rate, concurrency). */
  load: string;
  /** Requests that did not complete, by why (see EndReason). */
  endReasons: Partial<Record<EndReason, number>>;
  durationS: number;
  ttftMs: Stat;
  tpotMs: Stat;
  itlMs: Stat;
  e2elMs: Stat;
  /** Thresholds (Infinity for an SLO not judged: null in summary.json), completed requests meeting both, their rate. */
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
