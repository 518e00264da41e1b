// What-if directions the calibrated simulator must get right on the seed-like workload: KV routing
// beats round robin (disagg, and agg with block reuse), and halving the load collapses agg TTFT.
// Each bound sits at about half of the margin measured when it was set (noted beside it), so a change
// that erodes a direction by half fails here.
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { simulate } from '../src/app/run.ts';
import { loadScenario } from '../src/scenario/load.ts';
import { SCENARIOS_DIR } from '../src/app/reported.ts';
import { loadInputs } from '../src/app/inputs.ts';
import type { TraceRequest } from '../src/protocol/trace.ts';

const run = (name: string, requests: readonly TraceRequest[], sets: string[] = []) =>
  simulate({ scenario: loadScenario(join(SCENARIOS_DIR, `${name}.yaml`), sets), requests, seed: '42', workload: 'seed-coding' }).summary;

describe('what-if directions (seed-coding workload, calibrated model)', () => {
  let requests: TraceRequest[];
  beforeAll(async () => {
    requests = (await loadInputs({ workload: 'seed-coding', seed: '42' })).requests;
  });

  it('disagg: round robin has worse TTFT and a lower prefill hit rate than KV routing', () => {
    const kv = run('disagg-kv', requests);
    const rr = run('disagg-kv', requests, ['router.router_mode=round-robin']);
    expect(rr.ttftMs.mean).toBeGreaterThan(kv.ttftMs.mean * 1.06); // measured 1.123 (4.21 vs 3.75 s)
    expect(rr.kvCache.hitRate.prefill).toBeLessThan(kv.kvCache.hitRate.prefill - 0.035); // measured 21.4 % vs 28.5 %
  });

  it('agg: KV routing with block reuse beats round robin', () => {
    const rr = run('agg-rr-k8s', requests);
    const kv = run('agg-rr-k8s', requests, ['router.router_mode=kv', 'workers.agg.engine.kv_cache_config.enable_block_reuse=true']);
    expect(kv.kvCache.hitRate.agg).toBeGreaterThan(0.144); // measured 28.8 %
    expect(kv.ttftMs.mean).toBeLessThan(rr.ttftMs.mean / 46); // measured 1/92 (3.77 vs 345 s)
    expect(kv.requestThroughput).toBeGreaterThan(rr.requestThroughput + 0.167); // measured 1.93 vs 1.60 req/s
  });

  it('agg: halving the request rate lowers TTFT by orders of magnitude', async () => {
    const full = run('agg-rr-k8s', requests);
    const half = run('agg-rr-k8s', (await loadInputs({ workload: 'seed-coding', seed: '42', params: { rate_scale: 0.5 } })).requests);
    expect(full.ttftMs.mean / half.ttftMs.mean).toBeGreaterThan(46); // measured 92 (345 vs 3.77 s)
    expect(half.requests.timedOut).toBe(0);
  });
});
