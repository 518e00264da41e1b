// The seed-coding workload: the seed's Mooncake-based synthetic trace (datagen ×16 prefix, ×10 prompt,
// max ISL 110000), generated from a compact model of the Mooncake trace (models/workload-seed-coding.json).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { TraceRequest } from '../protocol/trace.ts';
import { inputError } from '../util/errors.ts';
import { randomStream, type Rng } from '../util/random.ts';
import { idBudget, MAX_GENERATED_REQUESTS, resolveParams, type ParamSpec } from './params.ts';
import { cdfOf, roundHalfEven, sampleQuantiles, searchCdf } from './samplers.ts';
import type { SeedCodingModel } from './seed-coding-model.ts';


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
    num_requests: { default: f.numRequests, doc: 'requests to generate', integer: true, min: 0, max: MAX_GENERATED_REQUESTS },
    rate_scale: { default: 1, doc: 'multiplies the request rate (divides inter-arrival gaps)', min: 0, minExclusive: true },
    span_s: {
      default: SEED_TRACE_SPAN_S,
      doc: 'seconds from the first to the last request at rate_scale 1 for num_requests 10,000 (scaled with num_requests); 0 keeps the sampled gaps',
      min: 0,
    },
    isl_scale: { default: 1, doc: 'multiplies shared-prefix and unique-prompt lengths (blocks)', min: 0, minExclusive: true, max: 1000 },
    osl_scale: { default: 1, doc: 'multiplies output lengths', min: 0, minExclusive: true, max: 1000 },
    num_prefixes: { default: m.conversations, doc: 'multi-turn conversations (shared prefixes below the system prompt)', integer: true, min: 0, max: MAX_GENERATED_REQUESTS },
    prefix_zipf: { default: m.zipfExponent, doc: 'Zipf exponent of conversation popularity (0 = uniform)', min: 0 },
    prefix_depth: { default: 1, doc: 'multiplies the extra turns per conversation (deeper shared chains)', min: 0, max: 1000 },
    reuse_ratio: {
      default: m.conversationTurns / (m.conversationTurns + m.oneOffRequests),
      doc: 'share of requests that continue a conversation (the rest are one-off prompts)',
      min: 0,
    },
    system_prefix_blocks: { default: m.systemPrefixBlocks, doc: 'blocks (before the x16 stretch) of the prefix every request shares', integer: true, min: 0, max: 10_000 },
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
  const treeRng = randomStream(seed, 'seed-coding:tree');
  const rng = randomStream(seed, 'seed-coding:requests');

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
  const take = idBudget('seed-coding');
  let nextId = 0;
  const sysBlocks = p.system_prefix_blocks > 0 ? stretchBlocks(p.system_prefix_blocks, prefixMult) : 0;
  // A node's ids are consecutive, so a node is kept as [first id, blocks].
  take(sysBlocks);
  nextId += sysBlocks;
  const convNodes: [number, number][][] = [];
  for (let k = 0; k < K; k++) {
    const chain: [number, number][] = [];
    for (let i = 0; i < turns[k] - 1; i++) {
      const raw = Math.max(1, sampleIntQuantiles(i === 0 ? m.firstNodeBlocksQuantiles : m.turnNodeBlocksQuantiles, treeRng));
      const len = stretchBlocks(raw, prefixMult);
      take(len);
      chain.push([nextId, len]);
      nextId += len;
    }
    convNodes.push(chain);
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
      // Draw everything first (the draw order is the workload's definition), then build the ids once.
      let chain: [number, number][] | undefined;
      let depth = 0;
      let hasLeaf = true;
      const c = searchCdf(choiceCdf, rng());
      if (c < K) {
        const n = turns[c];
        depth = Math.min(Math.floor(rng() * n) + 1, n - 1);
        chain = convNodes[c];
        if (rng() < pEndInConv) hasLeaf = false;
      }
      let contextBlocks = sysBlocks;
      for (let i = 0; i < depth; i++) contextBlocks += chain![i][1];
      const contextTokens = contextBlocks * bs;
      let leaf = 0;
      let inputTokens = contextTokens;
      if (hasLeaf) {
        leaf = Math.max(1, roundHalfEven(Math.max(1, sampleIntQuantiles(m.uniquePromptBlocksQuantiles, rng)) * promptMult));
        const last = Math.min(bs, Math.max(1, sampleIntQuantiles(m.lastBlockTokensQuantiles, rng)));
        inputTokens = (contextBlocks + leaf - 1) * bs + last;
      }
      const outputTokens = Math.max(1, Math.trunc(sampleIntQuantiles(m.outputTokensQuantiles, rng) * p.osl_scale));
      const firstLeafId = nextId;
      nextId += leaf;
      if (inputTokens > p.max_isl || inputTokens < 1) {
        if (++rejections >= MAX_REJECTIONS) throw inputError({ field: 'seed-coding param max_isl' }, `${p.max_isl} is below (nearly) every generated request; raise it`);
        continue;
      }
      take(contextBlocks + leaf);
      const ids = new Array<number>(contextBlocks + leaf);
      let w = 0;
      for (let i = 0; i < sysBlocks; i++) ids[w++] = i;
      for (let i = 0; i < depth; i++) {
        const [first, len] = chain![i];
        for (let b = 0; b < len; b++) ids[w++] = first + b;
      }
      for (let i = 0; i < leaf; i++) ids[w++] = firstLeafId + i;
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
