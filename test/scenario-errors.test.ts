// Errors about scenario keys found after the schema (cost model, pools) name where the key is written:
// file:line, or the --set that wrote it; and the limits that come with the data: a context within
// max_seq_len and the KV cache (servesim cost), max_seq_len within the model's positions, calibration
// overrides within their bounds, one KV transceiver backend on both sides.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { costReport, costReportOfFile } from '../src/app/cost-report.ts';
import { SCENARIOS_DIR } from '../src/app/reported.ts';
import { simulate } from '../src/app/run.ts';
import { loadScenario } from '../src/scenario/load.ts';
import { makeTrace } from './helpers.ts';

const DISAGG = join(SCENARIOS_DIR, 'disagg-kv.yaml');
const fails = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    expect((e as Error).name).toBe('InputError');
    expect((e as Error).message).not.toContain('\n');
    return (e as Error).message;
  }
  throw new Error('no error');
};

describe('a key refused after the schema is named where it is written', () => {
  it('file:line of the key in the YAML, or the --set that gave it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'servesim-errs-'));
    const text = readFileSync(DISAGG, 'utf8').replace('moe_config: { backend: TRTLLM }', 'moe_config: { backend: FOO }');
    const line = text.split('\n').findIndex((l) => l.includes('backend: FOO')) + 1;
    expect(line).toBeGreaterThan(1);
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, text);
    expect(fails(() => costReportOfFile(file, [], {}))).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:${line}: workers\\.prefill\\.engine\\.moe_config\\.backend: FOO: no MoE table`));
    expect(fails(() => costReportOfFile(DISAGG, ['workers.decode.engine.moe_config.backend=BAR'], {}))).toMatch(/disagg-kv\.yaml \(--set workers\.decode\.engine\.moe_config\.backend\): workers\.decode\.engine\.moe_config\.backend: BAR: /);
    // a schema error has its line too
    writeFileSync(file, text.replace('max_batch_size: 8\n', 'max_batch_size: -8\n'));
    expect(fails(() => loadScenario(file))).toMatch(/bad\.yaml:\d+: workers\.(prefill|decode)\.engine\.max_batch_size: /);
  });
});

describe('limits that come with the data', () => {
  const disagg = (sets: string[] = []) => loadScenario(DISAGG, sets);
  it('servesim cost: a context past max_seq_len or past the KV cache of a rank is refused; the default fits', () => {
    expect(fails(() => costReport(disagg(), { contextTokens: 1e9 }))).toBe('--context-tokens: 1,000,000,001 tokens of a sequence exceed workers.prefill.engine.max_seq_len 121,000');
    expect(fails(() => costReport(disagg(['workers.decode.engine.kv_cache_config.free_gpu_memory_fraction=0.003']), {}, undefined, ['decode']))).toMatch(/^--context-tokens: the batch needs 129 KV blocks per rank; a workers\.decode rank holds \d+ \([\d,]+ tokens\)$/);
    // the 8k/1k R1 scenario (max_seq_len 8,232 on prefill): by default half of it, a chunk within it
    const r1 = costReport(loadScenario(join(SCENARIOS_DIR, 'r1-1p-dep4-4d-tep8.yaml')));
    expect(r1.batch.contextTokens).toBe(4116);
    expect(r1.batch.chunkTokens).toBe(4116);
    expect(costReport(disagg()).batch).toEqual({ requestsPerRank: 1, contextTokens: 8192, chunkTokens: 8192 });
  });
  it('max_seq_len within the model\'s positions', () => {
    expect(fails(() => costReport(disagg(['workers.prefill.engine.max_seq_len=200000'])))).toBe('workers.prefill.engine.max_seq_len: 200000 exceeds the 163840 positions of gb200-dsv32-nvfp4-trtllm (max_position_embeddings); supported: up to 163840');
  });
  it('calibration overrides within the bounds of the calibration file', () => {
    expect(fails(() => costReport(disagg(), {}, { attentionScale: 100 }))).toMatch(/^calibration\.attentionScale: 100 is outside 0\.6 – 1\.5, the physically plausible range .*gb200-trtllm\.json gives it \(its bounds\)$/);
    expect(costReport(disagg(), {}, { attentionScale: 1.5 }).roles).toHaveLength(2);
  });
  it('prefill and decode on one KV cache transceiver backend (DEFAULT is NIXL)', () => {
    const run = (sets: string[]) => simulate({ scenario: disagg(sets), requests: makeTrace([{ t: 0, isl: 600, osl: 4 }]), seed: '1', workload: 't' });
    expect(fails(() => run(['workers.prefill.engine.cache_transceiver_config.backend=MPI']))).toBe("workers.decode.engine.cache_transceiver_config.backend: UCX differs from the prefill workers' MPI: prefill and decode must use the same KV cache transceiver backend");
    expect(run(['workers.prefill.engine.cache_transceiver_config.backend=NIXL', 'workers.decode.engine.cache_transceiver_config.backend=DEFAULT']).summary.requests.completed).toBe(1);
  });
});
