// `servesim calibrate`: fit the cost model's global parameters to the reported runs, write the fitted
// values into the calibration file the model names and a report (start vs fitted values, per-figure errors, sensitivities).
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { calibrationFileOf, modelFile } from '../cost/load.ts';
import { CALIBRATION_PARAMETERS, type CalibrationParameter } from '../cost/spec.ts';
import { formatRows } from '../metrics/compare.ts';
import { writeFileAtomic } from '../util/atomic-write.ts';
import { inputError } from '../util/errors.ts';
import { bandText, calibrate, evaluate, inBand, sensitivities, type CalibrationResult, type CalibrationSample } from './calibrate.ts';
import { fitSeedsOf } from './calibrate-seeds.ts';
import { loadInputs, REPLAY_ONLY, requireSchedule } from './inputs.ts';
import { REPLAYED } from './reported.ts';

export interface CalibrateArgs {
  model: string;
  trace?: string;
  workload?: string;
  seed: string;
  params: string[];
  'max-evaluations': number;
  /** false: evaluate (and polish) the calibration file's values without a fit. */
  fit?: boolean;
  polish?: number;
  'polish-tolerance'?: number;
  write: boolean;
  report: string;
  /**
   * Robust objective: the mean over these seed-coding samples (a count from --seed upwards, or a
   * list that includes --seed), each judged against the same reported runs.
   */
  'fit-seeds'?: string;
  /** Skip the fit: measure the Jacobian at the model's current values and store the parameter covariance. */
  'uncertainty-only'?: boolean;
}

export function reportMarkdown(r: CalibrationResult, meta: { model: string; workload: string; seed: string; params: readonly string[]; fitSeeds?: readonly string[] }, spec: Record<string, { prior: number; bounds: [number, number]; unit: string; meaning: string }>): string {
  const n = meta.fitSeeds?.length ?? 1;
  const each = n > 1 ? `3 simulated runs × ${n} workload samples each` : '3 simulated runs each';
  const how = r.evaluations === 0 ? 'the values of the calibration file, not refitted (--no-fit; docs/calibration.md says how they were fitted)' : `${r.evaluations} objective evaluations (${each})`;
  const out: string[] = [`# Calibration report: ${meta.model}`, '', `Workload ${meta.workload}, seed ${meta.seed}; ${how}.`, ''];
  if (n > 1) {
    out.push(`Robust objective (--fit-seeds ${meta.fitSeeds!.join(',')}): the mean over ${n} samples of the workload (seeds ${meta.fitSeeds!.join(', ')}, each its own sample and simulator choices) of each sample's weighted squared log-error against the same reported runs; the tables below are seed ${meta.seed}'s, the sensitivities those of each figure's geometric mean over the samples.`, '');
    out.push('| seed | start objective | start in band | fitted objective | fitted in band |', '|---|---|---|---|---|');
    for (const [i, s] of (r.fitted.samples ?? []).entries()) {
      const st = r.start.samples?.[i];
      out.push(`| ${s.seed} | ${st ? st.objective.toFixed(4) : ''} | ${st ? st.inBand : ''} | ${s.objective.toFixed(4)} | ${s.inBand} |`);
    }
    out.push(`| mean | ${r.start.objective.toFixed(4)} | ${bandText(inBand(r.start))} | ${r.fitted.objective.toFixed(4)} | ${bandText(inBand(r.fitted))} |`, '');
  }
  out.push(`Objective (weighted squared log-error${n > 1 ? `, mean over ${n} samples` : ''}): start ${r.start.objective.toFixed(4)}, fitted ${r.fitted.objective.toFixed(4)}.`, '');
  out.push('| parameter | unit | prior | bounds | start | fitted | meaning |', '|---|---|---|---|---|---|---|');
  for (const k of CALIBRATION_PARAMETERS) {
    const p = spec[k];
    const fitted = meta.params.includes(k) ? r.fitted.values[k].toPrecision(4) : `${r.fitted.values[k]} (not fitted)`;
    out.push(`| ${k} | ${p.unit} | ${p.prior} | ${p.bounds[0]} – ${p.bounds[1]} | ${r.start.values[k].toPrecision(4)} | ${fitted} | ${p.meaning} |`);
  }
  for (const [i, run] of r.fitted.runs.entries()) {
    out.push('', `## ${run.name}`, '', '```', formatRows(run.rows, (row) => [`${(r.start.runs[i].rows.find((x) => x.figure === row.figure)!.error * 100).toFixed(1)}`, `±${(row.tolerance * 100).toFixed(0)}`, row.ok ? 'ok' : 'FAIL'], ['start err %', 'tolerance %', 'ok']), '```');
    const sens = r.sensitivity[run.name] ?? {};
    const params = meta.params as CalibrationParameter[];
    out.push('', `Sensitivity d ln(figure) / d ln(parameter):`, '', `| figure | ${params.join(' | ')} |`, `|---|${params.map(() => '---').join('|')}|`);
    for (const row of run.rows) out.push(`| ${row.figure} | ${params.map((k) => (sens[row.figure]?.[k] ?? 0).toFixed(2)).join(' | ')} |`);
  }
  return out.join('\n') + '\n';
}

export async function calibrateCommand(a: CalibrateArgs, log: (line: string) => void): Promise<string> {
  const names = a.params.length > 0 ? a.params : [...CALIBRATION_PARAMETERS];
  for (const p of names) {
    if (!(CALIBRATION_PARAMETERS as readonly string[]).includes(p)) throw inputError({ field: '--params' }, `unknown parameter ${p} (known: ${CALIBRATION_PARAMETERS.join(', ')})`);
  }
  if (!(a['max-evaluations'] > 0)) throw inputError({ field: '--max-evaluations' }, 'must be positive');
  const polishSamples = a.polish ?? 0;
  if (!(Number.isInteger(polishSamples) && polishSamples >= 0)) throw inputError({ field: '--polish' }, 'must be a whole number >= 0');
  if (!(a['polish-tolerance'] === undefined || a['polish-tolerance'] >= 0)) throw inputError({ field: '--polish-tolerance' }, 'must be >= 0');
  const fitSeeds = fitSeedsOf(a);
  const inputs = await loadInputs({ trace: a.trace, workload: a.workload, seed: a.seed });
  requireSchedule(inputs, REPLAYED, REPLAY_ONLY);
  const { requests, label: workload } = inputs;
  let samples: CalibrationSample[] | undefined;
  if (fitSeeds !== undefined) {
    samples = [];
    for (const seed of fitSeeds) samples.push(seed === a.seed ? { seed, requests } : { seed, requests: (await loadInputs({ workload: a.workload, seed })).requests });
  }
  const params = names as CalibrationParameter[];
  const { parameterUncertainty } = await import('./uncertainty.ts');
  if (a['uncertainty-only']) {
    const setup = { model: a.model, requests, seed: a.seed, workload, parameters: params };
    const at = evaluate(setup, {});
    const { jacobian } = sensitivities(setup, at);
    const uncertainty = parameterUncertainty(at, jacobian, params);
    const file = join(a.report, 'report.json');
    const json = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>) : {};
    mkdirSync(a.report, { recursive: true });
    writeFileAtomic(file, JSON.stringify({ ...json, uncertainty }, null, 2) + '\n');
    return uncertaintyMarkdown(uncertainty) + `\nwrote the uncertainty into ${file}\n`;
  }
  const result = calibrate(
    { model: a.model, requests, seed: a.seed, workload, parameters: params, samples },
    { maxEvaluations: a.fit === false ? 0 : a['max-evaluations'], polishSamples, polishTolerance: a['polish-tolerance'], log },
  );
  const file = calibrationFileOf(modelFile(a.model));
  const json = JSON.parse(readFileSync(file, 'utf8'));
  const spec = json.parameters;
  mkdirSync(a.report, { recursive: true });
  const md = reportMarkdown(result, { model: a.model, workload, seed: a.seed, params, fitSeeds }, spec);
  writeFileAtomic(join(a.report, 'report.md'), md);
  const uncertainty = parameterUncertainty(result.fitted, result.jacobian, params);
  writeFileAtomic(join(a.report, 'report.json'), JSON.stringify({ ...(fitSeeds ? { fitSeeds } : {}), start: strip(result.start), fitted: strip(result.fitted), evaluations: result.evaluations, sensitivity: result.sensitivity, uncertainty }, null, 2) + '\n');
  if (a.write) {
    for (const k of params) spec[k].value = Number(result.fitted.values[k].toPrecision(8));
    writeFileAtomic(file, JSON.stringify(json, null, 2) + '\n');
  }
  return md + uncertaintyMarkdown(uncertainty);
}

/** The parameter uncertainty as a short Markdown section. */
export function uncertaintyMarkdown(u: { method: string; parameters: string[]; relativeStdError: Record<string, number>; sigma2: number; dof: number }): string {
  const out = ['', '## Parameter uncertainty', '', `${u.method}; σ² = ${u.sigma2.toFixed(4)} on ${u.dof} degrees of freedom.`, '', '| parameter | relative standard error |', '|---|---|'];
  for (const k of u.parameters) out.push(`| ${k} | ${(u.relativeStdError[k] * 100).toFixed(2)} % |`);
  return out.join('\n') + '\n';
}

function strip(e: CalibrationResult['start']) {
  const samples = e.samples?.map((s) => ({ seed: s.seed, objective: s.objective, inBand: s.inBand, misses: s.runs.flatMap((r) => r.rows.filter((x) => !x.ok).map((x) => `${r.name}: ${x.figure} ${(x.error * 100).toFixed(1)} %`)) }));
  return { values: e.values, objective: e.objective, ...(samples ? { samples } : {}), runs: e.runs.map(({ summary: _s, ...r }) => r) };
}
