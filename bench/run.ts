// `npm run bench`: servesim's speed and memory against its targets, measured as a user sees them
// (spawned CLI, whole process, best of several) and in-process (simulated time / wall time), plus the
// million-request trace (needs ../shared/traces; BENCH_SKIP_1M=1 skips it). Prints one table of
// ratios against targets; exit 1 if any target is missed. Not a test: the machine is noisy.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadInputs } from '../src/app/inputs.ts';
import { simulate } from '../src/app/run.ts';
import { loadScenario } from '../src/scenario/load.ts';

const ROOT = resolve(import.meta.dirname, '..');
const CLI = join(ROOT, 'bin', 'servesim.js');
const REPEATS = Number(process.env.BENCH_REPEATS ?? 5);
const SEED_SCENARIOS = ['agg-rr-k8s', 'agg-rr-slurm', 'disagg-kv'];
const out = mkdtempSync(join(tmpdir(), 'servesim-bench-'));

interface Row {
  what: string;
  measured: string;
  target: string;
  ok: boolean;
}
const rows: Row[] = [];
const report = (what: string, measured: string, target: string, ok: boolean) => {
  rows.push({ what, measured, target, ok });
  process.stderr.write(`${ok ? 'ok  ' : 'MISS'} ${what}: ${measured} (target ${target})\n`);
};

/** Wall seconds and peak RSS (MiB) of a spawned command, best of `n` by wall time. */
function timed(args: string[], n: number): { s: number; rssMiB: number } {
  let best = { s: Infinity, rssMiB: 0 };
  for (let i = 0; i < n; i++) {
    const r = spawnSync('/usr/bin/time', ['-f', '%e %M', process.execPath, CLI, ...args], { cwd: ROOT, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`servesim ${args.join(' ')} failed: ${r.stderr}`);
    const [s, kb] = r.stderr.trim().split('\n').pop()!.split(' ').map(Number);
    if (s < best.s) best = { s, rssMiB: kb / 1024 };
  }
  return best;
}

// 1. the CLI as a user runs it
const help = timed(['--help'], REPEATS);
report('servesim --help, whole process', `${help.s.toFixed(2)} s`, '<= 0.20 s', help.s <= 0.2);
for (const name of SEED_SCENARIOS) {
  const t = timed(['run', `scenarios/${name}.yaml`, '--out', join(out, name), '--overwrite'], REPEATS);
  report(`servesim run ${name} (seed-size default workload), whole process`, `${t.s.toFixed(2)} s, ${t.rssMiB.toFixed(0)} MiB`, '<= 1.0 s', t.s <= 1.0);
}

// 2. in-process: simulated time / wall time
const { requests } = await loadInputs({ workload: 'seed-coding', seed: '42' });
for (const name of SEED_SCENARIOS) {
  const scenario = loadScenario(join(ROOT, 'scenarios', `${name}.yaml`));
  let best = Infinity;
  let simulatedS = 0;
  let events = 0;
  for (let i = 0; i < REPEATS; i++) {
    const t0 = performance.now();
    const { summary } = simulate({ scenario, requests, seed: '42', workload: 'seed-coding' });
    best = Math.min(best, performance.now() - t0);
    simulatedS = summary.simulation.simulatedS;
    events = summary.simulation.events;
  }
  const ratio = (simulatedS * 1000) / best;
  const target = name === 'disagg-kv' ? 10_000 : 5_000;
  report(`${name} in-process (${events} events)`, `${best.toFixed(0)} ms, ${Math.round(ratio).toLocaleString('en-US')}x real time`, `>= ${target.toLocaleString('en-US')}x`, ratio >= target);
}

// 3. a million requests in bounded memory
const MOONCAKE = join(ROOT, '..', 'shared', 'traces', 'mooncake_conversation_trace.jsonl');
if (process.env.BENCH_SKIP_1M) process.stderr.write('skipped: the 1M-request trace (BENCH_SKIP_1M)\n');
else if (!existsSync(MOONCAKE)) process.stderr.write(`skipped: the 1M-request trace (${MOONCAKE} absent)\n`);
else {
  const cache = join(tmpdir(), 'servesim-bench-traces');
  mkdirSync(cache, { recursive: true });
  const sizes: Record<string, { s: number; rssMiB: number }> = {};
  for (const n of [100_000, 1_000_000]) {
    const file = join(cache, `seed-flags-${n}.jsonl`);
    if (!existsSync(file)) {
      process.stderr.write(`synthesizing ${n} requests with the seed's datagen flags (once, cached in ${cache})\n`);
      const flags = ['--prefix-len-multiplier', '16', '--prompt-len-multiplier', '10', '--max-isl', '110000', '--num-requests', String(n), '--seed', '1'];
      const r = spawnSync(process.execPath, [CLI, 'synthesize', '--input-file', MOONCAKE, ...flags, '--output-file', file], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(r.stderr);
    }
    sizes[n] = timed(['run', 'scenarios/disagg-kv.yaml', '--trace', file, '--out', join(out, `big-${n}`), '--overwrite'], 1);
  }
  const [small, big] = [sizes[100_000], sizes[1_000_000]];
  report('1M-request seed-like trace on disagg-kv, whole process', `${big.s.toFixed(0)} s`, '<= 100 s', big.s <= 100);
  report('1M-request trace, peak RSS', `${big.rssMiB.toFixed(0)} MiB (100k requests: ${small.rssMiB.toFixed(0)} MiB)`, '<= 2048 MiB', big.rssMiB <= 2048);
}

rmSync(out, { recursive: true, force: true });
const width = Math.max(...rows.map((r) => r.what.length));
process.stdout.write(`\n${'what'.padEnd(width)}  measured → target\n`);
for (const r of rows) process.stdout.write(`${r.what.padEnd(width)}  ${r.measured} → ${r.target} ${r.ok ? 'ok' : 'MISSED'}\n`);
process.exitCode = rows.every((r) => r.ok) ? 0 : 1;
