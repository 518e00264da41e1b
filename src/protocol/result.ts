// The result of one simulation run as plain data: per-request records plus per-pool, per-worker and
// per-rank counters copied out of the engine at the end (metrics and reports read only this).
import type { RequestRecord } from './records.ts';
import type { Role } from './roles.ts';

export interface RankResult {
  /** e.g. "prefill0.r3". */
  label: string;
  /** Requests admitted on the rank (prefill side); requests whose KV it received (decode side). */
  requests: number;
  promptTokens: number;
  /** Prompt tokens served from the rank's prefix cache. */
  cachedTokens: number;
  /** Iterations of its worker in which this rank had tokens to compute. */
  busyIterations: number;
  evictedBlocks: number;
  capacityBlocks: number;
}

export interface WorkerResult {
  label: string;
  iterations: number;
  busyMs: number;
  /** Iterations carrying prefill chunks and their time, ms. */
  prefillIterations: number;
  prefillBusyMs: number;
  /** When its last iteration that computed something ended, ms. */
  lastBusyEndMs: number;
  ranks: RankResult[];
}

export interface PoolResult {
  role: Role;
  /** GPUs of one worker (its tensor_parallel_size: DEP-n and TEP-n groups both span n GPUs). */
  gpusPerWorker: number;
  /** The router's one-line description. */
  router: string;
  workers: WorkerResult[];
}

export interface SimulationResult {
  /** The ended requests' records (empty when the run gave them to a record sink instead). */
  records: RequestRecord[];
  pools: PoolResult[];
  events: number;
  /** Simulated time of the last event, ms. */
  endMs: number;
  client: { peakInFlight: number; peakWaiting: number };
  /** Where the cost model left its data (extrapolated, or proxied), one line each; empty when it never did. */
  modelNotes: string[];
  /** Set when the run was stopped before its end (e.g. Ctrl-C): requests sent and not ended, and not yet sent. */
  stopped?: { inFlight: number; notSent: number };
}
