import { loadInputs } from './dist/app/inputs.js';
import { simulate } from './dist/app/run.js';
import { loadScenario } from './dist/scenario/load.js';
const i = await loadInputs({ workload: 'seed-coding', seed: '42' });
const s = loadScenario('scenarios/' + (process.argv[2] ?? 'disagg-kv') + '.yaml');
for (let k = 0; k < Number(process.argv[3] ?? 5); k++) { const c = process.cpuUsage(); const t = performance.now(); simulate({ scenario: s, requests: i.requests, seed: '42', workload: 'x' }); console.log((performance.now()-t).toFixed(0), 'ms wall', (process.cpuUsage(c).user/1000).toFixed(0), 'ms cpu'); }
