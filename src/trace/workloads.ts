// Built-in workloads (seeded request generators that need no trace file) and the trace-or-workload loader.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { InputError, inputError } from '../errors.ts';
import { readTrace } from './read.ts';
import { cdfOf, makeRng, roundHalfEven, sampleExponential, sampleQuantiles, sampleStdNormal, searchCdf, type Rng } from './samplers.ts';
import { type SeedCodingModel } from './seed-coding-model.ts';
import { TRACE_BLOCK_TOKENS, type TraceRequest } from './types.ts';

export interface Workload {
  name: string;
  description: string;
  generate(opts: { seed: string; params?: Record<string, number> }): TraceRequest[];
}

/** Documented parameters of a workload: name -> [default, meaning]. */
export type ParamSpec = Record<string, { default: number; doc: string; integer?: boolean; min?: number; minExclusive?: boolean }>;

/** Merge user params over defaults; unknown names and out-of-range values are InputErrors. */
export function resolveParams(workload: string, spec: ParamSpec, params: Record<string, number> | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, s] of Object.entries(spec)) out[k] = s.default;
  for (const [k, v] of Object.entries(params ?? {})) {
    const s = spec[k];
    if (s === undefined) throw inputError({ field: `${workload} param ${k}` }, `unknown; known: ${Object.keys(spec).join(', ')}`);
    if (typeof v !== 'number' || !Number.isFinite(v)) throw inputError({ field: `${workload} param ${k}` }, `must be a finite number, got ${JSON.stringify(v)}`);
    if (s.integer && !Number.isInteger(v)) throw inputError({ field: `${workload} param ${k}` }, `must be an integer, got ${v}`);
    if (s.min !== undefined && (s.minExclusive ? v <= s.min : v < s.min)) {
      throw inputError({ field: `${workload} param ${k}` }, `must be ${s.minExclusive ? '>' : '>='} ${s.min}, got ${v}`);
    }
    out[k] = v;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// seed-coding: the seed's Mooncake-based synthetic trace, from a compact model of the Mooncake trace.

const MODEL_FILE = fileURLToPath(new URL('../../models/workload-seed-coding.json', import.meta.url));
let cachedModel: SeedCodingModel | undefined;

export function loadSeedCodingModel(): SeedCodingModel {
  cachedModel ??= JSON.parse(readFileSync(MODEL_FILE, 'utf8')) as SeedCodingModel;
  return cachedModel;
}

/**
 * The seed trace "spans approximately 85 minutes" (seed document). Sampled burst gaps alone give
 * 85.7-88.9 min over seeds (more bursts are thinned by max_isl than in datagen's output, whose
 * spans are 84.7-85.3 min), so timestamps are rescaled to this span: the request rate is what
 * decides whether the aggregated deployment saturates.
 */
export const SEED_TRACE_SPAN_S = 85 * 60;

/** Consecutive ISL rejections after which a generator reports that max_isl excludes the model. */
const MAX_REJECTIONS = 10_000;

export function seedCodingParamSpec(m: SeedCodingModel): ParamSpec {
  const f = m.seedFlags;
  return {
    num_requests: { default: f.numRequests, doc: 'requests to generate', integer: true, min: 0 },
    rate_scale: { default: 1, doc: 'multiplies the request rate (divides inter-arrival gaps)', min: 0, minExclusive: true },
    span_s: {
      default: SEED_TRACE_SPAN_S,
      doc: 'seconds from the first to the last request at rate_scale 1 for num_requests 10,000 (scaled with num_requests); 0 keeps the sampled gaps',
      min: 0,
    },
    isl_scale: { default: 1, doc: 'multiplies shared-prefix and unique-prompt lengths (blocks)', min: 0, minExclusive: true },
    osl_scale: { default: 1, doc: 'multiplies output lengths', min: 0, minExclusive: true },
    num_prefixes: { default: m.conversations, doc: 'multi-turn conversations (shared prefixes below the system prompt)', integer: true, min: 0 },
    prefix_zipf: { default: m.zipfExponent, doc: 'Zipf exponent of conversation popularity (0 = uniform)', min: 0 },
    prefix_depth: { default: 1, doc: 'multiplies the extra turns per conversation (deeper shared chains)', min: 0 },
    reuse_ratio: {
      default: m.conversationTurns / (m.conversationTurns + m.oneOffRequests),
      doc: 'share of requests that continue a conversation (the rest are one-off prompts)',
      min: 0,
    },
    system_prefix_blocks: { default: m.systemPrefixBlocks, doc: 'blocks (before the x16 stretch) of the prefix every request shares', integer: true, min: 0 },
    max_isl: { default: f.maxIslTokens, doc: 'requests with a longer input are dropped (datagen --max-isl)', integer: true, min: 1 },
  };
}

/** datagen's prefix-length stretch of a node of `blocks` blocks by multiplier m. */
function stretchBlocks(blocks: number, m: number): number {
  if (m > 1) return blocks * Math.ceil(m);
  if (m < 1) return Math.max(roundHalfEven(blocks * m), 1);
  return blocks;
}

function sampleIntQuantiles(q: readonly number[], rng: Rng): number {
  return Math.round(sampleQuantiles(q, rng()));
}

export function generateSeedCoding(m: SeedCodingModel, seed: string, params?: Record<string, number>): TraceRequest[] {
  const p = resolveParams('seed-coding', seedCodingParamSpec(m), params);
  if (p.reuse_ratio > 1) throw inputError({ field: 'seed-coding param reuse_ratio' }, `must be <= 1, got ${p.reuse_ratio}`);
  const bs = m.seedFlags.blockTokens;
  const prefixMult = m.seedFlags.prefixLenMultiplier * p.isl_scale;
  const promptMult = m.seedFlags.promptLenMultiplier * p.isl_scale;
  const treeRng = makeRng(`${seed}:seed-coding:tree`);
  const rng = makeRng(`${seed}:seed-coding:requests`);

  // Conversations: every one has >= 2 turns; the extra turns follow Zipf popularity.
  const K = p.num_prefixes;
  const extraPerConv = m.conversations > 0 ? (m.conversationTurns - 2 * m.conversations) / m.conversations : 0;
  const turns = new Array<number>(K).fill(2);
  if (K > 0) {
    const zipf = cdfOf(Array.from({ length: K }, (_, k) => Math.pow(k + 1, -p.prefix_zipf)));
    const extra = Math.round(extraPerConv * p.prefix_depth * K);
    for (let i = 0; i < extra; i++) turns[searchCdf(zipf, treeRng())]++;
  }
  // Shared ids: system prefix, then each conversation's chain of n-1 nodes (lengths stretched).
  let nextId = 0;
  const sysBlocks = p.system_prefix_blocks > 0 ? stretchBlocks(p.system_prefix_blocks, prefixMult) : 0;
  const sysIds = Array.from({ length: sysBlocks }, () => nextId++);
  const convNodeIds: number[][][] = [];
  for (let k = 0; k < K; k++) {
    const chain: number[][] = [];
    for (let i = 0; i < turns[k] - 1; i++) {
      const raw = Math.max(1, sampleIntQuantiles(i === 0 ? m.firstNodeBlocksQuantiles : m.turnNodeBlocksQuantiles, treeRng));
      const len = stretchBlocks(raw, prefixMult);
      chain.push(Array.from({ length: len }, () => nextId++));
    }
    convNodeIds.push(chain);
  }
  // Choice at the system prefix: one-off (index K) or conversation k, weighted by visits.
  const convTurns = turns.reduce((a, b) => a + b, 0);
  const oneOffWeight = K === 0 ? 1 : p.reuse_ratio >= 1 ? 0 : (convTurns * (1 - p.reuse_ratio)) / Math.max(p.reuse_ratio, 1e-12);
  const choiceCdf = cdfOf([...turns, oneOffWeight]);
  const pEndInConv = m.conversationTurns > 0 ? Math.min(1, (m.endShare * m.sourceRequests) / m.conversationTurns) : 0;
  const burstCdf = cdfOf(m.burstSizeHistogram.map(([, c]) => c));

  const out: TraceRequest[] = [];
  let timestampMs = 0;
  let rejections = 0;
  while (out.length < p.num_requests) {
    const burst = m.burstSizeHistogram[searchCdf(burstCdf, rng())][0];
    for (let j = 0; j < burst && out.length < p.num_requests; j++) {
      const ids: number[] = [...sysIds];
      let contextTokens = sysBlocks * bs;
      let hasLeaf = true;
      const c = searchCdf(choiceCdf, rng());
      if (c < K) {
        const n = turns[c];
        const depth = Math.min(Math.floor(rng() * n) + 1, n - 1);
        const chain = convNodeIds[c];
        for (let i = 0; i < depth; i++) {
          for (const h of chain[i]) ids.push(h);
          contextTokens += chain[i].length * bs;
        }
        if (rng() < pEndInConv) hasLeaf = false;
      }
      let inputTokens: number;
      if (hasLeaf) {
        const leaf = Math.max(1, roundHalfEven(Math.max(1, sampleIntQuantiles(m.uniquePromptBlocksQuantiles, rng)) * promptMult));
        for (let i = 0; i < leaf; i++) ids.push(nextId++);
        const last = Math.min(bs, Math.max(1, sampleIntQuantiles(m.lastBlockTokensQuantiles, rng)));
        inputTokens = (ids.length - 1) * bs + last;
      } else inputTokens = ids.length * bs;
      const outputTokens = Math.max(1, Math.trunc(sampleIntQuantiles(m.outputTokensQuantiles, rng) * p.osl_scale));
      if (inputTokens > p.max_isl || inputTokens < 1) {
        if (++rejections >= MAX_REJECTIONS) throw inputError({ field: 'seed-coding param max_isl' }, `${p.max_isl} is below (nearly) every generated request; raise it`);
        continue;
      }
      rejections = 0;
      out.push({
        id: out.length,
        timestampMs,
        inputTokens,
        outputTokens,
        hashIds: ids,
        contextTokens,
        uniqueUserPromptTokens: inputTokens - contextTokens,
      });
    }
    timestampMs += roundHalfEven(sampleQuantiles(m.gapMsQuantiles, rng()) / p.rate_scale);
  }
  const lastMs = out.length > 0 ? out[out.length - 1].timestampMs : 0;
  if (p.span_s > 0 && lastMs > 0) {
    const factor = (p.span_s * 1000 * (p.num_requests / m.seedFlags.numRequests)) / p.rate_scale / lastMs;
    for (const r of out) r.timestampMs = Math.round(r.timestampMs * factor);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// poisson: Poisson arrivals, fixed or log-normal ISL/OSL, a chosen share of each prompt from shared prefixes.

export const poissonParamSpec: ParamSpec = {
  rate: { default: 2, doc: 'mean arrival rate, requests/s', min: 0, minExclusive: true },
  num_requests: { default: 1000, doc: 'requests to generate', integer: true, min: 0 },
  isl: { default: 8192, doc: 'mean input length, tokens', min: 1 },
  osl: { default: 256, doc: 'mean output length, tokens', min: 1 },
  isl_cv: { default: 0, doc: 'coefficient of variation of the input length (0 = fixed; log-normal otherwise)', min: 0 },
  osl_cv: { default: 0, doc: 'coefficient of variation of the output length (0 = fixed; log-normal otherwise)', min: 0 },
  prefix_share: { default: 0.5, doc: 'fraction of each input (whole blocks) taken from a shared prefix', min: 0 },
  num_prefixes: { default: 8, doc: 'distinct shared prefixes', integer: true, min: 1 },
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
  const rng = makeRng(`${seed}:poisson`);
  const bs = TRACE_BLOCK_TOKENS;
  const popularity = cdfOf(Array.from({ length: p.num_prefixes }, (_, k) => Math.pow(k + 1, -p.prefix_zipf)));
  // Prefix chains grow on demand; position i of prefix q always has the same id.
  const chains: number[][] = Array.from({ length: p.num_prefixes }, () => []);
  let nextId = 0;
  let tMs = 0;
  const out: TraceRequest[] = [];
  for (let i = 0; i < p.num_requests; i++) {
    if (i > 0) tMs += sampleExponential(rng, 1000 / p.rate);
    const inputTokens = sampleLength(rng, p.isl, p.isl_cv);
    const outputTokens = sampleLength(rng, p.osl, p.osl_cv);
    const nBlocks = Math.ceil(inputTokens / bs);
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

// ---------------------------------------------------------------------------------------------

export const workloads: Record<string, Workload> = {
  'seed-coding': {
    name: 'seed-coding',
    description:
      "The seed's Mooncake-based synthetic coding/conversation trace (datagen x16 prefix, x10 prompt, max ISL 110000): " +
      '10,000 requests over ~85 min, ~39K-token inputs, ~44 % block hit rate; generated from a model measured on the Mooncake trace.',
    generate: ({ seed, params }) => generateSeedCoding(loadSeedCodingModel(), seed, params),
  },
  poisson: {
    name: 'poisson',
    description: 'Poisson arrivals with fixed or log-normal ISL/OSL and a given share of each prompt from Zipf-popular shared prefixes.',
    generate: ({ seed, params }) => generatePoisson(seed, params),
  },
};

/** Documented parameters of each built-in workload. */
export function workloadParams(name: string): ParamSpec {
  return name === 'seed-coding' ? seedCodingParamSpec(loadSeedCodingModel()) : name === 'poisson' ? poissonParamSpec : {};
}

export function getWorkload(name: string): Workload {
  const w = Object.hasOwn(workloads, name) ? workloads[name] : undefined;
  if (w === undefined) throw new InputError(`unknown workload '${name}'; known workloads: ${Object.keys(workloads).join(', ')}`);
  return w;
}

export async function loadRequests(opts: { trace?: string; workload?: string; seed: string; params?: Record<string, number> }): Promise<TraceRequest[]> {
  if (opts.trace !== undefined) {
    if (opts.workload !== undefined) throw new InputError(`give either a trace file or a workload, not both (trace ${opts.trace}, workload ${opts.workload})`);
    if (opts.params !== undefined && Object.keys(opts.params).length > 0) throw new InputError('workload params apply to built-in workloads, not to a trace file');
    return readTrace(opts.trace);
  }
  return getWorkload(opts.workload ?? 'seed-coding').generate({ seed: opts.seed, params: opts.params });
}

/** Parse CLI `--param name=value` pairs into workload params. */
export function parseParamPairs(pairs: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    const v = Number(pair.slice(eq + 1));
    if (eq <= 0 || pair.slice(eq + 1).trim() === '' || !Number.isFinite(v)) throw inputError({ field: '--param' }, `expected name=number, got '${pair}'`);
    out[pair.slice(0, eq).trim()] = v;
  }
  return out;
}

/** Mooncake JSONL line of a request (context fields included when the request carries them). */
export function requestToTraceLine(r: TraceRequest): string {
  const row: Record<string, unknown> = { timestamp: r.timestampMs, input_length: r.inputTokens, output_length: r.outputTokens, hash_ids: r.hashIds };
  if (r.contextTokens !== undefined) row.context_len = r.contextTokens;
  if (r.uniqueUserPromptTokens !== undefined) row.unique_user_prompt_len = r.uniqueUserPromptTokens;
  return JSON.stringify(row);
}
