// Sweep benchmark: `servesim sweep` (the built CLI, worker threads on every core) on 12 seed-size
// points (10k requests each, half aggregated, half disaggregated) into a fresh folder; prints
// points/s and the projected wall time of a 1,000-point sweep against the 10-minute target.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';

const TARGET_S = 600;
const root = resolve(import.meta.dirname, '..');
const workers = Number(process.env.BENCH_WORKERS ?? availableParallelism());
const out = mkdtempSync(join(tmpdir(), 'servesim-bench-sweep-'));
try {
  const load = loadavg()[0];
  const t = performance.now();
  // GNU time reports the CPU seconds of the sweep and its worker threads (the machine may be shared)
  const cmd = [process.execPath, 'bin/servesim.js', 'sweep', 'bench/sweep-plan.yaml', '--workers', String(workers), '--out', out];
  const timed = existsSync('/usr/bin/time');
  const r = spawnSync(timed ? '/usr/bin/time' : cmd[0], timed ? ['-f', 'cpu %U %S', ...cmd] : cmd.slice(1), { cwd: root, encoding: 'utf8', env: { ...process.env, CI: '1' } });
  const wallS = (performance.now() - t) / 1000;
  if (r.status !== 0) throw new Error(`sweep failed (${r.status}): ${r.stderr}`);
  const points = readdirSync(join(out, 'points')).length;
  const pps = points / wallS;
  const projectedS = 1000 / pps;
  console.log(`sweep bench/sweep-plan.yaml: ${points} seed-size points (6 agg, 6 disagg; 10k requests each) on ${workers} worker threads, load average ${load.toFixed(1)} on ${availableParallelism()} cores at the start`);
  console.log(`wall ${wallS.toFixed(1)} s (CLI start, workload generation, simulation, tables) → ${pps.toFixed(2)} points/s`);
  const cpu = /cpu ([\d.]+) ([\d.]+)/.exec(r.stderr);
  if (cpu) {
    const cpuS = Number(cpu[1]) + Number(cpu[2]);
    console.log(`CPU ${cpuS.toFixed(1)} s (${(cpuS / points).toFixed(2)} s per point): on ${workers} otherwise idle cores 1,000 points take ≥ ${((1000 * cpuS) / points / workers / 60).toFixed(1)} min`);
  }
  console.log(`1,000 points of this mix at the measured rate: ${(projectedS / 60).toFixed(1)} min projected (target ${TARGET_S / 60} min): ${projectedS <= TARGET_S ? 'ok' : 'ABOVE TARGET'}`);
  process.exitCode = projectedS <= TARGET_S ? 0 : 1;
} finally {
  rmSync(out, { recursive: true, force: true });
}
