// Max sustainable load per deployment under the SLA: bisection of the traffic key (rate_scale, or a
// concurrency once load modes exist) on the lattice low + k·tolerance, all deployments stepping
// together so every round's jobs run in parallel; the answer is the lattice value a grid would give.
import { canonical, jobOf, resolvePoint, sha256, type Job, type Point } from './points.ts';
import type { Figures } from './figures.ts';
import type { Plan, Scalar } from './plan.ts';
import { meetsSla } from './sla.ts';

export interface SearchResult {
  /** The deployment (and other traffic columns): the point's inputs without the search key. */
  inputs: Record<string, Scalar>;
  key: string;
  low: number;
  high: number;
  tolerance: number;
  /** ok: value meets the SLA and value + tolerance does not; below: even low fails; above: high meets. */
  status: 'ok' | 'below' | 'above';
  /** The largest lattice value found to meet the SLA (NaN when even low fails). */
  value: number;
  /** Every lattice value simulated, in order, and whether it met the SLA. */
  evaluated: { value: number; meets: boolean }[];
}

export interface SearchGroup {
  id: string;
  inputs: Record<string, Scalar>;
}

/** The searched deployments: grid points without the search key, deduplicated, in grid order. */
export function searchGroups(plan: Plan, points: readonly Point[]): SearchGroup[] {
  const key = plan.search!.key;
  const out: SearchGroup[] = [];
  const seen = new Set<string>();
  for (const p of points) {
    const inputs = Object.fromEntries(Object.entries(p.inputs).filter(([k]) => k !== key));
    const id = sha256(canonical(inputs)).slice(0, 32);
    if (seen.has(id)) continue;
    seen.add(id);
    out.push({ id, inputs });
  }
  return out;
}

export const latticeValue = (low: number, tolerance: number, k: number) => Number((low + k * tolerance).toPrecision(12));

/**
 * Bisect every group; `runJobs` simulates (or finds stored) the jobs of one round and returns their
 * figures by job key.
 */
export async function searchMaxLoad(plan: Plan, groups: readonly SearchGroup[], runJobs: (jobs: Job[]) => Promise<Map<string, Figures>>): Promise<SearchResult[]> {
  const s = plan.search!;
  const sla = plan.sla!;
  const top = Math.floor((s.high - s.low) / s.tolerance + 1e-9);
  const state = groups.map(() => ({ lo: -1, hi: top + 1, next: [0, top] as number[], evaluated: new Map<number, boolean>() }));
  const jobsAt = (g: SearchGroup, k: number): Job[] => {
    const v = latticeValue(s.low, s.tolerance, k);
    const p = resolvePoint(plan, -1, { ...g.inputs, [s.key]: v }, `search ${s.key}=${v}`);
    return plan.seeds.map((seed) => jobOf(plan, p, seed));
  };
  for (;;) {
    const round: { gi: number; k: number; jobs: Job[] }[] = [];
    state.forEach((st, gi) => {
      for (const k of st.next) if (!st.evaluated.has(k)) round.push({ gi, k, jobs: jobsAt(groups[gi], k) });
      st.next = [];
    });
    if (round.length === 0) break;
    const figures = await runJobs(round.flatMap((r) => r.jobs));
    for (const r of round) state[r.gi].evaluated.set(r.k, meetsSla(sla, r.jobs.map((j) => figures.get(j.key)!)));
    for (const st of state) {
      // first round: both ends; then halve (lo meets, hi fails)
      if (st.lo === -1 && st.hi === top + 1) {
        if (!st.evaluated.get(0)) {
          st.hi = 0;
          continue;
        }
        st.lo = 0;
        if (st.evaluated.get(top)) {
          st.lo = top;
          continue;
        }
        st.hi = top;
      } else {
        const mid = [...st.evaluated.keys()].find((k) => k > st.lo && k < st.hi);
        if (mid !== undefined) {
          if (st.evaluated.get(mid)) st.lo = mid;
          else st.hi = mid;
        }
      }
      if (st.hi - st.lo > 1) st.next = [Math.floor((st.lo + st.hi) / 2)];
    }
  }
  return groups.map((g, gi) => {
    const st = state[gi];
    const status: SearchResult['status'] = st.hi === 0 ? 'below' : st.lo === top ? 'above' : 'ok';
    const evaluated = [...st.evaluated.entries()].sort((a, b) => a[0] - b[0]).map(([k, meets]) => ({ value: latticeValue(s.low, s.tolerance, k), meets }));
    return { inputs: g.inputs, key: s.key, low: s.low, high: latticeValue(s.low, s.tolerance, top), tolerance: s.tolerance, status, value: status === 'below' ? NaN : latticeValue(s.low, s.tolerance, st.lo), evaluated };
  });
}
