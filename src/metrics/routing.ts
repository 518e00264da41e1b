// Routing-research figures: per (worker, rank) target of each pool, what the router sent there and how
// much of it hit the prefix cache, plus the one-line routing summary printed under the benchmark block.
import type { SimulationResult } from '../protocol/result.ts';
import type { RoutingTable, RoutingTargetRow } from '../protocol/summary.ts';
import { roundTo } from '../util/round.ts';

const round = (x: number) => roundTo(x, 4);

export function routingTable(result: Pick<SimulationResult, 'pools'>): RoutingTable {
  const out: RoutingTable = {};
  for (const pool of result.pools) {
    out[pool.role] = pool.workers.flatMap((w) =>
      w.ranks.map((rank) => ({
        target: rank.label,
        requests: rank.requests,
        promptTokens: rank.promptTokens,
        cachedTokens: rank.cachedTokens,
        hitRate: rank.promptTokens > 0 ? round(rank.cachedTokens / rank.promptTokens) : 0,
        busyFraction: w.iterations > 0 ? round(rank.busyIterations / w.iterations) : 0,
      })),
    );
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
