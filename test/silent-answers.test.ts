// No silent wrong answers: hostile --set paths are refused without touching Object.prototype, a key
// given twice (or with a key inside it) is an error, deployments and workloads too large to simulate
// are refused up front, a run where nothing completes says why, and a stopped run is marked so.
import { describe, expect, it } from 'vitest';
import { importDgd } from '../src/app/import-dgd.ts';
import { openInputs } from '../src/app/inputs.ts';
import { defaultRunFolder, goodputSets } from '../src/app/run-command.ts';
import { readTrace } from '../src/trace/read.ts';
import { Synthesizer } from '../src/trace/synthesize.ts';
import { makeRng } from '../src/util/random.ts';
import { loadSets } from '../src/app/load-flags.ts';
import { runSliced, simulate } from '../src/app/run.ts';
import { formatBlock, formatNotes } from '../src/metrics/format.ts';
import { applyOverrides, loadScenario, MAX_GPUS } from '../src/scenario/load.ts';
import { getWorkload } from '../src/trace/workloads.ts';
import { InputError } from '../src/util/errors.ts';
import { aggScenario, errorOf, makeTrace } from './helpers.ts';

const SCENARIO = 'scenarios/agg-rr-k8s.yaml';

describe('--set', () => {
  it.each([
    ['__proto__.polluted=1', "'__proto__' is not a scenario key"],
    ['constructor.prototype.polluted=1', "'constructor' is not a scenario key"],
    ['workers.__proto__.polluted=1', "'__proto__' is not a scenario key"],
    ['client.prototype=1', "'prototype' is not a scenario key"],
  ])('refuses %s and leaves Object.prototype alone', (set, message) => {
    const e = errorOf(() => applyOverrides({}, [set], 'x.yaml'));
    expect(e).toBeInstanceOf(InputError);
    expect(e.message).toBe(`--set: ${set.slice(0, set.indexOf('='))}: ${message}`);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((Object.prototype as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('an inherited name is a new key, not the prototype member', () => {
    expect(errorOf(() => loadScenario(SCENARIO, ['toString.x=1'])).message).toMatch(new RegExp(`^${SCENARIO.replace(/[./]/g, '\\$&')} \\(--set toString\\.x\\): toString: unknown key; known here: `));
  });

  it('a key given twice is an error, whichever flag set it (a repeated --vary key already is)', () => {
    expect(errorOf(() => loadScenario(SCENARIO, ['workers.agg.count=1', 'workers.agg.count=2'])).message).toBe("--set: workers.agg.count: given twice ('workers.agg.count=1', then 'workers.agg.count=2'): give each key once");
    const flags = [...goodputSets('time_to_first_token:100'), ...loadSets({ 'request-rate': 5 })];
    expect(errorOf(() => loadScenario(SCENARIO, ['client.goodput_ttft_ms=5', ...flags])).message).toMatch(/^--set: client\.goodput_ttft_ms: given twice \('client\.goodput_ttft_ms=5', then 'client\.goodput_ttft_ms=100'\)/);
    expect(errorOf(() => loadScenario(SCENARIO, goodputSets('time_to_first_token:1 time_to_first_token:2'))).message).toMatch(/given twice/);
  });

  it('a key and a key inside it are an error in either order', () => {
    expect(errorOf(() => loadScenario(SCENARIO, ['workers.agg.engine={}', 'workers.agg.engine.max_batch_size=4'])).message).toBe("--set: workers.agg.engine.max_batch_size: overlaps 'workers.agg.engine={}': set a key or the keys inside it, not both");
    expect(errorOf(() => loadScenario(SCENARIO, ['workers.agg.engine.max_batch_size=4', 'workers.agg.engine={}'])).message).toMatch(/^--set: workers\.agg\.engine: overlaps 'workers\.agg\.engine\.max_batch_size=4'/);
    // siblings with a common prefix are fine
    expect(loadScenario(SCENARIO, ['workers.agg.count=2', 'workers.agg.engine.max_batch_size=4']).workers.agg!.count).toBe(2);
  });
});

describe('sizes refused up front', () => {
  it(`a deployment of more than ${MAX_GPUS} GPUs, with the reason`, () => {
    expect(errorOf(() => loadScenario(SCENARIO, ['workers.agg.count=1000000'])).message).toBe(`${SCENARIO} (--set workers.agg.count): workers: 8000000 GPUs (agg 1000000 x 8) exceed the 16384 servesim simulates: every rank is held in memory and scored per request`);
    expect(errorOf(() => loadScenario('scenarios/disagg-kv.yaml', ['workers.decode.count=2047'])).message).toMatch(/: workers: 16392 GPUs \(prefill 2 x 8 \+ decode 2047 x 8\) exceed the 16384/);
    expect(loadScenario(SCENARIO, ['workers.agg.count=2048']).workers.agg!.count).toBe(2048);
  });

  it('a workload too large to generate in memory', () => {
    for (const [name, param] of [['seed-coding', 'num_requests'], ['synthetic', 'num_requests'], ['poisson', 'num_requests'], ['synthetic', 'isl_mean'], ['poisson', 'osl']] as const) {
      expect(errorOf(() => getWorkload(name).generate({ seed: '1', params: { [param]: 1e9 } })).message).toBe(`${name} param ${param}: must be <= 1000000, got 1000000000 (the workload is generated in memory)`);
    }
  });
});

describe('a workload too large to hold in memory', () => {
  it('stops past 100,000,000 hash ids with one line instead of running out of memory; a million seed-coding requests fit', () => {
    const t = performance.now();
    const e = errorOf(() => getWorkload('synthetic').generate({ seed: '1', params: { num_requests: 1_000_000, isl_mean: 1_000_000 } }));
    expect(e.message).toBe('synthetic params: the requests would hold more than 100000000 hash ids (51.2 billion prompt tokens), more than servesim holds in memory: lower num_requests or the lengths');
    expect(performance.now() - t).toBeLessThan(20_000);
  });
});

describe('outputs and inputs that are no answer', () => {
  it('a scenario name is one folder under results/runs, never a path out of it', () => {
    expect(defaultRunFolder('agg-rr-k8s')).toBe('results/runs/agg-rr-k8s');
    expect(defaultRunFolder('../../../etc/x')).toBe('results/runs/__.._.._etc_x');
    expect(defaultRunFolder('..')).toBe('results/runs/_');
    expect(defaultRunFolder('/abs/path')).toBe('results/runs/_abs_path');
  });

  it('a workload that generates no request is refused, not run', () => {
    expect(errorOf(() => openInputs({ workload: 'seed-coding', seed: '1', params: { num_requests: 0 } })).message).toBe('workload seed-coding generated no requests (num_requests 0): nothing to simulate');
  });

  it('synthesize refuses multipliers that make rows no trace reader takes', () => {
    const rows = readTrace('test/fixtures/tiny-trace.jsonl');
    const first = (o: ConstructorParameters<typeof Synthesizer>[1]) => errorOf(() => [...new Synthesizer(rows, o).generate(50, {}, makeRng('1'))]).message;
    expect(first({ prefixLenMultiplier: 1e9 })).toBe('--prefix-len-multiplier: 1000000000 makes a prompt longer than 2^31 - 1 tokens, which no trace reader takes');
    expect(first({ promptLenMultiplier: 1e9 })).toBe('--prompt-len-multiplier: 1000000000 makes a prompt longer than 2^31 - 1 tokens, which no trace reader takes');
    expect(first({ oslMultiplier: 1e12 })).toBe('--osl-multiplier: 1000000000000 makes an output longer than 2^31 - 1 tokens, which no trace reader takes');
    expect(first({ prefixLenMultiplier: 1e12, prefixRootMultiplier: 100_000 })).toMatch(/^--prefix-len-multiplier: with --prefix-root-multiplier 100000, hash ids would pass 2\^53 - 1/);
  });
});

describe('a run in which nothing completes', () => {
  const trace = makeTrace([
    { t: 0, isl: 600, osl: 50 },
    { t: 0, isl: 600, osl: 50 },
    { t: 0, isl: 130_000, osl: 5 },
  ]);

  it('says why, with counts by reason; figures are n/a in the block and null in summary.json', () => {
    const { summary } = simulate({ scenario: aggScenario({ client: { request_timeout_seconds: 0.01 } }), requests: trace, seed: '1', workload: 'w' });
    expect(summary.noneCompleted).toBe('none of 3 requests completed: 2 timed out (timeout:prefill 1, timeout:queue 1), 1 rejected (max_seq_len 1)');
    const block = formatBlock(summary);
    expect(block).toMatch(/^Mean TTFT \(ms\): +n\/a$/m);
    expect(block).not.toMatch(/nan/i);
    expect(formatNotes(summary).split('\n')[0]).toBe(`no request completed: ${summary.noneCompleted}`);
    const json = JSON.stringify(summary);
    expect(json).not.toMatch(/NaN/);
    expect(JSON.parse(json).ttftMs).toMatchObject({ count: 0, mean: null, p99: null });
  });

  it('all timed out / all rejected', () => {
    const timedOut = simulate({ scenario: aggScenario({ client: { request_timeout_seconds: 0.01 } }), requests: trace.slice(0, 2), seed: '1', workload: 'w' }).summary;
    expect(timedOut.noneCompleted).toBe('all 2 requests timed out (timeout:prefill 1, timeout:queue 1)');
    const rejected = simulate({ scenario: aggScenario(), requests: trace.slice(2), seed: '1', workload: 'w' }).summary;
    expect(rejected.noneCompleted).toBe('all 1 requests were rejected (max_seq_len 1)');
    expect(simulate({ scenario: aggScenario(), requests: trace.slice(0, 1), seed: '1', workload: 'w' }).summary.noneCompleted).toBeUndefined();
  });
});

describe('a stopped run', () => {
  it('keeps the requests ended so far, marked interrupted with what was left', async () => {
    const trace = makeTrace(Array.from({ length: 200 }, (_, i) => ({ t: i * 50, isl: 600, osl: 100 })));
    const stop = new AbortController();
    const { summary, records, result } = await runSliced({ scenario: aggScenario(), requests: trace, seed: '1', workload: 'w' }, stop.signal, (p) => p.ended >= 10 && stop.abort('SIGINT'), 50);
    expect(result.stopped).toBeDefined();
    expect(summary.interrupted).toEqual({ signal: 'SIGINT', simulatedS: expect.any(Number), inFlight: result.stopped!.inFlight, notSent: result.stopped!.notSent });
    expect(records.length).toBeGreaterThan(0);
    expect(records.length + result.stopped!.inFlight + result.stopped!.notSent).toBe(200);
    expect(summary.requests.issued).toBe(records.length);
    expect(formatNotes(summary).split('\n')[0]).toMatch(/^INTERRUPTED \(SIGINT\) at simulated [\d.]+ s: the figures are those of the \d+ requests ended so far; \d+ in flight and \d+ not yet sent are left out$/);
    // unstopped, the sliced run is the whole run
    const whole = await runSliced({ scenario: aggScenario(), requests: trace, seed: '1', workload: 'w' }, undefined, undefined, 50);
    expect(JSON.stringify(whole.summary)).toBe(JSON.stringify(simulate({ scenario: aggScenario(), requests: trace, seed: '1', workload: 'w' }).summary));
  });
});

describe('import-dgd', () => {
  it('an AIPerf job that is an anchor bomb is one line', () => {
    expect(errorOf(() => importDgd({ file: 'test/fixtures/hostile/dgd-duplicate-keys.yaml', aiperf: 'test/fixtures/hostile/dgd-anchor-bomb.yaml' })).message).toMatch(/dgd-duplicate-keys\.yaml:3: invalid YAML/);
  });
});

describe('a busy fraction is a fraction', () => {
  it('requests cut off within a millisecond: the iterations they started still count inside the activity (at most 100 %)', () => {
    const scenario = loadScenario('scenarios/disagg-kv.yaml', ['client.request_timeout_seconds=0.001', 'client.fixed_schedule=false', 'client.concurrency=8', 'client.request_count=60']);
    const requests = getWorkload('synthetic').generate({ seed: '1', params: { num_requests: 60, isl_mean: 2000, osl_mean: 100 } });
    const s = simulate({ scenario, requests, seed: '1', workload: 'synthetic' }).summary;
    expect(s.requests.timedOut).toBe(60);
    for (const w of Object.values(s.workers)) expect(w.busyFraction).toBeLessThanOrEqual(1);
    expect(s.workers.prefill.busyFraction).toBeGreaterThan(0.5); // was 14.687 (1,468.7 %)
  });
});
