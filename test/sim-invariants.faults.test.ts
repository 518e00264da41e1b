// The invariant checks of the property tests can fail: each runs against a simulation with one injected
// fault (a worker that over-admits or over-schedules, a cache that ignores its capacity, leaks or frees
// twice, an event scheduled in the past, a request recorded twice, tokens or times corrupted) and must
// report it; a correct run reports nothing.
import { describe, expect, it } from 'vitest';
import type { Simulation } from '../src/engine/simulation.ts';
import type { BlockCache } from '../src/kv/block-cache.ts';
import type { EngineConfig } from '../src/scenario/schema.ts';
import type { Worker } from '../src/worker/worker.ts';
import { aggScenario, disaggScenario, makeTrace } from './helpers.ts';
import { InvariantObserver, recordViolations, runViolations } from './invariants.ts';
import { observedRun } from './sim-arbitraries.ts';

/** 12 requests at once with a shared 2-block prefix: batches fill, caches share blocks. */
const trace = makeTrace(Array.from({ length: 12 }, (_, i) => ({ t: i * 5, isl: 1400, osl: 30, ids: [7, 8, 100 + i] })));
const agg = aggScenario({ engine: { ranks: 4, max_batch_size: 2, max_num_tokens: 1024, reuse: true } });
const disagg = disaggScenario({ prefill: { ranks: 4, max_batch_size: 2, reuse: true }, decode: { ranks: 4, max_batch_size: 2 } });

type Patch = (sim: Simulation) => void;

/** Every violation the observer and the run checks report, plus what the run threw. */
function violations(scenario = agg, patch?: Patch): string[] {
  let observer: InvariantObserver | null = null;
  try {
    const run = observedRun(scenario, trace, '1', (sim) => {
      observer = (sim as unknown as { observer: InvariantObserver }).observer;
      patch?.(sim);
    });
    return [...run.observer.endChecks(), ...runViolations(trace, run.result.records, run.summary, run.sent)];
  } catch (e) {
    return [...((observer as InvariantObserver | null)?.endChecks() ?? []), `threw: ${(e as Error).message}`];
  }
}

const workers = (sim: Simulation, pool = 0) => sim.pools[pool].workers as Worker[];
const caches = (sim: Simulation, pool = 0): BlockCache[] => workers(sim, pool).flatMap((w) => w.ranks.map((r) => r.cache));
const withEngine = (w: Worker, change: Partial<EngineConfig>) => ((w as { engine: EngineConfig }).engine = { ...w.engine, ...change });
const priv = <T>(sim: Simulation) => sim as unknown as T;

describe('invariant checks catch injected faults', () => {
  it('a correct run reports nothing (agg and disagg)', () => {
    expect(violations(agg)).toEqual([]);
    expect(violations(disagg)).toEqual([]);
  });

  it('a worker that over-admits: more requests on a rank than max_batch_size', () => {
    expect(violations(agg, (sim) => workers(sim).forEach((w) => withEngine(w, { max_batch_size: 6 })))).toContainEqual(expect.stringMatching(/holds [3-6] requests > max_batch_size 2/));
  });

  it('a worker that over-schedules: more tokens in an iteration than max_num_tokens', () => {
    expect(violations(agg, (sim) => workers(sim).forEach((w) => withEngine(w, { max_num_tokens: 8192 })))).toContainEqual(expect.stringMatching(/schedules \d+ tokens > max_num_tokens 1024/));
  });

  it('a cache that ignores its capacity', () => {
    const v = violations(agg, (sim) => {
      for (const c of caches(sim)) {
        const allocate = c.allocate.bind(c);
        const cap = c as { capacityBlocks: number };
        c.allocate = (...args) => {
          const real = cap.capacityBlocks;
          cap.capacityBlocks = real + 1_000_000;
          try {
            return allocate(...args);
          } finally {
            cap.capacityBlocks = Math.min(real, 30);
          }
        };
      }
    });
    expect(v).toContainEqual(expect.stringMatching(/cache above capacity/));
  });

  it('a cache that leaks an allocation', () => {
    const v = violations(agg, (sim) => {
      const c = caches(sim)[0];
      const release = c.release.bind(c);
      let first = true;
      c.release = (a) => (first ? (first = false) : release(a)) as unknown as void;
    });
    expect(v).toContainEqual(expect.stringMatching(/agg0\.r0 leaked \d+ KV blocks/));
  });

  it('a worker that frees an allocation twice', () => {
    const v = violations(disagg, (sim) => {
      for (const c of caches(sim)) {
        const release = c.release.bind(c);
        c.release = (a) => {
          release(a);
          release(a);
        };
      }
    });
    expect(v).toContainEqual(expect.stringMatching(/threw: double free of a KV allocation/));
  });

  it('an event scheduled in the past: the clock goes backwards', () => {
    const v = violations(disagg, (sim) => {
      const q = priv<{ queue: { push: (t: number, p: { kind: string }) => unknown } }>(sim).queue;
      const push = q.push.bind(q);
      q.push = (t, p) => push(p.kind === 'transfer-done' ? t - 50 : t, p);
    });
    expect(v).toContainEqual(expect.stringMatching(/clock went backwards: transfer-done/));
  });

  it('a request recorded twice', () => {
    const v = violations(agg, (sim) => {
      const s = priv<{ pushRecord: (req: unknown, status: string) => void }>(sim);
      const push = s.pushRecord.bind(sim);
      s.pushRecord = (req, status) => {
        push(req, status);
        if ((req as { id: number }).id === 3) push(req, status);
      };
    });
    expect(v).toContainEqual('request 3 ended twice (completed)');
    expect(v).toContainEqual(expect.stringMatching(/threw: accounting check failed: 12 requests issued but 13 ended/));
  });

  it('a worker that generates more tokens than asked', () => {
    const v = violations(agg, (sim) => {
      for (const w of workers(sim)) {
        const end = w.endIteration.bind(w);
        w.endIteration = (now, run) => {
          for (const r of w.ranks) for (const s of r.active) if (s.phase === 'decode') s.generatedTokens++;
          end(now, run);
        };
      }
    });
    expect(v).toContainEqual(expect.stringMatching(/completed with (3[1-9]|[4-9]\d) of 30 output tokens generated/));
  });

  it('a first token stamped after the last: TTFT > E2EL', () => {
    const v = violations(agg, (sim) => {
      const first = sim.firstToken.bind(sim);
      sim.firstToken = (req, at) => first(req, at + 1e7);
    });
    expect(v).toContainEqual(expect.stringMatching(/TTFT [\d.]+ > E2EL/));
  });

  it('a last token at NaN or in the past: NaN and negative latencies', () => {
    const at = (shift: (t: number) => number) => (sim: Simulation) => {
      const completed = sim.completed.bind(sim);
      sim.completed = (req, t) => completed(req, shift(t));
    };
    expect(violations(agg, at(() => NaN))).toContainEqual(expect.stringMatching(/E2EL NaN/));
    expect(violations(agg, at((t) => t - 1e9))).toContainEqual(expect.stringMatching(/E2EL -\d/));
  });

  it('a summary whose output tokens or counts disagree with the records', () => {
    const run = observedRun(agg, trace);
    const recs = run.result.records;
    expect(runViolations(trace, recs, run.summary, run.sent)).toEqual([]);
    expect(runViolations(trace, recs, { ...run.summary, outputTokenThroughput: run.summary.outputTokenThroughput * 1.01 }, run.sent)).toContainEqual(expect.stringMatching(/summary output throughput/));
    expect(runViolations(trace, recs.slice(1), run.summary, run.sent)).toContainEqual('request 0 never ended');
    expect(runViolations(trace, [...recs, recs[0]], run.summary, run.sent + 1)).toContainEqual('request 0 has 2 records');
  });

  it('a record with a negative part or a latency measured for a request that did not complete', () => {
    const run = observedRun(agg, trace);
    const r = run.result.records[0];
    expect(recordViolations(r)).toEqual([]);
    expect(recordViolations({ ...r, queueMs: -1 })).toContainEqual(expect.stringMatching(/queueMs -1/));
    expect(recordViolations({ ...r, status: 'timed-out', endReason: 'timeout:decode', reason: 'cut off' })).toContainEqual(expect.stringMatching(/TTFT [\d.]+ measured for a request that did not complete/));
  });
});
