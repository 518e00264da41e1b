// The poisson workload: Poisson arrivals, fixed or log-normal ISL/OSL, and a chosen share of each
// prompt taken from Zipf-popular shared prefixes.
import { TRACE_BLOCK_TOKENS, type TraceRequest } from '../protocol/trace.ts';
import { inputError } from '../util/errors.ts';
import { randomStream, type Rng } from '../util/random.ts';
import { idBudget, MAX_GENERATED_REQUESTS, MAX_GENERATED_TOKENS, resolveParams, type ParamSpec } from './params.ts';
import { cdfOf, sampleExponential, sampleStdNormal, searchCdf } from './samplers.ts';


export const poissonParamSpec: ParamSpec = {
  rate: { default: 2, doc: 'mean arrival rate, requests/s', min: 0, minExclusive: true },
  num_requests: { default: 1000, doc: 'requests to generate', integer: true, min: 0, max: MAX_GENERATED_REQUESTS },
  isl: { default: 8192, doc: 'mean input length, tokens', min: 1, max: MAX_GENERATED_TOKENS },
  osl: { default: 256, doc: 'mean output length, tokens', min: 1, max: MAX_GENERATED_TOKENS },
  isl_cv: { default: 0, doc: 'coefficient of variation of the input length (0 = fixed; log-normal otherwise)', min: 0 },
  osl_cv: { default: 0, doc: 'coefficient of variation of the output length (0 = fixed; log-normal otherwise)', min: 0 },
  prefix_share: { default: 0.5, doc: 'fraction of each input (whole blocks) taken from a shared prefix', min: 0 },
  num_prefixes: { default: 8, doc: 'distinct shared prefixes', integer: true, min: 1, max: MAX_GENERATED_REQUESTS },
  prefix_zipf: { default: 0, doc: 'Zipf exponent of prefix popularity (0 = uniform)', min: 0 },
};

function sampleLength(rng: Rng, mean: number, cv: number): number {
  if (cv <= 0) return Math.max(1, Math.round(mean));
  const sigma2 = Math.log(1 + cv * cv);
  const mu = Math.log(mean) - sigma2 / 2;
  return Math.max(1, Math.round(Math.exp(mu + Math.sqrt(sigma2) * sampleStdNormal(rng))));
}

export function generatePoisson(seed: string, params?: Record<string, number>): TraceRequest[] {
  const p = resolveParams('poisson', poissonParamSpec, params);
  if (p.prefix_share > 1) throw inputError({ field: 'poisson param prefix_share' }, `must be <= 1, got ${p.prefix_share}`);
  const rng = randomStream(seed, 'poisson');
  const bs = TRACE_BLOCK_TOKENS;
  const popularity = cdfOf(Array.from({ length: p.num_prefixes }, (_, k) => Math.pow(k + 1, -p.prefix_zipf)));
  // Prefix chains grow on demand; position i of prefix q always has the same id.
  const chains: number[][] = Array.from({ length: p.num_prefixes }, () => []);
  let nextId = 0;
  let tMs = 0;
  const out: TraceRequest[] = [];
  const take = idBudget('poisson');
  for (let i = 0; i < p.num_requests; i++) {
    if (i > 0) tMs += sampleExponential(rng, 1000 / p.rate);
    const inputTokens = sampleLength(rng, p.isl, p.isl_cv);
    const outputTokens = sampleLength(rng, p.osl, p.osl_cv);
    const nBlocks = Math.ceil(inputTokens / bs);
    take(nBlocks);
    const shared = Math.min(Math.floor((inputTokens * p.prefix_share) / bs), nBlocks);
    const q = searchCdf(popularity, rng());
    const chain = chains[q];
    while (chain.length < shared) chain.push(nextId++);
    const ids = chain.slice(0, shared);
    while (ids.length < nBlocks) ids.push(nextId++);
    const contextTokens = Math.min(shared * bs, inputTokens);
    out.push({ id: i, timestampMs: Math.round(tMs), inputTokens, outputTokens, hashIds: ids, contextTokens, uniqueUserPromptTokens: inputTokens - contextTokens });
  }
  return out;
}
