// Calibration: fit the cost model's few global parameters to the reported runs by running the
// simulator, minimising a weighted squared log-error over the block figures within the parameters'
// physical bounds (bounded Nelder-Mead in a normalised space), then measure each figure's
// sensitivity to each parameter.
import { add, multiply, subtract } from 'mathjs';
import { checkRun, type CheckedRun } from './check.ts';
import { loadCostModel } from '../cost/load.ts';
import type { CalibrationParameter, CalibrationValues } from '../cost/spec.ts';
import { REPORTED_RUNS } from './reported.ts';
import { makeRng } from '../util/random.ts';
import type { TraceRequest } from '../protocol/trace.ts';

/**
 * The objective measures each figure's error in units of its tolerance band
 * (results/reported/tolerances.json): Σ (ln(simulated / reported) / tolerance)². A figure with a
 * ±5 % band (throughput, disagg ITL) weighs 36× one with a ±30 % band (agg Slurm mean TTFT), so the
 * fit spends its freedom where the acceptance bands are tight, and the knife-edge Slurm latencies,
 * whose bands are widest, count least.
 */
export function figureWeight(tolerance: number): number {
  return 1 / (tolerance * tolerance);
}

export interface Evaluation {
  values: Record<CalibrationParameter, number>;
  /** With several workload samples: the mean of the samples' objectives. */
  objective: number;
  /** The runs on the setup's own seed (the one the report's tables show). */
  runs: CheckedRun[];
  /** With several workload samples (setup.samples): each one's objective, figures in band and runs. */
  samples?: { seed: string; objective: number; inBand: number; runs: CheckedRun[] }[];
}

/** One realization of the workload model: its seed (workload sample and simulator choices) and requests. */
export interface CalibrationSample {
  seed: string;
  requests: readonly TraceRequest[];
}

export interface CalibrationSetup {
  model: string;
  requests: readonly TraceRequest[];
  seed: string;
  workload: string;
  parameters: readonly CalibrationParameter[];
  runs?: readonly string[];
  /**
   * Robust objective (`calibrate --fit-seeds`): the mean objective over these realizations of the
   * workload, each judged against the same reported runs; one of them is `seed`/`requests`.
   */
  samples?: readonly CalibrationSample[];
}

export function objectiveOf(runs: readonly CheckedRun[]): number {
  let sum = 0;
  for (const run of runs) {
    for (const row of run.rows) {
      const e = row.simulated > 0 && row.reported > 0 ? Math.log(row.simulated / row.reported) : 10;
      sum += figureWeight(row.tolerance) * e * e;
    }
  }
  return sum;
}

export function evaluate(setup: CalibrationSetup, values: CalibrationValues): Evaluation {
  const model = loadCostModel(setup.model, values);
  const runsOf = (seed: string, requests: readonly TraceRequest[]) =>
    (setup.runs ?? REPORTED_RUNS).map((name) => checkRun(name, requests, { seed, workload: setup.workload, calibration: values }));
  if (setup.samples === undefined || setup.samples.length <= 1) {
    const runs = runsOf(setup.seed, setup.requests);
    return { values: { ...model.params }, objective: objectiveOf(runs), runs };
  }
  const samples = setup.samples.map((s) => {
    const runs = runsOf(s.seed, s.requests);
    return { seed: s.seed, objective: objectiveOf(runs), inBand: countInBand(runs), runs };
  });
  const own = samples.find((s) => s.seed === setup.seed) ?? samples[0];
  return { values: { ...model.params }, objective: samples.reduce((a, s) => a + s.objective, 0) / samples.length, runs: own.runs, samples };
}

function countInBand(runs: readonly CheckedRun[]): number {
  return runs.reduce((n, r) => n + r.rows.filter((x) => x.ok).length, 0);
}

/** An in-band count, or a mean of counts over workload samples (two decimals). */
export function bandText(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(2);
}

/** A figure's simulated value in an evaluation: over several workload samples, their geometric mean. */
function figureValue(e: Evaluation, run: number, figure: number): number {
  if (!e.samples) return e.runs[run].rows[figure].simulated;
  const xs = e.samples.map((s) => s.runs[run].rows[figure].simulated);
  return xs.every((x) => x > 0) ? Math.exp(xs.reduce((a, x) => a + Math.log(x), 0) / xs.length) : 0;
}

/** Bounded Nelder-Mead over x ∈ [0,1]^n (each coordinate maps linearly onto a parameter's bounds). */
export function nelderMead(f: (x: number[]) => number, x0: number[], opts: { maxEvaluations: number; step?: number; onStep?: (best: number, evals: number, bestX: number[]) => void }): { x: number[]; fx: number; evaluations: number } {
  const clamp = (x: number[]) => x.map((v) => Math.min(1, Math.max(0, v)));
  const n = x0.length;
  let evals = 0;
  const F = (x: number[]) => {
    evals++;
    return f(clamp(x));
  };
  const step = opts.step ?? 0.15;
  let simplex: { x: number[]; fx: number }[] = [{ x: clamp(x0), fx: F(x0) }];
  for (let i = 0; i < n; i++) {
    const x = [...x0];
    x[i] = x[i] + step <= 1 ? x[i] + step : x[i] - step;
    simplex.push({ x: clamp(x), fx: F(x) });
  }
  while (evals < opts.maxEvaluations) {
    simplex.sort((a, b) => a.fx - b.fx);
    opts.onStep?.(simplex[0].fx, evals, simplex[0].x);
    const best = simplex[0];
    const worst = simplex[n];
    const centroid = multiply(simplex.slice(0, n).reduce((acc, p) => add(acc, p.x) as number[], new Array(n).fill(0)), 1 / n) as number[];
    const toward = (t: number) => clamp(add(centroid, multiply(subtract(worst.x, centroid), t)) as number[]);
    const xr = toward(-1);
    const fr = F(xr);
    if (fr < best.fx) {
      const xe = toward(-2);
      const fe = F(xe);
      simplex[n] = fe < fr ? { x: xe, fx: fe } : { x: xr, fx: fr };
    } else if (fr < simplex[n - 1].fx) {
      simplex[n] = { x: xr, fx: fr };
    } else {
      const xc = fr < worst.fx ? toward(-0.5) : toward(0.5);
      const fc = F(xc);
      if (fc < Math.min(fr, worst.fx)) simplex[n] = { x: xc, fx: fc };
      else {
        simplex = simplex.map((p, i) => (i === 0 ? p : { x: clamp(add(best.x, multiply(subtract(p.x, best.x), 0.5)) as number[]), fx: NaN }));
        for (const p of simplex) if (Number.isNaN(p.fx)) p.fx = F(p.x);
      }
    }
    const spread = Math.max(...simplex.map((p) => Math.max(...p.x.map((v, i) => Math.abs(v - simplex[0].x[i])))));
    if (spread < 1e-3) break;
  }
  simplex.sort((a, b) => a.fx - b.fx);
  return { x: simplex[0].x, fx: simplex[0].fx, evaluations: evals };
}

export interface CalibrationResult {
  start: Evaluation;
  fitted: Evaluation;
  evaluations: number;
  /** d ln(figure) / d ln(parameter) at the fitted point, per run and figure (2 decimals). */
  sensitivity: Record<string, Record<string, Partial<Record<CalibrationParameter, number>>>>;
  /** The same, unrounded: the Jacobian of the fit in ln-parameter space. */
  jacobian: Record<string, Record<string, Partial<Record<CalibrationParameter, number>>>>;
}

/** One stage of the fit: which parameters move and which runs judge them. */
export interface CalibrationStage {
  parameters: readonly CalibrationParameter[];
  runs: readonly string[];
}

/**
 * The default two-stage procedure. The disaggregated decode pool alone sets ITL there, through the
 * CUDA-graph decode step, so its scale is fitted first on that run; the rest is fitted on all runs.
 */
export function defaultStages(parameters: readonly CalibrationParameter[]): CalibrationStage[] {
  const first = parameters.filter((p) => p === 'cudaGraphScale');
  const rest = parameters.filter((p) => p !== 'cudaGraphScale');
  const stages: CalibrationStage[] = [];
  if (first.length > 0) stages.push({ parameters: first, runs: ['disagg-kv'] });
  if (rest.length > 0) stages.push({ parameters: rest, runs: [...REPORTED_RUNS] });
  return stages;
}

/** Figures inside their bands over all runs of an evaluation (over several workload samples: their mean). */
export function inBand(e: Evaluation): number {
  return e.samples ? e.samples.reduce((a, s) => a + s.inBand, 0) / e.samples.length : countInBand(e.runs);
}

/**
 * The polish after the fit: the agg figures jump with which requests reach the timeout, so the
 * objective is rough at the percent level and the fit's best point is one of many equally good
 * ones. Sample `samples` points within ±`spread` (relative) of it, keep those within `tolerance`
 * (relative) of its objective, and take the one with the most figures in band (then the lowest
 * objective). Seeded: the same inputs give the same result.
 */
export function polish(setup: CalibrationSetup, fitted: Evaluation, o: { samples: number; spread?: number; tolerance?: number; log?: (line: string) => void }): Evaluation {
  const spec = loadCostModel(setup.model).calibration.parameters;
  const rng = makeRng(`calibrate-polish:${setup.seed}`);
  const spread = o.spread ?? 0.012;
  const tolerance = o.tolerance ?? 0.02;
  let best = fitted;
  for (let i = 0; i < o.samples; i++) {
    const values: CalibrationValues = { ...fitted.values };
    for (const k of setup.parameters) {
      const [lo, hi] = spec[k].bounds;
      values[k] = Math.min(hi, Math.max(lo, fitted.values[k] * (1 + spread * (2 * rng() - 1))));
    }
    const e = evaluate(setup, values);
    o.log?.(`polish: sample ${i + 1} of ${o.samples}, objective ${e.objective.toFixed(4)}, ${bandText(inBand(e))} figures in band (best ${bandText(inBand(best))})`);
    if (e.objective > fitted.objective * (1 + tolerance)) continue;
    if (inBand(e) > inBand(best) || (inBand(e) === inBand(best) && e.objective < best.objective)) best = e;
  }
  return best;
}

/** `maxEvaluations` 0 skips the fit (the start values are evaluated, polished if asked, and reported). */
export function calibrate(setup: CalibrationSetup, opts: { maxEvaluations: number; stages?: CalibrationStage[]; polishSamples?: number; polishTolerance?: number; log?: (line: string) => void }): CalibrationResult {
  const spec = loadCostModel(setup.model).calibration.parameters;
  const names = setup.parameters;
  const current: CalibrationValues = Object.fromEntries(names.map((k) => [k, spec[k].value]));
  const start = evaluate(setup, current);
  let evaluations = 0;
  for (const [si, stage] of (opts.maxEvaluations > 0 ? (opts.stages ?? defaultStages(names)) : []).entries()) {
    const ps = stage.parameters;
    const toValues = (x: number[]): CalibrationValues => ({
      ...current,
      ...Object.fromEntries(ps.map((k, i) => [k, spec[k].bounds[0] + x[i] * (spec[k].bounds[1] - spec[k].bounds[0])])),
    });
    const x0 = ps.map((k) => (current[k]! - spec[k].bounds[0]) / (spec[k].bounds[1] - spec[k].bounds[0]));
    const stageSetup = { ...setup, runs: stage.runs };
    const result = nelderMead((x) => evaluate(stageSetup, toValues(x)).objective, x0, {
      maxEvaluations: Math.max(ps.length + 2, Math.round((opts.maxEvaluations * ps.length) / names.length)),
      onStep: (best, n, bx) => {
        const v = toValues(bx);
        opts.log?.(`stage ${si + 1} (${stage.runs.join(', ')}): evaluation ${n}, objective ${best.toFixed(4)} at ${ps.map((k) => `${k}=${v[k]!.toPrecision(5)}`).join(' ')}`);
      },
    });
    evaluations += result.evaluations;
    Object.assign(current, toValues(result.x));
  }
  // the staged fit can end above its start (stage 1 judges on one run only): never return worse than the start
  const staged = evaluate(setup, current);
  const fitted = polish(setup, staged.objective <= start.objective ? staged : start, { samples: opts.polishSamples ?? 0, tolerance: opts.polishTolerance, log: opts.log });
  const { sensitivity, jacobian } = sensitivities(setup, fitted);
  return { start, fitted, evaluations: evaluations + (opts.polishSamples ?? 0), sensitivity, jacobian };
}

/**
 * d ln(figure) / d ln(parameter) at `at` by central differences (±5 % of each parameter, kept inside
 * its bounds; over several workload samples, of the figure's geometric mean over them): rounded to 2 decimals for the report, and unrounded (the Jacobian of the fit).
 */
export function sensitivities(setup: CalibrationSetup, at: Evaluation): Pick<CalibrationResult, 'sensitivity' | 'jacobian'> {
  const spec = loadCostModel(setup.model).calibration.parameters;
  const sensitivity: CalibrationResult['sensitivity'] = {};
  const jacobian: CalibrationResult['jacobian'] = {};
  for (const k of setup.parameters) {
    const v = at.values[k];
    const h = Math.max(1e-6, Math.abs(v) * 0.05);
    const up = Math.min(spec[k].bounds[1], v + h);
    const down = Math.max(spec[k].bounds[0], v - h);
    if (up === down || v === 0) continue;
    const eu = evaluate(setup, { ...at.values, [k]: up });
    const ed = evaluate(setup, { ...at.values, [k]: down });
    eu.runs.forEach((run, ri) => {
      run.rows.forEach((row, fi) => {
        const hi = figureValue(eu, ri, fi);
        const lo = figureValue(ed, ri, fi);
        if (!(hi > 0 && lo > 0)) return;
        const s = (Math.log(hi) - Math.log(lo)) / (Math.log(up) - Math.log(down));
        ((jacobian[run.name] ??= {})[row.figure] ??= {})[k] = s;
        ((sensitivity[run.name] ??= {})[row.figure] ??= {})[k] = Math.round(s * 100) / 100;
      });
    });
  }
  return { sensitivity, jacobian };
}
