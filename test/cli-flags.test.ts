// The CLI's flag rules, through the built bundle: a single-value flag given twice, a number flag that
// is not a number, --request-rate-mode without a rate, --goodput as the whole SLO set, --aiperf-env
// without --aiperf and a plug-in router with a syntax error each end with one stderr line and exit 2;
// the repeatable flags keep taking several values.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { esc, servesim } from './cli-spawn.ts';

const AGG = 'scenarios/agg-rr-k8s.yaml';
const DISAGG = 'scenarios/disagg-kv.yaml';
const TINY = 'test/fixtures/tiny-trace.jsonl';
const tmp = mkdtempSync(join(tmpdir(), 'servesim-cli-flags-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let n = 0;
const out = () => join(tmp, `run-${n++}`);
const run = (...rest: string[]) => ['run', DISAGG, '--trace', TINY, '--request-count', '3', ...rest];

const SYNTAX = join(tmp, 'syntax.ts');
writeFileSync(SYNTAX, 'export default class R {\n  select(req: unknown) {\n    return = 1;\n  }\n}\n');

/** [case, args, the one stderr line after "servesim: " (a pattern)]. */
const refused: [string, string[], RegExp][] = [
  // 1. a single-value flag given twice, whatever the command (the values as typed, the flag as declared)
  ['run --out twice', run('--out', 'a', '--out', 'b'), /^--out: given 2 times \(a, b\): give it once$/],
  ['run --out and its alias', run('--out', 'a', '--artifact-dir', 'b'), /^--out: given 2 times \(a, b\): give it once$/],
  ['run --seed twice', run('--seed', '1', '--seed', '2'), /^--seed: given 2 times \(1, 2\): give it once$/],
  ['run --seed and --random-seed', run('--seed', '1', '--random-seed', '2'), /^--seed: given 2 times \(1, 2\): give it once$/],
  ['run --goodput twice', run('--goodput', 'a', '--goodput', 'b'), /^--goodput: given 2 times \(a, b\): give it once$/],
  ['run --router twice', run('--router', 'a.ts', '--router', 'b.ts'), /^--router: given 2 times \(a\.ts, b\.ts\): give it once$/],
  ['run --workload twice', ['run', DISAGG, '--workload', 'seed-coding', '--workload', 'synthetic'], /^--workload: given 2 times \(seed-coding, synthetic\): give it once$/],
  ['run --trace twice', ['run', DISAGG, '--trace', 'x', '--trace', 'x'], /^--trace: given 2 times \(x, x\): give it once$/],
  ['run --request-count twice', run('--request-count', '4'), /^--request-count: given 2 times \(3, 4\): give it once$/],
  ['run --seeds twice', run('--seeds', '3', '--seeds', '4'), /^--seeds: given 2 times \(3, 4\): give it once$/],
  ['sweep --out twice', ['sweep', AGG, '--vary', 'workers.agg.count=1,2', '--out', 'x', '--out', 'y'], /^--out: given 2 times \(x, y\): give it once$/],
  ['report --out twice', ['report', 'o1', '--out', 'a.html', '--out', 'b.html'], /^--out: given 2 times \(a\.html, b\.html\): give it once$/],
  ['report --sweep twice', ['report', '--sweep', 'X', '--sweep', 'X'], /^--sweep: given 2 times \(X, X\): give it once$/],
  ['report --title twice', ['report', 'o1', '--title', 'a', '--title', 'b'], /^--title: given 2 times \(a, b\): give it once$/],
  ['merge --out twice', ['merge', 'X', '--out', 'm1', '--out', 'm2'], /^--out: given 2 times \(m1, m2\): give it once$/],
  ['import-dgd --out twice', ['import-dgd', 'd.yaml', '--out', 'a', '--out', 'b'], /^--out: given 2 times \(a, b\): give it once$/],
  ['import-dgd --model twice', ['import-dgd', 'd.yaml', '--model', 'a', '--model', 'b'], /^--model: given 2 times \(a, b\): give it once$/],
  ['analyze --workload twice', ['analyze', '--workload', 'X', '--workload', 'X'], /^--workload: given 2 times \(X, X\): give it once$/],
  ['analyze --name twice', ['analyze', TINY, '--name', 'a', '--name', 'b'], /^--name: given 2 times \(a, b\): give it once$/],
  ['calibrate --fit-seeds twice', ['calibrate', '--fit-seeds', '2', '--fit-seeds', '3'], /^--fit-seeds: given 2 times \(2, 3\): give it once$/],
  ['cost --context-tokens and --isl', ['cost', AGG, '--isl', '3', '--context-tokens', '4'], /^--context-tokens: given 2 times \(3, 4\): give it once$/],
  ['an empty value given twice', ['run', DISAGG, '--trace=', '--trace', 'x'], /^--trace: given 2 times \('', x\): give it once$/],
  // 4. a number flag says what was typed, never NaN
  ['--request-rate abc', run('--request-rate', 'abc'), /^--request-rate: expected a number, got 'abc'$/],
  ['--request-rate=abc', run('--request-rate=abc'), /^--request-rate: expected a number, got 'abc'$/],
  ['--request-rate without a value', run('--request-rate'), /^--request-rate: needs a number$/],
  ['--request-rate= (empty)', run('--request-rate='), /^--request-rate: needs a number$/],
  ['--request-rate abc twice', run('--request-rate', 'abc', '--request-rate', '2'), /^--request-rate: given 2 times \(abc, 2\): give it once$/],
  ['compare --workers abc', ['compare', AGG, '--trace', TINY, '--workers', 'abc'], /^--workers: expected a number, got 'abc'$/],
  ['calibrate --polish x', ['calibrate', '--polish', 'x'], /^--polish: expected a number, got 'x'$/],
  // 2. a request-rate mode without a rate would be ignored
  ...(['--request-rate-mode constant', '--request-rate-mode constant --concurrency 2', '--set client.request_rate_mode=constant'].map((flags): [string, string[], RegExp] => [
    flags,
    run(...flags.split(' ')),
    new RegExp(`^${esc(DISAGG)} \\(${flags.startsWith('--set') ? '--set client\\.request_rate_mode' : '--request-rate-mode'}\\): client\\.request_rate_mode: spaces the sends of a request rate: give client\\.request_rate \\(--request-rate\\) too, or leave the mode out$`),
  ])),
  // 3. a tag twice in --goodput is named as --goodput's
  ['--goodput with a tag twice', run('--goodput', 'inter_token_latency:50 inter_token_latency:60'), /^--goodput: inter_token_latency given twice \('inter_token_latency:50', then 'inter_token_latency:60'\): give each SLO once$/],
  // 5. --aiperf-env fills the job's variables: refused without the job
  ['--aiperf-env without --aiperf', ['import-dgd', AGG, '--aiperf-env', 'FOO=1'], /^--aiperf-env: fills variables of the AIPerf job: give the job with --aiperf \(without it the client keys are AIPerf defaults\)$/],
  // 6. a plug-in router that does not parse: the first error and where it is
  ['a plug-in with a syntax error', run('--router', SYNTAX, '--out', join(tmp, 'never')), new RegExp(`^router plug-in ${esc(SYNTAX)}: cannot load: ${esc(SYNTAX)}:3:11: Unexpected "="$`)],
];

describe('CLI flags: one stderr line and exit 2', () => {
  it.each(refused)('%s', async (_name, args, want) => {
    const o = await servesim(args);
    expect(o.code, o.stderr).toBe(2);
    expect(o.stdout).toBe('');
    const lines = o.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0].slice('servesim: '.length)).toMatch(want);
    expect(lines[0].startsWith('servesim: ')).toBe(true);
  });
});

describe('CLI flags that are kept', () => {
  it('repeatable flags take several values (--set, --param, --role)', async () => {
    const o = await servesim(['cost', DISAGG, '--role', 'prefill', '--role', 'decode', '--set', 'workers.decode.count=3', '--set', 'workers.prefill.count=1', '--json']);
    expect(o.code, o.stderr).toBe(0);
    expect(Object.keys(JSON.parse(o.stdout).roles)).toHaveLength(2);
    const w = await servesim(['analyze', '--workload', 'synthetic', '--param', 'num_requests=5', '--param', 'isl_mean=100']);
    expect(w.code, w.stderr).toBe(0);
  });

  it('--goodput is the whole SLO set: the scenario SLOs it does not name are not judged', async () => {
    const dir = out();
    const o = await servesim(run('--goodput', 'inter_token_latency:50', '--out', dir));
    expect(o.code, o.stderr).toBe(0);
    expect(o.stdout).toMatch(/^goodput \(ITL <= 50 ms\): /m);
    expect(JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')).goodput).toMatchObject({ ttftMs: null, itlMs: 50 });
    const both = await servesim(run('--out', out()));
    expect(both.stdout).toMatch(/^goodput \(TTFT <= 20000 ms, ITL <= 50 ms\): /m);
  });

  it('--request-rate-mode with --request-rate sets the gaps', async () => {
    const o = await servesim(run('--request-rate', '2', '--request-rate-mode', 'constant', '--out', out()));
    expect(o.code, o.stderr).toBe(0);
    expect(o.stdout).toMatch(/^load: request rate 2\/s \(constant\)/m);
  });
});
