// servesim as a library (README "Library API"): the seed's disaggregated deployment with a third decode
// worker, on 2,000 requests of the built-in seed-like workload.
import { join } from 'node:path';
import { formatBlock, loadInputs, loadScenario, SCENARIOS_DIR, simulate, type Summary } from 'servesim';

const scenario = loadScenario(join(SCENARIOS_DIR, 'disagg-kv.yaml'), ['workers.decode.count=3']);
const { requests, label } = await loadInputs({ workload: 'seed-coding', seed: '42', params: { num_requests: 2000 } });
const summary: Summary = simulate({ scenario, requests, seed: '42', workload: label }).summary;
console.log(formatBlock(summary));
console.log(`${summary.gpus} GPUs: ${summary.outputTokenThroughputPerGpu} output tok/s per GPU, p99 TTFT ${summary.ttftMs.p99} ms`);
