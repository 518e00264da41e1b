// Inputs given twice where once was meant: a sweep axis value or case name twice, a --param twice, a
// run folder twice in a report, a sweep report with run folders beside it: each stops with one line.
import { describe, expect, it } from 'vitest';
import { validatePlan } from '../src/app/plan.ts';
import { parseParamPairs } from '../src/trace/params.ts';
import { servesim } from './cli-spawn.ts';

const plan = (axes: unknown[]) => () => validatePlan({ scenario: 'scenarios/disagg-kv.yaml', axes }, 'p.yaml');

describe('given twice', () => {
  it('an axis value, a case name', () => {
    expect(plan([{ key: 'workers.decode.count', values: [1, 1] }])).toThrow(/^p\.yaml: axes\[0\]: \{"workers\.decode\.count":1\} appears twice: the same point would run twice$/);
    expect(plan([{ cases: [{ name: 'a', 'workers.decode.count': 1 }, { name: 'a', 'workers.decode.count': 2 }] }])).toThrow(/^p\.yaml: axes\[0\]\.cases: the name a is given to two cases$/);
    expect(plan([{ key: 'workers.decode.count', values: [1, 2] }])().axes[0].steps).toHaveLength(2);
  });
  it('a --param', () => {
    expect(() => parseParamPairs(['num_requests=5', 'num_requests=6'])).toThrow(/^--param: num_requests is given twice \(num_requests=5, then num_requests=6\): give it once$/);
  });
  it('report: a run folder twice, or run folders beside --sweep', async () => {
    const twice = await servesim(['report', 'results/x', './results/x', '--out', '/tmp/r.html']);
    expect([twice.code, twice.stderr.trim()]).toEqual([2, 'servesim: ./results/x: named twice: each run folder is one column of the report']);
    const both = await servesim(['report', '--sweep', 'results/s', 'results/x', '--out', '/tmp/r.html']);
    expect(both.code).toBe(2);
    expect(both.stderr.trim()).toMatch(/^servesim: --sweep: a sweep report reads one sweep folder; the run folders \(results\/x\) make a report of their own$/);
  });
});
