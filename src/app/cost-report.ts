// The static cost of one iteration of each worker role of a scenario for a given batch shape, split
// into attention, MoE, communication, dense/other and host time with the table lookups behind each:
// servesim's counterpart of AIConfigurator's static estimate (`servesim cost`). Plain data, no I/O.
import { loadCostModel } from '../cost/load.ts';
import type { CostPart } from '../cost/iteration.ts';
import type { StepShape } from '../cost/model.ts';
import type { CalibrationValues } from '../cost/spec.ts';
import { WorkerCost, type IterationBreakdown } from '../cost/worker-cost.ts';
import type { Role } from '../protocol/roles.ts';
import { loadScenario, recheckScenario, scenarioError } from '../scenario/load.ts';
import type { Scenario } from '../scenario/schema.ts';
import { inputError } from '../util/errors.ts';
import { textTable } from '../util/text-table.ts';
import { CudaGraphs, replayShape } from '../worker/cuda-graph.ts';
import { expectObject, expectStrings } from '../util/guard.ts';

export interface BatchShape {
  /** Sequences on every rank (default 1). */
  requestsPerRank?: number;
  /** Tokens of KV each sequence already has: the decode context, or the prompt before the chunk (default 8192). */
  contextTokens?: number;
  /** New prompt tokens per sequence in a prefill chunk (default: the max_num_tokens budget shared by the rank's sequences). */
  chunkTokens?: number;
}

export interface IterationCost extends IterationBreakdown {
  kind: 'prefill' | 'decode' | 'mixed';
  description: string;
  shape: StepShape;
}

export interface RoleCost {
  role: Role;
  workers: number;
  parallelism: string;
  gpus: number;
  ranks: number;
  moeBackend: string;
  communication: string;
  weightsBytesPerGpu: number;
  kvBytesPerToken: number;
  kvCapacityTokensPerRank: number;
  iterations: IterationCost[];
  notes: string[];
}

export interface CostReport {
  scenario: string;
  model: string;
  batch: Required<BatchShape>;
  roles: RoleCost[];
}

const fmt = (n: number) => n.toLocaleString('en-US');

/** Longest sequence a batch shape may describe (TensorRT-LLM's 32-bit lengths, as the trace reader). */
const MAX_TOKENS = 2 ** 31 - 1;

/** A numeric flag as given on the command line (absent, without a value, not a number; the CLI refuses it twice). */
export function flagNumber(flag: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const text = v.trim();
  if (text === '') throw inputError({ field: flag }, 'needs a number');
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text)) throw inputError({ field: flag }, `expected a number, got '${text}'`);
  return Number(text);
}

/** Tokens of context of the default batch shape (fewer where a role's max_seq_len is shorter). */
export const DEFAULT_CONTEXT_TOKENS = 8192;

/** Cost of the iterations of every worker role of `scenario` (or of `roles` only) for `batch`. */
export function costReport(given: Scenario, batch: BatchShape = {}, calibration?: CalibrationValues, roles?: readonly Role[]): CostReport {
  // the scenario as checked, defaults filled in (a hand-built one may leave sections out)
  const scenario = recheckScenario(given, 'costReport');
  expectObject(batch, 'costReport', 'batch');
  if (roles !== undefined) expectStrings(roles, 'costReport', 'roles');
  const model = loadCostModel(scenario.model, calibration);
  const r = (batch.requestsPerRank ?? 1) + 0;
  if (roles !== undefined && roles.length === 0) throw inputError({ field: '--role' }, 'name a role: agg, prefill or decode');
  // by default 8,192 tokens of context, or half the shortest max_seq_len of the roles costed
  const seqLens = (['agg', 'prefill', 'decode'] as const).filter((x) => scenario.workers[x] && (roles === undefined || roles.includes(x))).map((x) => scenario.workers[x]!.engine.max_seq_len ?? model.spec.architecture.maxPositionEmbeddings);
  const ctx = (batch.contextTokens ?? Math.min(DEFAULT_CONTEXT_TOKENS, Math.floor(Math.min(...seqLens) / 2))) + 0; // -0 → 0
  const chunkTokens = batch.chunkTokens;
  if (!(Number.isInteger(r) && r >= 1)) throw inputError({ field: '--requests-per-rank' }, `must be a positive integer, got ${r}`);
  if (!(Number.isInteger(ctx) && ctx >= 0)) throw inputError({ field: '--context-tokens' }, `must be a non-negative integer, got ${ctx}`);
  if (ctx > MAX_TOKENS) throw inputError({ field: '--context-tokens' }, `${ctx} is above 2^31 - 1 tokens, the most TensorRT-LLM holds (32-bit lengths)`);
  const out: RoleCost[] = [];
  let chunkUsed = chunkTokens ?? 0;
  const missing = roles?.find((role) => !scenario.workers[role]);
  if (missing !== undefined) throw inputError({ field: '--role' }, `${missing}: scenario ${scenario.name} has no ${missing} workers`);
  for (const role of ['agg', 'prefill', 'decode'] as const) {
    const group = scenario.workers[role];
    if (!group || (roles !== undefined && !roles.includes(role))) continue;
    const e = group.engine;
    const w = new WorkerCost(model, { role, engine: e, env: group.env, platform: scenario.platform.name, iterationSlowdown: scenario.platform.iteration_slowdown });
    const layers = model.spec.architecture.layers;
    const arch = model.spec.architecture;
    const heads = w.parallelism.heads;
    const att = model.spec.attention.gemmType;
    const graphs = new CudaGraphs(e, w.ranks);
    if (r > e.max_batch_size) {
      const others = (['agg', 'prefill', 'decode'] as const).filter((x) => x !== role && scenario.workers[x] && (roles === undefined || roles.includes(x)));
      const hint = roles === undefined && others.length > 0 ? ` (--role ${others.join(' / ')} costs the other workers alone)` : '';
      throw inputError({ field: '--requests-per-rank' }, `${r} exceeds workers.${role}.engine.max_batch_size ${e.max_batch_size}${hint}`);
    }
    const decodeParts = (n: number): CostPart[] => {
      const per = w.decodeAttentionMs(n, ctx) / layers;
      return [{ component: 'attention', op: 'decode attention', table: `${arch.attention}_generation_module ${att} ${heads} heads`, key: `step ${ctx}, batch_size ${n}`, perCallMs: per, calls: layers, tableMs: per * layers }];
    };
    const prefillParts = (n: number, chunk: number): CostPart[] => {
      const per = w.prefillAttentionMs(ctx, chunk) / layers;
      return [{ component: 'attention', op: 'prefill attention (isl ctx+chunk minus isl ctx)', table: `${arch.attention}_context_module ${att} ${heads} heads batch 1`, key: `isl ${ctx} -> ${ctx + chunk}`, perCallMs: per, calls: layers * n, tableMs: per * layers * n }];
    };
    // the engine's rule (worker.ts): a decode-only step replays the captured graph at or above the batch
    // (every rank padded to it), any other step runs eagerly at its own shape
    const iteration = (kind: IterationCost['kind'], description: string, attention: CostPart[], rankTokens: number, sequences: number, graph: number): IterationCost => {
      const maxAttentionMs = attention.reduce((s, p) => s + p.tableMs, 0);
      const shape: StepShape = graph > 0 ? replayShape(maxAttentionMs, graph, w.ranks) : { maxAttentionMs, globalTokens: rankTokens * w.ranks, maxRankTokens: rankTokens, maxRankSequences: sequences };
      const b = w.breakdown(shape, graph > 0);
      return { kind, description, shape, ...b, parts: [...attention, ...b.parts] };
    };
    // the engine never runs a shape its max_seq_len or its KV cache cannot hold
    const tpb = e.kv_cache_config.tokens_per_block;
    const fits = (sequences: { n: number; tokens: number }[]) => {
      const longest = Math.max(...sequences.map((q) => q.tokens));
      if (longest > w.maxSeqLen) throw inputError({ field: '--context-tokens' }, `${fmt(longest)} tokens of a sequence exceed workers.${role}.engine.max_seq_len ${fmt(w.maxSeqLen)}`);
      const blocks = sequences.reduce((s, q) => s + q.n * Math.ceil(q.tokens / tpb), 0);
      if (blocks > w.kvCapacityBlocksPerRank) throw inputError({ field: '--context-tokens' }, `the batch needs ${fmt(blocks)} KV blocks per rank; a workers.${role} rank holds ${fmt(w.kvCapacityBlocksPerRank)} (${fmt(w.kvCapacityBlocksPerRank * tpb)} tokens)`);
    };
    fits([{ n: 1, tokens: ctx + 1 }]);
    const iterations: IterationCost[] = [];
    if (role !== 'prefill') {
      fits([{ n: r, tokens: ctx + 1 }]);
      const graph = graphs.replayBatch(new Array<number>(w.ranks).fill(r));
      const how = graph === 0 ? '' : graph === r ? ' (CUDA graph)' : ` (CUDA graph of batch ${graph}, padded)`;
      iterations.push(iteration('decode', `every rank: ${r} request${r > 1 ? 's' : ''} decoding at ${fmt(ctx)} tokens of KV${how}`, decodeParts(r), r, r, graph));
    }
    if (role !== 'decode') {
      // an agg rank holds at most max_batch_size sequences: the prompt takes one of them
      const decodes = role === 'agg' ? Math.min(r, e.max_batch_size - 1) : 0;
      const prompts = role === 'agg' ? 1 : r;
      const budget = e.max_num_tokens - decodes;
      // by default the budget shared by the prompts, within what max_seq_len leaves after the context
      const chunk = chunkTokens ?? Math.min(Math.floor(budget / prompts), w.maxSeqLen - ctx);
      if (!(Number.isInteger(chunk) && chunk >= 1)) throw inputError({ field: '--chunk-tokens' }, `must be a positive integer, got ${chunk} (the budget of workers.${role}.engine.max_num_tokens ${e.max_num_tokens} leaves ${budget})`);
      if (chunk * prompts > budget) throw inputError({ field: '--chunk-tokens' }, `${prompts} x ${chunk} tokens exceed the rank's budget of ${budget} (workers.${role}.engine.max_num_tokens ${e.max_num_tokens}${decodes ? ` minus ${decodes} decode tokens` : ''})`);
      chunkUsed = chunk;
      fits([{ n: decodes, tokens: ctx + 1 }, { n: prompts, tokens: ctx + chunk }]);
      const desc = role === 'agg' ? `every rank: ${decodes} decoding at ${fmt(ctx)} tokens + one prompt chunk of ${fmt(chunk)} tokens after ${fmt(ctx)}` : `every rank: ${r} prompt chunk${r > 1 ? 's' : ''} of ${fmt(chunk)} tokens after ${fmt(ctx)} tokens of context`;
      iterations.push(iteration(role === 'agg' ? 'mixed' : 'prefill', desc, [...(decodes ? decodeParts(decodes) : []), ...prefillParts(prompts, chunk)], decodes + prompts * chunk, decodes + prompts, 0));
    }
    const p = w.parallelism;
    const c = p.comm;
    const communication = c.kind === 'alltoall' ? `${c.method} all-to-all${c.lowPrecisionCombine ? ', low-precision combine' : ''}` : c.kind === 'allgather' ? 'NCCL all-gather / reduce-scatter' : c.kind === 'allreduce' ? 'custom all-reduce' : 'none';
    out.push({
      role,
      workers: group.count,
      parallelism: p.label,
      gpus: p.gpus,
      ranks: p.ranks,
      moeBackend: `${p.backend}${p.slots !== null ? ` (EPLB, ${p.slots} slots)` : ''}, ${p.distribution}`,
      communication,
      weightsBytesPerGpu: w.memory.weightsBytes,
      kvBytesPerToken: w.kvBytesPerToken,
      kvCapacityTokensPerRank: w.kvCapacityBlocksPerRank * e.kv_cache_config.tokens_per_block,
      iterations,
      notes: w.notes,
    });
  }
  return { scenario: scenario.name, model: model.name, batch: { requestsPerRank: r, contextTokens: ctx, chunkTokens: chunkUsed }, roles: out };
}

const ms = (v: number) => v.toFixed(3);

/** costReport of a scenario file with `--set` overrides. */
export function costReportOfFile(file: string, sets: readonly string[], shape: BatchShape, roles?: readonly Role[]): CostReport {
  const scenario = loadScenario(file, [...sets]);
  try {
    return costReport(scenario, shape, undefined, roles);
  } catch (e) {
    throw scenarioError(scenario, e);
  }
}

/** The report as the text `servesim cost` prints. */
export function formatCostReport(r: CostReport, ops: boolean): string {
  const out: string[] = [`${r.scenario} (cost model ${r.model})`];
  for (const role of r.roles) {
    out.push('', `${role.role}: ${role.workers} x ${role.parallelism} (${role.gpus} GPUs, ${role.ranks} attention rank${role.ranks > 1 ? 's' : ''}), MoE ${role.moeBackend}, ${role.communication}`);
    out.push(`  weights ${(role.weightsBytesPerGpu / 1e9).toFixed(1)} GB per GPU; KV ${role.kvCapacityTokensPerRank.toLocaleString('en-US')} tokens per rank (${role.kvBytesPerToken} bytes per token)`);
    for (const it of role.iterations) {
      out.push('', `  ${it.kind} iteration: ${it.description}`);
      const rows: Array<[string, number]> = [
        ['attention', it.attentionMs],
        ['MoE', it.moeMs],
        ['communication', it.commMs],
        ['dense/other', it.denseMs],
        ['host', it.hostMs],
      ];
      const body = rows.map(([k, v]) => [k, ms(v), `${((100 * v) / it.totalMs).toFixed(1)} %`]);
      body.push(['total', ms(it.totalMs), '']);
      out.push(textTable(['component', 'ms', 'share'], body).replace(/^/gm, '    '));
      if (ops) {
        const opRows = it.parts.map((p) => [p.component, p.op, p.table, p.key, p.perCallMs.toFixed(4), String(p.calls), ms(p.tableMs)]);
        out.push('', textTable(['component', 'op', 'table', 'key', 'ms per call', 'calls', 'table ms'], opRows, 4).replace(/^/gm, '    '));
      }
    }
    for (const n of role.notes) out.push(`  note: ${n}`);
  }
  out.push('', 'Components are table time x the calibrated scales (eager or CUDA-graph iteration) x the platform slowdown; --ops lists the lookups.');
  return out.join('\n') + '\n';
}
