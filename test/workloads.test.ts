// Tests of the built-in workloads: seed-coding against the seed table, its stored model's provenance, knobs, poisson, and the loader.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../src/util/errors.ts';
import { analyzeRequests } from '../src/trace/analyze.ts';
import { hasPrefixProperty } from '../src/kv/block-hash.ts';
import { parseTraceLine, readTrace } from '../src/trace/read.ts';
import { deriveSeedCodingModel } from '../src/trace/seed-coding-model.ts';
import type { TraceRequest } from '../src/protocol/trace.ts';
import { loadInputs } from '../src/app/inputs.ts';
import { loadSeedCodingModel } from '../src/trace/seed-coding.ts';
import { getWorkload, requestToTraceLine, workloads } from '../src/trace/workloads.ts';

const MOONCAKE = join(import.meta.dirname, '..', '..', 'shared', 'traces', 'mooncake_conversation_trace.jsonl');
const CLI = join(import.meta.dirname, '..', 'bin', 'servesim.js');

function expectValid(reqs: TraceRequest[]): void {
  let prev = 0;
  reqs.forEach((r, i) => {
    expect(r.id).toBe(i);
    const back = parseTraceLine(requestToTraceLine(r), { file: 'gen', line: i + 1 }, i);
    expect(back.timestampMs).toBeGreaterThanOrEqual(prev);
    prev = back.timestampMs;
    expect(Number.isInteger(r.timestampMs)).toBe(true);
    expect(back.hashIds).toEqual(r.hashIds);
  });
  expect(hasPrefixProperty(reqs)).toBe(true);
}

const SEED = {
  totalRequests: 10_000,
  uniqueBlocks: 430_838,
  totalBlocks: 770_934,
  islAvg: 39_186,
  islMax: 109_459,
  islMin: 12_801,
  oslAvg: 344,
  oslMax: 2_000,
  blockHit: 0.441,
  tokenHit: 0.44,
  context: 22_400,
  uniquePrompt: 16_786,
  sharedRatio: 0.572,
};

describe('seed-coding workload', () => {
  it('matches the seed DATASET ANALYSIS within 5 %, spans 80-90 min', () => {
    for (const seed of ['1', '2']) {
      const reqs = getWorkload('seed-coding').generate({ seed });
      const a = analyzeRequests(reqs, { name: 'seed-coding' });
      const got = {
        totalRequests: a.totalRequests,
        uniqueBlocks: a.uniqueBlocks,
        totalBlocks: a.totalBlocks,
        islAvg: a.islTokens.avg,
        islMax: a.islTokens.max,
        islMin: a.islTokens.min,
        oslAvg: a.oslTokens.avg,
        oslMax: a.oslTokens.max,
        blockHit: a.blockHitRate,
        tokenHit: a.tokenHitRate,
        context: a.avgContextTokens,
        uniquePrompt: a.avgUniquePromptTokens,
        sharedRatio: a.sharedPrefixRatio,
      };
      for (const [k, v] of Object.entries(SEED)) {
        const g = got[k as keyof typeof got];
        expect(Math.abs(g / v - 1), `${k} seed ${seed}: ${g} vs ${v}`).toBeLessThanOrEqual(0.05);
      }
      expect(a.islTokens.max).toBeLessThanOrEqual(110_000);
      expect(a.oslTokens.min).toBe(1);
      expect(a.spanMs / 60_000).toBeGreaterThanOrEqual(80);
      expect(a.spanMs / 60_000).toBeLessThanOrEqual(90);
      if (seed === '1') expectValid(reqs);
    }
  });

  it('is deterministic per seed', () => {
    const w = getWorkload('seed-coding');
    const a = w.generate({ seed: 's', params: { num_requests: 500 } });
    expect(w.generate({ seed: 's', params: { num_requests: 500 } })).toEqual(a);
    expect(w.generate({ seed: 't', params: { num_requests: 500 } })).not.toEqual(a);
  });

  it('knobs move the prefix structure, rate and lengths', () => {
    const w = getWorkload('seed-coding');
    const base = { num_requests: 3000 };
    const run = (p: Record<string, number>) => analyzeRequests(w.generate({ seed: 'k', params: { ...base, ...p } }), { name: 'k' });
    const a0 = run({});
    expect(a0.totalRequests).toBe(3000);
    // no conversations and no system prefix: nothing is shared
    const none = run({ num_prefixes: 0, system_prefix_blocks: 0 });
    expect(none.uniqueBlocks).toBe(none.totalBlocks);
    expect(none.sharedPrefixRatio).toBe(0);
    // more reuse -> more of the input is shared prefix
    expect(run({ reuse_ratio: 0.9 }).sharedPrefixRatio).toBeGreaterThan(a0.sharedPrefixRatio + 0.05);
    // fewer, more popular conversations -> higher hit rate
    expect(run({ num_prefixes: 200, prefix_zipf: 1.2 }).blockHitRate).toBeGreaterThan(a0.blockHitRate + 0.03);
    // deeper conversations -> longer shared contexts (compared without the max-ISL filter, which drops long ones)
    const unfiltered = run({ max_isl: 1e9 });
    expect(run({ prefix_depth: 3, max_isl: 1e9 }).avgContextTokens).toBeGreaterThan(unfiltered.avgContextTokens * 1.1);
    // twice the rate -> about half the span
    expect(run({ rate_scale: 2 }).spanMs / a0.spanMs).toBeCloseTo(0.5, 1);
    expect(run({ osl_scale: 0.5 }).oslTokens.avg / a0.oslTokens.avg).toBeCloseTo(0.5, 1);
    expect(run({ isl_scale: 0.5, max_isl: 1e9 }).islTokens.avg / unfiltered.islTokens.avg).toBeCloseTo(0.5, 1);
  });

  it('rejects unknown params and an impossible max_isl', () => {
    const w = getWorkload('seed-coding');
    expect(() => w.generate({ seed: '1', params: { bogus: 1 } })).toThrow(/bogus: unknown; known: num_requests/);
    expect(() => w.generate({ seed: '1', params: { max_isl: 100 } })).toThrow(InputError);
    expect(() => w.generate({ seed: '1', params: { rate_scale: 0 } })).toThrow(/must be > 0/);
  });
});

describe.skipIf(!existsSync(MOONCAKE))(`models/workload-seed-coding.json provenance (needs ${MOONCAKE})`, () => {
  it('equals a fresh derivation from the Mooncake trace', async () => {
    const stored = loadSeedCodingModel();
    const fresh = deriveSeedCodingModel(await readTrace(MOONCAKE), stored.source);
    expect(fresh).toEqual(stored);
  });
});

describe('poisson workload', () => {
  it('Poisson arrivals, fixed lengths, the requested prefix share', () => {
    const reqs = getWorkload('poisson').generate({ seed: '1', params: { rate: 5, num_requests: 4000, isl: 4096, osl: 100, prefix_share: 0.75, num_prefixes: 4 } });
    expectValid(reqs);
    const a = analyzeRequests(reqs, { name: 'poisson' });
    expect(a.requestRatePerS).toBeGreaterThan(4.7);
    expect(a.requestRatePerS).toBeLessThan(5.3);
    expect(a.islTokens).toEqual({ avg: 4096, max: 4096, min: 4096 });
    expect(a.oslTokens.avg).toBe(100);
    expect(a.sharedPrefixRatio).toBeCloseTo(0.75, 6);
    // 4 prefixes of 6 blocks: unique = 4*6 + 2 unique blocks per request
    expect(a.uniqueBlocks).toBe(4 * 6 + 2 * 4000);
  });
  it('distributed lengths with isl_cv', () => {
    const a = analyzeRequests(getWorkload('poisson').generate({ seed: '2', params: { num_requests: 3000, isl: 8000, isl_cv: 0.5 } }), { name: 'p' });
    expect(a.islTokens.avg / 8000).toBeCloseTo(1, 1);
    expect(a.islTokens.max).toBeGreaterThan(12_000);
  });
});

describe('getWorkload / loadInputs', () => {
  it('names the unknown workload and lists the known ones', () => {
    expect(() => getWorkload('nope')).toThrow(InputError);
    expect(() => getWorkload('nope')).toThrow(`workload: unknown workload 'nope'; known: ${workloads.names().join(', ')}`);
    expect(() => getWorkload('seed-codin')).toThrow("unknown workload 'seed-codin' (did you mean 'seed-coding'?)");
    expect(() => getWorkload('toString')).toThrow(InputError);
  });
  it('defaults to seed-coding and reads trace files', async () => {
    const { requests: reqs, label } = await loadInputs({ seed: '3', params: { num_requests: 50 } });
    expect(label).toBe('seed-coding');
    expect(reqs).toEqual(getWorkload('seed-coding').generate({ seed: '3', params: { num_requests: 50 } }));
    const dir = mkdtempSync(join(tmpdir(), 'servesim-wl-'));
    const file = join(dir, 'w.jsonl');
    const r = spawnSync('node', [CLI, 'synthesize', '--workload', 'poisson', '--param', 'num_requests=20', '--output-file', file, '--seed', '4'], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const { requests: back } = await loadInputs({ trace: file, seed: 'ignored' });
    expect(back).toEqual(getWorkload('poisson').generate({ seed: '4', params: { num_requests: 20 } }));
    expect(readFileSync(file, 'utf8').split('\n')).toHaveLength(21);
    await expect(loadInputs({ trace: file, workload: 'poisson', seed: '1' })).rejects.toThrow(InputError);
  });
});

describe('built-in workloads that declare prefix ids (a run then skips the scan)', () => {
  const cases: Record<string, Record<string, number>[]> = {
    'seed-coding': [{ num_requests: 2000 }, { num_requests: 2000, rate_scale: 3 }, { num_requests: 1500, max_isl: 30000 }],
    poisson: [{}, { prefix_share: 1, num_prefixes: 1 }, { prefix_share: 0.3, num_prefixes: 200, prefix_zipf: 1.2 }, { isl_cv: 1.5 }],
    synthetic: [{}, { prefix_prompt_length: 4096, num_prefix_prompts: 4 }, { prefix_prompt_length: 100, num_prefix_prompts: 50 }],
  };
  it('keep the prefix property on every seed and parameter set tried', () => {
    const declared = workloads.list().filter((w) => w.value.prefixIds).map((w) => w.name);
    expect(declared.sort()).toEqual(Object.keys(cases).sort());
    for (const name of declared) {
      for (const params of cases[name]) {
        for (const seed of ['1', '2', '3', '42']) {
          const reqs = getWorkload(name).generate({ seed, params });
          expect(reqs.length, `${name} ${JSON.stringify(params)}`).toBeGreaterThan(0);
          expect(hasPrefixProperty(reqs), `${name} ${JSON.stringify(params)} seed ${seed}`).toBe(true);
        }
      }
    }
  });

  it('are not declared so when their ids pass the key limit (2^30)', async () => {
    // unique ids start after a million shared prefixes of 1,171 blocks: ~1.2e9
    const inputs = await loadInputs({ workload: 'synthetic', seed: '1', params: { num_prefix_prompts: 1e6, prefix_prompt_length: 600_000 } });
    expect(hasPrefixProperty(inputs.requests)).toBe(false);
    expect(inputs.prefixProperty).toBeUndefined();
    const small = await loadInputs({ workload: 'synthetic', seed: '1', params: { num_prefix_prompts: 4, prefix_prompt_length: 4096 } });
    expect(small.prefixProperty).toBe(true);
  });
});
