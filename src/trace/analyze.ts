// Dataset analysis of a Mooncake-style trace: the figures and layout of datagen's "DATASET ANALYSIS" block.
//
// Definitions (Dynamo datagen analyzer; see docs/workloads.md):
// - block-level hit rate = 1 − unique hash ids / total hash ids (infinite cache, file order);
// - token-level hit rate = tokens of blocks whose id was seen earlier / all input tokens, with the last
//   block of a request holding input − (n−1)·block tokens;
// - context of a request = its `context_len` when the row carries it (datagen-synthesized rows), else
//   (# of its ids that occur more than once in the trace) × block size, or the whole input when every id
//   repeats; unique prompt = input − context; shared prefix ratio = mean context / mean input.
import { TRACE_BLOCK_TOKENS, type TraceRequest } from '../protocol/trace.ts';

export interface LengthStats {
  avg: number;
  max: number;
  min: number;
}

export interface DatasetAnalysis {
  name: string;
  blockTokens: number;
  totalRequests: number;
  uniqueBlocks: number;
  totalBlocks: number;
  islTokens: LengthStats;
  oslTokens: LengthStats;
  blockHitRate: number;
  tokenHitRate: number;
  avgContextTokens: number;
  avgUniquePromptTokens: number;
  sharedPrefixRatio: number;
  /** Where the per-request context came from. */
  contextSource: 'context_len' | 'repeated-ids' | 'mixed';
  /** Last timestamp − first timestamp. */
  spanMs: number;
  /** Requests per second over the span (0 when the span is 0). */
  requestRatePerS: number;
}

function lengthStats(values: ArrayLike<number>): LengthStats {
  let sum = 0;
  let max = -Infinity;
  let min = Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    sum += v;
    if (v > max) max = v;
    if (v < min) min = v;
  }
  return { avg: values.length > 0 ? sum / values.length : 0, max: values.length > 0 ? max : 0, min: values.length > 0 ? min : 0 };
}

export function analyzeRequests(requests: readonly TraceRequest[], opts: { name: string; blockTokens?: number }): DatasetAnalysis {
  const bs = opts.blockTokens ?? TRACE_BLOCK_TOKENS;
  const n = requests.length;
  // sharded: one Map holds at most 2^24 entries, a large trace has more distinct ids
  const shards = Array.from({ length: 64 }, () => new Map<number, number>());
  let totalBlocks = 0;
  let hitTokens = 0;
  let inputTokensSum = 0;
  for (const r of requests) {
    const ids = r.hashIds;
    totalBlocks += ids.length;
    inputTokensSum += r.inputTokens;
    for (let i = 0; i < ids.length; i++) {
      const counts = shards[ids[i] & 63];
      const c = counts.get(ids[i]);
      if (c !== undefined) {
        hitTokens += i < ids.length - 1 ? bs : r.inputTokens - (ids.length - 1) * bs;
        counts.set(ids[i], c + 1);
      } else counts.set(ids[i], 1);
    }
  }
  let contextSum = 0;
  let withField = 0;
  for (const r of requests) {
    if (r.contextTokens !== undefined) {
      contextSum += r.contextTokens;
      withField++;
      continue;
    }
    let repeated = 0;
    for (const h of r.hashIds) if (shards[h & 63].get(h)! > 1) repeated++;
    contextSum += repeated === r.hashIds.length ? r.inputTokens : repeated * bs;
  }
  const unique = shards.reduce((a, m) => a + m.size, 0);
  const isl = lengthStats(requests.map((r) => r.inputTokens));
  const osl = lengthStats(requests.map((r) => r.outputTokens));
  const avgContext = n > 0 ? contextSum / n : 0;
  const spanMs = n > 0 ? requests[n - 1].timestampMs - requests[0].timestampMs : 0;
  return {
    name: opts.name,
    blockTokens: bs,
    totalRequests: n,
    uniqueBlocks: unique,
    totalBlocks,
    islTokens: isl,
    oslTokens: osl,
    blockHitRate: totalBlocks > 0 ? 1 - unique / totalBlocks : 0,
    tokenHitRate: inputTokensSum > 0 ? hitTokens / inputTokensSum : 0,
    avgContextTokens: avgContext,
    avgUniquePromptTokens: isl.avg - avgContext,
    sharedPrefixRatio: isl.avg > 0 ? avgContext / isl.avg : 0,
    contextSource: withField === n && n > 0 ? 'context_len' : withField === 0 ? 'repeated-ids' : 'mixed',
    spanMs,
    requestRatePerS: spanMs > 0 ? n / (spanMs / 1000) : 0,
  };
}

const int = (v: number): string => Math.round(v).toLocaleString('en-US');
const pct = (v: number): string => `${(v * 100).toFixed(1)}%`;
const kTokens = (v: number): string => `${Math.round(v / 1000)}K`;

/** Context-length class for the summary line (avg input ≥ 16K long, ≥ 4K medium, else short). */
function contextClass(avgIslTokens: number): string {
  if (avgIslTokens >= 16_000) return 'Long-context';
  if (avgIslTokens >= 4_000) return 'Medium-context';
  return 'Short-context';
}

/** The "DATASET ANALYSIS" block in the layout of the seed document. */
export function formatAnalysis(a: DatasetAnalysis): string {
  const rule = '='.repeat(60);
  const sub = '-'.repeat(40);
  const row = (label: string, value: string, width: number) => `    ${`${label}:`.padEnd(width)}${value}`;
  const w = 21;
  const kw = 22;
  const lines = [
    rule,
    `  DATASET ANALYSIS: ${a.name}`,
    `  ${rule}`,
    '  OVERVIEW',
    `  ${sub}`,
    row('Total Requests', int(a.totalRequests), w),
    row('Unique Hash Blocks', int(a.uniqueBlocks), w),
    row('Total Hash Blocks', int(a.totalBlocks), w),
    '  INPUT SEQUENCE LENGTH (ISL)',
    `  ${sub}`,
    row('Average', `${int(a.islTokens.avg)} tokens`, w),
    row('Maximum', `${int(a.islTokens.max)} tokens`, w),
    row('Minimum', `${int(a.islTokens.min)} tokens`, w),
    '  OUTPUT SEQUENCE LENGTH (OSL)',
    `  ${sub}`,
    row('Average', `${int(a.oslTokens.avg)} tokens`, w),
    row('Maximum', `${int(a.oslTokens.max)} tokens`, w),
    row('Minimum', `${int(a.oslTokens.min)} tokens`, w),
    '  KV CACHE / PREFIX REUSE',
    `  ${sub}`,
    row('Block-level Hit Rate', pct(a.blockHitRate), kw),
    row('Token-level Hit Rate', pct(a.tokenHitRate), kw),
    row('Avg Context (shared)', `${int(a.avgContextTokens)} tokens/req`, kw),
    row('Avg Unique Prompt', `${int(a.avgUniquePromptTokens)} tokens/req`, kw),
    row('Shared Prefix Ratio', pct(a.sharedPrefixRatio), kw),
    `  ${rule}`,
    '',
    '  Summary:',
    `  • ~${Math.round(a.blockHitRate * 100)}% KV cache hit rate (block/token level) based on hash_id overlap across requests`,
    `  • ~${Math.round(a.sharedPrefixRatio * 100)}% of input tokens come from shared context prefixes`,
    `  • ${contextClass(a.islTokens.avg)} workload: avg ${kTokens(a.islTokens.avg)} input tokens, up to ${kTokens(a.islTokens.max)} max`,
  ];
  return lines.join('\n') + '\n';
}
