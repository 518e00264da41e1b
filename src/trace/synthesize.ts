// Mooncake-trace synthesizer: a port of Dynamo datagen's Synthesizer (prefix tree + empirical samplers).
//
// Learns from a trace: the core radix tree of shared prefixes (prefix-tree.ts), the empirical
// distributions of burst sizes (requests sharing a timestamp), positive inter-arrival gaps, last-block
// token remainders, unique-prompt lengths and output lengths. Generates requests by walking the tree
// from the root with the per-node transition CDFs and appending a fresh unique prompt (CACHE_END) or
// stopping (END_NODE). Rows are yielded one at a time so the CLI can stream them to disk.
import { inputError } from '../util/errors.ts';
import { buildCoreTree, CACHE_END, END_NODE, type CoreTree } from './prefix-tree.ts';
import type { Rng } from '../util/random.ts';
import { EmpiricalSampler, roundHalfEven, searchCdf } from './samplers.ts';
import { TRACE_BLOCK_TOKENS, type TraceRequest } from '../protocol/trace.ts';

export interface SynthesizerOptions {
  /** Tokens per hash block (datagen default 512). */
  blockTokens?: number;
  /** Divides the synthetic inter-arrival gaps. */
  speedupRatio?: number;
  /** Number of disjoint copies of the core tree; each request uses one copy chosen uniformly. */
  prefixRootMultiplier?: number;
  /** Stretches core (shared-prefix) node lengths; > 1 uses ceil(m) as an integer stretch. */
  prefixLenMultiplier?: number;
  /** Scales unique user-prompt lengths (blocks, rounded, at least 1). */
  promptLenMultiplier?: number;
  /** Scales output lengths (truncated to an integer). */
  oslMultiplier?: number;
}

export interface SynthesisFilters {
  /** Requests with input_length above this are dropped (not clipped). */
  maxIsl?: number;
  /** Requests with input_length below this are dropped. */
  minIsl?: number;
  /** Output lengths below this are raised to it. */
  minOsl?: number;
  /** Output lengths above this are lowered to it. */
  maxOsl?: number;
}

/** One synthesized row, with datagen's field names and order. */
export interface SynthRow {
  timestamp: number;
  input_length: number;
  output_length: number;
  hash_ids: number[];
  context_len: number;
  unique_user_prompt_len: number;
}

/** Minimal view of an input request the synthesizer learns from. */
export interface LearnRow {
  timestampMs: number;
  inputTokens: number;
  outputTokens: number;
  hashIds: readonly number[];
}

/** Longest prompt or output a synthesized row may have: what the trace reader (and TensorRT-LLM) takes. */
const MAX_ROW_TOKENS = 2 ** 31 - 1;

/** Consecutive ISL-filter rejections after which synthesis gives up (the bounds exclude the model). */
export const MAX_CONSECUTIVE_REJECTIONS = 10_000;

function checkPositive(name: string, v: number): void {
  if (!Number.isFinite(v) || v <= 0) throw inputError({ field: `--${name}` }, `must be a finite number > 0, got ${v}`);
}

/** Reject bad synthesizer options (one-line InputErrors naming the CLI flag). */
export function validateSynthesizerOptions(opts: SynthesizerOptions): void {
  const bs = opts.blockTokens ?? TRACE_BLOCK_TOKENS;
  const copies = opts.prefixRootMultiplier ?? 1;
  if (!Number.isInteger(bs) || bs < 1) throw inputError({ field: '--block-size' }, `must be an integer >= 1, got ${bs}`);
  if (!Number.isInteger(copies) || copies < 1) throw inputError({ field: '--prefix-root-multiplier' }, `must be an integer >= 1, got ${copies}`);
  checkPositive('speedup-ratio', opts.speedupRatio ?? 1);
  checkPositive('prefix-len-multiplier', opts.prefixLenMultiplier ?? 1);
  checkPositive('prompt-len-multiplier', opts.promptLenMultiplier ?? 1);
  checkPositive('osl-multiplier', opts.oslMultiplier ?? 1);
}

export class Synthesizer {
  readonly blockTokens: number;
  readonly speedupRatio: number;
  readonly numCopies: number;
  readonly prefixLenMultiplier: number;
  readonly promptLenMultiplier: number;
  readonly oslMultiplier: number;
  readonly tree: CoreTree;
  /** Core-node length after the prefix-length multiplier, per node index. */
  private readonly nodeLengthBlocks: number[];
  /** Core-node id after relabelling, per node index. */
  private readonly nodeEndId: number[];
  /** Largest id used so far (core tree, then fresh unique-prompt ids). */
  private maxHashId: number;
  readonly leafLengthsSampler: EmpiricalSampler;
  readonly burstSizeSampler: EmpiricalSampler;
  readonly gapMsSampler: EmpiricalSampler;
  readonly lastBlockTokensSampler: EmpiricalSampler;
  readonly outputTokensSampler: EmpiricalSampler;

  constructor(rows: readonly LearnRow[], opts: SynthesizerOptions = {}) {
    this.blockTokens = opts.blockTokens ?? TRACE_BLOCK_TOKENS;
    this.speedupRatio = opts.speedupRatio ?? 1;
    this.numCopies = opts.prefixRootMultiplier ?? 1;
    this.prefixLenMultiplier = opts.prefixLenMultiplier ?? 1;
    this.promptLenMultiplier = opts.promptLenMultiplier ?? 1;
    this.oslMultiplier = opts.oslMultiplier ?? 1;
    validateSynthesizerOptions(opts);
    if (rows.length === 0) throw inputError({}, 'the input trace contains no requests');

    this.tree = buildCoreTree(rows.map((r) => r.hashIds));
    let leaves = this.tree.leafLengthsBlocks;
    if (this.promptLenMultiplier !== 1) leaves = leaves.map((l) => Math.max(1, roundHalfEven(l * this.promptLenMultiplier)));
    // A trace without any singleton chain never takes CACHE_END; keep the sampler valid anyway.
    this.leafLengthsSampler = new EmpiricalSampler(leaves.length > 0 ? leaves : [1]);

    // Relabel / stretch (datagen _relabel_nodes).
    const nodes = this.tree.nodes;
    this.nodeLengthBlocks = nodes.map((n) => n.lengthBlocks);
    this.nodeEndId = nodes.map((n) => n.endId);
    this.maxHashId = this.tree.maxHashId;
    if (this.prefixLenMultiplier > 1) {
      const m = Math.ceil(this.prefixLenMultiplier);
      for (let i = 1; i < nodes.length; i++) {
        this.nodeLengthBlocks[i] *= m;
        this.nodeEndId[i] = this.nodeEndId[i] * m + m;
      }
      this.maxHashId = m * this.maxHashId + m;
    } else if (this.prefixLenMultiplier < 1) {
      for (let i = 1; i < nodes.length; i++) {
        this.nodeLengthBlocks[i] = Math.max(roundHalfEven(this.nodeLengthBlocks[i] * this.prefixLenMultiplier), 1);
      }
    }

    if ((this.maxHashId + 1) * this.numCopies > Number.MAX_SAFE_INTEGER) throw inputError({ field: '--prefix-len-multiplier' }, `with --prefix-root-multiplier ${this.numCopies}, hash ids would pass 2^53 - 1, where they are no longer exact`);

    // Timing and length samplers.
    const burst = new Map<number, number>();
    for (const r of rows) burst.set(r.timestampMs, (burst.get(r.timestampMs) ?? 0) + 1);
    this.burstSizeSampler = new EmpiricalSampler(burst.values());
    const gaps: number[] = [];
    for (let i = 1; i < rows.length; i++) {
      const d = rows[i].timestampMs - rows[i - 1].timestampMs;
      if (d > 0) gaps.push(d);
    }
    // A trace whose requests all share one timestamp has no positive gap: time then never advances.
    this.gapMsSampler = new EmpiricalSampler(gaps.length > 0 ? gaps : [0]);
    const lastBlock: number[] = [];
    for (const r of rows) {
      const rem = r.inputTokens - (r.hashIds.length - 1) * this.blockTokens;
      if (!(rem > 0 && rem <= this.blockTokens)) {
        throw inputError({ field: 'input_length' }, `request at ${r.timestampMs} ms has ${r.hashIds.length} hash ids for ${r.inputTokens} tokens (block size ${this.blockTokens})`);
      }
      lastBlock.push(rem);
    }
    this.lastBlockTokensSampler = new EmpiricalSampler(lastBlock);
    this.outputTokensSampler = new EmpiricalSampler(rows.map((r) => r.outputTokens));
  }

  /** Walk the core tree once: hash ids, whether a unique prompt was appended, and context tokens. */
  synthesizePath(rng: Rng): { hashIds: number[]; hasLeaf: boolean; contextTokens: number } {
    const nodes = this.tree.nodes;
    const path: number[] = [];
    let contextTokens = 0;
    let cur = 0;
    for (;;) {
      const node = nodes[cur];
      const u = rng();
      const k = searchCdf(node.outCdf, u);
      const next = node.outTargets[k];
      if (next === CACHE_END) break;
      if (next === END_NODE) return { hashIds: path, hasLeaf: false, contextTokens };
      const len = this.nodeLengthBlocks[next];
      const endId = this.nodeEndId[next];
      if ((path.length + len) * this.blockTokens > MAX_ROW_TOKENS) throw inputError({ field: '--prefix-len-multiplier' }, `${this.prefixLenMultiplier} makes a prompt longer than 2^31 - 1 tokens, which no trace reader takes`);
      contextTokens += len * this.blockTokens;
      for (let i = 0; i < len; i++) path.push(endId - (len - 1) + i);
      cur = next;
    }
    const leafLen = this.leafLengthsSampler.sample(rng);
    if ((path.length + leafLen) * this.blockTokens > MAX_ROW_TOKENS) throw inputError({ field: '--prompt-len-multiplier' }, `${this.promptLenMultiplier} makes a prompt longer than 2^31 - 1 tokens, which no trace reader takes`);
    for (let i = 0; i < leafLen; i++) path.push(this.maxHashId + 1 + i);
    this.maxHashId += leafLen;
    return { hashIds: path, hasLeaf: true, contextTokens };
  }

  /**
   * Yield `numRequests` rows (datagen synthesize_requests). ISL bounds filter, OSL bounds clip.
   * With prefix-root-multiplier c > 1 every id of a row becomes id*c + copy (copy uniform in 0..c-1):
   * disjoint copies like datagen's offset (copy*(max_id+1)), but known before generation ends, so rows
   * can be streamed.
   */
  *generate(numRequests: number, filters: SynthesisFilters, rng: Rng): Generator<SynthRow> {
    if (!Number.isInteger(numRequests) || numRequests < 0) throw inputError({ field: '--num-requests' }, `must be an integer >= 0, got ${numRequests}`);
    const { maxIsl, minIsl, minOsl, maxOsl } = filters;
    if (maxIsl !== undefined && minIsl !== undefined && minIsl > maxIsl) throw inputError({ field: '--min-isl' }, `${minIsl} exceeds --max-isl ${maxIsl}`);
    if (maxOsl !== undefined && minOsl !== undefined && minOsl > maxOsl) throw inputError({ field: '--min-osl' }, `${minOsl} exceeds --max-osl ${maxOsl}`);
    let timestampMs = 0;
    let emitted = 0;
    let rejections = 0;
    const bs = this.blockTokens;
    while (emitted < numRequests) {
      const burst = this.burstSizeSampler.sample(rng);
      for (let j = 0; j < burst; j++) {
        const { hashIds, hasLeaf, contextTokens } = this.synthesizePath(rng);
        const inputTokens = hasLeaf ? (hashIds.length - 1) * bs + this.lastBlockTokensSampler.sample(rng) : hashIds.length * bs;
        let outputTokens = Math.trunc(this.outputTokensSampler.sample(rng) * this.oslMultiplier);
        if (outputTokens > MAX_ROW_TOKENS && (maxOsl === undefined || maxOsl > MAX_ROW_TOKENS)) throw inputError({ field: '--osl-multiplier' }, `${this.oslMultiplier} makes an output longer than 2^31 - 1 tokens, which no trace reader takes`);
        if ((maxIsl !== undefined && inputTokens > maxIsl) || (minIsl !== undefined && inputTokens < minIsl) || inputTokens < 1) {
          if (++rejections >= MAX_CONSECUTIVE_REJECTIONS) {
            throw inputError(
              { field: maxIsl !== undefined && (minIsl === undefined || inputTokens > maxIsl) ? '--max-isl' : '--min-isl' },
              `${rejections} consecutive synthesized requests fell outside the ISL bounds (min ${minIsl ?? 'none'}, max ${maxIsl ?? 'none'}); relax them`,
            );
          }
          continue;
        }
        rejections = 0;
        if (minOsl !== undefined && outputTokens < minOsl) outputTokens = minOsl;
        if (maxOsl !== undefined && outputTokens > maxOsl) outputTokens = maxOsl;
        // A trace request needs at least one output token (datagen would emit 0 here).
        if (outputTokens < 1) outputTokens = 1;
        let ids = hashIds;
        if (this.numCopies > 1) {
          const copy = Math.floor(rng() * this.numCopies);
          const c = this.numCopies;
          ids = hashIds.map((h) => h * c + copy);
        }
        yield {
          timestamp: timestampMs,
          input_length: inputTokens,
          output_length: outputTokens,
          hash_ids: ids,
          context_len: contextTokens,
          unique_user_prompt_len: inputTokens - contextTokens,
        };
        emitted++;
        if (emitted >= numRequests) break;
      }
      timestampMs += roundHalfEven(this.gapMsSampler.sample(rng) / this.speedupRatio);
    }
  }
}

/** One JSONL line in Python json.dumps layout (", " and ": " separators), as datagen writes it. */
export function synthRowToJson(row: SynthRow): string {
  return (
    `{"timestamp": ${row.timestamp}, "input_length": ${row.input_length}, "output_length": ${row.output_length}, ` +
    `"hash_ids": [${row.hash_ids.join(', ')}], "context_len": ${row.context_len}, "unique_user_prompt_len": ${row.unique_user_prompt_len}}`
  );
}

export function synthRowToRequest(row: SynthRow, id: number): TraceRequest {
  return {
    id,
    timestampMs: row.timestamp,
    inputTokens: row.input_length,
    outputTokens: row.output_length,
    hashIds: row.hash_ids,
    contextTokens: row.context_len,
    uniqueUserPromptTokens: row.unique_user_prompt_len,
  };
}

export interface OutputNameArgs {
  prefixLenMultiplier: number;
  prefixRootMultiplier: number;
  promptLenMultiplier: number;
  speedupRatio: number;
  maxIsl?: number;
  minIsl?: number;
  minOsl?: number;
  maxOsl?: number;
  oslMultiplier: number;
}

/** Python's str() of a float given as a CLI number: 1 -> "1" only for the untouched int default, else "2.0"/"1.5". */
function pyFloat(v: number, isDefaultInt: boolean): string {
  if (isDefaultInt) return String(v);
  return Number.isInteger(v) ? `${v}.0` : String(v);
}

/**
 * datagen's default output file name: `<stem>_synth_<plen:.2f>x<roots>+<prompt:.2f>_speedup<s>` then
 * `_maxisl<N>`, `_minisl<N>`, `_minosl<N>`, `_maxosl<N>`, `_oslx<m:.1f>` when set; same extension.
 * (Reconstructed from the seed's `conversation_trace_synth_16.00x1+10.00_speedup1_maxisl110000.jsonl`;
 * datagen's argparse keeps the untouched --speedup-ratio default as the int 1.)
 */
export function defaultOutputFileName(inputFile: string, a: OutputNameArgs, speedupGiven: boolean): string {
  const base = inputFile.split(/[\\/]/).pop() ?? inputFile;
  const dot = base.lastIndexOf('.');
  const stem = dot > 0 ? base.slice(0, dot) : base;
  const ext = dot > 0 ? base.slice(dot) : '';
  const parts = [
    `${stem}_synth`,
    `${a.prefixLenMultiplier.toFixed(2)}x${a.prefixRootMultiplier}+${a.promptLenMultiplier.toFixed(2)}`,
    `speedup${pyFloat(a.speedupRatio, !speedupGiven)}`,
  ];
  if (a.maxIsl !== undefined) parts.push(`maxisl${a.maxIsl}`);
  if (a.minIsl !== undefined) parts.push(`minisl${a.minIsl}`);
  if (a.minOsl !== undefined) parts.push(`minosl${a.minOsl}`);
  if (a.maxOsl !== undefined) parts.push(`maxosl${a.maxOsl}`);
  if (a.oslMultiplier !== 1) parts.push(`oslx${a.oslMultiplier.toFixed(1)}`);
  return parts.join('_') + ext;
}
