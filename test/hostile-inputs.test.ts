// Hostile input for every command that reads input: each file of test/fixtures/hostile/ (plus a FIFO,
// a folder, hostile --set paths, and hostile flags of cost and compare) given to the built CLI must
// end with one stderr line naming the file (line and field where they exist) and exit 2 — no stack
// trace, no hang — or, where the input is odd but valid, a run whose outputs hold no NaN and no
// negative latency.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, esc, servesim, type Outcome } from './cli-spawn.ts';

const H = 'test/fixtures/hostile';
const AGG = 'scenarios/agg-rr-k8s.yaml';
const TINY = 'test/fixtures/tiny-trace.jsonl';
const tmp = mkdtempSync(join(tmpdir(), 'servesim-hostile-'));
const FIFO = join(tmp, 'fifo');
const FIFO_JSON = join(tmp, 'fifo.json');
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

let n = 0;
/** A fresh run folder; a named one for the runs read back below. */
const out = (name = `run-${n++}`) => join(tmp, 'runs', name);
const run = (trace: string, name?: string) => ['run', AGG, '--trace', trace, '--out', out(name)];

/** [case, args, the one stderr line after "servesim: " (a pattern), or 'ok' for a valid run]. */
type Case = [string, () => string[], RegExp | 'ok' | 'warn'];
const f = (name: string) => `${H}/${name}`;
const at = (name: string, rest: string) => new RegExp(`^${esc(f(name))}${rest}$`);

const HERE = new RegExp(`^${esc(H)}: is a folder, not a (scenario )?file$`);
const fifo = (what: string) => new RegExp(`^${esc(FIFO)}: not a regular file \\(a FIFO, socket or device cannot be a ${what}\\)$`);
const analyze = (name: string) => ['analyze', f(name)];
/** A message naming a fixture by its absolute path (cost-model files are resolved). */
const abs = (name: string, rest: string) => new RegExp(`^${esc(resolve(ROOT, f(name)))}${rest}$`);
const cost = (...rest: string[]) => ['cost', AGG, ...rest];
const compare = (...rest: string[]) => ['compare', AGG, ...rest, '--trace', TINY, '--workers', '0'];
const DISAGG = 'scenarios/disagg-kv.yaml';

// Every command reading a trace uses one reader: the trace corpus goes through `analyze` (the cheapest
// process), and each other command gets one hostile trace to show it reports the same way.
const cases: Case[] = [
  // traces: the line and the field named
  ['trace-truncated.jsonl', () => analyze('trace-truncated.jsonl'), at('trace-truncated.jsonl', ':2: not valid JSON \\(.+\\)')],
  ['trace-malformed.jsonl', () => analyze('trace-malformed.jsonl'), at('trace-malformed.jsonl', ':1: not valid JSON \\(.+\\)')],
  ['trace-timestamp-string.jsonl', () => analyze('trace-timestamp-string.jsonl'), at('trace-timestamp-string.jsonl', ':2: timestamp: must be a number of ms >= 0, got "100"')],
  ['trace-timestamp-beyond.jsonl', () => analyze('trace-timestamp-beyond.jsonl'), at('trace-timestamp-beyond.jsonl', ':1: timestamp: 100000000000000000000 is beyond 2\\^43 ms .*')],
  ['trace-length-negative.jsonl', () => analyze('trace-length-negative.jsonl'), at('trace-length-negative.jsonl', ':2: input_length: must be a positive integer, got -5')],
  ['trace-length-zero.jsonl', () => analyze('trace-length-zero.jsonl'), at('trace-length-zero.jsonl', ':1: output_length: must be a positive integer, got 0')],
  ['trace-length-float.jsonl', () => analyze('trace-length-float.jsonl'), at('trace-length-float.jsonl', ':1: input_length: must be a positive integer, got 600.5')],
  ['trace-length-huge.jsonl', () => analyze('trace-length-huge.jsonl'), at('trace-length-huge.jsonl', ':1: input_length: 1e\\+300 is above 2\\^31 - 1 tokens, the most TensorRT-LLM holds \\(32-bit lengths\\)')],
  ['trace-length-nan.jsonl', () => analyze('trace-length-nan.jsonl'), at('trace-length-nan.jsonl', ':1: not valid JSON \\(.+\\)')],
  ['trace-hash-ids-mismatch.jsonl', () => analyze('trace-hash-ids-mismatch.jsonl'), at('trace-hash-ids-mismatch.jsonl', ':1: hash_ids: has 2 ids but input_length 1600 needs ceil\\(1600/512\\) = 4')],
  ['trace-empty.jsonl', () => analyze('trace-empty.jsonl'), at('trace-empty.jsonl', ': contains no requests')],
  ['trace-whitespace.jsonl', () => analyze('trace-whitespace.jsonl'), at('trace-whitespace.jsonl', ': contains no requests')],
  ['trace-gzip.jsonl.gz', () => analyze('trace-gzip.jsonl.gz'), at('trace-gzip.jsonl.gz', ': is gzip-compressed: decompress it first \\(gunzip\\)')],
  ['trace-binary.jsonl', () => analyze('trace-binary.jsonl'), at('trace-binary.jsonl', ': holds binary data, not JSON lines')],
  ['trace-crlf-bom.jsonl', () => [...analyze('trace-crlf-bom.jsonl'), '--json'], 'ok'],
  ['analyze a FIFO', () => ['analyze', FIFO], fifo('file')],
  ['analyze a folder', () => ['analyze', H], HERE],
  // traces in the other commands, and valid odd ones that run
  ['run trace-truncated.jsonl', () => run(f('trace-truncated.jsonl')), at('trace-truncated.jsonl', ':2: not valid JSON \\(.+\\)')],
  ['run a FIFO as the trace', () => run(FIFO), fifo('file')],
  ['run trace-unsorted-duplicates.jsonl', () => run(f('trace-unsorted-duplicates.jsonl'), 'unsorted'), 'ok'],
  ['run trace-over-max-seq-len.jsonl', () => run(f('trace-over-max-seq-len.jsonl')), 'warn'],
  ['synthesize trace-hash-ids-mismatch.jsonl', () => ['synthesize', '--input-file', f('trace-hash-ids-mismatch.jsonl'), '--output-file', join(tmp, 's.jsonl')], at('trace-hash-ids-mismatch.jsonl', ':1: hash_ids: .*')],
  ['synthesize to a folder', () => ['synthesize', '--input-file', TINY, '--output-file', tmp, '--num-requests', '3'], new RegExp(`^${esc(tmp)}: cannot write \\(EISDIR\\)$`)],
  ['check trace-length-huge.jsonl', () => ['check', '--trace', f('trace-length-huge.jsonl'), '--run', 'agg-rr-k8s'], at('trace-length-huge.jsonl', ':1: input_length: .*')],
  ['calibrate trace-binary.jsonl', () => ['calibrate', '--trace', f('trace-binary.jsonl'), '--max-evaluations', '1', '--no-write', '--report', join(tmp, 'cal')], at('trace-binary.jsonl', ': holds binary data, not JSON lines')],
  ['sweep trace-gzip.jsonl.gz', () => ['sweep', AGG, '--vary', 'workers.agg.count=1,2', '--trace', f('trace-gzip.jsonl.gz')], new RegExp(`^${esc(resolve(ROOT, f('trace-gzip.jsonl.gz')))}: is gzip-compressed: decompress it first \\(gunzip\\)$`)],
  ['sweep a --vary key also in --set', () => ['sweep', AGG, '--vary', 'workers.agg.count=1,2', '--set', 'workers.agg.count=3', '--trace', TINY], /^--set: workers\.agg\.count is also swept by --vary workers\.agg\.count: give each key in one place$/],
  // scenarios (run)
  ['scenario-duplicate-keys.yaml', () => ['run', f('scenario-duplicate-keys.yaml'), '--trace', TINY, '--out', out()], at('scenario-duplicate-keys.yaml', ':5:5: invalid YAML \\(Map keys must be unique\\)')],
  ['scenario-anchor-bomb.yaml', () => ['run', f('scenario-anchor-bomb.yaml'), '--trace', TINY, '--out', out()], at('scenario-anchor-bomb.yaml', ': invalid YAML \\(Excessive alias count indicates a resource exhaustion attack\\)')],
  ['scenario-aliases.yaml', () => ['run', f('scenario-aliases.yaml'), '--trace', TINY, '--out', out()], 'ok'],
  ['scenario-wrong-types.yaml', () => ['run', f('scenario-wrong-types.yaml'), '--trace', TINY, '--out', out()], at('scenario-wrong-types.yaml', ':4: workers\\.agg\\.count: Invalid input: expected number, received string')],
  ['scenario-empty.yaml', () => ['run', f('scenario-empty.yaml'), '--trace', TINY, '--out', out()], at('scenario-empty.yaml', ': is empty: a scenario needs workers \\(agg, or prefill and decode\\)')],
  ['scenario-proto-key.yaml', () => ['run', f('scenario-proto-key.yaml'), '--trace', TINY, '--out', out()], at('scenario-proto-key.yaml', ':2: __proto__: unknown key; known here: .*')],
  ['scenario-million-workers.yaml', () => ['run', f('scenario-million-workers.yaml'), '--trace', TINY, '--out', out()], at('scenario-million-workers.yaml', ':2: workers: 1000000 GPUs \\(agg 1000000 x 1\\) exceed the 16384 servesim simulates: .*')],
  ['scenario-huge-timeout.yaml', () => ['run', f('scenario-huge-timeout.yaml'), '--trace', TINY, '--out', out()], at('scenario-huge-timeout.yaml', ":2: client\\.request_timeout_seconds: 1e\\+306 s is beyond the simulated clock's range of 2\\^43 ms \\(~278 years\\)")],
  ['run a FIFO as the scenario', () => ['run', FIFO, '--trace', TINY, '--out', out()], fifo('scenario file')],
  ['run a folder as the scenario', () => ['run', H, '--trace', TINY, '--out', out()], HERE],
  // command-line values
  ['--set __proto__.x=1', () => ['run', AGG, '--trace', TINY, '--out', out(), '--set', '__proto__.x=1'], /^--set: __proto__\.x: '__proto__' is not a scenario key$/],
  ['--set a key twice', () => ['run', AGG, '--trace', TINY, '--out', out(), '--set', 'workers.agg.count=2', '--set', 'workers.agg.count=3'], /^--set: workers\.agg\.count: given twice \('workers\.agg\.count=2', then 'workers\.agg\.count=3'\): give each key once$/],
  ['--set a million workers', () => ['run', AGG, '--trace', TINY, '--out', out(), '--set', 'workers.agg.count=1000000'], new RegExp(`^${esc(AGG)} \\(--set workers\\.agg\\.count\\): workers: 8000000 GPUs .*`)],
  ['--out an empty path', () => ['run', AGG, '--trace', TINY, '--out', ''], /^'': cannot mkdir \(no such file or folder\)$/],
  ['--router a FIFO', () => ['run', AGG, '--trace', TINY, '--out', out(), '--router', FIFO], new RegExp(`^router plug-in ${esc(FIFO)}: not a regular file \\(a FIFO, socket or device cannot be a plug-in module\\)$`)],
  // cost-model files (tables and calibration files: test/hostile-models.test.ts)
  ['cost model-empty.json', () => cost('--set', `model=${f('model-empty.json')}`), abs('model-empty.json', ': is empty: a cost model file is one JSON object')],
  ['run model-array.json', () => ['run', AGG, '--trace', TINY, '--out', out(), '--set', `model=${f('model-array.json')}`], abs('model-array.json', ': a cost model file is one JSON object, not an array')],
  ['cost model-wrong-shape.json', () => cost('--set', `model=${f('model-wrong-shape.json')}`), abs('model-wrong-shape.json', ': architecture: missing \\(expected object\\)')],
  ['run scenario-model-path.yaml', () => ['run', f('scenario-model-path.yaml'), '--trace', TINY, '--out', out()], abs('model-wrong-shape.json', ': architecture: missing \\(expected object\\)')],
  ['cost scenario-model-path.yaml', () => ['cost', f('scenario-model-path.yaml')], abs('model-wrong-shape.json', ': architecture: missing \\(expected object\\)')],
  ['cost a model that is a folder', () => cost('--set', `model=${H}`), new RegExp(`^${esc(AGG)} \\(--set model\\): model: '${esc(H)}' is neither a cost model name \\(models/<name>\\.json\\) nor a path ending in \\.json$`)],
  ['run a FIFO as the model', () => ['run', AGG, '--trace', TINY, '--out', out(), '--set', `model=${FIFO_JSON}`], new RegExp(`^${esc(FIFO_JSON)}: not a regular file \\(a FIFO, socket or device cannot be a cost model file\\)$`)],
  ['sweep a negative calibration override', () => ['sweep', AGG, '--vary', 'calibration.iterationFixedMs=-5,1', '--trace', TINY, '--workers', '0', '--out', join(tmp, 'sweep-cal')], /^--vary: calibration\.iterationFixedMs=-5: calibration\.iterationFixedMs: -5 is negative: a time cannot be$/],
  // cost: batch-shape flags and scenarios
  ['cost --requests-per-rank 0', () => cost('--requests-per-rank', '0'), /^--requests-per-rank: must be a positive integer, got 0$/],
  ['cost --requests-per-rank without a value', () => cost('--requests-per-rank'), /^--requests-per-rank: needs a number$/],
  ['cost --requests-per-rank twice', () => cost('--requests-per-rank', '2', '--requests-per-rank', '3'), /^--requests-per-rank: given 2 times \(2, 3\): give it once$/],
  ['cost --requests-per-rank above max_batch_size', () => cost('--requests-per-rank', '1e300'), /^--requests-per-rank: 1e\+300 exceeds workers\.agg\.engine\.max_batch_size 8$/],
  ['cost --context-tokens 1e300', () => cost('--context-tokens', '1e300'), /^--context-tokens: 1e\+300 is above 2\^31 - 1 tokens, the most TensorRT-LLM holds \(32-bit lengths\)$/],
  ['cost --context-tokens abc', () => cost('--context-tokens', 'abc'), /^--context-tokens: expected a number, got 'abc'$/],
  ['cost --context-tokens -1', () => cost('--context-tokens', '-1'), /^--context-tokens: must be a non-negative integer, got -1$/],
  ['cost --chunk-tokens 0', () => cost('--chunk-tokens', '0'), /^--chunk-tokens: must be a positive integer, got 0 \(the budget of workers\.agg\.engine\.max_num_tokens 8192 leaves 8191\)$/],
  ['cost --chunk-tokens above the budget', () => cost('--chunk-tokens', '8192'), /^--chunk-tokens: 1 x 8192 tokens exceed the rank's budget of 8191 \(workers\.agg\.engine\.max_num_tokens 8192 minus 1 decode tokens\)$/],
  ['cost --role without a role', () => cost('--role'), /^--role: name a role: agg, prefill or decode$/],
  ['cost --role nope', () => cost('--role', 'nope'), /^Invalid values: Argument: role, Given: "nope", Choices: "agg", "prefill", "decode"$/],
  ['cost --role decode of an agg scenario', () => cost('--role', 'decode'), /^--role: decode: scenario agg-rr-k8s has no decode workers$/],
  ['cost scenario-wrong-types.yaml', () => ['cost', f('scenario-wrong-types.yaml')], at('scenario-wrong-types.yaml', ':4: workers\\.agg\\.count: Invalid input: expected number, received string')],
  ['cost --set platform.name=toString', () => cost('--set', 'platform.name=toString'), new RegExp(`^${esc(AGG)} \\(--set platform\\.name\\): platform\\.name: unknown platform 'toString' for cost model gb200-dsv32-nvfp4-trtllm; known: aws-gb200-k8s, nvl36-gb200-slurm, generic$`)],
  ['cost a FIFO as the scenario', () => ['cost', FIFO], fifo('scenario file')],
  // compare: files, variants, seeds, routers
  ['compare a missing scenario', () => compare('scenarios/nope.yaml'), new RegExp(`^--variant: variant nope: ${esc(resolve(ROOT, 'scenarios/nope.yaml'))}: no such scenario file$`)],
  ['compare one variant', () => compare(), /^--variant: compare needs at least two variants: several scenario files, or --variant \/ --router$/],
  ['compare a scenario with itself', () => compare(AGG), /^--variant: two variants are called agg-rr-k8s$/],
  ['compare files and --variant', () => compare(DISAGG, '--variant', 'a:--set workers.agg.count=2'), /^--variant: give several scenario files, or one scenario with --variant \/ --router, not both$/],
  ['compare a variant of keys the scenario lacks', () => compare('--variant', 'd:--set workers.decode.count=2'), new RegExp(`^--variant: variant d: ${esc(resolve(ROOT, AGG))}:19: workers\\.decode\\.engine: .*$`)],
  ['compare --variant without a name', () => compare('--variant', 'nocolon'), /^--variant: expected "name:--set key=value \.\.\.", got 'nocolon'$/],
  ['compare --variant with an unknown flag', () => compare('--variant', 'a:--bogus 1'), /^--variant a: unknown flag --bogus; a variant takes --set key=value, --param name=number and --router file$/],
  ['compare a variant setting a key twice', () => compare('--variant', 'a:--set workers.agg.count=2 --set workers.agg.count=3'), /^variant a: --set workers\.agg\.count: given twice \('workers\.agg\.count=2', then 'workers\.agg\.count=3'\): give each key once \(a --set for every variant and a variant's own count as one list\)$/],
  ['compare a variant --set of a key --set sets', () => compare('--variant', 'a:--set workers.agg.count=2', '--set', 'workers.agg.count=3'), /^variant a: --set workers\.agg\.count: given twice \('workers\.agg\.count=3', then 'workers\.agg\.count=2'\): .*$/],
  ['compare a variant --set without =', () => compare('--variant', 'a:--set noequals'), /^variant a: --set noequals: expected key=value$/],
  ['compare --seeds 0', () => compare(DISAGG, '--seeds', '0'), /^--seeds: 0: no workload sample; an interval needs at least 2 seeds$/],
  ['compare --seeds with a seed twice', () => compare(DISAGG, '--seeds', '42,42'), /^--seeds: seed 42 is given twice: its workload sample would count twice in every interval$/],
  ['compare --seeds twice', () => compare(DISAGG, '--seeds', '3', '--seeds', '4'), /^--seeds: given 2 times \(3, 4\): give it once$/],
  ['compare --seeds 100000000', () => compare(DISAGG, '--seeds', '100000000'), /^--seeds: 100000000 seeds: at most 1000 \(each seed is a whole run of every point or variant\)$/],
  ['run --seeds 100000000', () => ['run', AGG, '--trace', TINY, '--seeds', '100000000'], /^--seeds: 100000000 seeds: at most 1000 .*$/],
  ['check --seeds 5000', () => ['check', '--seeds', '5000'], /^--seeds: 5000 seeds: at most 1000 .*$/],
  ['sweep a --vary param also in --param', () => ['sweep', AGG, '--vary', 'param.rate_scale=0.5,1', '--param', 'rate_scale=2'], /^--param: rate_scale is also swept by --vary param\.rate_scale: give each key in one place$/],
  ['run --seeds given twice', () => ['run', AGG, '--trace', TINY, '--seeds', '3', '--seeds', '4'], /^--seeds: given 2 times \(3, 4\): give it once$/],
  ['check --seeds given twice', () => ['check', '--seeds', '2', '--seeds', '3'], /^--seeds: given 2 times \(2, 3\): give it once$/],
  ['sweep --seeds given twice', () => ['sweep', AGG, '--vary', 'workers.agg.count=1,2', '--trace', TINY, '--seeds', '2', '--seeds', '3'], /^--seeds: given 2 times \(2, 3\): give it once$/],
  ['run --seeds with a seed twice', () => ['run', AGG, '--trace', TINY, '--seeds', '1,2,1'], /^--seeds: seed 1 is given twice: .*$/],
  ['compare --seeds ,', () => compare(DISAGG, '--seeds', ','), /^--seeds: expected a count or seed1,seed2,\.\.\., got ','$/],
  ['compare --workers abc', () => ['compare', AGG, DISAGG, '--trace', TINY, '--workers', 'abc'], /^--workers: expected a number, got 'abc'$/],
  ['compare --workers twice', () => [...compare(DISAGG), '--workers', '2'], /^--workers: given 2 times \(0, 2\): give it once$/],
  ['compare --workers -1', () => ['compare', AGG, DISAGG, '--trace', TINY, '--workers', '-1'], /^--workers: must be a whole number >= 0, got -1$/],
  ['compare --router a folder', () => compare('--router', H), new RegExp(`^router plug-in ${esc(H)}: is a folder, not a plug-in module$`)],
  ['compare --router a FIFO', () => compare('--router', FIFO), new RegExp(`^router plug-in ${esc(FIFO)}: not a regular file \\(a FIFO, socket or device cannot be a plug-in module\\)$`)],
  ['compare --variant with a missing --router', () => compare('--variant', 'a:--router test/fixtures/nope.ts'), /^router plug-in test\/fixtures\/nope\.ts: file not found$/],
  ['compare a --router that throws', () => compare('--router', 'test/fixtures/router-throws.ts'), new RegExp(`^router plug-in ${esc(resolve(ROOT, 'test/fixtures/router-throws.ts'))}: select threw: no target for you$`)],
  ['compare trace-binary.jsonl', () => ['compare', AGG, DISAGG, '--trace', f('trace-binary.jsonl'), '--workers', '0'], abs('trace-binary.jsonl', ': holds binary data, not JSON lines')],
  // deployments
  ['dgd-duplicate-keys.yaml', () => ['import-dgd', f('dgd-duplicate-keys.yaml')], at('dgd-duplicate-keys.yaml', ':3: invalid YAML \\(Map keys must be unique\\)')],
  ['dgd-anchor-bomb.yaml', () => ['import-dgd', f('dgd-anchor-bomb.yaml')], at('dgd-anchor-bomb.yaml', ':1: invalid YAML \\(Excessive alias count indicates a resource exhaustion attack\\)')],
  ['import-dgd a FIFO', () => ['import-dgd', FIFO], fifo('file')],
  ['import-dgd a folder', () => ['import-dgd', H], HERE],
  // run folders (report)
  ['report-bad-summary', () => ['report', f('report-bad-summary'), '--out', join(tmp, 'r.html')], at('report-bad-summary/summary.json', ': not valid JSON \\(.+\\)')],
  ['report-bad-records', () => ['report', f('report-bad-records'), '--out', join(tmp, 'r.html')], at('report-bad-records/requests.jsonl', ':2: not valid JSON \\(.+\\)')],
  ['report a file as the run folder', () => ['report', f('trace-empty.jsonl'), '--out', join(tmp, 'r.html')], at('trace-empty.jsonl', ': not a folder: give a run folder written by `servesim run --out DIR`')],
  ['report-hostile (non-string fields, markup)', () => ['report', f('report-hostile'), '--out', join(tmp, 'r.html')], at('report-hostile/summary.json', ': scenario: expected string, received object: not a servesim run summary')],
  ['report-markup (a run folder with markup in its strings)', () => ['report', f('report-markup'), '--out', join(tmp, 'hostile.html')], 'ok'],
];

const outcomes = new Map<string, Outcome>();
beforeAll(async () => {
  execFileSync('mkfifo', [FIFO, FIFO_JSON]);
  // a few at a time: each spawn is a fresh Node process
  const queue = [...cases];
  const worker = async () => {
    for (let c = queue.shift(); c; c = queue.shift()) outcomes.set(c[0], await servesim(c[1]()));
  };
  await Promise.all([worker(), worker(), worker()]);
}, 240_000);

/** Every number a latency field of the JSON outputs holds: none NaN, none negative. */
function badLatencies(text: string): string[] {
  const bad: string[] = [];
  if (/\bNaN\b|-?Infinity/.test(text)) bad.push('NaN or Infinity in JSON');
  for (const m of text.matchAll(/"(\w*(?:Ms|_latency|time_to_first_token)\w*)":\s*(-[\d.e+]+)/g)) bad.push(`${m[1]} ${m[2]}`);
  return bad;
}

describe('hostile input: one stderr line naming the file, exit 2, no stack, no hang', () => {
  it('the corpus has a case for every fixture file', () => {
    const named = cases.map(([, args]) => args().join(' '));
    const missing = readdirSync(join(ROOT, H)).filter((file) => !named.some((a) => a.includes(`${H}/${file}`)));
    expect(missing).toEqual([]);
  });

  it.each(cases.map(([name, , want]) => [name, want] as const))('%s', (name, want) => {
    const o = outcomes.get(name)!;
    expect(o.signal, `${name}: killed (hung?)`).toBeNull();
    expect(o.stderr).not.toMatch(/\n\s+at /);
    expect(o.stdout).not.toMatch(/\bnan\b|NaN/);
    if (want === 'ok' || want === 'warn') {
      expect(o.code, o.stderr).toBe(0);
      if (want === 'ok') expect(o.stderr).toBe('');
      else expect(o.stderr).toMatch(/^servesim: warning: no request completed: all 3 requests were rejected \(max_seq_len 3\); the latency figures are empty \(n\/a, null in summary\.json\)\n$/);
      return;
    }
    expect(o.code, o.stderr).toBe(2);
    expect(o.stdout).toBe('');
    const lines = o.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0].startsWith('servesim: ')).toBe(true);
    expect(lines[0].slice('servesim: '.length)).toMatch(want);
  });
});

describe('odd but valid input', () => {
  const runs = join(tmp, 'runs');

  it('a trace with a byte-order mark and CRLF line ends reads as any other; an unsorted trace with duplicate timestamps is sent in timestamp order, ties in file order (as AIPerf sorts its fixed schedule)', () => {
    const recs = readFileSync(join(runs, 'unsorted', 'requests.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { id: number; scheduledMs: number });
    expect(recs.map((r) => [r.id, r.scheduledMs]).sort((a, b) => a[1] - b[1] || a[0] - b[0])).toEqual([[1, 0], [4, 0], [2, 100], [3, 100], [0, 300]]);
    const analysis = outcomes.get('trace-crlf-bom.jsonl')!.stdout;
    expect(analysis).not.toMatch(/NaN|null/);
    expect(JSON.parse(analysis)).toMatchObject({ totalRequests: 2 });
  });

  it('valid runs write outputs without NaN or negative latencies; a run where nothing completes says why', () => {
    const dirs = readdirSync(runs).filter((x) => existsSync(join(runs, x, 'summary.json')));
    expect(dirs.length).toBe(cases.filter(([name, , want]) => (want === 'ok' || want === 'warn') && (name.startsWith('run ') || name.startsWith('scenario-'))).length);
    for (const d of dirs) {
      for (const file of readdirSync(join(runs, d)).filter((x) => /\.jsonl?$/.test(x))) expect(badLatencies(readFileSync(join(runs, d, file), 'utf8')), `${d}/${file}`).toEqual([]);
      const s = JSON.parse(readFileSync(join(runs, d, 'summary.json'), 'utf8')) as { requests: { completed: number }; noneCompleted?: string; ttftMs: { count: number; mean: unknown } };
      if (s.requests.completed === 0) {
        expect(s.noneCompleted).toBe('all 3 requests were rejected (max_seq_len 3)');
        expect(s.ttftMs).toMatchObject({ count: 0, mean: null });
      } else expect(s.noneCompleted).toBeUndefined();
    }
  });

  it('a run folder with markup in its strings renders with every field escaped', () => {
    const html = readFileSync(join(tmp, 'hostile.html'), 'utf8');
    expect(html).not.toMatch(/<script>alert|<img src=x|<svg onload|<marquee|<blink|<b>many|<i>/);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });
});
