// Dynamo's KV-aware router over (worker, DP rank) targets: prefix overlap from an index fed by the
// engines' KV stored/removed events (or a TTL approximation), ActiveSequences-style load bookkeeping,
// cost = w·(pending prefill tokens + ISL − overlap·bs)/bs + (active blocks + new blocks), argmin with
// Dynamo's tie-break at temperature 0, softmax over min-max-normalised costs above it.
import type { KvEventKind, RequestView, RouteTarget, Router, RouterContext } from '../protocol/router.ts';
import type { RouterConfig } from '../scenario/schema.ts';
import { PrefixIndex } from './prefix-index.ts';
import { KeyTable } from '../util/key-table.ts';
import { argminPick, softmaxPick } from './kv-pick.ts';

export interface KvRouterFlags {
  /** Count active blocks in the cost (Dynamo: off for the prefill pool of a disaggregated deployment). */
  trackActiveBlocks: boolean;
  /** Count pending prefill tokens (Dynamo: off for decode routing). */
  trackPrefillTokens: boolean;
  /** Dedupe active blocks by real hashes (router_assume_kv_reuse). */
  assumeKvReuse: boolean;
  /** Overlap from engine KV events (true) or from the TTL approximation / nothing. */
  useCacheEvents: boolean;
}

/** Per-target router state: Dynamo's ActiveSequences plus the approximate index's view of its cache. */
export class TargetState {
  /** Approximate mode: hash → expiry time, ms. */
  readonly approx = new Map<number, number>();
  /** Pending prefill tokens of requests routed here (active_tokens). */
  activeTokens = 0;
  /** Refcount of each active block key (unique_blocks). */
  readonly activeBlocks = new KeyTable();
  /** Engine blocks of the keys in `activeBlocks`. */
  activeUniqueBlocks = 0;
  /** Active blocks when hashes are not shared (assume_kv_reuse off). */
  privateBlocks = 0;
  requests = 0;

  constructor(
    readonly index: number,
    readonly worker: number,
    readonly rank: number,
    readonly capacityBlocks: number,
    /** Keys the event-fed index holds for this target. */
    private readonly indexedKeys: () => number,
  ) {}

  get activeBlockCount(): number {
    return this.activeUniqueBlocks + this.privateBlocks;
  }
  /** Keys the indexer holds for this target (Dynamo breaks cost ties by the smaller tree). */
  get treeSize(): number {
    return this.indexedKeys() + this.approx.size;
  }
}

interface Held {
  target: TargetState;
  prefillTokens: number;
  req: RequestView;
  prefillDone: boolean;
}

interface PendingEvent {
  atMs: number;
  target: TargetState;
  kind: KvEventKind;
  hashes: readonly number[];
}

export class KvRouter implements Router {
  readonly name: string;
  readonly targets: TargetState[] = [];
  private readonly byWorker: TargetState[][];
  private readonly held = new Map<number, Held>();
  private readonly pending: PendingEvent[] = [];
  private pendingHead = 0;
  private readonly weight: number;
  private readonly temperature: number;
  private readonly bs: number;
  private readonly ttlMs: number;
  private readonly delayMs: number;
  private readonly approxIndex: boolean;
  private readonly busyThreshold: number | undefined;
  /** What the engines' KV events say each target caches: null when they arrive with no delay, for then
   *  the index is exactly the engines' caches and is read from them (the same answers, no mirror). */
  private readonly index: PrefixIndex | null;
  /** Overlap per target of the request being scored (reused). */
  private readonly overlapUnits: Int32Array;
  /** Cost and overlap (engine blocks) per target of the request being scored, and the candidates (reused). */
  private readonly costOf: Float64Array;
  private readonly overlapOf: Float64Array;
  private readonly cands: Int32Array;
  private readonly tied: Int32Array;
  private nowMs = 0;
  private readonly treeSizeOf = (i: number): number => this.targets[i].treeSize;

  constructor(
    private readonly ctx: RouterContext,
    cfg: RouterConfig,
    private readonly flags: KvRouterFlags,
  ) {
    this.weight = cfg.kv_overlap_score_weight;
    this.temperature = cfg.router_temperature;
    this.bs = cfg.kv_block_size;
    this.ttlMs = cfg.router_ttl_secs * 1000;
    this.delayMs = cfg.kv_event_delay_ms;
    this.busyThreshold = cfg.busy_threshold;
    // the prefix index only matters when overlap is scored; decode routing ignores it
    this.approxIndex = !flags.useCacheEvents && this.weight > 0;
    this.name = `kv (overlap weight ${this.weight}, temperature ${this.temperature}, ${flags.useCacheEvents ? 'KV events' : this.approxIndex ? `approx TTL ${cfg.router_ttl_secs}s` : 'no prefix index'})`;
    this.byWorker = ctx.workerRanks.map(() => []);
    this.index = flags.useCacheEvents && this.delayMs > 0 ? new PrefixIndex(ctx.targets.length) : null;
    this.overlapUnits = new Int32Array(ctx.targets.length);
    this.costOf = new Float64Array(ctx.targets.length);
    this.overlapOf = new Float64Array(ctx.targets.length);
    this.cands = new Int32Array(ctx.targets.length);
    this.tied = new Int32Array(ctx.targets.length);
    ctx.targets.forEach((view, i) => {
      const t = new TargetState(i, view.worker, view.rank, view.kvCapacityBlocks, () => (this.index ? this.index.sizes[i] : flags.useCacheEvents ? ctx.cachedKeys(i) : 0));
      this.targets.push(t);
      this.byWorker[view.worker][view.rank] = t;
      if (this.index) ctx.onKvEvents(i, (kind, hashes) => this.pending.push({ atMs: this.ctx.now() + this.delayMs, target: t, kind, hashes: hashes.slice() }));
    });
  }

  private apply(t: TargetState, kind: KvEventKind, hashes: readonly number[]): void {
    if (kind === 'stored') this.index!.store(t.index, hashes);
    else this.index!.remove(t.index, hashes);
  }

  /** Leading units of `hashes` the index holds for target `t` (engine blocks when a unit is one block). */
  overlapBlocks(t: TargetState, hashes: readonly number[]): number {
    let n = 0;
    if (this.approxIndex) {
      while (n < hashes.length && (t.approx.get(hashes[n]) ?? -Infinity) > this.nowMs) n++;
    } else if (this.index) {
      while (n < hashes.length && this.index.has(t.index, hashes[n])) n++;
    } else if (this.flags.useCacheEvents) n = this.ctx.cachedPrefix(t.index, hashes);
    return n;
  }

  /** The cost of sending `req` to each target (lower is better). */
  costs(req: RequestView): { target: TargetState; cost: number; overlap: number }[] {
    this.score(req);
    return this.targets.map((t) => ({ target: t, cost: this.costOf[t.index], overlap: this.overlapOf[t.index] }));
  }

  /** Fill costOf / overlapOf with every target's cost and overlap (engine blocks) for `req`. */
  private score(req: RequestView): void {
    const isl = req.inputTokens;
    const hashes = req.blockHashes;
    const promptBlocks = req.blocksInUnits(hashes.length);
    const units = this.overlapUnits;
    if (this.weight > 0) {
      if (this.index) this.index.overlaps(hashes, units);
      else for (const t of this.targets) units[t.index] = this.overlapBlocks(t, hashes);
    }
    for (const t of this.targets) {
      const overlap = this.weight > 0 ? req.blocksInUnits(units[t.index]) : 0;
      const newTokens = Math.max(0, isl - overlap * this.bs);
      const prefillTokens = this.flags.trackPrefillTokens ? t.activeTokens + newTokens : 0;
      let decodeBlocks: number;
      if (this.flags.trackActiveBlocks) {
        let fresh = 0;
        if (this.flags.assumeKvReuse) {
          for (let i = 0; i < hashes.length; i++) if (!t.activeBlocks.has(hashes[i])) fresh += unitBlocks(req, i);
        } else fresh = promptBlocks;
        decodeBlocks = t.activeBlockCount + fresh;
      } else decodeBlocks = Math.floor(prefillTokens / this.bs);
      this.costOf[t.index] = kvCost(this.weight, this.bs, prefillTokens, decodeBlocks);
      this.overlapOf[t.index] = overlap;
    }
  }

  select(req: RequestView, nowMs: number): RouteTarget {
    this.advance(nowMs);
    this.score(req);
    // candidates: target indices, in order
    const cands = this.cands;
    let n = 0;
    if (this.busyThreshold !== undefined) {
      // Dynamo's busy monitor reads the KV blocks each engine reports in use, not the router's own count
      // (which the prefill pool does not keep): use the rank's live blocks.
      const views = this.ctx.targets;
      for (let i = 0; i < views.length; i++) if (views[i].kvUsedBlocks / views[i].kvCapacityBlocks < this.busyThreshold) cands[n++] = i;
    }
    if (n === 0) for (let i = 0; i < this.targets.length; i++) cands[n++] = i;
    const pick = this.targets[this.temperature > 0 ? softmaxPick(this.costOf, cands, n, this.temperature, this.ctx.random) : argminPick(this.costOf, cands, n, this.treeSizeOf, this.ctx.random, this.tied)];
    return { worker: pick.worker, rank: pick.rank };
  }

  onRouted(req: RequestView, t: RouteTarget, nowMs: number): void {
    const target = this.byWorker[t.worker][t.rank ?? 0];
    this.nowMs = nowMs;
    const overlap = this.weight > 0 ? req.blocksInUnits(this.overlapBlocks(target, req.blockHashes)) : 0;
    const prefillTokens = this.flags.trackPrefillTokens ? Math.max(0, req.inputTokens - overlap * this.bs) : 0;
    target.activeTokens += prefillTokens;
    target.requests++;
    const hashes = req.blockHashes;
    if (this.flags.trackActiveBlocks) {
      if (this.flags.assumeKvReuse) {
        for (let i = 0; i < hashes.length; i++) {
          const n = Math.max(0, target.activeBlocks.get(hashes[i]));
          if (n === 0) target.activeUniqueBlocks += unitBlocks(req, i);
          target.activeBlocks.set(hashes[i], n + 1);
        }
      } else target.privateBlocks += req.blocksInUnits(hashes.length);
    }
    if (this.approxIndex) {
      // re-insert so the map stays ordered by expiry (oldest first) for pruning
      for (const h of hashes) {
        target.approx.delete(h);
        target.approx.set(h, nowMs + this.ttlMs);
      }
    }
    this.held.set(req.id, { target, prefillTokens, req, prefillDone: false });
  }

  onPrefillDone(req: RequestView): void {
    const h = this.held.get(req.id);
    if (!h || h.prefillDone) return;
    h.prefillDone = true;
    h.target.activeTokens -= h.prefillTokens;
  }

  onFinished(req: RequestView): void {
    const h = this.held.get(req.id);
    if (!h) return;
    this.onPrefillDone(req);
    this.held.delete(req.id);
    const t = h.target;
    t.requests--;
    if (this.flags.trackActiveBlocks) {
      if (this.flags.assumeKvReuse) {
        const hashes = h.req.blockHashes;
        for (let i = 0; i < hashes.length; i++) {
          const n = t.activeBlocks.get(hashes[i]) - 1;
          if (n === 0) {
            t.activeBlocks.delete(hashes[i]);
            t.activeUniqueBlocks -= unitBlocks(h.req, i);
          } else t.activeBlocks.set(hashes[i], n);
        }
      } else t.privateBlocks -= h.req.blocksInUnits(h.req.blockHashes.length);
    }
  }

  /** Apply KV events that have reached the router by `nowMs`; expire approximate entries lazily. */
  private advance(nowMs: number): void {
    this.nowMs = nowMs;
    while (this.pendingHead < this.pending.length && this.pending[this.pendingHead].atMs <= nowMs) {
      const e = this.pending[this.pendingHead++];
      this.apply(e.target, e.kind, e.hashes);
    }
    if (this.pendingHead > 1024 && this.pendingHead * 2 > this.pending.length) {
      this.pending.splice(0, this.pendingHead);
      this.pendingHead = 0;
    }
    if (this.approxIndex) {
      for (const t of this.targets) {
        for (const [h, expiry] of t.approx) {
          if (expiry > nowMs) break;
          t.approx.delete(h);
        }
      }
    }
  }

  describe(): string {
    return this.name;
  }
}

/** Dynamo's per-target logit: overlap weight × prefill blocks (fractional) + decode blocks; lower wins. */
export function kvCost(weight: number, blockTokens: number, prefillTokens: number, decodeBlocks: number): number {
  return (weight * prefillTokens) / blockTokens + decodeBlocks;
}

/** Engine blocks in unit `i` of the request's prompt chain. */
function unitBlocks(req: RequestView, i: number): number {
  return i === req.blockHashes.length - 1 ? req.lastKeyBlocks : req.blocksPerKey;
}
