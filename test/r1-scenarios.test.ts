// The DeepSeek-R1 GB200 deployments (scenarios/r1-*.yaml, docs/r1-deployments.md): each loads and runs a
// small closed-loop synthetic workload to completion with sane figures, and the directions the
// throughput-vs-interactivity tables of examples/plans/r1-8k1k.yaml and r1-1k1k.yaml show hold on small
// runs: the TEP8-decode deployment streams faster to one user (a shorter decode step: 16 attention heads
// per GPU instead of 128), the DEP32 one gives more tokens/s/GPU once both are saturated (256 decode
// slots on 40 GPUs against 64 or 128 on 36).
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SCENARIOS_DIR } from '../src/app/reported.ts';
import { simulate, type RunOutput } from '../src/app/run.ts';
import { loadScenario } from '../src/scenario/load.ts';
import { getWorkload } from '../src/trace/workloads.ts';

const DEPLOYMENTS = [
  { file: 'r1-1p-dep4-4d-tep8.yaml', isl: 8192, gpus: 36, decodeSlots: 64 },
  { file: 'r1-2p-dep4-1d-dep32.yaml', isl: 8192, gpus: 40, decodeSlots: 256 },
  { file: 'r1-1p-dep4-4d-tep8-1k1k.yaml', isl: 1024, gpus: 36, decodeSlots: 128 },
  { file: 'r1-2p-dep4-1d-dep32-1k1k.yaml', isl: 1024, gpus: 40, decodeSlots: 256 },
] as const;

/** A closed loop of `concurrency` users sending `count` AIPerf synthetic requests of isl/osl tokens. */
function closedLoop(file: string, concurrency: number, count: number, isl: number, osl: number): RunOutput {
  const scenario = loadScenario(join(SCENARIOS_DIR, file), ['client.fixed_schedule=false', `client.concurrency=${concurrency}`, `client.request_count=${count}`]);
  const requests = getWorkload('synthetic').generate({ seed: '42', params: { num_requests: count, isl_mean: isl, osl_mean: osl } });
  return simulate({ scenario, requests, seed: '42', workload: 'synthetic' });
}

describe('R1 GB200 scenarios run a closed-loop synthetic workload to completion', () => {
  for (const d of DEPLOYMENTS) {
    it(`${d.file}: every request completes, TTFT <= E2EL, tokens/s/GPU > 0`, () => {
      const { summary, records } = closedLoop(d.file, 16, 48, d.isl, 64);
      expect(summary.requests).toEqual({ issued: 48, completed: 48, timedOut: 0, rejected: 0 });
      expect(summary.load).toBe('concurrency 16');
      expect(summary.gpus).toBe(d.gpus);
      expect(records).toHaveLength(48);
      for (const r of records) {
        expect(r.status).toBe('completed');
        expect(r.generatedTokens).toBe(64);
        expect(r.ttftMs).toBeGreaterThan(0);
        expect(r.ttftMs).toBeLessThanOrEqual(r.e2elMs);
      }
      expect(summary.outputTokenThroughputPerGpu).toBeGreaterThan(0);
      expect(summary.outputTokenThroughputPerUser).toBeGreaterThan(0);
      // R1's MLA cache is 576 fp8 values a layer: the recipes' decode batches use a few % of the KV pool
      const w = summary.workers.decode;
      const blocksPerRequest = Math.ceil((d.isl + 1024) / 32);
      expect(w.kvCapacityBlocksPerRank).toBeGreaterThan(20 * blocksPerRequest * (d.decodeSlots / (w.workers * w.ranksPerWorker)));
    });
  }
});

describe('the directions of the throughput-vs-interactivity tables', () => {
  for (const [tep, dep] of [
    [DEPLOYMENTS[0], DEPLOYMENTS[1]],
    [DEPLOYMENTS[2], DEPLOYMENTS[3]],
  ] as const) {
    const at = tep.isl === 8192 ? '8k/1k' : '1k/1k';
    it(`${at}, one user: the TEP8-decode deployment gives more tokens/s/user than the DEP32 one`, () => {
      const a = closedLoop(tep.file, 1, 3, tep.isl, 256).summary;
      const b = closedLoop(dep.file, 1, 3, dep.isl, 256).summary;
      // the tables: 106.0 vs 65.96 (8k/1k), 108.0 vs 67.32 (1k/1k)
      expect(a.outputTokenThroughputPerUser).toBeGreaterThan(1.4 * b.outputTokenThroughputPerUser);
    });

    it(`${at}, 512 users (past both deployments' decode slots): the DEP32 deployment gives more tokens/s/GPU`, () => {
      const a = closedLoop(tep.file, 512, 1024, tep.isl, 1024).summary;
      const b = closedLoop(dep.file, 512, 1024, dep.isl, 1024).summary;
      expect(a.requests.completed).toBe(1024);
      expect(b.requests.completed).toBe(1024);
      // the tables at 512 users: 148.8 vs 401.4 (8k/1k), 290.6 vs 411.2 (1k/1k)
      expect(b.outputTokenThroughputPerGpu).toBeGreaterThan(1.2 * a.outputTokenThroughputPerGpu);
      // ... at fewer tokens/s/user: the DEP32 decode step is longer at any batch
      expect(b.outputTokenThroughputPerUser).toBeLessThan(a.outputTokenThroughputPerUser);
    });
  }
});
