// HTML report: built from real runs, it holds the figures table (with reported values and errors)
// and the five charts, each with one series per run.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadReported, loadTolerances, SCENARIOS_DIR } from '../src/app/reported.ts';
import { cdfPoints, renderReport } from '../src/report/html.ts';
import { simulate } from '../src/app/run.ts';
import { loadScenario } from '../src/scenario/load.ts';
import { loadInputs } from '../src/app/inputs.ts';

describe('HTML report', () => {
  it('CDF points are monotone quantiles from 0 to 1', () => {
    const pts = cdfPoints([5, 1, 3, NaN, 2, 4], 4);
    expect(pts).toEqual([[1, 0], [2, 0.25], [3, 0.5], [4, 0.75], [5, 1]]);
  });

  it('compares two runs: figures vs reported, five charts, a series per run', async () => {
    const requests = (await loadInputs({ workload: 'seed-coding', seed: '5', params: { num_requests: 400 } })).requests as never[];
    const runs = ['agg-rr-k8s', 'disagg-kv'].map((name) => {
      const { summary, records } = simulate({ scenario: loadScenario(join(SCENARIOS_DIR, `${name}.yaml`)), requests, seed: '5', workload: 'w' });
      return { name, summary, records, reported: loadReported(name).figures };
    });
    const html = renderReport(runs, 'test <report>', loadTolerances());
    expect(html).toContain('<title>test &lt;report&gt;</title>');
    expect(html.match(/<svg class="chart"/g)).toHaveLength(5);
    // 3 CDF charts x 2 runs as lines; the scatter as dots; legends name both runs in every chart
    expect(html.match(/<polyline /g)).toHaveLength(6);
    expect(html.match(/<circle /g)!.length).toBeGreaterThan(100);
    expect(html.match(/>agg-rr-k8s</g)!.length).toBeGreaterThanOrEqual(5);
    // the reported mean TTFT of agg K8s and the simulated one, with the error
    expect(html).toContain('347687.94');
    expect(html).toContain(runs[0].summary.ttftMs.mean.toFixed(2));
    expect(html).toMatch(/<td class="(bad|good)" title="band ±\d+ %">-?\d+\.\d %<\/td>/);
  });
});
