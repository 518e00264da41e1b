// Prediction intervals: Student-t quantiles; the Gauss-Newton covariance of a fit and its linear
// propagation; `run --seeds` spread; `check --seeds` intervals; the sweep page of the report.
import { describe, expect, it } from 'vitest';
import { checkSeeds, parameterSd } from '../src/app/check-seeds.ts';
import { runSeedsCommand } from '../src/app/run-seeds.ts';
import { parameterUncertainty } from '../src/app/uncertainty.ts';
import type { Evaluation } from '../src/app/calibrate.ts';
import { renderSweepReport } from '../src/report/pareto.ts';
import { confidenceInterval, predictionInterval, studentTQuantile } from '../src/util/stats.ts';

describe('intervals', () => {
  it('Student t quantiles and intervals', () => {
    expect(studentTQuantile(0.975, 1)).toBeCloseTo(12.7062, 3);
    expect(studentTQuantile(0.975, 4)).toBeCloseTo(2.7764, 3);
    expect(studentTQuantile(0.975, 11)).toBeCloseTo(2.201, 3);
    expect(studentTQuantile(0.975, 1000)).toBeCloseTo(1.9623, 3);
    const ci = confidenceInterval([1, 2, 3, 4, 5]);
    expect(ci.mean).toBe(3);
    expect(ci.half).toBeCloseTo((2.7764 * Math.sqrt(2.5)) / Math.sqrt(5), 3);
    expect(predictionInterval([1, 2, 3, 4, 5]).half).toBeCloseTo(2.7764 * Math.sqrt(2.5) * Math.sqrt(1.2), 3);
    expect(Number.isNaN(confidenceInterval([7]).half)).toBe(true);
  });

  it('Gauss-Newton covariance σ²(JᵀWJ)⁻¹ and its propagation sᵀΣs', () => {
    // two figures, two parameters, J = identity, tolerances 0.1 and 0.2, errors ln 1.1 and ln 0.9 → dof 0: add a third figure
    const rows = [
      { figure: 'a', reported: 1, simulated: 1.1, tolerance: 0.1 },
      { figure: 'b', reported: 1, simulated: 0.9, tolerance: 0.2 },
      { figure: 'c', reported: 1, simulated: 1.05, tolerance: 0.1 },
    ].map((r) => ({ ...r, error: r.simulated - 1, ok: true }));
    const fitted = { values: {}, objective: 0, runs: [{ name: 'r', rows, ok: true, summary: null }] } as unknown as Evaluation;
    const jac = { r: { a: { moeScale: 1 }, b: { cudaGraphScale: 1 }, c: { moeScale: 1, cudaGraphScale: 1 } } };
    const u = parameterUncertainty(fitted, jac, ['moeScale', 'cudaGraphScale']);
    const w = [100, 25, 100];
    const e = [Math.log(1.1), Math.log(0.9), Math.log(1.05)];
    const sigma2 = w.reduce((a, wi, i) => a + wi * e[i] * e[i], 0) / 1;
    expect(u.sigma2).toBeCloseTo(sigma2, 10);
    // JᵀWJ = [[200, 100], [100, 125]] → inverse / det 15000
    expect(u.covarianceLn[0][0]).toBeCloseTo((sigma2 * 125) / 15000, 10);
    expect(u.covarianceLn[0][1]).toBeCloseTo((sigma2 * -100) / 15000, 10);
    expect(parameterSd(u, 'r', 'c')).toBeCloseTo(Math.sqrt((sigma2 * (125 + 200 - 200)) / 15000), 10);
    expect(parameterSd(u, 'r', 'unknown figure')).toBe(0);
  });

  it('run --seeds reports the spread and a prediction interval per figure', async () => {
    const { text, summaries } = await runSeedsCommand({ scenario: 'scenarios/disagg-kv.yaml', seed: '42', seeds: '3', set: [], param: ['num_requests=150'], json: false, records: false, overwrite: false, command: 'test' });
    expect(summaries.map((s) => s.seed)).toEqual(['42', '43', '44']);
    expect(text).toMatch(/3 workload samples \(seeds 42, 43, 44\)/);
    expect(text).toMatch(/mean TTFT \(ms\)\s+\d/);
    expect(text).toContain('95 % prediction interval');
  });

  it('check --seeds places each reported figure inside or outside the interval', async () => {
    const r = await checkSeeds({ seed: '42', seeds: '2', run: ['agg-rr-k8s'], workload: 'poisson', json: false });
    expect(r.runs[0].rows).toHaveLength(12);
    for (const row of r.runs[0].rows) {
      expect(row.hi).toBeGreaterThanOrEqual(row.lo);
      expect(row.inside).toBe(Math.abs(row.reported - row.mean) <= (row.hi - row.lo) / 2 + 1e-9);
    }
    expect(r.text).toMatch(/agg-rr-k8s: \d+ of 12 reported figures inside/);
    expect(r.text).toMatch(/2 workload samples of poisson/);
  }, 30_000);

  it('draws the Pareto charts of a sweep from answers.json data, escaping strings', () => {
    const html = renderSweepReport({
      sla: 'time_to_first_token:p99<=20000',
      seeds: 2,
      cheapest: [{ traffic: 'param.rate_scale=1', points: 2, ranked: [{ point: 0, deployment: { case: '<b>2P2D</b>' }, gpus: 32, costPerMillionUsd: null, outputTokensPerGpu: 20, outputTokensPerUser: 50, goodput: 1.9, sla: { 'time_to_first_token:p99<=20000': 12000 } }] }],
      maxLoad: [],
      pareto: { throughputVsInteractivity: [{ point: 0, label: 'a', x: 50, y: 20, frontier: true }, { point: 1, label: 'b', x: 40, y: 10, frontier: false }], goodputVsGpus: [] },
    });
    expect(html).toContain('data-chart="pareto-throughput"');
    expect(html).toMatch(/<circle [^>]*fill="#d62728"/);
    expect(html).toContain('<title>a: 50.00, 20.00</title>');
    expect(html).toContain('&lt;b&gt;2P2D&lt;/b&gt;');
    expect(html).not.toContain('<b>2P2D');
  });
});
