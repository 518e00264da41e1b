// Property test of reproducibility: the same inputs and seed give identical records and summary, and
// where randomness is involved (the random router over several workers, Poisson arrivals) a different
// seed gives a different run. Test doubles (a router drawing from Math.random, one ignoring its stream)
// show both checks can fail.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Simulation } from '../src/engine/simulation.ts';
import { summarize } from '../src/metrics/summary.ts';
import type { RouteTarget, Router, RouterContext, RouterFactory } from '../src/protocol/router.ts';
import type { TraceRequest } from '../src/protocol/trace.ts';
import type { Scenario } from '../src/scenario/schema.ts';
import { aggScenario, cost } from './helpers.ts';
import { deploymentArb, scenarioOf, traceArb, type Deployment } from './sim-arbitraries.ts';

const RUNS = Number(process.env.SERVESIM_PROPERTY_RUNS ?? 200);

/** Everything a run produces, as bytes. */
function fingerprint(scenario: Scenario, trace: readonly TraceRequest[], seed: string, router?: RouterFactory): string {
  const sim = new Simulation(trace, { scenario, cost, seed, routers: router ? { agg: router, prefill: router } : undefined });
  const result = sim.run();
  return JSON.stringify({ records: result.records, summary: summarize(result, { scenario: scenario.name, seed, workload: 'property', load: sim.loadMode }) });
}

/** Deployments where a seed changes the run: the random router over 2-3 workers, or Poisson arrivals. */
const randomArb: fc.Arbitrary<Deployment> = fc
  .tuple(deploymentArb, fc.boolean(), fc.integer({ min: 2, max: 3 }))
  .map(([d, byRouter, workers]) =>
    byRouter
      ? { ...d, router: 'random' as const, workers, timeoutS: 1000, connectionLimit: 1000, maxSeqLen: 121000, memoryFraction: 0.05, chunked: true }
      : { ...d, load: { mode: 'rate' as const, rate: 50, constant: false, cap: null } },
  );

const longTrace = traceArb(40, 30);

describe('determinism', () => {
  it(`identical seeds give identical records and summary (${RUNS} random runs)`, () => {
    fc.assert(
      fc.property(deploymentArb, traceArb(25), fc.integer({ min: 0, max: 1000 }), (d, trace, seed) => {
        const s = scenarioOf(d, trace.length);
        expect(fingerprint(s, trace, String(seed))).toBe(fingerprint(s, trace, String(seed)));
      }),
      { numRuns: RUNS, seed: 7 },
    );
  });

  it(`different seeds give different runs where randomness is involved (${RUNS} random runs)`, () => {
    fc.assert(
      fc.property(randomArb, longTrace, fc.integer({ min: 0, max: 1000 }), (d, trace, seed) => {
        const s = scenarioOf(d, trace.length);
        expect(fingerprint(s, trace, String(seed))).not.toBe(fingerprint(s, trace, String(seed + 1)));
      }),
      { numRuns: RUNS, seed: 11 },
    );
  });

  describe('the checks fail on test doubles', () => {
    const scenario = aggScenario({ count: 3 });
    const trace: TraceRequest[] = Array.from({ length: 40 }, (_, id) => ({ id, timestampMs: id * 50, inputTokens: 600, outputTokens: 4, hashIds: [id * 2, id * 2 + 1] }));
    const pick = (draw: (ctx: RouterContext) => number): RouterFactory => (ctx) =>
      ({ name: 'double', select: (): RouteTarget => ({ worker: Math.floor(draw(ctx) * ctx.workerRanks.length), rank: null }) }) satisfies Router;

    it('a router drawing from Math.random: the same seed gives different runs', () => {
      const unseeded = pick(() => Math.random());
      expect(fingerprint(scenario, trace, '1', unseeded)).not.toBe(fingerprint(scenario, trace, '1', unseeded));
    });

    it('a random router ignoring its stream: different seeds give the same run', () => {
      let n = 0;
      const fixed = pick(() => ((n = (n * 7 + 3) % 11), n / 11));
      const a = fingerprint(scenario, trace, '1', fixed);
      n = 0;
      expect(fingerprint(scenario, trace, '2', fixed).replace(/"seed":"2"/g, '"seed":"1"')).toBe(a);
      // the real random router does not
      const s = aggScenario({ count: 3, router: { router_mode: 'random' } });
      expect(fingerprint(s, trace, '1')).not.toBe(fingerprint(s, trace, '2'));
    });
  });
});
