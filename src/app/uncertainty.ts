// Parameter uncertainty of the calibration fit: the Jacobian of the weighted log-residuals w.r.t. the
// ln-parameters at the fitted point → Gauss-Newton covariance σ²(JᵀWJ)⁻¹ (mathjs), and its linear
// propagation onto any figure whose sensitivities are known: var ln(figure) = sᵀ Σ s.
import { inv, matrix, multiply, pinv, transpose, type Matrix } from 'mathjs';
import type { CalibrationParameter } from '../cost/spec.ts';
import { figureWeight, type CalibrationResult, type Evaluation } from './calibrate.ts';

export interface ParameterUncertainty {
  method: string;
  /** The parameters, in the covariance's row/column order. */
  parameters: CalibrationParameter[];
  /** Covariance of ln(parameter), σ²(JᵀWJ)⁻¹. */
  covarianceLn: number[][];
  /** Standard error of each parameter, relative (≈ sd of ln parameter). */
  relativeStdError: Record<string, number>;
  /** Weighted residual variance Σ w e² / (m − p) and its degrees of freedom. */
  sigma2: number;
  dof: number;
  /** d ln(figure) / d ln(parameter) at the fitted point, per run and figure (what `check --seeds` propagates). */
  jacobian: CalibrationResult['jacobian'];
}

export function parameterUncertainty(fitted: Evaluation, jacobian: CalibrationResult['jacobian'], parameters: readonly CalibrationParameter[]): ParameterUncertainty {
  const rows: number[][] = [];
  const weights: number[] = [];
  let ss = 0;
  for (const run of fitted.runs) {
    for (const row of run.rows) {
      const d = jacobian[run.name]?.[row.figure];
      if (!d || !(row.simulated > 0 && row.reported > 0)) continue;
      const e = Math.log(row.simulated / row.reported);
      const w = figureWeight(row.tolerance);
      rows.push(parameters.map((k) => d[k] ?? 0));
      weights.push(w);
      ss += w * e * e;
    }
  }
  const m = rows.length;
  const p = parameters.length;
  const dof = m - p;
  const sigma2 = dof > 0 ? ss / dof : NaN;
  const J = matrix(rows);
  const WJ = matrix(rows.map((r, i) => r.map((x) => x * weights[i])));
  const JtWJ = multiply(transpose(J), WJ) as Matrix;
  let invJ: Matrix;
  let method = 'Gauss-Newton: Cov(ln θ) = σ² (JᵀWJ)⁻¹, J = d ln(figure) / d ln(θ) by central differences at the fitted point, W = 1/tolerance², σ² = Σ w e² / (m − p)';
  try {
    invJ = inv(JtWJ);
  } catch {
    invJ = pinv(JtWJ) as Matrix;
    method += ' (JᵀWJ singular: Moore-Penrose pseudo-inverse)';
  }
  const cov = (multiply(invJ, sigma2) as Matrix).toArray() as number[][];
  return {
    method,
    parameters: [...parameters],
    covarianceLn: cov,
    relativeStdError: Object.fromEntries(parameters.map((k, i) => [k, Math.sqrt(Math.max(0, cov[i][i]))])),
    sigma2,
    dof,
    jacobian,
  };
}
