// The load search (bisection of param.rate_scale under an SLA, per deployment) gives the answer an
// exhaustive grid over the same lattice gives; and SLA strings parse or fail with one line.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { validatePlan } from '../src/app/plan.ts';
import { parseSla } from '../src/app/sla.ts';
import { runSweepPlan } from '../src/app/sweep-run.ts';
import { paretoFrontier } from '../src/app/pareto.ts';

const dir = mkdtempSync(join(tmpdir(), 'servesim-search-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const base = {
  scenario: resolve('scenarios/agg-rr-k8s.yaml'),
  params: { num_requests: 150 },
  seeds: 1,
  sla: 'time_to_first_token:p99<=30000 request_error_rate<=0',
};
const deployments = { key: 'workers.agg.count', values: [1, 2] };

describe('SLA search', () => {
  it('parses SLAs in AIPerf tags', () => {
    expect(parseSla('time_to_first_token:p99<=20000 inter_token_latency:mean<50 good_request_fraction>=0.99').conditions.map((c) => [c.tag, c.stat, c.op, c.value])).toEqual([
      ['time_to_first_token', 'p99', '<=', 20000],
      ['inter_token_latency', 'mean', '<', 50],
      ['good_request_fraction', undefined, '>=', 0.99],
    ]);
    expect(() => parseSla('time_to_first_token<=5')).toThrow(/name a statistic/);
    expect(() => parseSla('time_to_first_token:p98<=5')).toThrow(/unknown statistic p98/);
    expect(() => parseSla('goodput:mean>=1')).toThrow(/one value per run/);
    expect(() => validatePlan({ ...base, sla: undefined, search: { key: 'param.rate_scale', low: 1, high: 2, tolerance: 0.5 } }, 'x.yaml')).toThrow(/x\.yaml: search: a load search needs an sla/);
  });

  it('bisection on rate_scale finds the largest lattice value an exhaustive grid finds', async () => {
    const search = { key: 'param.rate_scale', low: 0.25, high: 2.5, tolerance: 0.25 };
    const searched = await runSweepPlan(validatePlan({ ...base, axes: [deployments], search }, 'search.yaml'), { out: join(dir, 'search'), workers: 0 });
    const results = searched.answers!.data.maxLoad;
    const grid = await runSweepPlan(validatePlan({ ...base, axes: [deployments, { key: 'param.rate_scale', range: { start: 0.25, stop: 2.5, step: 0.25 } }] }, 'grid.yaml'), { out: join(dir, 'search'), workers: 0 });
    const points = grid.points!;
    for (const [i, count] of deployments.values.entries()) {
      const rows = points.filter((p) => p.inputs['workers.agg.count'] === count);
      const meets = rows.map((p) => p.runs[0].figures.ttft.p99 <= 30000 && p.runs[0].figures.requests.timedOut + p.runs[0].figures.requests.rejected === 0);
      // the grid's answer: the largest value below the first failure
      const firstFail = meets.indexOf(false);
      const gridMax = firstFail === 0 ? null : (rows[(firstFail === -1 ? rows.length : firstFail) - 1].inputs['param.rate_scale'] as number);
      expect(meets.slice(firstFail === -1 ? rows.length : firstFail).every((m) => !m), `monotone for ${count} workers`).toBe(true);
      expect(results[i].inputs).toEqual({ 'workers.agg.count': count });
      expect(results[i].value, `${count} workers`).toBe(gridMax);
      expect(results[i].status).toBe('ok');
      // fewer simulations than the grid
      expect(results[i].evaluated.length).toBeLessThan(rows.length);
    }
    expect(results[1].value).toBeGreaterThan(results[0].value);
    expect(grid.reused).toBeGreaterThan(0); // the grid found the search's points in the folder
  }, 60_000);

  it('bisects a concurrency (AIPerf --concurrency, client.concurrency) like the grid over the same lattice', async () => {
    const conc = { ...base, params: { num_requests: 120 }, set: { 'client.fixed_schedule': false }, sla: 'time_to_first_token:p99<=15000' };
    const search = { key: 'client.concurrency', low: 8, high: 64, tolerance: 8 };
    const searched = await runSweepPlan(validatePlan({ ...conc, axes: [{ key: 'workers.agg.count', values: [1] }], search }, 'conc.yaml'), { out: join(dir, 'conc'), workers: 0 });
    const grid = await runSweepPlan(validatePlan({ ...conc, axes: [{ key: 'client.concurrency', range: { start: 8, stop: 64, step: 8 } }], set: { ...conc.set, 'workers.agg.count': 1 } }, 'conc-grid.yaml'), { out: join(dir, 'conc'), workers: 0 });
    const meets = grid.points!.map((p) => p.runs[0].figures.ttft.p99 <= 15000);
    const firstFail = meets.indexOf(false);
    expect(firstFail).toBeGreaterThan(0);
    expect(meets.slice(firstFail).every((m) => !m)).toBe(true);
    const r = searched.answers!.data.maxLoad[0];
    expect(r.status).toBe('ok');
    expect(r.value).toBe(grid.points![firstFail - 1].inputs['client.concurrency']);
    // the grid's traffic levels are the concurrencies
    expect(grid.answers!.data.cheapest.map((c) => c.traffic)).toEqual([8, 16, 24, 32, 40, 48, 56, 64].map((c) => `client.concurrency=${c}`));
  }, 60_000);

  it('marks the Pareto frontier', () => {
    const pts = [
      { point: 0, label: 'a', x: 1, y: 5 },
      { point: 1, label: 'b', x: 2, y: 4 },
      { point: 2, label: 'c', x: 1.5, y: 3 },
      { point: 3, label: 'd', x: 3, y: 1 },
    ];
    expect(paretoFrontier(pts).map((p) => p.frontier)).toEqual([true, true, false, true]);
    expect(paretoFrontier(pts, 'min').map((p) => p.frontier)).toEqual([true, false, false, false]);
  });
});
