// `servesim check --seeds N`: is each reported figure inside the simulator's 95 % interval? The
// interval combines the spread across N workload samples (Student-t prediction interval) with the
// calibration's parameter uncertainty (results/calibration/report.json), propagated linearly.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { meanOf, sampleStd, studentTQuantile } from '../util/stats.ts';
import { textTable } from '../util/text-table.ts';
import { fmt } from './answers.ts';
import { checkRun } from './check.ts';
import { loadInputs, REPLAY_ONLY, requireSchedule } from './inputs.ts';
import { intervalSeeds } from './plan.ts';
import { REPLAYED, REPORTED_RUNS } from './reported.ts';

export const CALIBRATION_REPORT = join('results', 'calibration', 'report.json');

interface Uncertainty {
  parameters: string[];
  covarianceLn: number[][];
  jacobian: Record<string, Record<string, Record<string, number>>>;
}

/** sd of ln(figure) from the parameters: sqrt(sᵀ Σ s), s = d ln(figure) / d ln(θ). */
export function parameterSd(u: Uncertainty, run: string, figure: string): number {
  const d = u.jacobian[run]?.[figure];
  if (!d) return 0;
  const s = u.parameters.map((k) => d[k] ?? 0);
  let v = 0;
  for (let i = 0; i < s.length; i++) for (let j = 0; j < s.length; j++) v += s[i] * u.covarianceLn[i][j] * s[j];
  return Math.sqrt(Math.max(0, v));
}

export function loadUncertainty(file = CALIBRATION_REPORT): Uncertainty | null {
  if (!existsSync(file)) return null;
  const u = (JSON.parse(readFileSync(file, 'utf8')) as { uncertainty?: Uncertainty }).uncertainty;
  return u && Array.isArray(u.parameters) && Array.isArray(u.covarianceLn) ? u : null;
}

export interface SeedCheckRow {
  figure: string;
  reported: number;
  mean: number;
  seedSd: number;
  paramSd: number;
  lo: number;
  hi: number;
  inside: boolean;
}

export async function checkSeeds(a: { trace?: string; workload?: string; seed: string; run?: string[]; json: boolean; seeds: string }): Promise<{ ok: boolean; text: string; runs: { name: string; rows: SeedCheckRow[] }[] }> {
  const seeds = intervalSeeds(a.seeds, a.seed);
  const u = loadUncertainty();
  const names = a.run ?? [...REPORTED_RUNS];
  const checked = new Map<string, ReturnType<typeof checkRun>[]>();
  let workload = '';
  for (const seed of seeds) {
    const inputs = await loadInputs({ trace: a.trace, workload: a.workload, seed });
    requireSchedule(inputs, REPLAYED, REPLAY_ONLY);
    const { requests, label } = inputs;
    workload = label;
    for (const n of names) checked.set(n, [...(checked.get(n) ?? []), checkRun(n, requests, { seed, workload: label })]);
  }
  const t = studentTQuantile(0.975, seeds.length - 1);
  const runs = names.map((name) => {
    const per = checked.get(name)!;
    const rows = per[0].rows.map((r0, fi): SeedCheckRow => {
      const xs = per.map((c) => c.rows[fi].simulated);
      const mean = meanOf(xs);
      const seedSd = sampleStd(xs);
      const paramSd = u ? mean * parameterSd(u, name, r0.figure) : 0;
      const half = t * Math.sqrt(seedSd * seedSd * (1 + 1 / xs.length) + paramSd * paramSd);
      return { figure: r0.figure, reported: r0.reported, mean, seedSd, paramSd, lo: mean - half, hi: mean + half, inside: Math.abs(r0.reported - mean) <= half };
    });
    return { name, rows };
  });
  const ok = runs.every((r) => r.rows.every((x) => x.inside));
  if (a.json) return { ok, runs, text: JSON.stringify({ seeds, uncertainty: u !== null, runs }, null, 1) + '\n' };
  let text = `${seeds.length} workload samples of ${workload} (seeds ${seeds.join(', ')}); interval = mean ± t(0.975, ${seeds.length - 1}) · sqrt(sd_seeds² (1 + 1/n) + sd_params²)\n`;
  text += u ? `sd_params: the calibration covariance of ${CALIBRATION_REPORT} propagated linearly through d ln(figure)/d ln(parameter)\n` : `sd_params: 0 (no uncertainty in ${CALIBRATION_REPORT}; run servesim calibrate --uncertainty-only)\n`;
  for (const r of runs) {
    const body = r.rows.map((x) => [x.figure, fmt(x.reported), fmt(x.mean), fmt(x.seedSd), fmt(x.paramSd), `[${fmt(x.lo)}, ${fmt(x.hi)}]`, x.inside ? 'inside' : 'OUTSIDE']);
    text += `\n${r.name}: ${r.rows.filter((x) => x.inside).length} of ${r.rows.length} reported figures inside the simulator's interval\n`;
    text += textTable(['figure', 'reported', 'sim mean', 'sd seeds', 'sd params', '95 % interval', ''], body) + '\n';
  }
  return { ok, runs, text };
}
