// The run loop: trace arrivals → client (connection cap, timeout) → router → workers (ranks, KV
// caches, cost model) → per-request records. Pure: virtual clock, seeded randomness, no I/O.
import seedrandom from 'seedrandom';
import { BenchmarkClient } from '../client/client.ts';
import type { CostModel } from '../cost/model.ts';
import { AccountingError } from '../errors.ts';
import { BlockKeyer } from '../kv/block-hash.ts';
import { recordOf, type RequestRecord, type RequestStatus } from '../metrics/records.ts';
import { createRouter } from '../router/index.ts';
import type { RouteTarget, Router, RouterContext } from '../router/types.ts';
import type { Scenario } from '../scenario/schema.ts';
import { TRACE_BLOCK_TOKENS, type TraceRequest } from '../trace/types.ts';
import { SimRequest } from '../worker/request.ts';
import { Worker, type WorkerHost, type WorkerRole } from '../worker/worker.ts';
import { EventQueue } from './event-queue.ts';

type SimEvent =
  | { kind: 'arrival'; index: number }
  | { kind: 'server-arrival'; req: SimRequest; pool: Pool }
  | { kind: 'iteration-end'; worker: Worker; run: number }
  | { kind: 'transfer-done'; req: SimRequest }
  | { kind: 'timeout'; req: SimRequest };

/** Workers of one role with the router that chooses among them. */
export interface Pool {
  role: WorkerRole;
  workers: Worker[];
  router: Router;
}

export interface SimulationOptions {
  scenario: Scenario;
  cost: CostModel;
  seed: string;
  /** Optional replacement router for the entry pool (agg or prefill), e.g. a plug-in. */
  routerOverride?: (ctx: RouterContext) => Router;
  /** Longest run of decode-only iterations per event (default MAX_RUN_STEPS; 1 = one event per iteration). */
  maxRunSteps?: number;
}

export interface SimulationResult {
  records: RequestRecord[];
  pools: Pool[];
  events: number;
  /** Simulated time of the last event, ms. */
  endMs: number;
  client: { peakInFlight: number; peakWaiting: number };
}

export class Simulation implements WorkerHost {
  private readonly queue = new EventQueue<SimEvent>();
  private readonly client: BenchmarkClient;
  private readonly requests: SimRequest[];
  private readonly records: RequestRecord[] = [];
  private readonly entry: Pool;
  private readonly decode: Pool | null;
  readonly pools: Pool[] = [];
  private readonly decodeEmitsFirstToken: boolean;
  private readonly decisionOverheadMs: number;
  private readonly keyer: BlockKeyer;
  private nowMs = 0;
  private events = 0;

  constructor(
    trace: readonly TraceRequest[],
    o: SimulationOptions,
  ) {
    const s = o.scenario;
    const random = seedrandom(o.seed);
    this.client = new BenchmarkClient({
      connectionLimit: s.client.connection_limit * s.client.worker_processes,
      timeoutMs: s.client.request_timeout_seconds * 1000,
    });
    this.decodeEmitsFirstToken = s.disaggregation.first_token_from === 'decode';
    this.decisionOverheadMs = s.router.decision_overhead_ms;
    const roles: WorkerRole[] = s.workers.agg ? ['agg'] : ['prefill', 'decode'];
    for (const role of roles) {
      const group = s.workers[role]!;
      const workers = Array.from({ length: group.count }, (_, i) =>
        new Worker(
          { id: i, role, engine: group.engine, cost: o.cost, slowdown: o.cost.platformSlowdown(s.platform.name, role) * s.platform.iteration_slowdown, decodeEmitsFirstToken: this.decodeEmitsFirstToken, maxRunSteps: o.maxRunSteps },
          this,
        ),
      );
      const base = { role, workers };
      const router =
        role !== 'decode' && o.routerOverride ? o.routerOverride({ workers, random, now: () => this.nowMs }) : createRouter(s.router, role, { workers, random, now: () => this.nowMs });
      const pool: Pool = { ...base, router };
      this.pools.push(pool);
    }
    this.entry = this.pools[0];
    this.decode = this.pools.find((p) => p.role === 'decode') ?? null;
    this.requests = trace.map((t) => new SimRequest(t));
    this.keyer = new BlockKeyer(trace, TRACE_BLOCK_TOKENS, this.entry.workers[0].tokensPerBlock);
  }

  run(): SimulationResult {
    if (this.requests.length > 0) this.queue.push(this.requests[0].scheduledMs, { kind: 'arrival', index: 0 });
    for (;;) {
      const ev = this.queue.pop();
      if (!ev) break;
      this.nowMs = ev.timeMs;
      this.events++;
      const p = ev.payload;
      switch (p.kind) {
        case 'arrival':
          this.onArrival(p.index);
          break;
        case 'server-arrival':
          this.dispatch(p.req, p.pool);
          break;
        case 'iteration-end':
          p.worker.endIteration(this.nowMs, p.run);
          break;
        case 'transfer-done':
          this.onTransferDone(p.req);
          break;
        case 'timeout':
          this.onTimeout(p.req);
          break;
      }
    }
    this.checkAccounting();
    return {
      records: this.records,
      pools: this.pools,
      events: this.events,
      endMs: this.nowMs,
      client: { peakInFlight: this.client.peakInFlight, peakWaiting: this.client.peakWaiting },
    };
  }

  // ---- client side ----

  private onArrival(index: number): void {
    const req = this.requests[index];
    if (index + 1 < this.requests.length) this.queue.push(this.requests[index + 1].scheduledMs, { kind: 'arrival', index: index + 1 });
    this.queue.push(req.scheduledMs + this.client.config.timeoutMs, { kind: 'timeout', req });
    if (this.client.issue(req) && !this.send(req)) this.releaseConnection();
  }

  /** The request got a connection: it reaches the frontend now. False if the server refused it at once. */
  private send(req: SimRequest): boolean {
    req.sentMs = this.nowMs;
    const reason = this.rejectReason(req);
    if (reason) {
      req.rejectReason = reason;
      this.record(req, 'rejected');
      return false;
    }
    const chain = this.keyer.chain(req.trace.hashIds, req.inputTokens);
    req.blockHashes = chain.keys;
    req.blocksPerKey = chain.perKey;
    req.lastKeyBlocks = chain.lastKeyBlocks;
    this.route(req, this.entry);
    return true;
  }

  /** Why the server would refuse the request outright (TRT-LLM max_seq_len / KV capacity), or ''. */
  private rejectReason(req: SimRequest): string {
    for (const pool of this.pools) {
      const w = pool.workers[0];
      const len = req.inputTokens + (pool.role === 'prefill' ? 1 : req.outputTokens);
      if (len > w.engine.max_seq_len) return `${pool.role}: prompt + output ${len} > max_seq_len ${w.engine.max_seq_len}`;
      if (!w.engine.enable_chunked_prefill && pool.role !== 'decode' && req.inputTokens > w.engine.max_num_tokens) {
        return `${pool.role}: prompt ${req.inputTokens} > max_num_tokens ${w.engine.max_num_tokens} without chunked prefill`;
      }
      if (w.blocksNeeded(req) > w.ranks[0].cache.capacityBlocks) return `${pool.role}: needs more KV blocks than a rank has`;
    }
    return '';
  }

  private route(req: SimRequest, pool: Pool): void {
    if (this.decisionOverheadMs > 0) this.queue.push(this.nowMs + this.decisionOverheadMs, { kind: 'server-arrival', req, pool });
    else this.dispatch(req, pool);
  }

  private dispatch(req: SimRequest, pool: Pool): void {
    if (req.finished) return;
    const t: RouteTarget = pool.router.select(req, this.nowMs);
    const worker = pool.workers[t.worker];
    if (!worker || (t.rank !== null && !worker.ranks[t.rank])) {
      throw new Error(`router ${pool.router.name} returned an invalid target ${JSON.stringify(t)}`);
    }
    pool.router.onRouted?.(req, t, this.nowMs);
    if (pool.role === 'decode') req.decodeRouted = true;
    else req.entryRouted = true;
    worker.enqueue(req, t.rank === null ? null : worker.ranks[t.rank], this.nowMs);
  }

  // ---- worker host ----

  scheduleIterationEnd(worker: Worker, atMs: number, run: number): void {
    this.queue.push(atMs, { kind: 'iteration-end', worker, run });
  }

  scheduleTransferDone(req: SimRequest, atMs: number): void {
    this.queue.push(atMs, { kind: 'transfer-done', req });
  }

  firstToken(req: SimRequest, atMs: number): void {
    req.firstTokenMs = atMs;
    req.responses = 1;
    if (req.entryRouted) this.entry.router.onPrefillDone?.(req, atMs);
  }

  prefillDone(req: SimRequest, atMs: number): void {
    if (!this.decodeEmitsFirstToken) this.firstToken(req, atMs);
    else this.entry.router.onPrefillDone?.(req, atMs);
    // the prefill stream is over for the prefill router
    this.releaseRouters(req, true, false);
    this.route(req, this.decode!);
  }

  complete(req: SimRequest, atMs: number): void {
    req.lastTokenMs = atMs;
    this.end(req, 'completed');
  }

  private onTransferDone(req: SimRequest): void {
    if (req.phase !== 'transfer') return; // cut off meanwhile
    const prefill = req.prefillRank!;
    prefill.cache.release(req.prefillAlloc!);
    req.prefillAlloc = null;
    req.phase = 'decode-ready';
    req.decodeRank!.worker.wake(this.nowMs);
    // the freed prefill blocks may admit a request waiting on an idle prefill worker
    prefill.worker.wake(this.nowMs);
  }

  // ---- endings ----

  private onTimeout(req: SimRequest): void {
    if (req.finished) return;
    if (req.phase === 'client-wait') {
      this.client.dropWaiting(req);
      req.phase = 'timed-out';
      this.records.push(recordOf(req, 'timed-out', this.nowMs));
      return;
    }
    // abort on the server: leave every queue and free every block the request holds
    for (const rank of [req.prefillRank, req.decodeRank]) {
      if (rank) rank.worker.cancel(req);
    }
    for (const w of this.entry.workers) if (w.engineQueue.includes(req)) w.cancel(req);
    if (this.decode) for (const w of this.decode.workers) if (w.engineQueue.includes(req)) w.cancel(req);
    if (req.prefillAlloc) req.prefillRank!.cache.release(req.prefillAlloc);
    if (req.decodeAlloc) req.decodeRank!.cache.release(req.decodeAlloc);
    req.prefillAlloc = req.decodeAlloc = null;
    this.end(req, 'timed-out');
    // the freed slot and blocks may admit a request waiting on an idle worker
    for (const rank of [req.prefillRank, req.decodeRank]) if (rank) rank.worker.wake(this.nowMs);
  }

  /** The request leaves the system: record it, tell its routers, free its connection. */
  private end(req: SimRequest, status: RequestStatus): void {
    this.record(req, status);
    this.releaseConnection();
  }

  private record(req: SimRequest, status: RequestStatus): void {
    req.phase = status === 'completed' ? 'done' : status;
    this.records.push(recordOf(req, status, this.nowMs));
    this.releaseRouters(req, true, true);
    req.blockHashes = [];
  }

  /** A connection is free: it goes to the next waiting request; one refused at once frees it again. */
  private releaseConnection(): void {
    for (let next = this.client.release(); next; next = this.client.release()) {
      if (this.send(next)) return;
    }
  }

  /** Tell the routers that routed `req` that it left their target (once per router). */
  private releaseRouters(req: SimRequest, entry: boolean, decode: boolean): void {
    if (entry && req.entryRouted) {
      req.entryRouted = false;
      this.entry.router.onFinished?.(req, this.nowMs);
    }
    if (decode && req.decodeRouted && this.decode) {
      req.decodeRouted = false;
      this.decode.router.onFinished?.(req, this.nowMs);
    }
  }

  private checkAccounting(): void {
    const issued = this.requests.length;
    const ended = this.records.length;
    if (issued !== ended) throw new AccountingError(`${issued} requests issued but ${ended} ended (completed + timed out + rejected)`);
    if (this.client.inFlight !== 0 || this.client.waitingRequests !== 0) {
      throw new AccountingError(`client still holds ${this.client.inFlight} in flight and ${this.client.waitingRequests} waiting`);
    }
    for (const pool of this.pools) {
      for (const w of pool.workers) {
        if (w.engineQueue.length > 0) throw new AccountingError(`${w.label} still has ${w.engineQueue.length} queued requests`);
        for (const r of w.ranks) {
          if (r.waiting.length + r.active.length > 0) throw new AccountingError(`${r.label} still holds ${r.waiting.length + r.active.length} requests`);
          if (r.assignedPromptTokens !== 0) throw new AccountingError(`${r.label} prompt-token bookkeeping off by ${r.assignedPromptTokens}`);
          try {
            r.cache.assertNoLiveBlocks(r.label);
          } catch (e) {
            throw new AccountingError((e as Error).message);
          }
        }
      }
    }
  }
}
