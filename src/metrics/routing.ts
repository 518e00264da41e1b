// Routing-research figures: per (worker, rank) target of each pool, what the router sent there and how
// much of it hit the prefix cache, plus the one-line routing summary printed under the benchmark block.
import type { SimulationResult } from '../engine/simulation.ts';

export interface RoutingTargetRow {
  /** e.g. "prefill0.r3". */
  target: string;
  /** Requests admitted on the rank (decode: requests routed there). */
  requests: number;
  promptTokens: number;
  /** Prompt tokens served from the rank's prefix cache. */
  cachedTokens: number;
  /** cachedTokens / promptTokens (0 without prompt tokens). */
  hitRate: number;
  /** Share of the worker's iterations in which this rank had tokens to compute. */
  busyFraction: number;
}

/** Pool role → one row per target, worker-major. */
export type RoutingTable = Record<string, RoutingTargetRow[]>;

const round = (x: number, d = 4) => Math.round(x * 10 ** d) / 10 ** d;

export function routingTable(result: Pick<SimulationResult, 'pools' | 'records'>): RoutingTable {
  const out: RoutingTable = {};
  // decode ranks keep no admission statistics: count what was routed there from the records
  const decodeCount = new Map<string, { requests: number; promptTokens: number }>();
  for (const r of result.records) {
    if (!r.decodeTarget) continue;
    const c = decodeCount.get(r.decodeTarget) ?? { requests: 0, promptTokens: 0 };
    c.requests++;
    c.promptTokens += r.inputTokens;
    decodeCount.set(r.decodeTarget, c);
  }
  for (const pool of result.pools) {
    const rows: RoutingTargetRow[] = [];
    for (const w of pool.workers) {
      for (const rank of w.ranks) {
        const d = pool.role === 'decode' ? (decodeCount.get(rank.label) ?? { requests: 0, promptTokens: 0 }) : null;
        const promptTokens = d ? d.promptTokens : rank.promptTokens;
        const cachedTokens = d ? 0 : rank.cachedTokens;
        rows.push({
          target: rank.label,
          requests: d ? d.requests : rank.requests,
          promptTokens,
          cachedTokens,
          hitRate: promptTokens > 0 ? round(cachedTokens / promptTokens) : 0,
          busyFraction: w.iterations > 0 ? round(rank.busyIterations / w.iterations) : 0,
        });
      }
    }
    out[pool.role] = rows;
  }
  return out;
}

/** Max over mean of the per-target request counts (1 = perfectly even); 0 without requests. */
export function requestImbalance(rows: readonly RoutingTargetRow[]): number {
  const total = rows.reduce((a, r) => a + r.requests, 0);
  if (rows.length === 0 || total === 0) return 0;
  return Math.max(...rows.map((r) => r.requests)) / (total / rows.length);
}

/**
 * e.g. "routing prefill: kv (…); hit 34.3% (min 20.1% / max 45.0% per rank); load imbalance max/mean
 * requests 1.12 | decode: kv (…); load imbalance max/mean requests 1.01".
 */
export function routingLine(routing: RoutingTable, router: Record<string, string>): string {
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  const parts: string[] = [];
  for (const [role, rows] of Object.entries(routing)) {
    const fields = [`${role}: ${router[role] ?? '?'}`];
    if (role !== 'decode') {
      const prompt = rows.reduce((a, r) => a + r.promptTokens, 0);
      const cached = rows.reduce((a, r) => a + r.cachedTokens, 0);
      const rates = rows.filter((r) => r.promptTokens > 0).map((r) => r.hitRate);
      const spread = rates.length > 0 ? ` (min ${pct(Math.min(...rates))} / max ${pct(Math.max(...rates))} per rank)` : '';
      fields.push(`hit ${pct(prompt > 0 ? cached / prompt : 0)}${spread}`);
    }
    fields.push(`load imbalance max/mean requests ${requestImbalance(rows).toFixed(2)}`);
    parts.push(fields.join('; '));
  }
  return `routing ${parts.join(' | ')}`;
}
