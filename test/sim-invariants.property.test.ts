// Property test of whole runs: over random small deployments and traces, every request ends exactly
// once, the clock never goes backwards, no rank exceeds its batch slots, token budget or KV capacity,
// no KV block leaks, completed requests generate exactly their output tokens, and every record's
// latencies are finite, non-negative and consistent (TTFT <= E2EL, parts add up to E2EL).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runViolations } from './invariants.ts';
import { deploymentArb, observedRun, scenarioOf, traceArb } from './sim-arbitraries.ts';

const RUNS = Number(process.env.SERVESIM_PROPERTY_RUNS ?? 300);

describe('simulation invariants over random deployments and traces', () => {
  it(`hold in ${RUNS} random runs`, () => {
    let completed = 0;
    let timedOut = 0;
    let rejected = 0;
    fc.assert(
      fc.property(deploymentArb, traceArb(), fc.integer({ min: 0, max: 1000 }), (d, trace, seed) => {
        const scenario = scenarioOf(d, trace.length);
        const run = observedRun(scenario, trace, String(seed));
        const violations = [...run.observer.endChecks(), ...runViolations(trace, run.result.records, run.summary, run.sent)];
        completed += run.summary.requests.completed;
        timedOut += run.summary.requests.timedOut;
        rejected += run.summary.requests.rejected;
        expect(violations).toEqual([]);
      }),
      { numRuns: RUNS, seed: 20240612 },
    );
    // the generators reach every ending
    expect(completed).toBeGreaterThan(0);
    expect(timedOut).toBeGreaterThan(0);
    expect(rejected).toBeGreaterThan(0);
  });
});
