// The run loop's watchdog and clock range: a zero-length iteration loop stops with one line naming the
// worker that repeats; events past 2^43 ms (a huge slowdown or timeout, a vanishing rate) stop with
// the setting to check; arrival gaps below the clock resolution are refused; a concurrency-capped
// request rate far above what the deployment serves does not spin on skipped ticks.
import { describe, expect, it, vi } from 'vitest';
import { WorkerCost } from '../src/cost/worker-cost.ts';
import { Simulation } from '../src/engine/simulation.ts';
import { clockResolutionMs } from '../src/util/clock.ts';
import { InputError } from '../src/util/errors.ts';
import { aggScenario, cost, errorOf, makeTrace } from './helpers.ts';

/** Runs `f` with the real cost model's iterations taking no time (a zero-length loop). */
function withInstantIterations<T>(f: () => T): T {
  const spies = [vi.spyOn(WorkerCost.prototype, 'iterationMs').mockReturnValue(0), vi.spyOn(WorkerCost.prototype, 'withAttentionMs').mockReturnValue(0)];
  try {
    return f();
  } finally {
    for (const s of spies) s.mockRestore();
  }
}

const trace = makeTrace(Array.from({ length: 4 }, (_, i) => ({ t: 1000 + i, isl: 600, osl: 5000 })));

describe('watchdog', () => {
  it('stops a run whose iterations take no time, naming the worker that repeats and why', () => {
    const e = withInstantIterations(() => errorOf(() => new Simulation(trace, { scenario: aggScenario(), cost, seed: '1', maxRunSteps: 1, stallEvents: 2000 }).run()));
    expect(e).toBeInstanceOf(InputError);
    expect(e.message).toMatch(/^simulated clock stuck at 1000 ms for 3000 events \(resolution 1\.1e-13 ms\): iteration-end of agg0 repeats \(100% of the last 1000\); its iterations end where they start/);
    expect(e.message).toContain('check platform.iteration_slowdown and the cost model');
    expect(e.message).not.toContain('\n');
  });

  it('lets a legitimate burst at one instant through (the default limit allows 8 events a request)', () => {
    const burst = makeTrace(Array.from({ length: 300 }, () => ({ t: 5, isl: 100, osl: 2 })));
    const r = new Simulation(burst, { scenario: aggScenario({ count: 2 }), cost, seed: '1', stallEvents: 8 * burst.length }).run();
    expect(r.records).toHaveLength(300);
  });

  it('refuses an event past the clock range, naming the setting to check', () => {
    const slow = aggScenario({ platform: { iteration_slowdown: 1e300 } });
    expect(errorOf(() => new Simulation(trace, { scenario: slow, cost, seed: '1' }).run()).message).toMatch(
      /^an iteration end at [\d.e+]+ ms, beyond the simulated clock's range of 2\^43 ms \(~278 years; past it ms fractions are lost\): check platform\.iteration_slowdown and the cost model$/,
    );
    // the longest timeout the scenario takes (2^43 ms), counted from a request scheduled at 1 s
    const late = aggScenario({ client: { request_timeout_seconds: 8_796_093_022 } });
    expect(errorOf(() => new Simulation(trace, { scenario: late, cost, seed: '1' }).run()).message).toMatch(/^a request cut-off at .* check client\.request_timeout_seconds$/);
    const sparse = aggScenario({ client: { fixed_schedule: false, request_rate: 1e-12 } });
    expect(errorOf(() => new Simulation(trace, { scenario: sparse, cost, seed: '1' }).run()).message).toMatch(/^the next arrival at .* check client\.request_rate/);
  });

  it('refuses arrival gaps below the clock resolution', () => {
    // 1e-12 ms gaps are below the resolution once the clock passes ~4.5 s: a capped client resumes
    // there when its long first request ends
    const s = aggScenario({ client: { fixed_schedule: false, request_rate: 1e15, concurrency: 1 } });
    const long = makeTrace(Array.from({ length: 3 }, () => ({ t: 0, isl: 600, osl: 300 })));
    const e = errorOf(() => new Simulation(long, { scenario: s, cost, seed: '1' }).run());
    expect(e.message).toMatch(/^client\.request_rate: 1000000000000000\/s: gaps of 1e-12 ms are below the simulated clock's resolution at [\d.]+ ms \([\d.e-]+ ms\); the requests would all arrive at one instant$/);
    expect(clockResolutionMs(4096)).toBeGreaterThan(1e-12 / 2);
  });

  it('does not simulate the skipped ticks of a capped request rate one by one', () => {
    const s = aggScenario({ client: { fixed_schedule: false, request_rate: 1e9, concurrency: 1 } });
    const r = new Simulation(makeTrace(Array.from({ length: 5 }, () => ({ t: 0, isl: 600, osl: 20 }))), { scenario: s, cost, seed: '1' }).run();
    expect(r.records.filter((x) => x.status === 'completed')).toHaveLength(5);
    expect(r.events).toBeLessThan(100);
  });
});
