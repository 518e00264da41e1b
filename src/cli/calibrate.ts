// `servesim calibrate`: fit the cost model's global parameters to the reported runs, write the fitted
// values into the calibration file the model names (shared by every model file naming it) and a
// report (start vs fitted values, per-figure errors, sensitivities).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CommandModule } from 'yargs';
import { calibrate, type CalibrationResult } from '../app/calibrate.ts';
import { loadInputs } from '../app/inputs.ts';
import { calibrationFileOf, modelFile } from '../cost/load.ts';
import { CALIBRATION_PARAMETERS, type CalibrationParameter } from '../cost/spec.ts';
import { formatRows } from '../metrics/compare.ts';
import { inputError } from '../util/errors.ts';

interface CalibrateArgs {
  model: string;
  trace?: string;
  workload?: string;
  seed: string;
  params: string[];
  'max-evaluations': number;
  polish: number;
  'polish-tolerance': number;
  fit: boolean;
  write: boolean;
  report: string;
}

export function reportMarkdown(r: CalibrationResult, meta: { model: string; workload: string; seed: string; params: readonly string[] }, spec: Record<string, { prior: number; bounds: [number, number]; unit: string; meaning: string }>): string {
  const how = r.evaluations === 0 ? 'the values of the calibration file, not refitted (--no-fit; docs/calibration.md says how they were fitted)' : `${r.evaluations} objective evaluations (3 simulated runs each)`;
  const out: string[] = [`# Calibration report: ${meta.model}`, '', `Workload ${meta.workload}, seed ${meta.seed}; ${how}.`, ''];
  out.push(`Objective (weighted squared log-error): start ${r.start.objective.toFixed(4)}, fitted ${r.fitted.objective.toFixed(4)}.`, '');
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

export const calibrateCommand: CommandModule<object, CalibrateArgs> = {
  command: 'calibrate',
  describe: "fit the cost model's global parameters to the reported runs (writes the shared calibration file and a report)",
  builder: (y) =>
    y
      .option('model', { type: 'string', default: 'gb200-dsv32-nvfp4-trtllm', describe: 'cost model in models/' })
      .option('trace', { type: 'string', describe: 'trace to fit on (default: the seed-coding workload)' })
      .option('workload', { type: 'string', describe: 'built-in workload (default seed-coding)' })
      .option('seed', { type: 'string', default: '42' })
      .option('params', { type: 'string', array: true, default: [...CALIBRATION_PARAMETERS] as string[], describe: 'parameters to fit' })
      .option('max-evaluations', { type: 'number', default: 150 })
      .option('fit', { type: 'boolean', default: true, describe: 'run the fit (--no-fit: evaluate the values in the calibration file, polish if asked, report)' })
      .option('polish', { type: 'number', default: 16, describe: 'points sampled within ±1.2 % of the fit; the one with most figures in band (objective within --polish-tolerance) is kept' })
      .option('polish-tolerance', { type: 'number', default: 0.02, describe: 'relative objective margin of the polish' })
      .option('write', { type: 'boolean', default: true, describe: 'write the fitted values into the calibration file (models/calibration/)' })
      .option('report', { type: 'string', default: 'results/calibration', describe: 'folder for report.md and report.json' })
      .conflicts('trace', 'workload'),
  handler: async (a) => {
    for (const p of a.params) {
      if (!(CALIBRATION_PARAMETERS as readonly string[]).includes(p)) throw inputError({ field: '--params' }, `unknown parameter ${p} (known: ${CALIBRATION_PARAMETERS.join(', ')})`);
    }
    if (!(a['max-evaluations'] > 0)) throw inputError({ field: '--max-evaluations' }, 'must be positive');
    const { requests, label: workload } = await loadInputs({ trace: a.trace, workload: a.workload, seed: a.seed });
    const params = a.params as CalibrationParameter[];
    const result = calibrate(
      { model: a.model, requests, seed: a.seed, workload, parameters: params },
      { maxEvaluations: a.fit ? a['max-evaluations'] : 0, polishSamples: a.polish, polishTolerance: a['polish-tolerance'], log: (l) => process.stderr.write(`\r${l}   `) },
    );
    process.stderr.write('\n');
    const file = calibrationFileOf(modelFile(a.model));
    const json = JSON.parse(readFileSync(file, 'utf8'));
    const spec = json.parameters;
    mkdirSync(a.report, { recursive: true });
    const md = reportMarkdown(result, { model: a.model, workload, seed: a.seed, params }, spec);
    writeFileSync(join(a.report, 'report.md'), md);
    writeFileSync(join(a.report, 'report.json'), JSON.stringify({ start: strip(result.start), fitted: strip(result.fitted), evaluations: result.evaluations, sensitivity: result.sensitivity }, null, 2) + '\n');
    if (a.write) {
      for (const k of params) spec[k].value = Number(result.fitted.values[k].toPrecision(8));
      writeFileSync(file, JSON.stringify(json, null, 2) + '\n');
    }
    process.stdout.write(md);
  },
};

function strip(e: CalibrationResult['start']) {
  return { values: e.values, objective: e.objective, runs: e.runs.map(({ summary: _s, ...r }) => r) };
}
