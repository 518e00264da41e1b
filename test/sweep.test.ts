// `servesim sweep`: dimension parsing, the combination grid, and a small run through the CLI.
import { execFileSync, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { combinations, parseVary } from '../src/app/sweep.ts';
import { InputError } from '../src/util/errors.ts';

describe('sweep', () => {
  it('parses key=v1,v2 and builds the full grid, last dimension fastest', () => {
    expect(parseVary('workers.decode.count=1, 2,3')).toEqual({ key: 'workers.decode.count', values: ['1', '2', '3'] });
    expect(() => parseVary('nokey')).toThrow(InputError);
    expect(() => parseVary('a=1,,2')).toThrow(InputError);
    expect(combinations([{ key: 'a', values: ['1', '2'] }, { key: 'b', values: ['x', 'y'] }])).toEqual([
      { a: '1', b: 'x' },
      { a: '1', b: 'y' },
      { a: '2', b: 'x' },
      { a: '2', b: 'y' },
    ]);
  });

  it('runs a grid of scenario keys and workload parameters from the CLI', () => {
    const out = execFileSync('node', ['bin/servesim.js', 'sweep', 'scenarios/disagg-kv.yaml', '--vary', 'workers.decode.count=1,2', '--vary', 'param.num_requests=300', '--seeds', '1,2', '--json'], { encoding: 'utf8' });
    const rows = JSON.parse(out) as { 'workers.decode.count': string; runs: { requests: { issued: number } }[] }[];
    expect(rows.map((r) => r['workers.decode.count'])).toEqual(['1', '2']);
    for (const r of rows) {
      expect(r.runs).toHaveLength(2);
      for (const s of r.runs) expect(s.requests.issued).toBe(300);
    }
  });

  it('rejects an unknown scenario key in a dimension with one line and exit 2', () => {
    const r = spawnSync('node', ['bin/servesim.js', 'sweep', 'scenarios/disagg-kv.yaml', '--vary', 'workers.decode.cuont=1,2'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/workers\.decode\.cuont: unknown key/);
  });
});
