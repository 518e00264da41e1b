// Invariant checks of a simulation run, for property tests: an observer watching every event and every
// ended request, and checks of the result and summary. Each returns the violations it found (strings).
import type { SimulationObserver } from '../src/engine/simulation.ts';
import type { Pool } from '../src/engine/pools.ts';
import type { SimRequest } from '../src/engine/request.ts';
import type { RequestRecord } from '../src/protocol/records.ts';
import type { Summary } from '../src/protocol/summary.ts';
import type { TraceRequest } from '../src/protocol/trace.ts';
import type { Scenario } from '../src/scenario/schema.ts';

const MAX_VIOLATIONS = 20;

/** Watches a run: clock, batch slots and token budgets per rank, cache capacity, one record per request. */
export class InvariantObserver implements SimulationObserver {
  readonly violations: string[] = [];
  private lastMs = -Infinity;
  private readonly endedIds = new Set<number>();
  pools: readonly Pool[] = [];

  constructor(private readonly scenario: Scenario) {}

  private fail(what: string): void {
    if (this.violations.length < MAX_VIOLATIONS) this.violations.push(what);
  }

  afterEvent(timeMs: number, kind: string, pools: readonly Pool[]): void {
    this.pools = pools;
    if (!(timeMs >= this.lastMs)) this.fail(`clock went backwards: ${kind} at ${timeMs} ms after ${this.lastMs} ms`);
    this.lastMs = timeMs;
    for (const pool of pools) {
      const e = this.scenario.workers[pool.role]!.engine;
      for (const w of pool.workers) {
        for (const r of w.ranks) {
          if (r.active.length > e.max_batch_size) this.fail(`${r.label} holds ${r.active.length} requests > max_batch_size ${e.max_batch_size} at ${timeMs} ms`);
          let tokens = 0;
          for (const s of r.active) tokens += s.plannedTokens;
          if (tokens > e.max_num_tokens) this.fail(`${r.label} schedules ${tokens} tokens > max_num_tokens ${e.max_num_tokens} at ${timeMs} ms`);
          const c = r.cache;
          if (c.freeBlocks < 0 || c.usedBlocks < 0 || c.cachedFreeBlocks < 0 || c.usedBlocks + c.cachedFreeBlocks > c.capacityBlocks) {
            this.fail(`${r.label} cache above capacity: ${c.usedBlocks} used + ${c.cachedFreeBlocks} cached > ${c.capacityBlocks} at ${timeMs} ms`);
          }
        }
      }
    }
  }

  ended(req: SimRequest, record: RequestRecord): void {
    if (this.endedIds.has(req.id)) this.fail(`request ${req.id} ended twice (${record.status})`);
    this.endedIds.add(req.id);
    if (record.status === 'completed') {
      const last = req.decode ?? req.entry;
      if (!last || last.generatedTokens !== req.outputTokens) this.fail(`request ${req.id} completed with ${last?.generatedTokens} of ${req.outputTokens} output tokens generated`);
    }
    for (const v of recordViolations(record)) this.fail(v);
  }

  /** After the run: every rank's cache holds no block for a request. */
  endChecks(): string[] {
    for (const pool of this.pools) {
      for (const w of pool.workers) for (const r of w.ranks) if (r.cache.usedBlocks !== 0) this.fail(`${r.label} leaked ${r.cache.usedBlocks} KV blocks`);
    }
    return this.violations;
  }
}

const isNum = (x: number) => typeof x === 'number' && Number.isFinite(x);

/** A record's latencies: finite, non-negative, TTFT <= E2EL, parts adding up to E2EL; unmeasured ones NaN. */
export function recordViolations(r: RequestRecord): string[] {
  const out: string[] = [];
  const id = `request ${r.id} (${r.status})`;
  const parts = { clientWaitMs: r.clientWaitMs, queueMs: r.queueMs, prefillMs: r.prefillMs, transferMs: r.transferMs, decodeMs: r.decodeMs };
  for (const [k, v] of Object.entries(parts)) if (!isNum(v) || v < 0) out.push(`${id}: ${k} ${v}`);
  if (!(r.endMs >= r.scheduledMs)) out.push(`${id}: ends at ${r.endMs} before its start ${r.scheduledMs}`);
  if (r.status === 'completed') {
    if (!isNum(r.ttftMs) || r.ttftMs < 0) out.push(`${id}: TTFT ${r.ttftMs}`);
    if (!isNum(r.e2elMs) || r.e2elMs < 0) out.push(`${id}: E2EL ${r.e2elMs}`);
    if (!(r.ttftMs <= r.e2elMs)) out.push(`${id}: TTFT ${r.ttftMs} > E2EL ${r.e2elMs}`);
    if (r.outputTokens > 1 ? !isNum(r.itlMs) || r.itlMs < 0 : !Number.isNaN(r.itlMs)) out.push(`${id}: ITL ${r.itlMs} for ${r.outputTokens} output tokens`);
    const sum = Object.values(parts).reduce((a, b) => a + b, 0);
    if (Math.abs(sum - r.e2elMs) > 1e-6 * Math.max(1, r.e2elMs)) out.push(`${id}: E2EL parts add up to ${sum}, not ${r.e2elMs}`);
    if (r.endReason !== null) out.push(`${id}: completed with end reason ${r.endReason}`);
  } else {
    for (const [k, v] of [['TTFT', r.ttftMs], ['E2EL', r.e2elMs], ['ITL', r.itlMs]] as const) if (!Number.isNaN(v)) out.push(`${id}: ${k} ${v} measured for a request that did not complete`);
    if (r.endReason === null || r.reason === '') out.push(`${id}: no end reason`);
  }
  return out;
}

/** The run as a whole: every request sent ended exactly once, and the summary's counts and tokens agree. */
export function runViolations(trace: readonly TraceRequest[], records: readonly RequestRecord[], summary: Summary, sent: number): string[] {
  const out: string[] = [];
  const ids = new Map<number, number>();
  for (const r of records) ids.set(r.id, (ids.get(r.id) ?? 0) + 1);
  if (records.length !== sent) out.push(`${sent} requests sent but ${records.length} records`);
  for (const [id, n] of ids) if (n !== 1) out.push(`request ${id} has ${n} records`);
  const known = new Set(trace.map((t) => t.id));
  for (const id of ids.keys()) if (!known.has(id)) out.push(`record of unknown request ${id}`);
  if (sent === trace.length) for (const t of trace) if (!ids.has(t.id)) out.push(`request ${t.id} never ended`);
  const q = summary.requests;
  if (q.issued !== records.length || q.completed + q.timedOut + q.rejected !== q.issued) out.push(`summary counts ${JSON.stringify(q)} for ${records.length} records`);
  const done = records.filter((r) => r.status === 'completed');
  if (q.completed !== done.length) out.push(`summary says ${q.completed} completed, records ${done.length}`);
  const osl = done.reduce((a, r) => a + r.outputTokens, 0);
  const first = Math.min(...done.map((r) => r.scheduledMs));
  const last = Math.max(...done.map((r) => r.endMs));
  const durS = done.length > 0 ? (last - first) / 1000 : 0;
  const want = durS > 0 ? osl / durS : 0;
  if (Math.abs(summary.outputTokenThroughput - want) > 1e-4 + 1e-9 * want) out.push(`summary output throughput ${summary.outputTokenThroughput} tok/s, records give ${osl} tokens in ${durS} s = ${want}`);
  if (summary.ttftMs.count !== done.length || summary.e2elMs.count !== done.length) out.push(`summary TTFT/E2EL counts ${summary.ttftMs.count}/${summary.e2elMs.count} for ${done.length} completed`);
  return out;
}
