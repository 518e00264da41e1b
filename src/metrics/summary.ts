// Run summary: the benchmark's figures (throughputs, TTFT/TPOT/ITL/E2EL statistics) computed from
// per-request records the way AIPerf does, plus where the time went and prefix-cache hit rates.
import { mean, quantileSorted } from 'd3-array';
import type { RequestRecord } from '../protocol/records.ts';
import type { SimulationResult } from '../protocol/result.ts';
import type { Provenance, Stat, Summary } from '../protocol/summary.ts';
import { roundTo } from '../util/round.ts';
import { routingTable } from './routing.ts';

const round = (x: number, d = 3) => roundTo(x, d);

/** AIPerf's statistics of the finite values: percentiles interpolated linearly, population std. */
export function stat(values: number[]): Stat {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  const n = v.length;
  const q = (p: number) => (n > 0 ? round(quantileSorted(v, p)!) : NaN);
  const m = n > 0 ? mean(v)! : NaN;
  let ss = 0;
  for (const x of v) ss += (x - m) * (x - m);
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

/** Seconds from the earliest scheduled start to the latest end of `records` (0 if none). */
function spanS(records: readonly RequestRecord[]): number {
  let first = Infinity;
  let last = -Infinity;
  for (const r of records) {
    if (r.scheduledMs < first) first = r.scheduledMs;
    if (r.endMs > last) last = r.endMs;
  }
  return records.length > 0 ? (last - first) / 1000 : 0;
}

export function summarize(result: SimulationResult, ctx: SummaryContext): Summary {
  const recs = result.records;
  const done = recs.filter((r) => r.status === 'completed');
  // AIPerf: from the first successful request's start to the last successful request's final token
  const durationS = spanS(done);
  // busy fractions are over the whole activity, cut-offs included (the benchmark window ends earlier)
  const activityS = spanS(recs);
  const perS = (x: number) => (durationS > 0 ? round(x / durationS, 4) : 0);
  const outTokens = done.reduce((a, r) => a + r.outputTokens, 0);
  const inTokens = done.reduce((a, r) => a + r.inputTokens, 0);
  const itl = stat(done.map((r) => r.itlMs));
  const gpus = result.pools.reduce((a, p) => a + p.gpusPerWorker * p.workers.length, 0);
  const perUser = done.filter((r) => r.itlMs > 0).map((r) => 1000 / r.itlMs);
  const avg = (f: (r: RequestRecord) => number) => round(done.length ? done.reduce((a, r) => a + f(r), 0) / done.length : 0);

  let goodput: Summary['goodput'] = null;
  if (ctx.goodput?.ttftMs !== undefined || ctx.goodput?.itlMs !== undefined) {
    const t = ctx.goodput.ttftMs ?? Infinity;
    const i = ctx.goodput.itlMs ?? Infinity;
    // AIPerf: a request without a value for an SLO metric (ITL of a one-token output) is not good
    const good = done.filter((r) => r.ttftMs <= t && (i === Infinity || (Number.isFinite(r.itlMs) && r.itlMs <= i))).length;
    goodput = { ttftMs: t, itlMs: i, requests: good, requestThroughput: perS(good) };
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
      issued: recs.length,
      completed: done.length,
      timedOut: recs.filter((r) => r.status === 'timed-out').length,
      rejected: recs.filter((r) => r.status === 'rejected').length,
    },
    ...(done.length === 0 ? { noneCompleted: noneCompleted(recs, result) } : {}),
    ...(result.stopped ? { interrupted: { signal: ctx.signal ?? 'stopped', simulatedS: round(result.endMs / 1000), ...result.stopped } } : {}),
    endReasons: countReasons(recs),
    gpus,
    outputTokenThroughputPerGpu: gpus > 0 ? round(outTokens / durationS / gpus, 4) || 0 : 0,
    outputTokenThroughputPerUser: round(perUser.length > 0 ? perUser.reduce((a, x) => a + x, 0) / perUser.length : 0, 4),
    load: ctx.load ?? 'fixed schedule',
    durationS: round(durationS),
    requestThroughput: perS(done.length),
    outputTokenThroughput: perS(outTokens),
    totalTokenThroughput: perS(inTokens + outTokens),
    ttftMs: stat(done.map((r) => r.ttftMs)),
    tpotMs: itl,
    itlMs: itl,
    e2elMs: stat(done.map((r) => r.e2elMs)),
    goodput,
    breakdownMs: {
      clientWait: avg((r) => r.clientWaitMs),
      queue: avg((r) => r.queueMs),
      prefill: avg((r) => r.prefillMs),
      transfer: avg((r) => r.transferMs),
      decode: avg((r) => r.decodeMs),
    },
    clientWaitedFraction: done.length ? round(done.filter((r) => r.clientWaitMs > 0).length / done.length, 4) : 0,
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
function noneCompleted(recs: readonly RequestRecord[], result: SimulationResult): string {
  const by = (status: string) => {
    const rs = recs.filter((r) => r.status === status);
    const reasons = Object.entries(countReasons(rs)).map(([k, n]) => `${k} ${n}`);
    return { n: rs.length, text: reasons.length > 0 ? ` (${reasons.join(', ')})` : '' };
  };
  const t = by('timed-out');
  const j = by('rejected');
  const stop = result.stopped ? ` before the run was stopped (${result.stopped.inFlight} in flight, ${result.stopped.notSent} not sent)` : '';
  if (recs.length === 0) return `no request ended${stop}`;
  if (t.n === recs.length) return `all ${t.n} requests timed out${t.text}${stop}`;
  if (j.n === recs.length) return `all ${j.n} requests were rejected${j.text}${stop}`;
  return `none of ${recs.length} requests completed: ${t.n} timed out${t.text}, ${j.n} rejected${j.text}${stop}`;
}

function countReasons(recs: readonly RequestRecord[]): Summary['endReasons'] {
  const out: Summary['endReasons'] = {};
  for (const r of recs) if (r.endReason) out[r.endReason] = (out[r.endReason] ?? 0) + 1;
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : 1)));
}
