// The synthetic workload with AIPerf's knobs: input and output lengths from a normal distribution
// (AIPerf: --synthetic-input-tokens-mean/-stddev, --output-tokens-mean/-stddev; a positive sample
// rounded up, the mean when the stddev is 0) or uniform in [range_ratio·L, L] as common serving
// benchmarks draw them; an optional shared prefix (--prefix-prompt-length from a pool of
// --num-prefix-prompts, each request picks one uniformly), no other prefix reuse. Untimed: it is sent
// with --request-rate or --concurrency.
import { TRACE_BLOCK_TOKENS, type TraceRequest } from '../protocol/trace.ts';
import { inputError } from '../util/errors.ts';
import { randomStream, type Rng } from '../util/random.ts';
import { idBudget, MAX_GENERATED_REQUESTS, MAX_GENERATED_TOKENS, resolveParams, type ParamSpec } from './params.ts';
import { sampleStdNormal } from './samplers.ts';

export const syntheticParamSpec: ParamSpec = {
  num_requests: { default: 1000, doc: 'requests to generate', integer: true, min: 1, max: MAX_GENERATED_REQUESTS },
  isl_mean: { default: 550, doc: 'mean input tokens (AIPerf --synthetic-input-tokens-mean)', min: 1, max: MAX_GENERATED_TOKENS },
  isl_stddev: { default: 0, doc: 'input tokens stddev (AIPerf --synthetic-input-tokens-stddev)', min: 0, max: MAX_GENERATED_TOKENS },
  osl_mean: { default: 256, doc: 'mean output tokens (AIPerf --output-tokens-mean, sent with ignore_eos)', min: 1, max: MAX_GENERATED_TOKENS },
  osl_stddev: { default: 0, doc: 'output tokens stddev (AIPerf --output-tokens-stddev)', min: 0, max: MAX_GENERATED_TOKENS },
  range_ratio: { default: 1, doc: 'lengths uniform in [range_ratio x mean, mean] instead of normal (1 = off)', min: 0, minExclusive: true },
  prefix_prompt_length: { default: 0, doc: 'tokens of a shared prefix before each prompt (AIPerf --prefix-prompt-length)', integer: true, min: 0, max: MAX_GENERATED_TOKENS },
  num_prefix_prompts: { default: 0, doc: 'prefixes in the pool each request picks from (AIPerf --num-prefix-prompts)', integer: true, min: 0, max: MAX_GENERATED_REQUESTS },
};

/** AIPerf's length sampling: max(1, round(mean)) without spread, else a positive normal sample rounded up. */
function normalLength(rng: Rng, mean: number, stddev: number): number {
  if (stddev <= 0) return Math.max(1, Math.round(mean));
  for (let tries = 0; tries < 10_000; tries++) {
    const x = mean + stddev * sampleStdNormal(rng);
    if (x > 0) return Math.max(1, Math.ceil(x));
  }
  return Math.max(1, Math.round(mean));
}

/** Uniform integer in [ratio·L, L] (vLLM benchmark_serving's random dataset). */
function uniformLength(rng: Rng, mean: number, ratio: number): number {
  const lo = Math.max(1, Math.floor(mean * ratio));
  const hi = Math.max(lo, Math.round(mean));
  return lo + Math.floor(rng() * (hi - lo + 1));
}

export function generateSynthetic(seed: string, params?: Record<string, number>): TraceRequest[] {
  const p = resolveParams('synthetic', syntheticParamSpec, params);
  if (p.range_ratio > 1) throw inputError({ field: 'synthetic param range_ratio' }, `must be <= 1, got ${p.range_ratio}`);
  if (p.range_ratio < 1) {
    for (const k of ['isl_stddev', 'osl_stddev'] as const) if (p[k] > 0) throw inputError({ field: `synthetic param ${k}` }, `a stddev does not apply to uniform lengths (range_ratio ${p.range_ratio} < 1): give one or the other`);
  }
  if (p.prefix_prompt_length > 0 && p.num_prefix_prompts === 0) throw inputError({ field: 'synthetic param num_prefix_prompts' }, 'must be >= 1 with prefix_prompt_length (AIPerf refuses an empty prefix pool)');
  const rng = randomStream(seed, 'synthetic');
  const bs = TRACE_BLOCK_TOKENS;
  const length = (mean: number, stddev: number) => (p.range_ratio < 1 ? uniformLength(rng, mean, p.range_ratio) : normalLength(rng, mean, stddev));
  // prefix q owns ids q·shared … ; a partial last prefix block holds prompt tokens too, so it is not shared
  const shared = Math.floor(p.prefix_prompt_length / bs);
  let nextId = p.num_prefix_prompts * shared;
  const out: TraceRequest[] = [];
  const take = idBudget('synthetic', p.num_requests * Math.ceil(p.isl_mean / bs));
  for (let i = 0; i < p.num_requests; i++) {
    const prompt = length(p.isl_mean, p.isl_stddev);
    const outputTokens = length(p.osl_mean, p.osl_stddev);
    const prefix = p.prefix_prompt_length > 0 ? Math.floor(rng() * p.num_prefix_prompts) : -1;
    const inputTokens = prompt + (prefix >= 0 ? p.prefix_prompt_length : 0);
    take(Math.ceil(inputTokens / bs));
    const ids: number[] = [];
    for (let k = 0; k < (prefix >= 0 ? shared : 0); k++) ids.push(prefix * shared + k);
    while (ids.length < Math.ceil(inputTokens / bs)) ids.push(nextId++);
    const contextTokens = prefix >= 0 ? shared * bs : 0;
    out.push({ id: i, timestampMs: 0, inputTokens, outputTokens, hashIds: ids, contextTokens, uniqueUserPromptTokens: inputTokens - contextTokens });
  }
  return out;
}
