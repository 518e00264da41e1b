// The compact record path (record sink → RecordTable → summary, AIPerf files, requests.jsonl) writes the
// same bytes as the record-object path, on runs with completed, timed-out and rejected requests.
import { describe, expect, it } from 'vitest';
import { simulate } from '../src/app/run.ts';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { recordsJsonl, tableJsonl } from '../src/app/run-folder.ts';
import { RunOutputs } from '../src/app/run-outputs.ts';
import { RecordTable } from '../src/metrics/record-table.ts';
import { aiperfFileParts, aiperfTableParts } from '../src/outputs/aiperf.ts';
import type { Scenario } from '../src/scenario/schema.ts';
import { aggScenario, disaggScenario } from './helpers.ts';
import { mixedTrace } from './mixed-trace.ts';
import { Worker } from 'node:worker_threads';

const files = (parts: Partial<ReturnType<typeof aiperfFileParts>>) => Object.fromEntries(Object.entries(parts).map(([k, v]) => [k, typeof v === 'string' ? v : [...v].join('')]));

const scenarios: Array<[string, Scenario]> = [
  ['agg, timeouts, goodput', aggScenario({ count: 2, engine: { ranks: 4, reuse: true }, client: { connection_limit: 6, request_timeout_seconds: 5, goodput_ttft_ms: 800, goodput_itl_ms: 30 } })],
  ['disagg kv router', disaggScenario({ prefill: { ranks: 4, reuse: true }, decode: { ranks: 4, max_batch_size: 4 }, router: { router_mode: 'kv' }, client: { request_timeout_seconds: 1 }, firstTokenFrom: 'decode' })],
];

describe('compact records', () => {
  it.each(scenarios)('%s: summary, AIPerf files and requests.jsonl are byte-identical', (_name, scenario) => {
    const requests = mixedTrace('table', 150);
    const input = { scenario, requests, seed: '3', workload: 'mix' };
    const full = simulate(input);
    const compact = simulate({ ...input, compact: true });
    expect(compact.records).toEqual([]);
    const table = compact.table!;
    const q = full.summary.requests;
    expect(q.completed * q.timedOut * q.rejected).toBeGreaterThan(0);
    expect(JSON.stringify(compact.summary)).toBe(JSON.stringify(full.summary));
    expect(table.records()).toEqual(full.records);
    expect([...tableJsonl(table)].join('')).toBe([...recordsJsonl(full.records)].join(''));
    for (const epochNs of [undefined, 1_700_000_000_000_000_000n]) {
      const info = { scenario, seed: '3', commandLine: 'x', servesimVersion: '0', workload: 'mix', epochNs, goodput: { time_to_first_token: 800, inter_token_latency: 30 } };
      expect(files(aiperfTableParts(table, info))).toEqual(files(aiperfFileParts(full.records, info)));
      expect({ ...files(aiperfTableParts(table, info, 'jsonl')), ...files(aiperfTableParts(table, info, 'summaries')) }).toEqual(files(aiperfFileParts(full.records, info)));
      const { goodput: _g, ...plain } = info;
      expect(files(aiperfTableParts(table, plain))).toEqual(files(aiperfFileParts(full.records, plain)));
    }
  });

  it('round-trips odd values (NaN, -0, reasons with quotes) and grows past its initial size', () => {
    const full = simulate({ scenario: scenarios[0][1], requests: mixedTrace('odd', 40), seed: '1', workload: 'mix' });
    const recs = full.records.map((r, i) => (i === 0 ? { ...r, queueMs: -0, reason: 'a "quoted" \\ reason\n' } : r));
    const t = new RecordTable(1);
    for (const r of recs) t.push(r);
    expect(t.records()).toEqual(recs);
    expect([...tableJsonl(t)].join('')).toBe([...recordsJsonl(recs)].join(''));
  });

  // the compiled module (built before the tests, as the CLI tests use it): a worker thread cannot load the TypeScript sources here
  it('a run folder written with the output worker thread has the same files as one written without', async () => {
    const { RunOutputs: CompiledOutputs } = (await import(String(new URL('../dist/app/run-outputs.js', import.meta.url)))) as typeof import('../src/app/run-outputs.ts');
    const scenario = scenarios[0][1];
    const ran = simulate({ scenario, requests: mixedTrace('folder', 80), seed: '2', workload: 'mix', compact: true });
    const info = { scenario, seed: '2', commandLine: 'x', servesimVersion: '0', workload: 'mix', goodput: { time_to_first_token: 800 } };
    const base = mkdtempSync(join(tmpdir(), 'servesim-outputs-'));
    try {
      const read = (dir: string) => Object.fromEntries(readdirSync(dir).map((f) => [f, readFileSync(join(dir, f), 'utf8')]));
      for (const [name, worker] of [['thread', true], ['here', false]] as const) {
        const outputs = worker ? new CompiledOutputs(true) : new RunOutputs(false);
        try {
          await outputs.write(join(base, name), ran.table!, info, '{}\n');
          expect(outputs.linesWrittenOn).toBe(worker ? 'worker' : 'this thread');
        } finally {
          outputs.close();
        }
      }
      const a = read(join(base, 'thread'));
      expect(Object.keys(a).sort()).toEqual(['profile_export.jsonl', 'profile_export_aiperf.csv', 'profile_export_aiperf.json', 'requests.jsonl', 'summary.json']);
      expect(a).toEqual(read(join(base, 'here')));
      // the bundled CLI's worker file (dist/bundle/outputs-worker.cjs) answers the same job with the same file
      mkdirSync(join(base, 'bundle'));
      const bundled = new Worker(new URL('../dist/bundle/outputs-worker.cjs', import.meta.url));
      try {
        const reply = await new Promise((done, fail) => {
          bundled.once('message', done);
          bundled.once('error', fail);
          bundled.postMessage({ dir: join(base, 'bundle'), table: ran.table!.data(), info, files: 'jsonl' });
        });
        expect(reply).toEqual({ ok: true });
      } finally {
        await bundled.terminate();
      }
      expect(readFileSync(join(base, 'bundle', 'profile_export.jsonl'), 'utf8')).toBe(a['profile_export.jsonl']);
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  });
});
