// Sweep plans end to end through the CLI: 1 and 2 worker threads and 2 shards + merge give the same
// bytes; the Parquet file reads back (hyparquet) equal to the CSV; a rerun skips finished points;
// bad plan files stop with one line naming the file and key (exit 2).
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parquetReadObjects } from 'hyparquet';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..');
const PLAN = 'test/fixtures/plans/small.yaml';
const dir = mkdtempSync(join(tmpdir(), 'servesim-sweep-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function servesim(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, ['bin/servesim.js', ...args], { cwd: ROOT, timeout: 120_000, env: { ...process.env, CI: '1' } }, (err, stdout, stderr) => {
      done({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

const FILES = ['sweep.csv', 'sweep.parquet', 'points.csv', 'answers.json'];
const read = (d: string, f: string) => readFileSync(join(d, f));

function parseCsv(text: string): string[][] {
  return text.trimEnd().split('\n').map((l) => l.split(','));
}

describe('sweep plans', () => {
  it('gives the same bytes with 1 or 2 workers and with 2 shards + merge; Parquet equals CSV; reruns skip', async () => {
    const [one, two, s0, s1] = ['w1', 'w2', 's0', 's1'].map((n) => join(dir, n));
    const runs = await Promise.all([
      servesim(['sweep', PLAN, '--workers', '1', '--out', one]),
      servesim(['sweep', PLAN, '--workers', '2', '--out', two]),
      servesim(['sweep', PLAN, '--workers', '0', '--shard', '0/2', '--out', s0]),
      servesim(['sweep', PLAN, '--workers', '0', '--shard', '1/2', '--out', s1]),
    ]);
    for (const r of runs) expect(r.stderr).toBe('');
    for (const r of runs) expect(r.code).toBe(0);
    expect(runs[0].stdout).toMatch(/4 points × 2 seeds = 8 runs; simulated 8, reused 0/);
    expect(runs[2].stdout).toMatch(/shard 0\/2; simulated 4, reused 0/);
    const merged = join(dir, 'merged');
    const m = await servesim(['merge', s0, s1, '--out', merged]);
    expect(m.code).toBe(0);
    for (const f of FILES) {
      expect(read(two, f).equals(read(one, f)), `${f}: 2 workers vs 1`).toBe(true);
      expect(read(merged, f).equals(read(one, f)), `${f}: merged shards vs unsharded`).toBe(true);
    }
    // the answers printed are the ones written
    expect(m.stdout).toContain(readFileSync(join(one, 'answers.txt'), 'utf8'));

    const csv = parseCsv(readFileSync(join(one, 'sweep.csv'), 'utf8'));
    const head = csv[0];
    const buf = read(one, 'sweep.parquet');
    const rows = (await parquetReadObjects({ file: buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) })) as Record<string, unknown>[];
    expect(rows).toHaveLength(csv.length - 1);
    expect(Object.keys(rows[0])).toEqual(head);
    rows.forEach((row, i) => {
      head.forEach((col, j) => {
        const v = row[col];
        expect(v === null || v === undefined ? '' : String(v), `${col} row ${i}`).toBe(csv[i + 1][j]);
      });
    });
    expect(head).toEqual(expect.arrayContaining(['gpus_total', 'output_token_throughput_per_gpu', 'output_token_throughput_per_user_mean', 'time_to_first_token_p99', 'cost_per_million_output_tokens_usd', 'timed_out', 'rejected']));

    const again = await servesim(['sweep', PLAN, '--workers', '2', '--out', one]);
    expect(again.stdout).toMatch(/simulated 0, reused 8/);
    expect(read(one, 'sweep.csv').equals(read(two, 'sweep.csv'))).toBe(true);
  }, 120_000);

  it('refuses bad plan files with one line naming the file and key, exit 2', async () => {
    const base = ['scenario: ../scenarios/disagg-kv.yaml', 'params: { num_requests: 50 }'];
    const plan = (name: string, lines: string[]) => {
      const f = join(ROOT, 'test', `.tmp-${name}.yaml`);
      writeFileSync(f, [...base, ...lines].join('\n') + '\n');
      return f;
    };
    const cases: [string, string, RegExp][] = [
      ['unknown-key', plan('unknown-key', ['seeds: 2', 'sedes: 3']), /\.tmp-unknown-key\.yaml:4: sedes: unknown key$/],
      ['empty-axis', plan('empty-axis', ['axes:', '  - key: workers.decode.count', '    values: []']), /\.tmp-empty-axis\.yaml:5: axes\[0\]\.values \(workers\.decode\.count\): empty axis/],
      ['zip', plan('zip', ['axes:', '  - zip:', '      workers.decode.count: [1, 2]', '      workers.prefill.count: [1, 2, 3]']), /\.tmp-zip\.yaml:6: axes\[0\]\.zip\.workers\.prefill\.count: has 3 values but workers\.decode\.count has 2/],
      ['sla', plan('sla', ['sla: "time_to_first_tokn:p99<=20000"']), /\.tmp-sla\.yaml:3: sla: 'time_to_first_tokn:p99<=20000': unknown metric time_to_first_tokn \(did you mean 'time_to_first_token'\?\)/],
      ['scenario-key', plan('scenario-key', ['axes:', '  - key: workers.decode.cuont', '    values: [1]']), /\.tmp-scenario-key\.yaml: workers\.decode\.cuont=1: .*workers\.decode\.cuont: unknown key/],
    ];
    try {
      const out = await Promise.all(cases.map(([, f]) => servesim(['sweep', f, '--out', join(dir, 'bad')])));
      out.forEach((r, i) => {
        expect(r.code, cases[i][0]).toBe(2);
        const lines = r.stderr.trim().split('\n');
        expect(lines, cases[i][0]).toHaveLength(1);
        expect(lines[0], cases[i][0]).toMatch(cases[i][2]);
      });
    } finally {
      for (const [name] of cases) rmSync(join(ROOT, 'test', `.tmp-${name}.yaml`), { force: true });
    }
  }, 60_000);
});

describe('deploy/', () => {
  it('runs shards from the engines\' own indices and merges them', () => {
    const job = readFileSync(join(ROOT, 'deploy/kubernetes/sweep-job.yaml'), 'utf8');
    expect(job).toMatch(/completionMode: Indexed/);
    expect(job).toContain('--shard "$JOB_COMPLETION_INDEX/$SHARDS"');
    expect(readFileSync(join(ROOT, 'deploy/kubernetes/merge-job.yaml'), 'utf8')).toContain('servesim merge /results/shard-* --out /results/merged');
    expect(readFileSync(join(ROOT, 'deploy/slurm/sweep.sbatch'), 'utf8')).toContain('--shard "${SLURM_ARRAY_TASK_ID}/${SHARDS}"');
    expect(readFileSync(join(ROOT, 'deploy/slurm/submit.sh'), 'utf8')).toContain('--dependency=afterok:');
  });
});
