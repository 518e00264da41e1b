// The non-attention ops of one lockstep iteration of a worker group, bound to its parallelism: routed
// MoE at the tokens that reach each GPU, its communication (all-to-all, all-gather / reduce-scatter, or
// tensor-parallel all-reduce), and the dense/other ops of the busiest rank (shared experts, router,
// dense FFN layers, norms, logits). Each op is an AIC table lookup × how often an iteration runs it.
import type { Role } from '../protocol/roles.ts';
import type { Linear1D } from './interp.ts';
import type { CostModel, StepShape } from './model.ts';
import type { Parallelism } from './parallelism.ts';
import type { Track, Tracks } from './track.ts';

export type Component = 'attention' | 'moe' | 'comm' | 'dense' | 'host';

/** One op of an iteration: the table lookup it is and how many times the iteration runs it. */
export interface CostPart {
  component: Component;
  op: string;
  /** Which table (CSV rows) and at which key. */
  table: string;
  key: string;
  perCallMs: number;
  calls: number;
  /** perCallMs × calls, before calibration scales. */
  tableMs: number;
}

interface Lookup {
  curve: Linear1D;
  track: Track;
  table: string;
}

/**
 * A GEMM shape off the table's grid in n or k: `parts` equal GEMMs (when n or k is past the grid's
 * largest), each interpolated between the two grid neighbours along the off-grid axis.
 */
interface Gemm {
  lo: Lookup;
  hi: Lookup;
  w: number;
  parts: number;
  label: string;
}

const SCALE_NCCL = (n: number, max: number) => (n <= max ? 1 : (((n - 1) / n) * max) / (max - 1));

export class IterationOps {
  private readonly moeSmall: Lookup | null;
  private readonly moeLarge: Lookup;
  private readonly minLatencyMax: number;
  private readonly a2a: Lookup[] = [];
  private readonly collectives: Array<{ l: Lookup; perToken: number; scale: number; op: string }> = [];
  private readonly sharedUp: Gemm;
  private readonly sharedDown: Gemm;
  private readonly denseUp: Gemm;
  private readonly denseDown: Gemm;
  private readonly router: Gemm;
  private readonly logits: Gemm;
  private readonly localExperts: number;

  constructor(
    private readonly model: CostModel,
    readonly par: Parallelism,
    role: Role,
    tracks: Tracks,
  ) {
    const a = model.spec.architecture;
    const lin = 'extended linearly';
    const mk = (curve: Linear1D | undefined, table: string, unit: string, how = lin): Lookup => {
      if (!curve) throw new Error(`cost model ${model.name}: no table ${table}`);
      return { curve, table, track: tracks.add(curve.lastKey, `${role}: ${table}`, unit, how) };
    };
    const dist = par.distribution;
    const hold = "the last row's utilization held against AIC's MoE roofline";
    this.localExperts = par.slotsPerGpu;
    this.minLatencyMax = par.backend === 'TRTLLM' ? model.spec.moe.minLatencyMaxTokens : 0;
    if (par.backend === 'WIDEEP') {
      const slots = par.slots === null ? '' : ` num_slots ${par.slots} EPLB`;
      this.moeLarge = mk(model.wideep(par.slots, dist, par.ep), `wideep_moe ${dist}${slots} EP${par.ep}`, 'tokens per GPU', hold);
      this.moeSmall = null;
    } else {
      this.moeLarge = mk(model.moe('cutlass', dist, par.ep), `moe_perf moe_torch_flow_cutlass nvfp4 ${dist} EP${par.ep}`, 'tokens per GPU', hold);
      this.moeSmall = par.backend === 'TRTLLM' ? mk(model.moe('min_latency', dist, par.ep), `moe_perf moe_torch_flow_min_latency nvfp4 ${dist} EP${par.ep}`, 'tokens per GPU', hold) : null;
    }
    const c = par.comm;
    const h = a.hiddenSize;
    const perNode = model.spec.comm.gpusPerNode;
    if (c.kind === 'alltoall') {
      const ops = c.method === 'NVLinkTwoSided' ? (['prepare', 'dispatch', c.lowPrecisionCombine ? 'combineLowPrecision' : 'combine'] as const) : (['dispatch', c.lowPrecisionCombine ? 'combineLowPrecision' : 'combine'] as const);
      for (const op of ops) this.a2a.push(mk(model.allToAll(c.method, op, par.ep), `trtllm_alltoall ${c.method} ${op} EP${par.ep}`, 'tokens per rank'));
    } else if (c.kind === 'allgather' || c.kind === 'allreduce') {
      const g = Math.min(par.gpus, perNode);
      const scale = SCALE_NCCL(par.gpus, perNode);
      if (c.kind === 'allgather') {
        // AIC moe_dispatch.rs (SM100, dp > 1): all-gather of the nvfp4 payload (x/4 + scales/32 of hidden) x dp, reduce-scatter of hidden x dp
        this.collectives.push({ l: mk(model.nccl('all_gather', g), `nccl all_gather half ${g} GPUs`, 'elements'), perToken: h * (0.25 + 0.25 / 8), scale, op: 'all_gather' });
        this.collectives.push({ l: mk(model.nccl('reduce_scatter', g), `nccl reduce_scatter half ${g} GPUs`, 'elements'), perToken: h, scale, op: 'reduce_scatter' });
      } else {
        const l = mk(model.customAllReduce(g), `custom_allreduce bf16 ${g} GPUs`, 'elements');
        this.collectives.push({ l, perToken: h, scale, op: 'all-reduce after attention' }, { l, perToken: h, scale, op: 'all-reduce after MoE / MLP' });
      }
    }
    const t = par.mlpTp;
    const gemm = (dtype: string, n: number, k: number): Gemm => {
      const grid = model.gemmShapes(dtype);
      const onGrid = (nn: number, kk: number) => grid.some(([a1, b1]) => a1 === nn && b1 === kk);
      const along = grid.some(([, kk]) => kk === k) && !onGrid(n, k) ? 'n' : 'k';
      const keys = grid.filter(([nn, kk]) => (along === 'n' ? kk === k : nn === n)).map(([nn, kk]) => (along === 'n' ? nn : kk)).sort((x, y) => x - y);
      const want = along === 'n' ? n : k;
      const parts = Math.max(1, Math.ceil(want / keys[keys.length - 1]));
      const v = want / parts;
      const hiKey = keys.find((x) => x >= v) ?? keys[keys.length - 1];
      const loKey = [...keys].reverse().find((x) => x <= v) ?? hiKey;
      const at = (key: number) => (along === 'n' ? [key, k] : [n, key]);
      const look = (key: number) => mk(model.gemm(dtype, at(key)[0], at(key)[1]), `gemm ${dtype} ${at(key).join('x')}`, 'rows');
      const label = loKey === hiKey && parts === 1 ? `gemm ${dtype} ${n}x${k}` : `gemm ${dtype} ${n}x${k}: ${parts > 1 ? `${parts} x ` : ''}${at(v).map((x) => Math.round(x)).join('x')} between ${at(loKey).join('x')} and ${at(hiKey).join('x')}`;
      return { lo: look(loKey), hi: look(hiKey), w: hiKey === loKey ? 0 : (v - loKey) / (hiKey - loKey), parts, label };
    };
    this.sharedUp = gemm('nvfp4', (2 * a.moeInterSize) / t, h);
    this.sharedDown = gemm('nvfp4', h, a.moeInterSize / t);
    this.denseUp = gemm('nvfp4', (2 * a.denseInterSize) / t, h);
    this.denseDown = gemm('nvfp4', h, a.denseInterSize / t);
    this.router = gemm('bfloat16', a.routedExperts, h);
    this.logits = gemm('bfloat16', a.vocabSize / par.vocabTp, h);
  }

  private look(l: Lookup, x: number): number {
    l.track.see(x);
    return l.curve.at(x);
  }

  private gemmMs(g: Gemm, m: number): number {
    if (m <= 0) return 0;
    const lo = this.look(g.lo, m);
    return g.parts * (g.w === 0 ? lo : lo + (this.look(g.hi, m) - lo) * g.w);
  }

  /** Routed MoE of one layer at `tokens` reaching each GPU, ms (TRTLLM: min-latency rows up to 128 tokens). */
  moePerLayer(tokens: number): number {
    const l = this.moeSmall && tokens <= this.minLatencyMax ? this.moeSmall : this.moeLarge;
    l.track.see(tokens);
    const last = l.curve.lastKey;
    if (tokens <= last) return l.curve.at(tokens);
    const m = this.model;
    return l.curve.at(last) * (m.moeRooflineMs(tokens, this.par.ep, this.localExperts) / m.moeRooflineMs(last, this.par.ep, this.localExperts));
  }

  /** MoE communication of one iteration, ms (all layers that run it). */
  commMs(shape: StepShape): number {
    const a = this.model.spec.architecture;
    let perMoeLayer = 0;
    for (const l of this.a2a) perMoeLayer += this.look(l, shape.maxRankTokens);
    if (this.par.comm.kind === 'allgather') {
      for (const c of this.collectives) perMoeLayer += this.look(c.l, shape.globalTokens * c.perToken) * c.scale;
      return perMoeLayer * a.moeLayers;
    }
    if (this.par.comm.kind === 'allreduce') {
      let perLayer = 0;
      for (const c of this.collectives) perLayer += this.look(c.l, shape.globalTokens * c.perToken) * c.scale;
      return perLayer * a.layers;
    }
    return perMoeLayer * a.moeLayers;
  }

  /** Shared experts of one iteration on the busiest rank, ms. */
  sharedMs(tokens: number): number {
    if (tokens <= 0) return 0;
    const a = this.model.spec.architecture;
    const act = this.model.elementwiseMs((tokens * 6 * a.moeInterSize) / this.par.mlpTp);
    return a.moeLayers * (this.gemmMs(this.sharedUp, tokens) + this.gemmMs(this.sharedDown, tokens) + act);
  }

  /** Dense FFN layers, norms and logits of one iteration on the busiest rank, ms. */
  otherMs(tokens: number, sequences: number): number {
    if (tokens <= 0) return 0;
    const a = this.model.spec.architecture;
    const m = this.model;
    const dense = a.denseLayers * (this.gemmMs(this.denseUp, tokens) + this.gemmMs(this.denseDown, tokens) + m.elementwiseMs((tokens * 6 * a.denseInterSize) / this.par.mlpTp));
    const norms = a.layers * 2 * m.elementwiseMs(tokens * 8 * a.hiddenSize);
    return dense + norms + this.gemmMs(this.logits, sequences);
  }

  /** Router GEMMs of one iteration on the busiest rank, ms. */
  routerMs(tokens: number): number {
    return this.model.spec.architecture.moeLayers * this.gemmMs(this.router, tokens);
  }

  /** The ops behind moePerLayer / commMs / sharedMs / otherMs as named table lookups (for `servesim cost`). */
  parts(shape: StepShape): CostPart[] {
    const a = this.model.spec.architecture;
    const out: CostPart[] = [];
    const add = (component: Component, op: string, table: string, key: string, perCallMs: number, calls: number) => out.push({ component, op, table, key, perCallMs, calls, tableMs: perCallMs * calls });
    const g = shape.globalTokens;
    const t = shape.maxRankTokens;
    const moeL = this.moeSmall && g <= this.minLatencyMax ? this.moeSmall : this.moeLarge;
    add('moe', 'routed experts', moeL.table, `num_tokens ${g}`, this.moePerLayer(g), a.moeLayers);
    for (const l of this.a2a) add('comm', l.table.split(' ')[2], l.table, `num_tokens ${t}`, this.look(l, t), a.moeLayers);
    const layersFor = this.par.comm.kind === 'allreduce' ? a.layers : a.moeLayers;
    for (const c of this.collectives) add('comm', c.op, `${c.l.table}${c.scale !== 1 ? ` x ${c.scale.toFixed(4)} for ${this.par.gpus} GPUs` : ''}`, `message_size ${g * c.perToken}`, this.look(c.l, g * c.perToken) * c.scale, layersFor);
    if (t > 0) {
      const gp = (component: Component, op: string, gm: Gemm, m: number, calls: number) => add(component, op, gm.label, `m ${m}`, this.gemmMs(gm, m), calls);
      const ew = (op: string, bytes: number, calls: number) => add('dense', op, 'elementwise (AIC query_mem_op)', `${bytes} bytes`, this.model.elementwiseMs(bytes), calls);
      gp('dense', 'shared expert gate_up', this.sharedUp, t, a.moeLayers);
      gp('dense', 'shared expert down', this.sharedDown, t, a.moeLayers);
      ew('shared expert SiLU-and-mul', (t * 6 * a.moeInterSize) / this.par.mlpTp, a.moeLayers);
      gp('dense', 'router', this.router, t, a.moeLayers);
      gp('dense', 'dense FFN gate_up', this.denseUp, t, a.denseLayers);
      gp('dense', 'dense FFN down', this.denseDown, t, a.denseLayers);
      ew('dense FFN SiLU-and-mul', (t * 6 * a.denseInterSize) / this.par.mlpTp, a.denseLayers);
      ew('norm + residual', t * 8 * a.hiddenSize, 2 * a.layers);
      gp('dense', 'logits', this.logits, shape.maxRankSequences, 1);
    }
    return out;
  }
}
