// fast-check arbitraries for property tests of whole runs: small random deployments (roles, worker
// counts, DP sizes, engine limits, block reuse, routers, overlap scheduler, client caps, load modes)
// and small random traces (shared prefixes, lengths that sometimes exceed max_seq_len or a rank's KV).
import fc from 'fast-check';
import { Simulation } from '../src/engine/simulation.ts';
import { summarize } from '../src/metrics/summary.ts';
import type { SimulationResult } from '../src/protocol/result.ts';
import type { Summary } from '../src/protocol/summary.ts';
import { TRACE_BLOCK_TOKENS, type TraceRequest } from '../src/protocol/trace.ts';
import { validateScenario } from '../src/scenario/load.ts';
import type { Scenario } from '../src/scenario/schema.ts';
import { cost, engine, MODEL } from './helpers.ts';
import { InvariantObserver } from './invariants.ts';

export interface Deployment {
  disagg: boolean;
  workers: number;
  decodeWorkers: number;
  dp: 1 | 4 | 8;
  decodeDp: 1 | 4 | 8;
  maxBatchSize: number;
  maxNumTokens: number;
  maxSeqLen: number;
  chunked: boolean;
  reuse: boolean;
  router: 'kv' | 'round-robin' | 'random' | 'least-loaded';
  rrTarget: 'worker' | 'dp-rank-interleaved' | 'dp-rank-worker-major';
  firstTokenFrom: 'prefill' | 'decode';
  overlap: boolean;
  memoryFraction: number;
  streamInterval: number;
  connectionLimit: number;
  timeoutS: number;
  decisionOverheadMs: number;
  attentionDp: boolean;
  cudaGraphs: 'off' | 'padded' | 'exact';
  routerTemperature: number;
  /** Send only the first half of the trace (client.request_count). */
  half: boolean;
  load: { mode: 'fixed' } | { mode: 'rate'; rate: number; constant: boolean; cap: number | null } | { mode: 'concurrency'; users: number };
}

export const deploymentArb: fc.Arbitrary<Deployment> = fc.record({
  disagg: fc.boolean(),
  workers: fc.integer({ min: 1, max: 3 }),
  decodeWorkers: fc.integer({ min: 1, max: 3 }),
  dp: fc.constantFrom(1, 4, 8),
  decodeDp: fc.constantFrom(1, 4, 8),
  maxBatchSize: fc.integer({ min: 1, max: 8 }),
  maxNumTokens: fc.constantFrom(64, 256, 1024, 8192),
  maxSeqLen: fc.constantFrom(4096, 121000, 121000),
  chunked: fc.oneof({ arbitrary: fc.constant(true), weight: 3 }, { arbitrary: fc.constant(false), weight: 1 }),
  reuse: fc.boolean(),
  router: fc.constantFrom('kv', 'round-robin', 'random', 'least-loaded'),
  rrTarget: fc.constantFrom('worker', 'dp-rank-interleaved', 'dp-rank-worker-major'),
  firstTokenFrom: fc.constantFrom('prefill', 'decode'),
  overlap: fc.boolean(),
  // 39 to 1953 blocks of 64 tokens per rank: some prompts do not fit, caches fill and evict
  memoryFraction: fc.constantFrom(0.001, 0.003, 0.01, 0.05, 0.05),
  streamInterval: fc.integer({ min: 1, max: 3 }),
  connectionLimit: fc.constantFrom(1, 2, 4, 1000),
  timeoutS: fc.constantFrom(0.1, 1, 5, 1000, 1000),
  decisionOverheadMs: fc.constantFrom(0, 0, 1.5),
  attentionDp: fc.constantFrom(true, true, true, false),
  cudaGraphs: fc.constantFrom('off', 'padded', 'exact'),
  routerTemperature: fc.constantFrom(0, 0, 0.5),
  half: fc.constantFrom(false, false, false, true),
  load: fc.oneof(
    fc.constant({ mode: 'fixed' as const }),
    fc.record({ mode: fc.constant('rate' as const), rate: fc.constantFrom(5, 50, 500), constant: fc.boolean(), cap: fc.constantFrom(null, 1, 3) }),
    fc.record({ mode: fc.constant('concurrency' as const), users: fc.integer({ min: 1, max: 6 }) }),
  ),
}) as fc.Arbitrary<Deployment>;

const TRANSCEIVER = { backend: 'UCX', max_tokens_in_buffer: 120000 };

/** The scenario of `d` on a trace of `requests` requests. */
export function scenarioOf(d: Deployment, requests = 1): Scenario {
  const eng = (dp: number, extra: Record<string, unknown> = {}) => ({
    ...engine({
      ranks: dp,
      max_batch_size: d.maxBatchSize,
      // without chunked prefill the budget must hold a prompt: refused prompts are part of the property
      max_num_tokens: Math.max(d.maxNumTokens, d.maxBatchSize),
      max_seq_len: d.maxSeqLen,
      enable_chunked_prefill: d.chunked,
      disable_overlap_scheduler: !d.overlap,
      stream_interval: d.streamInterval,
      reuse: d.reuse,
      free_gpu_memory_fraction: d.memoryFraction,
      cuda_graph_config: d.cudaGraphs === 'off' ? null : { enable_padding: d.cudaGraphs === 'padded' },
    }),
    enable_attention_dp: d.attentionDp,
    ...extra,
  });
  const l = d.load;
  const client: Record<string, unknown> = { connection_limit: d.connectionLimit, request_timeout_seconds: d.timeoutS };
  if (d.half && requests > 1) client.request_count = Math.floor(requests / 2);
  if (l.mode === 'rate') Object.assign(client, { fixed_schedule: false, request_rate: l.rate, request_rate_mode: l.constant ? 'constant' : 'poisson', ...(l.cap !== null ? { concurrency: l.cap } : {}) });
  if (l.mode === 'concurrency') Object.assign(client, { fixed_schedule: false, concurrency: l.users });
  const workers = d.disagg
    ? { prefill: { count: d.workers, engine: eng(d.dp, { cache_transceiver_config: TRANSCEIVER }) }, decode: { count: d.decodeWorkers, engine: eng(d.decodeDp, { cache_transceiver_config: TRANSCEIVER }) } }
    : { agg: { count: d.workers, engine: eng(d.dp) } };
  return validateScenario(
    {
      name: 'property',
      model: MODEL,
      client,
      router: { router_mode: d.router, round_robin_target: d.rrTarget, decision_overhead_ms: d.decisionOverheadMs, router_temperature: d.routerTemperature },
      disaggregation: { first_token_from: d.firstTokenFrom },
      workers,
    },
    'property.yaml',
  );
}

/**
 * Prompts from a few prefix families (shared leading blocks), some longer than a small max_seq_len.
 * Ids are compact (as in real traces); a request shifted within its family breaks the prefix property,
 * so both block-key modes (trace ids, chained hashes) are exercised.
 */
export const traceArb = (maxRequests = 60, minRequests = 1): fc.Arbitrary<TraceRequest[]> =>
  fc
    .integer({ min: minRequests, max: maxRequests })
    .chain((n) =>
      fc.array(
        fc.record({
          gapMs: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 400 })),
          isl: fc.oneof({ arbitrary: fc.integer({ min: 1, max: 1500 }), weight: 3 }, { arbitrary: fc.integer({ min: 1500, max: 12000 }), weight: 1 }),
          osl: fc.oneof(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 4, max: 200 })),
          family: fc.integer({ min: 0, max: 3 }),
          shared: fc.integer({ min: 0, max: 6 }),
          shift: fc.constantFrom(0, 0, 0, 0, 0, 0, 0, 1),
        }),
        { minLength: n, maxLength: n },
      ),
    )
    .map((rows) => {
      let t = 0;
      return rows.map((r, id) => {
        t += r.gapMs;
        const n = Math.ceil(r.isl / TRACE_BLOCK_TOKENS);
        const hashIds = Array.from({ length: n }, (_, k) => (k < r.shared ? 10 * r.family + k + r.shift : 100 + 30 * id + k));
        return { id, timestampMs: t, inputTokens: r.isl, outputTokens: r.osl, hashIds };
      });
    });

export interface ObservedRun {
  result: SimulationResult;
  summary: Summary;
  observer: InvariantObserver;
  /** Requests the client sends (all of the trace, or client.request_count). */
  sent: number;
}

/** Run `trace` on `scenario` with the invariant observer; `patch` may inject a fault into the simulation first. */
export function observedRun(scenario: Scenario, trace: readonly TraceRequest[], seed = '1', patch?: (sim: Simulation) => void): ObservedRun {
  const observer = new InvariantObserver(scenario);
  const sim = new Simulation(trace, { scenario, cost, seed, observer });
  patch?.(sim);
  const result = sim.run();
  const summary = summarize(result, { scenario: scenario.name, seed, workload: 'property', load: sim.loadMode });
  return { result, summary, observer, sent: scenario.client.request_count ?? trace.length };
}
