// KV-aware routing on the Mooncake conversation trace (disagg-kv): beats round robin on prefill hit rate
// and mean TTFT; at overlap weight 0 it is pure load balancing with a round-robin-like hit rate.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { simulate } from '../src/app/run.ts';
import { loadScenario } from '../src/scenario/load.ts';
import { readTrace } from '../src/trace/read.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const TRACE = resolve(ROOT, '../shared/traces/mooncake_conversation_trace.jsonl');
const present = existsSync(TRACE);
if (!present) console.warn(`routing-mooncake: skipped, ${TRACE} is absent`);

describe.skipIf(!present)('routing on the Mooncake conversation trace (skipped without ../shared/traces)', () => {
  it('KV routing raises the prefill hit rate and lowers mean TTFT vs round robin; weight 0 hits like round robin', async () => {
    const requests = await readTrace(TRACE);
    const run = (sets: string[]) => {
      const scenario = loadScenario(join(ROOT, 'scenarios/disagg-kv.yaml'), sets);
      const { summary } = simulate({ scenario, requests, seed: '42', workload: 'mooncake_conversation_trace.jsonl' });
      return { hit: summary.kvCache.hitRate.prefill, ttft: summary.ttftMs.mean };
    };
    const kv = run([]);
    const rr = run(['router.router_mode=round-robin']);
    const w0 = run(['router.kv_overlap_score_weight=0']);
    console.info(`mooncake conversation: kv hit ${kv.hit} ttft ${kv.ttft} ms; round-robin hit ${rr.hit} ttft ${rr.ttft} ms; weight 0 hit ${w0.hit} ttft ${w0.ttft} ms`);

    expect(kv.hit).toBeGreaterThan(rr.hit + 0.15);
    expect(kv.ttft).toBeLessThan(rr.ttft * 0.9);
    // weight 0 ignores the prefix index: its hits are the accidental ones any load balancer gets
    expect(Math.abs(w0.hit - rr.hit)).toBeLessThan(0.05);
    expect(kv.hit).toBeGreaterThan(w0.hit + 0.15);
  }, 30_000);
});
