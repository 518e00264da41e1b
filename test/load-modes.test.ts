// AIPerf's load modes: request rate (constant and Poisson gaps, a concurrency cap skipping ticks),
// closed-loop concurrency, request counts, the synthetic workload's length sampling, and a concurrency
// sweep on 8k/1k synthetic prompts whose throughput and TPOT curves are monotone with a knee where the
// decode slots fill; the AIPerf flags on the command line.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SCENARIOS_DIR } from '../src/app/reported.ts';
import { simulate } from '../src/app/run.ts';
import { loadScenario } from '../src/scenario/load.ts';
import { getWorkload } from '../src/trace/workloads.ts';
import { InputError } from '../src/util/errors.ts';
import { servesim } from './cli-spawn.ts';
import { aggScenario, makeTrace } from './helpers.ts';

const trace = (n: number, isl = 600, osl = 20) => makeTrace(Array.from({ length: n }, (_, i) => ({ t: 7 * i, isl, osl })));
const run = (client: Record<string, unknown>, n = 40, isl = 600, osl = 20) => simulate({ scenario: aggScenario({ client }), requests: trace(n, isl, osl), seed: '3', workload: 'w' });

describe('request-rate mode', () => {
  it('constant gaps of 1/rate, ignoring the trace timestamps', () => {
    const { records, summary } = run({ fixed_schedule: false, request_rate: 4, request_rate_mode: 'constant' });
    const starts = records.map((r) => r.scheduledMs).sort((a, b) => a - b);
    expect(starts.slice(0, 4)).toEqual([0, 250, 500, 750]);
    expect(summary.load).toBe('request rate 4/s (constant)');
  });

  it('Poisson gaps average 1/rate (seeded)', () => {
    const { records } = run({ fixed_schedule: false, request_rate: 50 }, 2000, 100, 2);
    const starts = records.map((r) => r.scheduledMs).sort((a, b) => a - b);
    const meanGap = starts[starts.length - 1] / (starts.length - 1);
    expect(Math.abs(meanGap - 20) / 20).toBeLessThan(0.06);
  });

  it('with a concurrency cap, a tick finding every slot busy is skipped: never more in flight', () => {
    const { result, summary } = run({ fixed_schedule: false, request_rate: 1000, concurrency: 3, request_count: 30 }, 40, 2000, 30);
    expect(result.client.peakInFlight).toBe(3);
    expect(summary.requests.issued).toBe(30);
  });
});

describe('concurrency mode (closed loop)', () => {
  it('keeps N requests out; each next one starts when one ends; --request-count sends that many', () => {
    const { records, result } = run({ fixed_schedule: false, concurrency: 4, request_count: 24 }, 40, 1000, 10);
    expect(records.length).toBe(24);
    expect(result.client.peakInFlight).toBe(4);
    const starts = records.map((r) => r.scheduledMs).sort((a, b) => a - b);
    expect(starts.slice(0, 4)).toEqual([0, 0, 0, 0]);
    const ends = new Set(records.map((r) => r.endMs));
    for (const s of starts.slice(4)) expect(ends.has(s)).toBe(true);
  });

  it('sends each request once when some are refused at once (each refusal frees a user)', () => {
    const rows = Array.from({ length: 30 }, (_, i) => ({ t: 0, isl: i % 3 === 0 ? 200000 : 500, osl: 5 }));
    const { summary } = simulate({ scenario: aggScenario({ client: { fixed_schedule: false, concurrency: 3 } }), requests: makeTrace(rows), seed: '1', workload: 'w' });
    expect(summary.requests).toEqual({ issued: 30, completed: 20, timedOut: 0, rejected: 10 });
  });

  it('refuses more requests than the workload holds, and a rate with a fixed schedule', () => {
    expect(() => run({ fixed_schedule: false, concurrency: 2, request_count: 41 })).toThrow(/client.request_count: 41 exceeds the 40 requests/);
    expect(() => run({ concurrency: 2 })).toThrow(InputError);
  });
});

describe('synthetic workload (AIPerf knobs)', () => {
  const gen = (params: Record<string, number>) => getWorkload('synthetic').generate({ seed: '1', params: { num_requests: 4000, ...params } });
  it('fixed lengths without spread; normal with stddev; uniform in [r·L, L] with a range ratio', () => {
    expect(new Set(gen({ isl_mean: 8192, osl_mean: 1024 }).map((r) => `${r.inputTokens}/${r.outputTokens}`))).toEqual(new Set(['8192/1024']));
    const n = gen({ isl_mean: 1000, isl_stddev: 100 }).map((r) => r.inputTokens);
    const m = n.reduce((a, b) => a + b, 0) / n.length;
    expect(Math.abs(m - 1000.5)).toBeLessThan(6); // ceil adds 0.5 on average
    const u = gen({ isl_mean: 1000, range_ratio: 0.5 }).map((r) => r.inputTokens);
    expect(Math.min(...u)).toBe(500);
    expect(Math.max(...u)).toBe(1000);
  });
  it('a range ratio takes no stddev (one or the other)', () => {
    expect(() => gen({ isl_mean: 1000, range_ratio: 0.5, isl_stddev: 10 })).toThrow(/synthetic param isl_stddev: a stddev does not apply to uniform lengths/);
    expect(() => gen({ osl_mean: 100, range_ratio: 0.8, osl_stddev: 5 })).toThrow(/synthetic param osl_stddev/);
  });
  it('a prefix pool: whole shared blocks first, unique ids after, nothing else shared', () => {
    const reqs = gen({ isl_mean: 600, prefix_prompt_length: 1100, num_prefix_prompts: 3 });
    expect(reqs.every((r) => r.inputTokens === 1700 && r.contextTokens === 1024)).toBe(true);
    expect(new Set(reqs.map((r) => r.hashIds.slice(0, 2).join()))).toEqual(new Set(['0,1', '2,3', '4,5']));
    const rest = reqs.flatMap((r) => r.hashIds.slice(2));
    expect(new Set(rest).size).toBe(rest.length);
  });
});

describe('a closed-loop concurrency sweep on 8k/1k synthetic prompts (disagg-kv)', () => {
  it('throughput and TPOT grow monotonically with concurrency and flatten where the 128 decode slots fill', () => {
    const scenario = (c: number) =>
      loadScenario(join(SCENARIOS_DIR, 'disagg-kv.yaml'), ['client.fixed_schedule=false', `client.concurrency=${c}`, `client.request_count=${Math.max(64, 2 * c)}`]);
    const points = [1, 4, 16, 64, 128, 256, 1024, 4096].map((c) => {
      const requests = getWorkload('synthetic').generate({ seed: '5', params: { num_requests: Math.max(64, 2 * c), isl_mean: 8192, osl_mean: 1024 } });
      const s = simulate({ scenario: scenario(c), requests, seed: '5', workload: 'synthetic' }).summary;
      return { c, tps: s.outputTokenThroughput, tpot: s.tpotMs.mean, ttft: s.ttftMs.mean };
    });
    for (let i = 1; i < points.length; i++) {
      expect(points[i].tps, `throughput at ${points[i].c}`).toBeGreaterThanOrEqual(points[i - 1].tps * 0.98);
      expect(points[i].tpot, `TPOT at ${points[i].c}`).toBeGreaterThanOrEqual(points[i - 1].tpot * 0.98);
    }
    const at = (c: number) => points.find((p) => p.c === c)!;
    // below the knee throughput scales with users; past 128 slots it barely moves while TTFT (queueing) explodes
    expect(at(64).tps / at(16).tps).toBeGreaterThan(2.5);
    // the knee is at the slots: doubling users up to 128 still nearly doubles throughput, past it not
    expect(at(128).tps / at(64).tps).toBeGreaterThan(1.6);
    expect(at(256).tps / at(128).tps).toBeLessThan(1.2);
    expect(at(4096).tps / at(256).tps).toBeLessThan(1.2);
    expect(at(4096).ttft / at(128).ttft).toBeGreaterThan(10);
  });
});

describe('the AIPerf flags on the command line', () => {
  it('--request-count makes that many synthetic prompts; --random-range-ratio draws uniform lengths and takes no stddev', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'servesim-load-'));
    try {
      const flags = ['run', 'scenarios/disagg-kv.yaml', '--concurrency', '16', '--synthetic-input-tokens-mean', '512', '--output-tokens-mean', '8', '--random-range-ratio', '0.5'];
      const ok = await servesim([...flags, '--request-count', '1500', '--out', dir, '--json']);
      expect(ok.stderr).toBe('');
      expect(ok.code).toBe(0);
      const records = readFileSync(join(dir, 'requests.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { status: string; inputTokens: number });
      expect(records).toHaveLength(1500); // more than the workload's default 1,000
      expect(records.every((r) => r.status === 'completed' && r.inputTokens >= 256 && r.inputTokens <= 512)).toBe(true);
      expect(new Set(records.map((r) => r.inputTokens)).size).toBeGreaterThan(100);
      const bad = await servesim([...flags, '--synthetic-input-tokens-stddev', '20', '--request-count', '10', '--out', join(dir, 'bad')]);
      expect(bad.code).toBe(2);
      expect(bad.stderr.trim().split('\n')).toEqual([expect.stringMatching(/isl_stddev: a stddev does not apply to uniform lengths \(range_ratio 0.5 < 1\)/)]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
