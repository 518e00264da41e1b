// Covers whole runs: accounting (issued = completed + timed out + rejected), no leaked KV, determinism, disaggregated timing (ITL ≈ decode step), agg vs disagg, wake-ups after KV is freed.
import { describe, expect, it } from 'vitest';
import { Simulation } from '../src/engine/simulation.ts';
import { simulate } from '../src/app/run.ts';
import type { Scenario } from '../src/scenario/schema.ts';
import { aggScenario, cost, costWithTransfer, decodeIter, disaggScenario, loneTtft, makeTrace, runSim, sum, transferMs } from './helpers.ts';
import { mixedTrace } from './mixed-trace.ts';

const P = 6;
/** Hand-computed iterations of a one-rank worker (no idle rank runs a dummy request). */
const R1 = { ranks: 1 };

function expectClean(sim: Simulation, n: number): void {
  const recs = sim.run().records;
  expect(recs.length).toBe(n);
  expect(new Set(recs.map((r) => r.id)).size).toBe(n);
  for (const pool of sim.pools) {
    for (const w of pool.workers) {
      expect(w.heldRequests()).toBe(0);
      for (const r of w.ranks) {
        expect(r.waiting.length + r.active.length).toBe(0);
        expect(r.assignedPromptTokens).toBe(0);
        expect(r.cache.usedBlocks).toBe(0);
        expect(() => r.cache.assertNoLiveBlocks(r.label)).not.toThrow();
      }
    }
  }
}

const scenarios: Array<[string, Scenario]> = [
  ['agg round robin', aggScenario({ count: 2, engine: { ranks: 4, reuse: true }, client: { connection_limit: 6, request_timeout_seconds: 5 } })],
  ['agg random', aggScenario({ count: 2, engine: { ranks: 4 }, router: { router_mode: 'random' }, client: { request_timeout_seconds: 5 } })],
  [
    'agg rank-pinned round robin, small KV',
    aggScenario({ count: 2, engine: { ranks: 4, free_gpu_memory_fraction: 0.01, max_batch_size: 4 }, router: { round_robin_target: 'dp-rank-interleaved' }, client: { request_timeout_seconds: 5 } }),
  ],
  [
    'disagg kv router',
    disaggScenario({ prefill: { ranks: 4, reuse: true }, decode: { ranks: 4, max_batch_size: 4 }, router: { router_mode: 'kv' }, client: { request_timeout_seconds: 1 }, firstTokenFrom: 'decode' }),
  ],
  ['disagg least-loaded, overhead', disaggScenario({ prefillCount: 2, router: { router_mode: 'least-loaded', decision_overhead_ms: 2 }, client: { connection_limit: 8, request_timeout_seconds: 1 } })],
];

describe('accounting and leaks', () => {
  it.each(scenarios)('%s: every request ends exactly once and no KV block is left held', (_name, s) => {
    const trace = mixedTrace('mix', 120);
    const r = runSim(s, trace);
    const q = r.summary.requests;
    expect(q.issued).toBe(120);
    expect(q.completed + q.timedOut + q.rejected).toBe(q.issued);
    expect(q.rejected).toBeGreaterThan(0); // the 130000-token prompts
    expect(q.completed).toBeGreaterThan(0);
    expect(q.timedOut).toBeGreaterThan(0); // the cut-off path runs too
    expectClean(new Simulation(trace, { scenario: s, cost, seed: '1' }), 120);
    // only completed requests have latencies
    for (const rec of r.records) expect(Number.isFinite(rec.e2elMs)).toBe(rec.status === 'completed');
  });

  it('an empty trace is a valid, empty run', () => {
    const r = runSim(aggScenario(), []);
    expect(r.summary.requests).toEqual({ issued: 0, completed: 0, timedOut: 0, rejected: 0 });
    expect(r.result.events).toBe(0);
  });

  it('a router returning a target that does not exist is a bug, not a silent drop', () => {
    const s = aggScenario();
    const sim = new Simulation(makeTrace([{ t: 0, isl: 100, osl: 1 }]), {
      scenario: s,
      cost,
      seed: '1',
      routers: { agg: () => ({ name: 'broken', select: () => ({ worker: 3, rank: null }) }) },
    });
    expect(() => sim.run()).toThrow(/invalid target/);
  });
});

describe('determinism', () => {
  it.each(scenarios)('%s: same inputs and seed give a byte-identical summary', (_name, s) => {
    const trace = mixedTrace('det', 80);
    const a = simulate({ scenario: s, requests: trace, seed: '7', workload: 'w' });
    const b = simulate({ scenario: s, requests: trace, seed: '7', workload: 'w' });
    expect(JSON.stringify(a.summary)).toBe(JSON.stringify(b.summary));
    expect(JSON.stringify(a.records)).toBe(JSON.stringify(b.records));
  });

  it('the seed drives random routing', () => {
    const s = scenarios[1][1];
    const trace = mixedTrace('det', 80);
    const a = simulate({ scenario: s, requests: trace, seed: '1', workload: 'w' });
    const b = simulate({ scenario: s, requests: trace, seed: '2', workload: 'w' });
    expect(a.records.map((r) => r.prefillTarget)).not.toEqual(b.records.map((r) => r.prefillTarget));
  });
});

describe('disaggregated timing', () => {
  const isl = 3000;
  const osl = 6;
  const steps = [1, 2, 3, 4, 5].map((k) => decodeIter(isl + k, { overlap: true }));
  const host = cost.params.hostOverheadMs;

  it('first token from decode: TTFT = prefill + KV transfer; ITL = the decode step time exactly', () => {
    const r = runSim(disaggScenario({ firstTokenFrom: 'decode' }), makeTrace([{ t: 0, isl, osl }]));
    const x = r.rec(0);
    expect(x.prefillTarget).toBe('prefill0.r0');
    expect(x.decodeTarget).toBe('decode0.r0');
    expect(x.ttftMs).toBeCloseTo(loneTtft(isl) + transferMs(isl), P);
    // overlap scheduler: the last token's response is handled in the next executor loop; the worker
    // is idle then, so that loop is CPU-only (hostOverheadMs)
    expect(x.e2elMs).toBeCloseTo(x.ttftMs + sum(steps) + host, P);
    expect(x.itlMs).toBeCloseTo((sum(steps) + host) / (osl - 1), P);
    expect(x.transferMs).toBeCloseTo(transferMs(isl), P);
  });

  it('first token from prefill: TTFT = prefill; the transfer shows up in E2EL', () => {
    const r = runSim(disaggScenario({ firstTokenFrom: 'prefill' }), makeTrace([{ t: 0, isl, osl }]));
    const x = r.rec(0);
    expect(x.ttftMs).toBeCloseTo(loneTtft(isl), P);
    expect(x.e2elMs).toBeCloseTo(loneTtft(isl) + transferMs(isl) + sum(steps) + host, P);
  });

  it('overlap scheduler: on a busy decode worker the last token reaches the client one iteration late', () => {
    // B keeps decode0.r0 busy; A (3 tokens) joins beside it: first token at its first decode
    // iteration, tokens 2 and 3 in two steps, the final response with the iteration after that
    const s = disaggScenario({ firstTokenFrom: 'decode', prefill: { ranks: 1 }, decode: { ranks: 1 } });
    const r = runSim(s, makeTrace([{ t: 0, isl: 640, osl: 400 }, { t: 2000, isl: 640, osl: 3 }]));
    const a = r.rec(1);
    expect(a.status).toBe('completed');
    const step = decodeIter(1300, { overlap: true, ranks: 1 }); // one request on the rank; two add well under 1 %
    expect(a.e2elMs - a.ttftMs).toBeGreaterThan(2.9 * step);
    expect(a.e2elMs - a.ttftMs).toBeLessThan(3.1 * step);
  });

  it('under load, disagg ITL stays near the decode step while agg ITL carries prefill chunks', () => {
    const rows = Array.from({ length: 16 }, (_, i) => ({ t: i * 150, isl: 6000, osl: 40 }));
    const agg = runSim(aggScenario(), makeTrace(rows)).summary;
    const dis = runSim(disaggScenario({ firstTokenFrom: 'decode' }), makeTrace(rows)).summary;
    const lone = decodeIter(6020, { overlap: true });
    expect(dis.itlMs.mean).toBeGreaterThanOrEqual(lone * 0.95);
    expect(dis.itlMs.mean).toBeLessThan(lone * 1.25);
    expect(dis.itlMs.p99).toBeLessThan(lone * 1.5);
    expect(agg.itlMs.mean).toBeGreaterThan(2 * dis.itlMs.mean);
    expect(agg.requests.completed).toBe(16);
    expect(dis.requests.completed).toBe(16);
  });
});

describe('wake-ups when resources are freed', () => {
  it('a prefill worker blocked on KV held by a transfer resumes when the transfer completes', () => {
    // prefill rank: 39 blocks; each request holds ceil(1501 / 64) = 24 until its KV reaches decode
    const s = disaggScenario({ prefill: { ranks: 1, free_gpu_memory_fraction: 0.000775 }, decode: { ranks: 1 } });
    const r = runSim(s, makeTrace([{ t: 0, isl: 1500, osl: 5 }, { t: 1, isl: 1500, osl: 5 }]));
    const [a, b] = [r.rec(0), r.rec(1)];
    const transferDone = loneTtft(1500, R1) + transferMs(1500);
    expect(a.status).toBe('completed');
    expect(a.ttftMs + a.transferMs).toBeCloseTo(transferDone, P);
    expect(b.status).toBe('completed');
    expect(b.queueMs).toBeCloseTo(transferDone - 1, P);
    expect(b.ttftMs).toBeCloseTo(transferDone - 1 + loneTtft(1500, R1), P);
  });

  it('a request cut off while holding a decode slot lets the next one in on an idle decode worker', () => {
    // KV transfer at 10 tokens per ms: A (10000 tokens) 1 s, B (64 tokens) 6.4 ms
    const slow = costWithTransfer((tokens) => tokens / 10);
    const s = disaggScenario({ prefill: { ranks: 1 }, decode: { ranks: 1, max_batch_size: 1 }, client: { request_timeout_seconds: 0.8 } });
    const r = runSim(s, makeTrace([{ t: 0, isl: 10000, osl: 3 }, { t: 300, isl: 64, osl: 3 }]), { cost: slow });
    const [a, b] = [r.rec(0), r.rec(1)];
    expect(a.status).toBe('timed-out'); // at 800 ms, in its 1 s transfer
    expect(a.endMs).toBe(800);
    expect(b.status).toBe('completed'); // admitted on decode at 800 ms, not stuck until its own cut-off
    expect(b.endMs).toBeLessThan(900);
    const flush = slow.params.hostOverheadMs; // overlap scheduler: final response in a CPU-only loop on the idle worker
    expect(b.e2elMs).toBeCloseTo(800 + transferMs(64, slow) + decodeIter(65, { ...R1, overlap: true, model: slow }) + decodeIter(66, { ...R1, overlap: true, model: slow }) + flush - 300, P);
  });
});

describe('decode runs (several identical decode iterations as one event) are exact', () => {
  it.each(scenarios)('%s: same records with runs of 64 steps as with one event per iteration', (_name, s) => {
    const trace = mixedTrace('runs', 120);
    const per = new Simulation(trace, { scenario: s, cost, seed: '3', maxRunSteps: 1 }).run();
    const runs = new Simulation(trace, { scenario: s, cost, seed: '3', maxRunSteps: 64 }).run();
    expect(runs.events).toBeLessThan(per.events);
    // identical up to floating-point summation order of the step times
    const a = per.records.map((r) => ({ ...r }));
    const b = runs.records.map((r) => ({ ...r }));
    expect(b.map((r) => [r.id, r.status, r.prefillTarget, r.decodeTarget])).toEqual(a.map((r) => [r.id, r.status, r.prefillTarget, r.decodeTarget]));
    for (let i = 0; i < a.length; i++) {
      for (const k of ['ttftMs', 'e2elMs', 'endMs'] as const) {
        if (Number.isNaN(a[i][k])) expect(b[i][k]).toBeNaN();
        else expect(b[i][k]).toBeCloseTo(a[i][k], 6);
      }
    }
  });
});

describe('review fixes', () => {
  it('a single-token output finishing on decode frees its slot for the next request at once', () => {
    const s = disaggScenario({ firstTokenFrom: 'decode', prefill: { ranks: 1 }, decode: { ranks: 1, max_batch_size: 1 }, client: { request_timeout_seconds: 100 } });
    const r = runSim(s, makeTrace([{ t: 0, isl: 1000, osl: 1 }, { t: 0, isl: 1000, osl: 1 }, { t: 0, isl: 1000, osl: 1 }]));
    for (const i of [0, 1, 2]) {
      expect(r.rec(i).status).toBe('completed');
      expect(r.rec(i).e2elMs).toBeLessThan(1000);
    }
  });

  it('with the first token from prefill, a single-token output takes no decode step', () => {
    const r = runSim(disaggScenario({ firstTokenFrom: 'prefill' }), makeTrace([{ t: 0, isl: 3000, osl: 1 }]));
    const x = r.rec(0);
    expect(x.status).toBe('completed');
    // done when the KV transfer lands on the decode rank: no decode iteration
    expect(x.e2elMs - x.ttftMs).toBeCloseTo(transferMs(3000), 6);
  });

  it('goodput: a request without an ITL (one output token) is not good under an ITL SLO', () => {
    const s = aggScenario({ client: { goodput_ttft_ms: 1e9, goodput_itl_ms: 1e9 } });
    const { summary } = simulate({ scenario: s, requests: makeTrace([{ t: 0, isl: 500, osl: 1 }, { t: 0, isl: 500, osl: 4 }]), seed: '1', workload: 'w' });
    expect(summary.requests.completed).toBe(2);
    expect(summary.goodput!.requests).toBe(1);
  });

  it('a long run of refused requests behind a capped client does not recurse', () => {
    const rows = Array.from({ length: 20000 }, (_, i) => ({ t: i === 0 ? 0 : 1, isl: i === 0 ? 600 : 130000, osl: 4 }));
    const r = runSim(aggScenario({ client: { connection_limit: 1, request_timeout_seconds: 1000 } }), makeTrace(rows));
    expect(r.summary.requests.rejected).toBe(19999);
    expect(r.summary.requests.completed).toBe(1);
  });
});
