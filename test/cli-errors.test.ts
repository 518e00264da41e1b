// Covers CLI input errors end to end: `node bin/servesim.js run ...` prints ONE stderr line `servesim: file[:line]: field: ...`, exits 2, no stack trace.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SCENARIO = 'scenarios/agg-rr-k8s.yaml';
const dir = mkdtempSync(join(tmpdir(), 'servesim-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

function servesim(args: string[]): Promise<Outcome> {
  return new Promise((done) => {
    execFile(process.execPath, ['bin/servesim.js', ...args], { cwd: ROOT, timeout: 30_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : null) : 0;
      done({ code, stdout, stderr });
    });
  });
}

function file(name: string, lines: string[]): string {
  const p = join(dir, name);
  writeFileSync(p, lines.join('\n') + '\n');
  return p;
}

const good = JSON.stringify({ timestamp: 0, input_length: 600, output_length: 5, hash_ids: [1, 2] });
const out = join(dir, 'out');

// [case, args, the stderr line after "servesim: " (exact, or a pattern)]; each spawn costs ~1.5 s of CPU, so only the required cases
const cases: Array<[string, () => string[], (o: Outcome) => RegExp | string]> = [];
const traces = {
  malformed: file('malformed.jsonl', [good, '{"timestamp": 5, "input_length": 600,']),
  negative: file('negative.jsonl', [good, JSON.stringify({ timestamp: 10, input_length: -5, output_length: 5, hash_ids: [1] })]),
  hashIds: file('hash-ids.jsonl', [JSON.stringify({ timestamp: 0, input_length: 600, output_length: 5, hash_ids: [1] })]),
  good: file('good.jsonl', [good]),
};
const badScenario = file('bad-scenario.yaml', ['name: bad', 'workers:', '  agg:', '    count: 1', '    engine:', '      max_batch_size: 8', '      kv_cache_config:', '        enable_reuse: true']);

cases.push(['malformed trace line', () => ['run', SCENARIO, '--trace', traces.malformed, '--out', out], () => new RegExp(`^${escape(traces.malformed)}:2: not valid JSON \\(.+\\)$`)]);
cases.push(['negative input_length', () => ['run', SCENARIO, '--trace', traces.negative, '--out', out], () => `${traces.negative}:2: input_length: must be a positive integer, got -5`]);
cases.push([
  'hash_ids inconsistent with input_length',
  () => ['run', SCENARIO, '--trace', traces.hashIds, '--out', out],
  () => `${traces.hashIds}:1: hash_ids: has 1 ids but input_length 600 needs ceil(600/512) = 2`,
]);
cases.push(['unknown scenario key', () => ['run', badScenario, '--trace', traces.good, '--out', out], () => `${badScenario}:8: workers.agg.engine.kv_cache_config.enable_reuse: unknown key (did you mean 'enable_block_reuse'?); known here: enable_block_reuse, tokens_per_block, free_gpu_memory_fraction, dtype`]);
cases.push(['zero workers', () => ['run', SCENARIO, '--trace', traces.good, '--out', out, '--set', 'workers.agg.count=0'], () => `${SCENARIO} (--set workers.agg.count): workers.agg.count: must be at least 1`]);
cases.push(['calibrate --fit-seeds without --seed', () => ['calibrate', '--fit-seeds', '1,2', '--no-write', '--report', join(dir, 'cal')], () => "--fit-seeds: 1,2 does not include --seed 42, the sample the report's tables show"]);

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const results = new Map<string, Outcome>();
beforeAll(async () => {
  const all = await Promise.all(cases.map(([, args]) => servesim(args())));
  cases.forEach(([name], i) => results.set(name, all[i]));
}, 60_000);

describe('servesim run: input errors', () => {
  it.each(cases.map(([name, , want]) => [name, want] as const))('%s → one stderr line, exit code 2', (name, want) => {
    const o = results.get(name)!;
    expect(o.code).toBe(2);
    expect(o.stdout).toBe('');
    expect(o.stderr.endsWith('\n')).toBe(true);
    const lines = o.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0].startsWith('servesim: ')).toBe(true);
    expect(o.stderr).not.toMatch(/\n\s+at /); // no stack trace
    const msg = lines[0].slice('servesim: '.length);
    const w = want(o);
    if (typeof w === 'string') expect(msg).toBe(w);
    else expect(msg).toMatch(w);
  });
});
