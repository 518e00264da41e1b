// Run summary: the benchmark's figures (throughputs, TTFT/TPOT/ITL/E2EL statistics) computed from
// per-request records the way AIPerf does, plus where the time went and prefix-cache hit rates.
import { quantileSorted } from 'd3-array';
import type { SimulationResult } from '../protocol/result.ts';
import type { Provenance, Stat, Summary } from '../protocol/summary.ts';
import { roundTo } from '../util/round.ts';
import { RecordTable } from './record-table.ts';
import { routingTable } from './routing.ts';
import { argError, expectObject } from '../util/guard.ts';

const round = (x: number, d = 3) => roundTo(x, d);

/** AIPerf's statistics of the finite values: percentiles interpolated linearly, population std. */
export function stat(values: ArrayLike<number>): Stat {
  const finite = new Float64Array(values.length);
  let n = 0;
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i])) finite[n++] = values[i];
  return statSorted(finite.subarray(0, n).sort());
}

/** stat of finite values sorted ascending. */
function statSorted(v: Float64Array): Stat {
  const n = v.length;
  const q = (p: number) => (n > 0 ? round(quantileSorted(v as unknown as number[], p)!) : NaN);
  let sum = 0;
  for (let i = 0; i < n; i++) sum += v[i];
  const m = n > 0 ? sum / n : NaN;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (v[i] - m) * (v[i] - m);
  return {
    count: n,
    mean: round(m),
    std: n > 0 ? round(Math.sqrt(ss / n)) : NaN,
    min: n > 0 ? round(v[0]) : NaN,
    max: n > 0 ? round(v[n - 1]) : NaN,
    median: q(0.5),
    p1: q(0.01),
    p5: q(0.05),
    p10: q(0.1),
    p25: q(0.25),
    p75: q(0.75),
    p90: q(0.9),
    p95: q(0.95),
    p99: q(0.99),
  };
}

export interface SummaryContext {
  scenario: string;
  seed: string;
  workload: string;
  goodput?: { ttftMs?: number; itlMs?: number };
  run?: Provenance;
  /** The client's load mode, as it describes itself. */
  load?: string;
  /** The signal that stopped a run before its end (the result is then `stopped`). */
  signal?: string;
}

/** What summarize needs of the records, in one pass over the table's columns. */
function recordFigures(t: RecordTable, goodput: SummaryContext['goodput']) {
  const sched = t.column('scheduledMs');
  const endMs = t.column('endMs');
  const ttft = t.column('ttftMs');
  const e2el = t.column('e2elMs');
  const itl = t.column('itlMs');
  const cw = t.column('clientWaitMs');
  const queue = t.column('queueMs');
  const prefill = t.column('prefillMs');
  const transfer = t.column('transferMs');
  const decode = t.column('decodeMs');
  const inTok = t.column('inputTokens');
  const outTok = t.column('outputTokens');
  const completed = t.statusCode('completed');
  const timedOut = t.statusCode('timed-out');
  const rejected = t.statusCode('rejected');
  const gt = goodput?.ttftMs ?? Infinity;
  const gi = goodput?.itlMs ?? Infinity;
  const doneTtft = new Float64Array(t.length);
  const doneE2el = new Float64Array(t.length);
  const doneItl = new Float64Array(t.length);
  let done = 0;
  let nTimedOut = 0;
  let nRejected = 0;
  let first = Infinity;
  let last = -Infinity;
  let doneFirst = Infinity;
  let doneLast = -Infinity;
  let outTokens = 0;
  let inTokens = 0;
  let perUserSum = 0;
  let perUserN = 0;
  let good = 0;
  let waited = 0;
  const b = { clientWait: 0, queue: 0, prefill: 0, transfer: 0, decode: 0 };
  for (let i = 0; i < t.length; i++) {
    if (sched[i] < first) first = sched[i];
    if (endMs[i] > last) last = endMs[i];
    const s = t.statusCodeOf(i);
    if (s === timedOut) nTimedOut++;
    else if (s === rejected) nRejected++;
    if (s !== completed) continue;
    if (sched[i] < doneFirst) doneFirst = sched[i];
    if (endMs[i] > doneLast) doneLast = endMs[i];
    outTokens += outTok[i];
    inTokens += inTok[i];
    doneTtft[done] = ttft[i];
    doneE2el[done] = e2el[i];
    doneItl[done] = itl[i];
    done++;
    if (itl[i] > 0) {
      perUserSum += 1000 / itl[i];
      perUserN++;
    }
    if (ttft[i] <= gt && (gi === Infinity || (Number.isFinite(itl[i]) && itl[i] <= gi))) good++;
    if (cw[i] > 0) waited++;
    b.clientWait += cw[i];
    b.queue += queue[i];
    b.prefill += prefill[i];
    b.transfer += transfer[i];
    b.decode += decode[i];
  }
  return {
    done,
    timedOut: nTimedOut,
    rejected: nRejected,
    // AIPerf: from the first successful request's start to the last successful request's final token
    durationS: done > 0 ? (doneLast - doneFirst) / 1000 : 0,
    firstMs: first,
    lastMs: last,
    outTokens,
    inTokens,
    ttft: doneTtft.subarray(0, done),
    e2el: doneE2el.subarray(0, done),
    itl: doneItl.subarray(0, done),
    perUser: perUserN > 0 ? perUserSum / perUserN : 0,
    good,
    waited,
    breakdown: b,
  };
}

/** The summary of a run; `table`: its records in compact form (else built from result.records). */
export function summarize(result: SimulationResult, ctx: SummaryContext, table?: RecordTable): Summary {
  expectObject(result, 'summarize', 'result');
  if (!Array.isArray(result.records) || !Array.isArray(result.pools)) throw argError('summarize', 'result', 'a SimulationResult (from simulate)', result);
  expectObject(ctx, 'summarize', 'context');
  table ??= RecordTable.from(result.records);
  const f = recordFigures(table, ctx.goodput);
  const done = f.done;
  const durationS = f.durationS;
  // busy fractions are over the whole activity: from the first send to the last record or the last busy
  // iteration, whichever is later (cut-offs included, and the iterations still running after them; the
  // benchmark window ends earlier)
  // (a result without the field, made by hand or by an older version, ends at its last record)
  const lastBusyMs = Math.max(0, ...result.pools.flatMap((p) => p.workers.map((w) => (Number.isFinite(w.lastBusyEndMs) ? w.lastBusyEndMs : 0))));
  const activityS = table.length > 0 ? (Math.max(f.lastMs, lastBusyMs) - f.firstMs) / 1000 : 0;
  const perS = (x: number) => (durationS > 0 ? round(x / durationS, 4) : 0);
  const outTokens = f.outTokens;
  const inTokens = f.inTokens;
  const itl = stat(f.itl);
  const gpus = result.pools.reduce((a, p) => a + p.gpusPerWorker * p.workers.length, 0);
  const avg = (sum: number) => round(done ? sum / done : 0);

  let goodput: Summary['goodput'] = null;
  if (ctx.goodput?.ttftMs !== undefined || ctx.goodput?.itlMs !== undefined) {
    const t = ctx.goodput.ttftMs ?? Infinity;
    const i = ctx.goodput.itlMs ?? Infinity;
    // AIPerf: a request without a value for an SLO metric (ITL of a one-token output) is not good
    goodput = { ttftMs: t, itlMs: i, requests: f.good, requestThroughput: perS(f.good) };
  }

  const hitRate: Record<string, number> = {};
  const evicted: Record<string, number> = {};
  const workers: Summary['workers'] = {};
  const router: Record<string, string> = {};
  for (const pool of result.pools) {
    let prompt = 0;
    let cached = 0;
    let ev = 0;
    let iters = 0;
    let busy = 0;
    let prefillIters = 0;
    let prefillBusy = 0;
    for (const w of pool.workers) {
      iters += w.iterations;
      busy += w.busyMs;
      prefillIters += w.prefillIterations;
      prefillBusy += w.prefillBusyMs;
      for (const r of w.ranks) {
        prompt += r.promptTokens;
        cached += r.cachedTokens;
        ev += r.evictedBlocks;
      }
    }
    if (pool.role !== 'decode') hitRate[pool.role] = prompt > 0 ? round(cached / prompt, 4) : 0;
    evicted[pool.role] = ev;
    workers[pool.role] = {
      workers: pool.workers.length,
      ranksPerWorker: pool.workers[0]?.ranks.length ?? 0,
      iterations: iters,
      busyFraction: activityS > 0 ? round(busy / 1000 / activityS / pool.workers.length, 4) : 0,
      prefillIterationFraction: iters > 0 ? round(prefillIters / iters, 4) : 0,
      meanPrefillIterationMs: prefillIters > 0 ? round(prefillBusy / prefillIters) : 0,
      meanDecodeIterationMs: iters > prefillIters ? round((busy - prefillBusy) / (iters - prefillIters)) : 0,
      kvCapacityBlocksPerRank: pool.workers[0]?.ranks[0]?.capacityBlocks ?? 0,
    };
    router[pool.role] = pool.router;
  }

  return {
    scenario: ctx.scenario,
    seed: ctx.seed,
    workload: ctx.workload,
    ...(ctx.run ? { run: ctx.run } : {}),
    requests: {
      issued: table.length,
      completed: done,
      timedOut: f.timedOut,
      rejected: f.rejected,
    },
    ...(done === 0 ? { noneCompleted: noneCompleted(table, result) } : {}),
    ...(result.stopped ? { interrupted: { signal: ctx.signal ?? 'stopped', simulatedS: round(result.endMs / 1000), ...result.stopped } } : {}),
    endReasons: countReasons(table),
    gpus,
    outputTokenThroughputPerGpu: gpus > 0 ? round(outTokens / durationS / gpus, 4) || 0 : 0,
    outputTokenThroughputPerUser: round(f.perUser, 4),
    load: ctx.load ?? 'fixed schedule',
    durationS: round(durationS),
    requestThroughput: perS(done),
    outputTokenThroughput: perS(outTokens),
    totalTokenThroughput: perS(inTokens + outTokens),
    ttftMs: stat(f.ttft),
    tpotMs: itl,
    itlMs: itl,
    e2elMs: stat(f.e2el),
    goodput,
    breakdownMs: {
      clientWait: avg(f.breakdown.clientWait),
      queue: avg(f.breakdown.queue),
      prefill: avg(f.breakdown.prefill),
      transfer: avg(f.breakdown.transfer),
      decode: avg(f.breakdown.decode),
    },
    clientWaitedFraction: done ? round(f.waited / done, 4) : 0,
    kvCache: { hitRate, evictedBlocks: evicted },
    workers,
    client: result.client,
    router,
    routing: routingTable(result),
    modelNotes: result.modelNotes,
    simulation: { events: result.events, simulatedS: round(result.endMs / 1000) },
  };
}

/** Why no request completed: how many ended how, by end reason. */
function noneCompleted(t: RecordTable, result: SimulationResult): string {
  const by = (status: string) => {
    const code = t.statuses.values.indexOf(status as never);
    const reasons = Object.entries(countReasons(t, code)).map(([k, n]) => `${k} ${n}`);
    let n = 0;
    for (let i = 0; i < t.length; i++) if (t.statusCodeOf(i) === code) n++;
    return { n, text: reasons.length > 0 ? ` (${reasons.join(', ')})` : '' };
  };
  const t1 = by('timed-out');
  const j = by('rejected');
  const all = t.length;
  const stop = result.stopped ? ` before the run was stopped (${result.stopped.inFlight} in flight, ${result.stopped.notSent} not sent)` : '';
  if (all === 0) return `no request ended${stop}`;
  if (t1.n === all) return `all ${t1.n} requests timed out${t1.text}${stop}`;
  if (j.n === all) return `all ${j.n} requests were rejected${j.text}${stop}`;
  return `none of ${all} requests completed: ${t1.n} timed out${t1.text}, ${j.n} rejected${j.text}${stop}`;
}

/** Requests by end reason (of the rows with status code `status`, or all), keys sorted. */
function countReasons(t: RecordTable, status?: number): Summary['endReasons'] {
  const counts = new Array<number>(t.endReasons.values.length).fill(0);
  for (let i = 0; i < t.length; i++) if (status === undefined || t.statusCodeOf(i) === status) counts[t.endReasonCodeOf(i)]++;
  const out: Summary['endReasons'] = {};
  t.endReasons.values.forEach((reason, c) => {
    if (reason && counts[c] > 0) out[reason] = counts[c];
  });
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : 1)));
}
