// What-if directions of the parallelism cost model, each stated with the table facts behind it:
// decode DEP16 vs DEP8 at the seed load, and TEP8 vs DEP8 decode at low and at high concurrency.
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadInputs } from '../src/app/inputs.ts';
import { SCENARIOS_DIR } from '../src/app/reported.ts';
import { simulate } from '../src/app/run.ts';
import type { TraceRequest } from '../src/protocol/trace.ts';
import { loadScenario } from '../src/scenario/load.ts';

const DISAGG = join(SCENARIOS_DIR, 'disagg-kv.yaml');
const decodeAs = (n: number, dp: boolean, extra: string[] = []) => [
  `workers.decode.engine.tensor_parallel_size=${n}`,
  `workers.decode.engine.moe_expert_parallel_size=${n}`,
  `workers.decode.engine.enable_attention_dp=${dp}`,
  ...extra,
];
const run = (sets: string[], requests: readonly TraceRequest[]) => simulate({ scenario: loadScenario(DISAGG, sets), requests, seed: '42', workload: 'test' });

describe('decode DEP16 vs DEP8 at the seed load (seed-coding, first 40 minutes)', () => {
  let requests: TraceRequest[];
  beforeAll(async () => {
    requests = (await loadInputs({ workload: 'seed-coding', seed: '42' })).requests.filter((r) => r.timestampMs < 40 * 60_000);
  });

  it('ITL falls a little and KV capacity per rank rises', () => {
    // The tables: at 1-2 requests per decode rank, DEP16 spreads the same requests over twice the ranks
    // (fewer per rank: decode attention a little lower), each GPU's MoE sees twice the tokens over half
    // the experts (min-latency rows EP16 at 2n tokens <= EP8 at n), the all-to-all rows are flat in EP at
    // these sizes: a slightly shorter step. Routed experts per GPU halve (32 -> 16 per layer, -23 GB).
    const dep8 = run([], requests);
    const dep16 = run(decodeAs(16, true), requests);
    expect(dep16.summary.itlMs.mean).toBeLessThan(dep8.summary.itlMs.mean);
    expect(dep16.summary.itlMs.mean).toBeGreaterThan(0.9 * dep8.summary.itlMs.mean);
    const cap = (r: typeof dep8) => r.result.pools[1].workers[0].ranks[0].capacityBlocks;
    expect(cap(dep16) / cap(dep8)).toBeGreaterThan(1.15);
    expect(dep16.result.pools[1].workers[0].ranks).toHaveLength(16);
    // prefill is untouched: same TTFT up to the decode-side first-token wait
    expect(Math.abs(dep16.summary.ttftMs.mean / dep8.summary.ttftMs.mean - 1)).toBeLessThan(0.02);
  });
});

describe('TEP8 vs DEP8 decode', () => {
  it('low concurrency (about one request per decode worker): TEP8 has the lower ITL', async () => {
    // One request in flight: TEP8 reads the attention tables at 16 local heads (a step's attention
    // about 0.7x the 128-head time), and its two small custom all-reduces a layer cost less than the
    // all-to-all's prepare + dispatch + combine; the MoE is the same one token at EP8.
    const requests = (await loadInputs({ workload: 'poisson', seed: '7', params: { rate: 0.2, num_requests: 30, isl: 8192, osl: 128, prefix_share: 0 } })).requests;
    const dep8 = run([], requests).summary;
    const tep8 = run(decodeAs(8, false), requests).summary;
    expect(tep8.itlMs.mean).toBeLessThan(0.9 * dep8.itlMs.mean);
    expect(tep8.requests.completed).toBe(30);
  });

  it('high concurrency (256 requests per decode worker): TEP8 has the lower throughput per GPU', async () => {
    // 256 requests of 8k context on one worker: DEP8 holds 32 per rank at 128 heads, TEP8 all 256 on
    // every GPU at 16 heads; the generation table at (8k, 256) x 16 heads is well above (8k, 32) x 128
    // heads, while MoE (256 tokens, EP8) is the same and the all-reduces cost about the all-to-all.
    // Prefill has 6 workers so that decode is the bottleneck; both pools have 16 decode GPUs.
    const requests = (await loadInputs({ workload: 'poisson', seed: '7', params: { rate: 60, num_requests: 1200, isl: 8192, osl: 512, prefix_share: 0 } })).requests;
    const common = ['workers.prefill.count=6', 'client.request_timeout_seconds=100000'];
    const dep8 = run([...common, 'workers.decode.engine.max_batch_size=32'], requests).summary;
    const tep8 = run([...common, ...decodeAs(8, false, ['workers.decode.engine.max_batch_size=256'])], requests).summary;
    expect(dep8.requests.completed).toBe(1200);
    expect(tep8.requests.completed).toBe(1200);
    expect(tep8.outputTokenThroughput).toBeLessThan(0.95 * dep8.outputTokenThroughput);
  });
});
