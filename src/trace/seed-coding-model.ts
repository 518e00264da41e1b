// The seed-coding workload model: derived from the Mooncake conversation trace, generated without it.
//
// Shape (measured from datagen's core radix tree of the Mooncake conversation trace): every request
// starts with one shared system prefix; then either a one-off unique prompt, or a multi-turn
// conversation. A conversation with n turns contributes a chain of n−1 shared nodes (node i is reused by
// turns i..n); datagen's walk then stops at node i with probability 1/n (2/n at the last node). Turn
// counts come from a Zipf popularity law over the conversations. Node lengths, unique-prompt lengths,
// last-block remainders, output lengths, burst sizes and inter-arrival gaps are quantile tables of the
// trace. The seed flags (prefix-len ×16, prompt-len ×10, max ISL 110000) are applied as datagen applies
// them. `deriveSeedCodingModel` computes every stored figure from the trace (test/workloads.test.ts checks
// that models/workload-seed-coding.json equals a fresh derivation).
import { Synthesizer, type LearnRow } from './synthesize.ts';
import { quantile } from 'd3-array';

/** Quantile tables hold the value at p = i/QUANTILE_STEPS, i = 0..QUANTILE_STEPS. */
export const QUANTILE_STEPS = 200;

export interface SeedCodingModel {
  source: string;
  derivation: string;
  /** datagen flags the seed trace was made with. */
  seedFlags: { prefixLenMultiplier: number; promptLenMultiplier: number; maxIslTokens: number; numRequests: number; blockTokens: number };
  /** Requests in the source trace (= paths of the prefix tree). */
  sourceRequests: number;
  /** Blocks of the prefix shared by every request (before the prefix-length stretch). */
  systemPrefixBlocks: number;
  /** Requests that go from the system prefix straight into a unique prompt (single-turn). */
  oneOffRequests: number;
  /** Multi-turn conversations (children of the system prefix visited ≥ 2 times). */
  conversations: number;
  /** Sum of the conversations' visit counts (= their turns). */
  conversationTurns: number;
  /** Fraction of paths that end inside the shared tree without a unique prompt (datagen END_NODE). */
  endShare: number;
  /** Zipf exponent of conversation popularity, fitted to the visit counts by rank (fitZipfExponent). */
  zipfExponent: number;
  /** Observed histogram of conversation visit counts: [visits, conversations] pairs. */
  conversationVisitHistogram: [number, number][];
  /** Tree-shape figures for documentation. */
  treeShape: { coreNodes: number; coreBlocks: number; branchingNodes: number; maxDepthNodes: number };
  /** Quantile tables (QUANTILE_STEPS+1 values, integers). */
  firstNodeBlocksQuantiles: number[];
  turnNodeBlocksQuantiles: number[];
  uniquePromptBlocksQuantiles: number[];
  lastBlockTokensQuantiles: number[];
  outputTokensQuantiles: number[];
  gapMsQuantiles: number[];
  /** [requests sharing a timestamp, occurrences] pairs. */
  burstSizeHistogram: [number, number][];
}

function quantileTable(values: number[]): number[] {
  const sorted = Float64Array.from(values).sort();
  const out: number[] = [];
  for (let i = 0; i <= QUANTILE_STEPS; i++) out.push(Math.round(quantile(sorted, i / QUANTILE_STEPS)!));
  return out;
}

function histogram(values: Iterable<number>): [number, number][] {
  const m = new Map<number, number>();
  for (const v of values) m.set(v, (m.get(v) ?? 0) + 1);
  return [...m.entries()].sort((a, b) => a[0] - b[0]);
}

/** Zipf weights p_k ∝ k^-s over n ranks. */
export function zipfWeights(n: number, s: number): number[] {
  const w: number[] = [];
  let sum = 0;
  for (let k = 1; k <= n; k++) {
    const x = Math.pow(k, -s);
    w.push(x);
    sum += x;
  }
  return w.map((x) => x / sum);
}

/**
 * Zipf exponent whose expected rank profile 2 + X·p_k (X extra turns spread by Zipf) best fits the
 * observed visit counts sorted in decreasing order (least squares, grid step 0.01 over 0..1.5).
 */
export function fitZipfExponent(visitsDesc: readonly number[], extraTurns: number): number {
  const K = visitsDesc.length;
  let best = { s: 0, err: Infinity };
  for (let s100 = 0; s100 <= 150; s100++) {
    const p = zipfWeights(K, s100 / 100);
    let err = 0;
    for (let k = 0; k < K; k++) err += (visitsDesc[k] - 2 - extraTurns * p[k]) ** 2;
    if (err < best.err) best = { s: s100 / 100, err };
  }
  return best.s;
}

export function deriveSeedCodingModel(rows: readonly LearnRow[], source: string): SeedCodingModel {
  const synth = new Synthesizer(rows, {});
  const { nodes, numPaths, leafLengthsBlocks } = synth.tree;
  const root = nodes[0];
  // The shared system prefix: the root's child visited by every path (chain-contracted), if any.
  const sysIdx = root.children.find((c) => nodes[c].visited === numPaths);
  const sys = sysIdx !== undefined ? nodes[sysIdx] : root;
  const convIdx = sys.children;
  const visits = convIdx.map((c) => nodes[c].visited);
  const firstLens = convIdx.map((c) => nodes[c].lengthBlocks);
  const turnLens: number[] = [];
  let branching = 0;
  let maxDepth = 0;
  let coreBlocks = 0;
  const depth = new Array<number>(nodes.length).fill(0);
  for (let i = 0; i < nodes.length; i++) {
    const n = nodes[i];
    if (i > 0) coreBlocks += n.lengthBlocks;
    if (n.children.length > 1) branching++;
    for (const c of n.children) {
      depth[c] = depth[i] + 1;
      maxDepth = Math.max(maxDepth, depth[c]);
    }
  }
  const convSet = new Set(convIdx);
  for (let i = 1; i < nodes.length; i++) {
    if (i === sysIdx || convSet.has(i)) continue;
    turnLens.push(nodes[i].lengthBlocks);
  }
  let ends = 0;
  for (const n of nodes) ends += n.end;
  const conversationTurns = visits.reduce((a, b) => a + b, 0);
  const K = visits.length;
  const zipfExponent = K > 0 ? fitZipfExponent([...visits].sort((x, y) => y - x), conversationTurns - 2 * K) : 0;
  const lastBlock = rows.map((r) => r.inputTokens - (r.hashIds.length - 1) * synth.blockTokens);
  const gaps: number[] = [];
  for (let i = 1; i < rows.length; i++) {
    const d = rows[i].timestampMs - rows[i - 1].timestampMs;
    if (d > 0) gaps.push(d);
  }
  const burst = new Map<number, number>();
  for (const r of rows) burst.set(r.timestampMs, (burst.get(r.timestampMs) ?? 0) + 1);
  return {
    source,
    derivation:
      'deriveSeedCodingModel() in src/trace/seed-coding-model.ts: datagen core radix tree of the source trace (block 512); ' +
      'quantile tables at p = i/200 (d3 quantile, rounded); Zipf exponent fitted to the conversations\' visit counts by rank (least squares).',
    seedFlags: { prefixLenMultiplier: 16, promptLenMultiplier: 10, maxIslTokens: 110_000, numRequests: 10_000, blockTokens: synth.blockTokens },
    sourceRequests: numPaths,
    systemPrefixBlocks: sysIdx !== undefined ? sys.lengthBlocks : 0,
    oneOffRequests: sys.toLeaf,
    conversations: K,
    conversationTurns,
    endShare: ends / numPaths,
    zipfExponent,
    conversationVisitHistogram: histogram(visits),
    treeShape: { coreNodes: nodes.length - 1, coreBlocks, branchingNodes: branching, maxDepthNodes: maxDepth },
    firstNodeBlocksQuantiles: quantileTable(firstLens),
    turnNodeBlocksQuantiles: quantileTable(turnLens),
    uniquePromptBlocksQuantiles: quantileTable(leafLengthsBlocks),
    lastBlockTokensQuantiles: quantileTable(lastBlock),
    outputTokensQuantiles: quantileTable(rows.map((r) => r.outputTokens)),
    gapMsQuantiles: quantileTable(gaps),
    burstSizeHistogram: histogram(burst.values()),
  };
}
