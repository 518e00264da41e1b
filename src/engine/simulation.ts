// The run loop: trace arrivals → client (connection cap, timeout) → router → workers (ranks, KV
// caches, cost model) → per-request records. Pure: virtual clock, seeded randomness, no I/O.
// The loop owns requests from the client's side (sent, first/last token, ending); each worker owns
// its stays and is reached only through its operations. It runs whole (run) or in bounded slices
// (advance, then result) so that a caller can yield between them; a watchdog stops a stuck clock.
import { BenchmarkClient } from '../client/client.ts';
import { loadModeOf, loadModes, type LoadGenerator } from '../client/load.ts';
import { BlockKeyer, hasPrefixProperty } from '../kv/block-hash.ts';
import type { RequestRecord, RequestStatus } from '../protocol/records.ts';
import type { SimulationResult } from '../protocol/result.ts';
import { arraySource, TRACE_BLOCK_TOKENS, type TraceRequest, type TraceSource } from '../protocol/trace.ts';
import { randomStream } from '../util/random.ts';
import type { Stay } from '../worker/stay.ts';
import type { Worker, WorkerHost } from '../worker/worker.ts';
import { checkAccounting } from './accounting.ts';
import { liveStays, STAGE_WORDS, stayLabel, timeoutStage } from './endings.ts';
import { EventQueue } from './event-queue.ts';
import { buildPools, poolResult, type Pool } from './pools.ts';
import { recordOf } from './records.ts';
import { SimRequest } from './request.ts';
import { Transceiver } from './transceiver.ts';
import { HORIZON, subjectOf, type RecordSink, type SimEvent, type SimulationObserver, type SimulationOptions } from './events.ts';
import { checkHorizon, MAX_TIME_MS, stallLimit, Watchdog } from './watchdog.ts';

export type { RecordSink, SimulationOptions, SimulationObserver } from './events.ts';

/** The block keys of a request that has ended (shared, never written). */
const NO_KEYS: readonly number[] = Object.freeze([]);

export class Simulation implements WorkerHost<SimRequest, Worker<SimRequest>> {
  private readonly queue = new EventQueue<SimEvent>();
  private readonly client: BenchmarkClient<SimRequest>;
  private readonly source: TraceSource;
  private readonly load: LoadGenerator;
  private issued = 0;
  private readonly records: RequestRecord[] | RecordSink;
  readonly pools: Pool[];
  private readonly entry: Pool;
  private readonly decode: Pool | null;
  private readonly decisionOverheadMs: number;
  private readonly keyer: BlockKeyer;
  private readonly transceiver = new Transceiver((req, durationMs) => this.at(this.nowMs + durationMs, { kind: 'transfer-done', req }));
  private readonly observer: SimulationObserver | null;
  private readonly watchdog: Watchdog;
  private nowMs = 0;
  private events = 0;
  private started = false;
  private done = false;

  constructor(trace: readonly TraceRequest[] | TraceSource, o: SimulationOptions) {
    const s = o.scenario;
    this.client = new BenchmarkClient({ connectionLimit: s.client.connection_limit * s.client.worker_processes, timeoutMs: s.client.request_timeout_seconds * 1000 });
    this.decisionOverheadMs = s.router.decision_overhead_ms;
    this.pools = buildPools(o, this, () => this.nowMs);
    this.entry = this.pools[0];
    this.decode = this.pools[1] ?? null;
    const array = Array.isArray(trace) ? (trace as readonly TraceRequest[]) : null;
    this.source = array ? arraySource(array) : (trace as TraceSource);
    this.load = loadModes.get(loadModeOf(s.client), { field: 'client' })(s.client, randomStream(o.seed, 'load'), this.source.length);
    this.keyer = new BlockKeyer(o.prefixProperty ?? (array ? hasPrefixProperty(array) : false), TRACE_BLOCK_TOKENS, this.entry.workers[0].tokensPerBlock);
    this.observer = o.observer ?? null;
    this.records = o.recordSink ?? [];
    this.watchdog = new Watchdog(o.stallEvents ?? stallLimit(this.source.length));
  }

  /** How the client sends (the load generator's description). */
  get loadMode(): string {
    return this.load.name;
  }
  /** How far the run is: simulated time, requests ended, requests it will send. */
  get progress(): { timeMs: number; ended: number; total: number } {
    return { timeMs: this.nowMs, ended: this.records.length, total: this.load.count };
  }

  /** Run to the end: the checked result. */
  run(): SimulationResult {
    while (!this.advance(Infinity));
    return this.result();
  }

  /** Handle at most `maxEvents` events; true once the run is over (then call result()). */
  advance(maxEvents: number): boolean {
    if (this.done) return true;
    if (!this.started) {
      this.started = true;
      this.scheduleArrival(this.load.nextArrivalMs(0, this.source.peek()));
    }
    for (let n = 0; n < maxEvents; n++) {
      const ev = this.queue.pop();
      if (!ev) return (this.done = true);
      const p = ev.payload;
      if (this.watchdog.tick(ev.timeMs)) this.watchdog.note(subjectOf(p));
      this.nowMs = ev.timeMs;
      this.events++;
      if (p.kind === 'arrival') this.onArrival();
      else if (p.kind === 'server-arrival') this.dispatch(p.req, p.pool);
      else if (p.kind === 'iteration-end') p.worker.endIteration(this.nowMs, p.run);
      else if (p.kind === 'transfer-done') this.onTransferDone(p.req);
      else this.onTimeout(p.req);
      if (this.observer?.afterEvent) this.observer.afterEvent(this.nowMs, p.kind, this.pools);
    }
    return false;
  }

  /** After the last event: the result, checked against its own accounting; before it: the requests
   *  ended so far, marked `stopped` with what was still in the system. */
  result(): SimulationResult {
    if (this.done) checkAccounting(this.issued, this.records.length, this.client, this.pools, this.transceiver);
    const stopped = this.done ? undefined : { inFlight: this.issued - this.records.length, notSent: this.load.count - this.issued };
    return {
      records: Array.isArray(this.records) ? this.records : [],
      pools: this.pools.map(poolResult),
      events: this.events,
      endMs: this.nowMs,
      client: { peakInFlight: this.client.peakInFlight, peakWaiting: this.client.peakWaiting },
      modelNotes: this.pools.flatMap((p) => p.cost.notes),
      ...(stopped ? { stopped } : {}),
    };
  }

  /** Queue an event; one past the clock's range stops the run naming what scheduled it. `inOrder`:
   *  usually no earlier than the previous such event (cut-offs), kept out of the heap. */
  private at(timeMs: number, ev: SimEvent, inOrder = false): void {
    if (!(timeMs <= MAX_TIME_MS)) checkHorizon(timeMs, ...HORIZON[ev.kind]);
    if (inOrder) this.queue.pushInOrder(timeMs, ev);
    else this.queue.push(timeMs, ev);
  }

  // ---- client side ----

  private scheduleArrival(atMs: number | null): void {
    if (atMs !== null) this.at(atMs, { kind: 'arrival' });
  }

  /** The load generator's arrival: send the next request of the source (unless the tick is skipped). */
  private onArrival(): void {
    if (!this.load.admits(this.issued - this.records.length)) {
      this.scheduleArrival(this.load.nextArrivalMs(this.nowMs, this.source.peek()));
      return;
    }
    const trace = this.source.take();
    if (!trace) throw new Error(`load mode ${this.load.name}: an arrival after the last request`);
    const req = new SimRequest(trace, this.load.scheduledMs(trace, this.nowMs));
    this.issued++;
    this.scheduleArrival(this.load.nextArrivalMs(this.nowMs, this.source.peek()));
    this.at(req.scheduledMs + this.client.config.timeoutMs, { kind: 'timeout', req }, true);
    if (this.client.issue(req)) {
      if (!this.send(req)) this.releaseConnection();
    } else req.state = 'client-wait';
  }

  /** The request got a connection: it reaches the frontend now. False if the server refused it at once. */
  private send(req: SimRequest): boolean {
    req.state = 'sent';
    req.sentMs = this.nowMs;
    for (const pool of this.pools) {
      const refused = pool.workers[0].limits.refusal(req);
      if (refused) {
        req.endReason = refused.reason;
        req.reason = refused.text;
        this.record(req, 'rejected');
        return false;
      }
    }
    const chain = this.keyer.chain(req.trace.hashIds, req.inputTokens);
    req.blockHashes = chain.keys;
    req.blocksPerKey = chain.perKey;
    req.lastKeyBlocks = chain.lastKeyBlocks;
    this.route(req, this.entry);
    return true;
  }

  private route(req: SimRequest, pool: Pool): void {
    if (this.decisionOverheadMs > 0) this.at(this.nowMs + this.decisionOverheadMs, { kind: 'server-arrival', req, pool });
    else this.dispatch(req, pool);
  }

  private dispatch(req: SimRequest, pool: Pool): void {
    if (req.finished) return;
    const t = pool.router.select(req, this.nowMs);
    const worker = pool.workers[t.worker];
    if (!worker || (t.rank !== null && !worker.ranks[t.rank])) throw new Error(`router ${pool.router.name} returned an invalid target ${JSON.stringify(t)}`);
    pool.router.onRouted?.(req, t, this.nowMs);
    if (pool === this.decode) {
      req.decodeRouted = true;
      req.decode = worker.enqueue(req, t.rank);
    } else {
      req.entryRouted = true;
      req.entry = worker.enqueue(req, t.rank);
    }
    worker.wake(this.nowMs);
  }

  // ---- worker host ----

  scheduleIterationEnd(worker: Worker<SimRequest>, atMs: number, run: number): void {
    this.at(atMs, { kind: 'iteration-end', worker, run });
  }

  requestKv(stay: Stay<SimRequest>, durationMs: number): void {
    this.transceiver.request(stay.req, durationMs);
  }

  firstToken(req: SimRequest, atMs: number): void {
    req.firstTokenMs = atMs;
    this.prefillDone(req, atMs);
  }

  handedOff(req: SimRequest, atMs: number): void {
    this.prefillDone(req, atMs);
    // the prefill stream is over for the prefill router
    this.releaseRouters(req, true, false);
    this.route(req, this.decode!);
  }

  completed(req: SimRequest, atMs: number): void {
    req.lastTokenMs = atMs;
    this.end(req, 'completed');
  }

  /** Tell the entry router once that the request's prefill is done (mark_prefill_completed). */
  private prefillDone(req: SimRequest, atMs: number): void {
    if (!req.entryRouted || req.prefillDoneTold) return;
    req.prefillDoneTold = true;
    this.entry.router.onPrefillDone?.(req, atMs);
  }

  private onTransferDone(req: SimRequest): void {
    const from = this.entry.workers[req.entry!.worker];
    const to = this.decode!.workers[req.decode!.worker];
    if (!to.kvArrived(req.decode!)) return; // cut off meanwhile
    this.transceiver.release(req);
    from.releaseHandoff(req.entry!);
    to.wake(this.nowMs);
    // the freed prefill blocks may admit a request waiting on an idle prefill worker
    from.wake(this.nowMs);
  }

  // ---- endings ----

  private onTimeout(req: SimRequest): void {
    if (req.finished) return;
    req.reason = `cut off after request_timeout_seconds ${this.client.config.timeoutMs / 1000} s`;
    if (req.state === 'client-wait') {
      this.client.dropWaiting(req);
      req.endReason = 'timeout:client';
      req.reason += ' waiting for a client connection';
      req.state = 'timed-out';
      this.pushRecord(req, 'timed-out');
      this.ended();
      return;
    }
    // abort on the server: leave every queue and free every block the request holds
    const stays = liveStays(req, this.entry, this.decode);
    const generated = (req.decode ?? req.entry)?.generatedTokens ?? 0;
    req.endReason = timeoutStage(req);
    req.reason += ` ${STAGE_WORDS[req.endReason]} with ${generated} of ${req.outputTokens} output tokens generated`;
    if (req.decode?.phase === 'transfer') this.transceiver.release(req);
    const freed = stays.filter(([stay, worker]) => worker.cancel(stay));
    this.end(req, 'timed-out');
    // the freed slot and blocks may admit a request waiting on an idle worker
    for (const [, worker] of freed) worker.wake(this.nowMs);
  }

  private readonly label = (stay: Stay<SimRequest> | null) => stayLabel(stay, this.entry, this.decode);

  /** The request leaves the system: record it, tell its routers, free its connection. */
  private end(req: SimRequest, status: RequestStatus): void {
    this.record(req, status);
    this.releaseConnection();
  }

  /** A closed loop sends again when a request ends. */
  private ended(): void {
    this.scheduleArrival(this.load.afterEnd(this.nowMs));
  }

  private record(req: SimRequest, status: RequestStatus): void {
    req.state = status;
    this.pushRecord(req, status);
    this.releaseRouters(req, true, true);
    req.blockHashes = NO_KEYS;
    this.ended();
  }

  private pushRecord(req: SimRequest, status: RequestStatus): void {
    const record = recordOf(req, status, this.nowMs, this.label);
    this.records.push(record);
    if (this.observer?.ended) this.observer.ended(req, record);
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
}
