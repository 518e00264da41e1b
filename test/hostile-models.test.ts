// Hostile cost-model and calibration files: mutated copies of the real models/*.json and its calibration
// file, written to a temp folder and given to the built CLI (`run` of a scenario whose `model:` is the
// copy's path, and `cost --set model=...`), must each stop with one stderr line naming the file and the
// JSON path of the field, exit 2, no stack trace and no output; an unmutated copy gives the same figures
// as the model by name (validation changes no valid run).
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, esc, servesim, type Outcome } from './cli-spawn.ts';

const MODEL = JSON.parse(readFileSync(join(ROOT, 'models/gb200-dsv32-nvfp4-trtllm.json'), 'utf8')) as Obj;
const CALIBRATION = JSON.parse(readFileSync(join(ROOT, 'models/calibration/gb200-trtllm.json'), 'utf8')) as Obj;
const AGG = readFileSync(join(ROOT, 'scenarios/agg-rr-k8s.yaml'), 'utf8');
const TINY = 'test/fixtures/tiny-trace.jsonl';
const tmp = mkdtempSync(join(tmpdir(), 'servesim-hostile-models-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const MOE = ['moe', 'kernels', 'cutlass', 'byDistribution', 'power_law_1.01', '8'];
const GEN = ['attention', 'generation', 'byHeads', '128'];
const at = (o: Obj, path: readonly string[]): Obj => path.reduce((x, k) => x[k], o);

/** [case, command, change to the model copy, change to its calibration copy, the line after "<file>: "]. */
type Case = [string, 'run' | 'cost', ((m: Obj) => void) | null, ((c: Obj) => void) | null, 'model' | 'calibration', string];
const cases: Case[] = [
  // op tables
  ['a negative time', 'run', (m) => (at(m, MOE).ms[3] = -1), null, 'model', 'moe.kernels.cutlass.byDistribution.power_law_1.01.8.ms[3]: -1 ms is negative: a time cannot be'],
  ['a time as a string ("NaN")', 'cost', (m) => (at(m, MOE).ms[3] = 'NaN'), null, 'model', 'moe.kernels.cutlass.byDistribution.power_law_1.01.8.ms[3]: Invalid input: expected number, received string'],
  ['keys not strictly increasing', 'run', (m) => (at(m, MOE).x[3] = at(m, MOE).x[2]), null, 'model', 'moe.kernels.cutlass.byDistribution.power_law_1.01.8.x[3]: 4 is not above the key before it (4): a table\'s keys must strictly increase'],
  ['a table that falls (reversed)', 'cost', (m) => at(m, MOE).ms.reverse(), null, 'model', 'moe.kernels.cutlass.byDistribution.power_law_1.01.8.ms: falls from 1.114336013793945 ms at its first key to 0.0363135993480682 ms at its last (ms[26]): more tokens or bytes never take less time, and a table is read non-decreasing in its key'],
  ['fewer times than keys', 'cost', (m) => at(m, MOE).ms.pop(), null, 'model', 'moe.kernels.cutlass.byDistribution.power_law_1.01.8.ms: has 26 times for 27 keys (x)'],
  ['a one-point table', 'run', (m) => Object.assign(at(m, MOE), { x: [1], ms: [1] }), null, 'model', 'moe.kernels.cutlass.byDistribution.power_law_1.01.8.x: has 1 key; a table needs at least 2'],
  ['a time beyond the clock', 'run', (m) => (at(m, MOE).ms[0] = 1e300), null, 'model', "moe.kernels.cutlass.byDistribution.power_law_1.01.8.ms[0]: 1e+300 ms is beyond the simulated clock's range of 2^43 ms"],
  ['a whole-prompt table from key 0', 'cost', (m) => (m.attention.context.byHeads['128'].x[0] = 0), null, 'model', 'attention.context.byHeads.128.x[0]: 0 must be above 0'],
  ['a negative grid time', 'run', (m) => (at(m, GEN).ms[2][3] = -5), null, 'model', 'attention.generation.byHeads.128.ms[2][3]: -5 ms is negative: a time cannot be'],
  ['a ragged grid', 'cost', (m) => at(m, GEN).ms[2].pop(), null, 'model', 'attention.generation.byHeads.128.ms[2]: has 8 times for 9 column keys'],
  ['grid rows not increasing', 'cost', (m) => (at(m, GEN).rows[2] = 1), null, 'model', "attention.generation.byHeads.128.rows[2]: 1 is not above the key before it (4): a table's keys must strictly increase"],
  ['a count key that is not a count', 'cost', (m) => (m.comm.customAllReduce.byGpus.two = m.comm.customAllReduce.byGpus['2']), null, 'model', "comm.customAllReduce.byGpus.two: 'two' is not a count: this table is keyed by positive integers"],
  ['an unknown key (a misspelt field)', 'cost', (m) => (m.architecture.topk = 8), null, 'model', 'architecture: Unrecognized key: "topk"'],
  ['more experts per token than experts', 'run', (m) => (m.architecture.topK = 1000), null, 'model', 'architecture.topK: 1000 is above routedExperts 256: a token cannot pick more experts than there are'],
  ['a GEMM shape key that is not NxK', 'cost', (m) => (m.gemm.byDtype.nvfp4['7168'] = m.gemm.byDtype.nvfp4['1024x7168']), null, 'model', "gemm.byDtype.nvfp4.7168: '7168' is not a GEMM shape NxK (positive integers)"],
  // coefficients
  ['a missing coefficient', 'run', (m) => delete m.architecture.layers, null, 'model', 'architecture.layers: missing (expected number)'],
  ['a missing coefficient of a keyed table', 'cost', (m) => delete m.memory.activationCoefficientByTp['1'], null, 'model', 'memory.activationCoefficientByTp: has no 1: the activation reserve is read at min(attention TP, 8), so TP 1, 2, 4 and 8 are needed'],
  ['a negative coefficient', 'cost', (m) => (m.elementwise.constantLatencyMs = -0.003), null, 'model', 'elementwise.constantLatencyMs: Too small: expected number to be >=0'],
  ['a bandwidth fraction above 1', 'run', (m) => (m.elementwise.memBwScaling = 80), null, 'model', 'elementwise.memBwScaling: Too big: expected number to be <=1'],
  ['a huge byte count', 'run', (m) => (m.memory.hbmBytesPerGpu = 1e300), null, 'model', 'memory.hbmBytesPerGpu: a byte count must be a whole number below 2^53'],
  ['a fractional byte count', 'cost', (m) => (m.architecture.kvBytesPerToken = 1e-300), null, 'model', 'architecture.kvBytesPerToken: a byte count must be a whole number below 2^53'],
  ['a memory bandwidth of 1e-300', 'run', (m) => (m.moe.roofline.memBwBytesPerS = 1e-300), null, 'model', "moe.roofline.memBwBytesPerS: outside a GPU's memory bandwidth, 1e9 to 1e15 bytes/s"],
  ['a tensor-core rate of 1e300', 'cost', (m) => (m.moe.roofline.fp4TcFlops = 1e300), null, 'model', "moe.roofline.fp4TcFlops: outside a GPU's tensor-core rate, 1e12 to 1e18 FLOP/s"],
  ['bytes a weight of 1e-300', 'cost', (m) => (m.moe.roofline.weightBytesPerParam = 1e-300), null, 'model', 'moe.roofline.weightBytesPerParam: outside 0.25 to 4 bytes a parameter (2-bit to FP32 weights)'],
  ['an element-wise bandwidth of 1e-300', 'run', (m) => (m.elementwise.memBwBytesPerS = 1e-300), null, 'model', "elementwise.memBwBytesPerS: outside a GPU's memory bandwidth, 1e9 to 1e15 bytes/s"],
  ['an element-wise launch latency of a day', 'cost', (m) => (m.elementwise.constantLatencyMs = 86_400_000), null, 'model', 'elementwise.constantLatencyMs: above 1000 ms: a launch latency, not a second'],
  ['a calibration name that is a path', 'cost', (m) => (m.calibration = '../../etc/passwd'), null, 'model', 'calibration: must be a file name (models/calibration/<name>.json or calibration/<name>.json beside the model), not a path'],
  // the calibration file beside the model
  ['a negative fixed iteration cost', 'run', null, (c) => (c.parameters.iterationFixedMs.value = -5), 'calibration', "parameters.iterationFixedMs.value: -5 ms is outside the file's own bounds [1, 15]"],
  ['a value above its bounds', 'cost', null, (c) => (c.parameters.kvTransferGBps.value = 1e6), 'calibration', "parameters.kvTransferGBps.value: 1000000 GB/s is outside the file's own bounds [50, 450]"],
  ['bounds reversed', 'cost', null, (c) => (c.parameters.attentionScale.bounds = [1.5, 0.6]), 'calibration', 'parameters.attentionScale.bounds: [1.5, 0.6]: the lower bound is above the upper'],
  ['bounds below the physical range', 'run', null, (c) => Object.assign(c.parameters.iterationFixedMs, { value: -5, prior: -5, bounds: [-10, 15] }), 'calibration', 'parameters.iterationFixedMs.bounds[0]: -10 is negative: a time cannot be'],
  ['a zero bandwidth', 'cost', null, (c) => Object.assign(c.parameters.kvTransferGBps, { bounds: [0, 450] }), 'calibration', 'parameters.kvTransferGBps.bounds[0]: 0 must be above 0 (a scale or a rate)'],
  ['a missing parameter', 'cost', null, (c) => delete c.parameters.moeScale, 'calibration', 'parameters.moeScale: missing (expected object)'],
  ['a platform naming no parameter', 'run', null, (c) => (c.platforms['aws-gb200-k8s'].iterationSlowdown = 'k8sSlowdown'), 'calibration', "platforms.aws-gb200-k8s.iterationSlowdown: 'k8sSlowdown' is neither a number nor a calibration parameter (attentionScale, moeScale, cudaGraphScale, iterationFixedMs, hostOverheadMs, kvTransferGBps, k8sIterationSlowdown)"],
];

/** The case's folder: the model copy, its calibration copy in calibration/, and a scenario naming the model by path. */
function write(name: string, model: ((m: Obj) => void) | null, calibration: ((c: Obj) => void) | null): { dir: string; model: string; scenario: string; calibration: string } {
  const dir = join(tmp, name.replace(/\W+/g, '-'));
  mkdirSync(join(dir, 'calibration'), { recursive: true });
  const m = structuredClone(MODEL);
  const c = structuredClone(CALIBRATION);
  model?.(m);
  calibration?.(c);
  const files = { dir, model: join(dir, 'model.json'), scenario: join(dir, 'scenario.yaml'), calibration: join(dir, 'calibration', 'gb200-trtllm.json') };
  writeFileSync(files.model, JSON.stringify(m, null, 1));
  writeFileSync(files.calibration, JSON.stringify(c, null, 1));
  writeFileSync(files.scenario, AGG.replace(/^model: .*$/m, `model: ${files.model}`));
  return files;
}

const outcomes = new Map<string, Outcome>();
let valid: { byPath: Outcome; byName: Outcome; runByPath: Outcome; runByName: Outcome };
beforeAll(async () => {
  const jobs: Array<() => Promise<void>> = cases.map(([name, command, model, calibration]) => async () => {
    const f = write(name, model, calibration);
    const args = command === 'run' ? ['run', f.scenario, '--trace', TINY, '--out', join(f.dir, 'out')] : ['cost', 'scenarios/agg-rr-k8s.yaml', '--set', `model=${f.model}`, '--ops'];
    outcomes.set(name, await servesim(args));
  });
  const copy = write('valid copy', null, null);
  jobs.push(async () => {
    const [byPath, byName, runByPath, runByName] = await Promise.all([
      servesim(['cost', 'scenarios/agg-rr-k8s.yaml', '--set', `model=${copy.model}`, '--ops', '--json']),
      servesim(['cost', 'scenarios/agg-rr-k8s.yaml', '--ops', '--json']),
      servesim(['run', copy.scenario, '--trace', TINY, '--out', join(copy.dir, 'by-path')]),
      servesim(['run', 'scenarios/agg-rr-k8s.yaml', '--trace', TINY, '--out', join(copy.dir, 'by-name')]),
    ]);
    valid = { byPath, byName, runByPath, runByName };
  });
  const worker = async () => {
    for (let j = jobs.shift(); j; j = jobs.shift()) await j();
  };
  await Promise.all([worker(), worker(), worker()]);
}, 240_000);

describe('hostile cost-model files: one line naming the file and the JSON path, exit 2', () => {
  it.each(cases.map(([name, command, , , file, want]) => [name, command, file, want] as const))('%s (%s)', (name, _command, file, want) => {
    const o = outcomes.get(name)!;
    const dir = join(tmp, name.replace(/\W+/g, '-'));
    const path = file === 'model' ? join(dir, 'model.json') : join(dir, 'calibration', 'gb200-trtllm.json');
    expect(o.signal, `${name}: killed (hung?)`).toBeNull();
    expect(o.stderr).not.toMatch(/\n\s+at /);
    expect(o.code, o.stderr).toBe(2);
    expect(o.stdout).toBe('');
    expect(o.stderr).toMatch(new RegExp(`^servesim: ${esc(path)}: ${esc(want)}\n$`));
  });

  it('a valid copy of the model, named by path, gives the figures of the model by name', () => {
    for (const o of Object.values(valid)) expect(o.code, o.stderr).toBe(0);
    expect(valid.byPath.stdout).toBe(valid.byName.stdout);
    const figures = (o: Outcome) => o.stdout.replace(/^wrote .*$/m, '');
    expect(figures(valid.runByPath)).toBe(figures(valid.runByName));
    const summary = (d: string) => JSON.parse(readFileSync(join(tmp, 'valid-copy', d, 'summary.json'), 'utf8')) as { ttftMs: unknown; itlMs: unknown };
    expect(summary('by-path').ttftMs).toEqual(summary('by-name').ttftMs);
    expect(summary('by-path').itlMs).toEqual(summary('by-name').itlMs);
  });
});
