// Benchmark: wall time, events/s, peak RSS and simulated-time / wall-time of the seed's deployments
// on the seed-size default workload (10k requests, ~85 simulated minutes). Target: >= 5,000x real time.
import { performance } from 'node:perf_hooks';
import { simulate } from '../src/app/run.ts';
import { loadScenario } from '../src/scenario/load.ts';
import { loadInputs } from '../src/app/inputs.ts';

const TARGET_RATIO = 5000;
const scenarios = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['scenarios/agg-rr-k8s.yaml', 'scenarios/agg-rr-slurm.yaml', 'scenarios/disagg-kv.yaml'];
const repeats = Number(process.env.BENCH_REPEATS ?? 3);

const t0 = performance.now();
const requests = (await loadInputs({ workload: 'seed-coding', seed: '42' })).requests;
const genMs = performance.now() - t0;
console.log(`workload seed-coding: ${requests.length} requests generated in ${genMs.toFixed(0)} ms`);
console.log('scenario               wall ms (best of ' + repeats + ')   events    events/s   sim s   sim/wall   peak RSS MiB   target');
let failed = 0;
for (const file of scenarios) {
  const scenario = loadScenario(file);
  let best = Infinity;
  let events = 0;
  let simS = 0;
  for (let i = 0; i < repeats; i++) {
    const t = performance.now();
    const { summary } = simulate({ scenario, requests, seed: '42', workload: 'seed-coding' });
    best = Math.min(best, performance.now() - t);
    events = summary.simulation.events;
    simS = summary.simulation.simulatedS;
  }
  const ratio = (simS * 1000) / best;
  const rss = process.memoryUsage().rss / 2 ** 20;
  const ok = ratio >= TARGET_RATIO;
  if (!ok) failed++;
  console.log(
    `${scenario.name.padEnd(22)} ${best.toFixed(0).padStart(8)}            ${String(events).padStart(8)} ${(events / (best / 1000)).toFixed(0).padStart(10)} ${simS.toFixed(0).padStart(7)} ${ratio.toFixed(0).padStart(9)}x ${rss.toFixed(0).padStart(12)}   ${ok ? 'ok' : `BELOW ${TARGET_RATIO}x`}`,
  );
}
process.exitCode = failed > 0 ? 1 : 0;
