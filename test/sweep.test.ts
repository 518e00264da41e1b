// `servesim sweep`: dimension parsing, the combination grid, and a small run through the CLI.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { combinations, parseVary } from '../src/app/sweep.ts';
import { rangeValues, seedList } from '../src/app/plan.ts';
import { InputError } from '../src/util/errors.ts';

describe('sweep', () => {
  it('parses key=v1,v2 and builds the full grid, last dimension fastest', () => {
    expect(parseVary('workers.decode.count=1, 2,3')).toEqual({ key: 'workers.decode.count', values: ['1', '2', '3'] });
    expect(() => parseVary('nokey')).toThrow(InputError);
    expect(() => parseVary('a=1,,2')).toThrow(InputError);
    expect(seedList('3')).toEqual(['42', '43', '44']);
    expect(seedList('42,7')).toEqual(['42', '7']);
    expect(rangeValues(0.1, 0.3, 0.1)).toEqual([0.1, 0.2, 0.3]);
    expect(combinations([{ key: 'a', values: ['1', '2'] }, { key: 'b', values: ['x', 'y'] }])).toEqual([
      { a: '1', b: 'x' },
      { a: '1', b: 'y' },
      { a: '2', b: 'x' },
      { a: '2', b: 'y' },
    ]);
  });

  it('runs a grid of scenario keys and workload parameters from the CLI', () => {
    const dir = mkdtempSync(join(tmpdir(), 'servesim-quick-'));
    try {
      const out = execFileSync('node', ['bin/servesim.js', 'sweep', 'scenarios/disagg-kv.yaml', '--vary', 'workers.decode.count=1,2', '--vary', 'param.num_requests=300', '--seeds', '1,2', '--json', '--workers', '0', '--out', dir], { encoding: 'utf8' });
      const { points } = JSON.parse(out) as { points: { inputs: Record<string, unknown>; runs: { seed: string; figures: { requests: { issued: number } } }[] }[] };
      expect(points.map((r) => r.inputs['workers.decode.count'])).toEqual([1, 2]);
      for (const r of points) {
        expect(r.runs.map((x) => x.seed)).toEqual(['1', '2']);
        for (const s of r.runs) expect(s.figures.requests.issued).toBe(300);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects an unknown scenario key in a dimension with one line and exit 2', () => {
    const r = spawnSync('node', ['bin/servesim.js', 'sweep', 'scenarios/disagg-kv.yaml', '--vary', 'workers.decode.cuont=1,2', '--out', tmpdir()], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/workers\.decode\.cuont: unknown key/);
  });
});
