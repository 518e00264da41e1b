import { loadInputs } from './dist/app/inputs.js';
import { simulate } from './dist/app/run.js';
import { loadScenario } from './dist/scenario/load.js';
const name = process.argv[2] ?? 'disagg-kv';
const trace = process.argv[3];
const i = trace ? await loadInputs({ trace, seed: '42' }) : await loadInputs({ workload: 'seed-coding', seed: '42' });
const s = loadScenario('scenarios/' + name + '.yaml');
let best = Infinity; let sum;
for (let k = 0; k < Number(process.argv[4] ?? 3); k++) { const c = process.cpuUsage(); const o = simulate({ scenario: s, requests: i.requests, seed: '42', workload: 'x' }); best = Math.min(best, process.cpuUsage(c).user / 1000); sum = o.summary; }
console.log(name, 'best cpu ms', best.toFixed(0), 'ttft', sum.ttftMs.mean, 'events', sum.simulation.events);
