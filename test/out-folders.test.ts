// Output folders: a run into a folder of an earlier run removes that run's files it does not write
// (summary.json first, the new one last); `report` refuses a summary.json or a requests.jsonl line that
// is not servesim's (naming file, line and field) and records of another run; `sweep` and `merge`
// refuse a folder holding files they do not write, as `run` does, unless --overwrite.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRunFolder, writeRunFolder } from '../src/app/run-folder.ts';
import { esc, ROOT, servesim, type Outcome } from './cli-spawn.ts';

const tmp = mkdtempSync(join(tmpdir(), 'servesim-outdirs-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const SCENARIO = 'scenarios/disagg-kv.yaml';
const TRACE = join(tmp, 't50.jsonl');
const run = (out: string, count: number, ...more: string[]) => servesim(['run', SCENARIO, '--trace', TRACE, '--request-count', String(count), '--out', out, ...more]);
const sweep = (out: string, ...more: string[]) => servesim(['sweep', SCENARIO, '--trace', TRACE, '--vary', 'workers.decode.count=1,2', '--set', 'client.request_count=2', '--workers', '0', '--out', out, ...more], { timeoutMs: 120_000 });
const report = (dir: string) => servesim(['report', dir, '--out', join(tmp, 'report.html')]);
const lines = (file: string) => readFileSync(file, 'utf8').trimEnd().split('\n');

/** Exit 2 with one stderr line matching `want` (after `servesim: `). */
function refused(o: Outcome, want: RegExp): void {
  expect(o.code, o.stderr).toBe(2);
  expect(o.stdout).toBe('');
  const err = o.stderr.trimEnd().split('\n');
  expect(err).toHaveLength(1);
  expect(err[0]).toMatch(new RegExp(`^servesim: ${want.source}`));
}

beforeAll(() => {
  writeFileSync(TRACE, lines(join(ROOT, '../shared/traces/mooncake_conversation_trace.jsonl')).slice(0, 50).join('\n') + '\n');
});

describe('a run into the folder of an earlier run', () => {
  it('--no-records after a run with records leaves only the new summary.json', async () => {
    const out = join(tmp, 'reused');
    expect((await run(out, 3)).code).toBe(0);
    expect(lines(join(out, 'requests.jsonl'))).toHaveLength(3);
    const o = await run(out, 2, '--no-records');
    expect(o.code, o.stderr).toBe(0);
    expect(readdirSync(out)).toEqual(['summary.json']);
    expect(JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')).requests.issued).toBe(2);
    refused(await report(out), new RegExp(`${esc(join(out, 'requests.jsonl'))}: missing: run without --no-records$`));
  }, 60_000);

  it('with records again: every file is the new run\'s, and report reads them', async () => {
    const out = join(tmp, 'reused2');
    expect((await run(out, 3)).code).toBe(0);
    expect((await run(out, 2)).code).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['profile_export.jsonl', 'profile_export_aiperf.csv', 'profile_export_aiperf.json', 'requests.jsonl', 'summary.json']);
    expect(lines(join(out, 'requests.jsonl'))).toHaveLength(2);
    expect(lines(join(out, 'profile_export.jsonl'))).toHaveLength(2);
    expect((await report(out)).code).toBe(0);
  }, 60_000);

  it('the old summary is gone before any new file is written, and the stale files too', () => {
    const dir = join(tmp, 'order');
    mkdirSync(dir);
    for (const f of ['summary.json', 'requests.jsonl', 'profile_export.jsonl', 'profile_export_aiperf.json']) writeFileSync(join(dir, f), 'old\n');
    const seen: string[][] = [];
    function* records() {
      seen.push(readdirSync(dir).filter((f) => !f.includes('.tmp-')).sort());
      yield '{}\n';
    }
    writeRunFolder(dir, { 'requests.jsonl': records(), 'summary.json': '{}\n' });
    // while requests.jsonl is written: no summary.json, no AIPerf file of the earlier run
    expect(seen).toEqual([['requests.jsonl']]);
    expect(readdirSync(dir).sort()).toEqual(['requests.jsonl', 'summary.json']);
  });
});

describe('report checks what it reads', () => {
  const folder = (name: string, summary: string, records: string) => {
    const dir = join(tmp, name);
    mkdirSync(dir);
    writeFileSync(join(dir, 'summary.json'), summary);
    writeFileSync(join(dir, 'requests.jsonl'), records);
    return dir;
  };
  let good: { summary: string; records: string[] };
  beforeAll(async () => {
    const out = join(tmp, 'good');
    expect((await run(out, 3)).code).toBe(0);
    good = { summary: readFileSync(join(out, 'summary.json'), 'utf8'), records: lines(join(out, 'requests.jsonl')) };
    expect(readRunFolder(out).records).toHaveLength(3);
  }, 60_000);

  it('a run judging one SLO (--goodput with one tag: the other is null) reads back', async () => {
    const out = join(tmp, 'one-slo');
    expect((await run(out, 3, '--goodput', 'inter_token_latency:50')).code).toBe(0);
    expect(JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')).goodput.ttftMs).toBeNull();
    const o = await report(out);
    expect([o.code, o.stderr]).toEqual([0, '']);
  });

  it('an empty object is not a run summary', async () => {
    const dir = folder('empty', '{}\n', '{}\n');
    refused(await report(dir), new RegExp(`${esc(join(dir, 'summary.json'))}: scenario: missing \\(expected string\\): not a servesim run summary$`));
  });

  it('a summary field of the wrong type is named', async () => {
    const s = JSON.parse(good.summary);
    s.ttftMs.p99 = 'fast';
    const dir = folder('bad-field', JSON.stringify(s), good.records.join('\n') + '\n');
    refused(await report(dir), new RegExp(`${esc(join(dir, 'summary.json'))}: ttftMs\\.p99: expected number, received string: not a servesim run summary$`));
  });

  it('a records line that is not a request record is named by line and field', async () => {
    const bad = { ...JSON.parse(good.records[1]), status: 'lost' };
    const dir = folder('bad-record', good.summary, [good.records[0], JSON.stringify(bad), good.records[2]].join('\n') + '\n');
    refused(await report(dir), new RegExp(`${esc(join(dir, 'requests.jsonl'))}:2: status: .+: not a servesim request record$`));
    const empty = folder('empty-record', good.summary, '{}\n');
    refused(await report(empty), new RegExp(`${esc(join(empty, 'requests.jsonl'))}:1: id: missing \\(expected number\\): not a servesim request record$`));
  });

  it('records of another run (a count off the summary\'s) are refused', async () => {
    const dir = folder('other-run', good.summary, good.records.slice(0, 2).join('\n') + '\n');
    refused(await report(dir), new RegExp(`${esc(join(dir, 'requests.jsonl'))}: 2 records, but summary\\.json counts 3 \\(requests\\.issued\\): records of another run; rerun into an empty folder$`));
    const status = { ...JSON.parse(good.records[0]), status: 'rejected', endReason: 'max_seq_len' };
    const dir2 = folder('other-status', good.summary, [JSON.stringify(status), ...good.records.slice(1)].join('\n') + '\n');
    refused(await report(dir2), /.+: 2 completed records, but summary\.json counts 3 \(requests\.completed\): records of another run; rerun into an empty folder$/);
  });
});

describe('sweep and merge refuse a folder holding other files, as run does', () => {
  const NOT_SWEEP = (dir: string, files: string) => new RegExp(`${esc(dir)}: holds files that are not a servesim sweep \\(${files}\\); choose another --out or pass --overwrite$`);

  it('sweep into a folder with a foreign file or a run\'s files: refused; --overwrite writes', async () => {
    const junk = join(tmp, 'junk');
    mkdirSync(junk);
    writeFileSync(join(junk, 'junk'), '');
    refused(await sweep(junk), NOT_SWEEP(junk, 'junk'));
    expect(readdirSync(junk)).toEqual(['junk']);
    const runDir = join(tmp, 'run-dir');
    expect((await run(runDir, 2)).code).toBe(0);
    refused(await sweep(runDir), NOT_SWEEP(runDir, 'profile_export.jsonl, profile_export_aiperf.csv, profile_export_aiperf.json, …'));
    const o = await sweep(junk, '--overwrite');
    expect(o.code, o.stderr).toBe(0);
    expect(existsSync(join(junk, 'answers.json'))).toBe(true);
  }, 240_000);

  it('a sweep folder: rerun and merge into it work, a shard run drops the stale answers; run and merge elsewhere refuse', async () => {
    const dir = join(tmp, 'sweep');
    expect((await sweep(dir)).code).toBe(0);
    const again = await sweep(dir);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('simulated 0, reused 2');
    const merged = await servesim(['merge', dir, '--out', dir]);
    expect(merged.code, merged.stderr).toBe(0);
    refused(await run(dir, 2), new RegExp(`${esc(dir)}: holds files that are not a servesim run \\(answers\\.json, answers\\.txt, plan\\.json, …\\); choose another --out or pass --overwrite$`));
    const runDir = join(tmp, 'run-dir2');
    expect((await run(runDir, 2)).code).toBe(0);
    refused(await servesim(['merge', dir, '--out', runDir]), NOT_SWEEP(runDir, 'profile_export.jsonl, profile_export_aiperf.csv, profile_export_aiperf.json, …'));
    expect((await servesim(['merge', dir, '--out', runDir, '--overwrite'])).code).toBe(0);
    // a shard of the plan run into the complete folder: its tables and answers are not this run's
    const shard = await sweep(dir, '--shard', '0/2');
    expect(shard.code, shard.stderr).toBe(0);
    expect(readdirSync(dir).sort()).toEqual(['plan.json', 'points', 'search']);
  }, 240_000);
});
