// Tests of the dataset analyzer: definitions on a hand-made trace, the Mooncake trace against an independent count, and CLI errors.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeRequests, formatAnalysis } from '../src/trace/analyze.ts';
import { readTrace } from '../src/trace/read.ts';
import type { TraceRequest } from '../src/protocol/trace.ts';

const MOONCAKE = join(import.meta.dirname, '..', '..', 'shared', 'traces', 'mooncake_conversation_trace.jsonl');
const CLI = join(import.meta.dirname, '..', 'bin', 'servesim.js');

const req = (id: number, t: number, isl: number, osl: number, ids: number[], ctx?: number): TraceRequest => ({
  id,
  timestampMs: t,
  inputTokens: isl,
  outputTokens: osl,
  hashIds: ids,
  ...(ctx !== undefined ? { contextTokens: ctx, uniqueUserPromptTokens: isl - ctx } : {}),
});

describe('analyzeRequests definitions', () => {
  // ids: 0 and 1 are shared; 2, 3, 4 unique. Block size 512.
  const trace = [req(0, 0, 1300, 10, [0, 1, 2]), req(1, 1000, 1100, 20, [0, 1, 3]), req(2, 3000, 600, 30, [0, 4])];

  it('block hit = 1 - unique/total, token hit weighted by tokens (partial last block)', () => {
    const a = analyzeRequests(trace, { name: 'hand' });
    expect(a.totalRequests).toBe(3);
    expect(a.totalBlocks).toBe(8);
    expect(a.uniqueBlocks).toBe(5);
    expect(a.blockHitRate).toBeCloseTo(1 - 5 / 8, 12);
    // hits: row 1 ids 0,1 (full blocks) = 1024 tokens; row 2 id 0 (full) = 512 tokens.
    expect(a.tokenHitRate).toBeCloseTo((1024 + 512) / (1300 + 1100 + 600), 12);
    expect(a.islTokens).toEqual({ avg: 1000, max: 1300, min: 600 });
    expect(a.oslTokens).toEqual({ avg: 20, max: 30, min: 10 });
    expect(a.spanMs).toBe(3000);
  });

  it('context = repeated ids x block size (whole input when every id repeats) without context_len', () => {
    const t2 = [...trace, req(3, 4000, 700, 1, [0, 1])];
    const a = analyzeRequests(t2, { name: 'hand' });
    // contexts: 1024, 1024, 512, and 700 (all ids repeated -> input length)
    expect(a.contextSource).toBe('repeated-ids');
    expect(a.avgContextTokens).toBeCloseTo((1024 + 1024 + 512 + 700) / 4, 12);
    expect(a.avgUniquePromptTokens).toBeCloseTo(a.islTokens.avg - a.avgContextTokens, 12);
    expect(a.sharedPrefixRatio).toBeCloseTo(a.avgContextTokens / a.islTokens.avg, 12);
  });

  it('uses the rows’ context_len when they carry it', () => {
    const t3 = trace.map((r, i) => ({ ...r, contextTokens: [512, 0, 100][i] }));
    const a = analyzeRequests(t3, { name: 'ctx' });
    expect(a.contextSource).toBe('context_len');
    expect(a.avgContextTokens).toBeCloseTo(612 / 3, 12);
  });

  it('prints the seed layout', () => {
    const text = formatAnalysis(analyzeRequests(trace, { name: 'My Trace' }));
    const lines = text.split('\n');
    expect(lines[0]).toBe('='.repeat(60));
    expect(lines[1]).toBe('  DATASET ANALYSIS: My Trace');
    expect(text).toContain('    Total Requests:      3\n');
    expect(text).toContain('    Unique Hash Blocks:  5\n');
    expect(text).toContain('    Block-level Hit Rate: 37.5%\n');
    expect(text).toContain('    Avg Context (shared): ');
    expect(text).toContain('    Shared Prefix Ratio:  ');
    expect(text).toContain('  • ~38% KV cache hit rate (block/token level) based on hash_id overlap across requests');
  });
});

describe.skipIf(!existsSync(MOONCAKE))(`Mooncake conversation trace (needs ${MOONCAKE})`, () => {
  it('matches an independent count of blocks and lengths', async () => {
    const reqs = await readTrace(MOONCAKE);
    const a = analyzeRequests(reqs, { name: 'mooncake' });
    // independent computation from the raw JSON lines
    const { readFileSync } = await import('node:fs');
    const rows = readFileSync(MOONCAKE, 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as { input_length: number; output_length: number; hash_ids: number[] });
    const all = rows.flatMap((r) => r.hash_ids);
    expect(a.totalRequests).toBe(rows.length);
    expect(a.totalBlocks).toBe(all.length);
    expect(a.uniqueBlocks).toBe(new Set(all).size);
    expect(a.totalBlocks).toBe(288_500);
    expect(a.uniqueBlocks).toBe(182_790);
    expect(a.islTokens.avg).toBeCloseTo(rows.reduce((s, r) => s + r.input_length, 0) / rows.length, 9);
    expect(a.islTokens.max).toBe(Math.max(...rows.map((r) => r.input_length)));
    expect(a.oslTokens.min).toBe(Math.min(...rows.map((r) => r.output_length)));
    // context by repeated ids, computed with a plain counter
    const count = new Map<number, number>();
    for (const h of all) count.set(h, (count.get(h) ?? 0) + 1);
    let ctx = 0;
    for (const r of rows) {
      const rep = r.hash_ids.filter((h) => count.get(h)! > 1).length;
      ctx += rep === r.hash_ids.length ? r.input_length : rep * 512;
    }
    expect(a.avgContextTokens).toBeCloseTo(ctx / rows.length, 9);
  });
});

describe('servesim analyze CLI', () => {
  const dir = mkdtempSync(join(tmpdir(), 'servesim-analyze-'));
  it('prints figures as JSON and exits 2 on bad input', () => {
    const good = join(dir, 'good.jsonl');
    writeFileSync(good, trace0());
    const out = JSON.parse(execFileSync('node', [CLI, 'analyze', good, '--json'], { encoding: 'utf8' }));
    expect(out.uniqueBlocks).toBe(3);
    expect(out.totalBlocks).toBe(4);
    expect(out.name).toBe('good.jsonl');

    const missing = spawnSync('node', [CLI, 'analyze', join(dir, 'nope.jsonl')], { encoding: 'utf8' });
    expect(missing.status).toBe(2);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    expect(missing.stderr).toContain('no such file');

    const bad = join(dir, 'bad.jsonl');
    writeFileSync(bad, trace0() + '{"timestamp": 5, "input_length": 10\n');
    const malformed = spawnSync('node', [CLI, 'analyze', bad], { encoding: 'utf8' });
    expect(malformed.status).toBe(2);
    expect(malformed.stderr).toMatch(/bad\.jsonl:3: /);
  });
});

function trace0(): string {
  return (
    '{"timestamp": 0, "input_length": 600, "output_length": 5, "hash_ids": [0, 1]}\n' +
    '{"timestamp": 10, "input_length": 900, "output_length": 7, "hash_ids": [0, 2]}\n'
  );
}
