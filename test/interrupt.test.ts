// Clean interrupts and the watchdog from the command line: Ctrl-C (SIGINT) during a long `servesim run`
// writes the requests ended so far with summary.json marked interrupted, says so on stderr and exits
// 130; Ctrl-C during a long synthesize leaves no partial file; arrivals whose gaps fall below the clock resolution stop the run with one line instead of spinning.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { esc, servesim } from './cli-spawn.ts';

const tmp = mkdtempSync(join(tmpdir(), 'servesim-interrupt-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('Ctrl-C during a long run', () => {
  it('writes the requests ended so far, summary.json marked interrupted, one stderr line, exit 130', async () => {
    const out = join(tmp, 'long');
    let sent = false;
    // 30,000 requests of the seed workload on disagg-kv run for many seconds; interrupt at the first
    // progress line, which comes once the run loop is going
    const o = await servesim(['run', 'scenarios/disagg-kv.yaml', '--param', 'num_requests=30000', '--progress', '--out', out], { timeoutMs: 90_000, onStderr: (text, kill) => {
      if (!sent && /simulated \d+ s: \d+ of 30000 requests ended/.test(text)) {
        sent = true;
        kill('SIGINT');
      }
    } });
    expect(sent).toBe(true);
    expect(o.signal).toBeNull();
    expect(o.code).toBe(130);
    const last = o.stderr.trimEnd().split('\n').at(-1)!;
    expect(last).toMatch(new RegExp(`^servesim: interrupted \\(SIGINT\\) at simulated [\\d.]+ s: wrote the (\\d+) requests ended so far to ${esc(out)} \\(summary\\.json marked interrupted; \\d+ in flight and \\d+ not sent left out\\)$`));
    expect(o.stderr).not.toMatch(/\n\s+at /);
    expect(o.stdout).toMatch(/^INTERRUPTED \(SIGINT\) at simulated/m);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as { interrupted: { signal: string; inFlight: number; notSent: number }; requests: { issued: number } };
    expect(summary.interrupted.signal).toBe('SIGINT');
    expect(summary.interrupted.notSent).toBeGreaterThan(0);
    const records = readFileSync(join(out, 'requests.jsonl'), 'utf8').trim().split('\n');
    expect(records.length).toBe(summary.requests.issued);
    expect(Number(/wrote the (\d+) requests/.exec(last)![1])).toBe(records.length);
    expect(records.length + summary.interrupted.inFlight + summary.interrupted.notSent).toBe(30000);
  }, 90_000);
});

describe('Ctrl-C during a long synthesize', () => {
  it('leaves neither the output nor its temporary file, exit 130', async () => {
    const file = join(tmp, 'synth.jsonl');
    let sent = false;
    let child: ((s: NodeJS.Signals) => void) | undefined;
    const poll = setInterval(() => {
      // the temporary file appears once rows stream out
      if (!sent && readdirSync(tmp).some((f) => f.startsWith('synth.jsonl.tmp-'))) {
        sent = true;
        child?.('SIGINT');
      }
    }, 50);
    const o = await servesim(['synthesize', '--input-file', 'test/fixtures/tiny-trace.jsonl', '--num-requests', '100000000', '--output-file', file], { timeoutMs: 90_000, onSpawn: (kill) => (child = kill) });
    clearInterval(poll);
    expect(sent).toBe(true);
    expect(o.code).toBe(130);
    expect(o.stderr).toMatch(new RegExp(`^servesim: interrupted \\(SIGINT\\) after \\d+ requests: ${esc(file)} not written\n$`));
    expect(readdirSync(tmp).filter((f) => f.startsWith('synth.jsonl'))).toEqual([]);
  }, 60_000);
});

describe('watchdog from the command line', () => {
  it('a request rate whose gaps fall below the clock resolution stops with one line naming the setting', async () => {
    // three long requests: the capped client resumes sending after the first ends, past 4.5 s, where
    // 1e-12 ms gaps no longer move the clock
    const trace = join(tmp, 'long.jsonl');
    writeFileSync(trace, Array.from({ length: 3 }, () => JSON.stringify({ timestamp: 0, input_length: 600, output_length: 400, hash_ids: [1, 2] })).join('\n') + '\n');
    const out = join(tmp, 'rate');
    const o = await servesim(['run', 'scenarios/agg-rr-k8s.yaml', '--trace', trace, '--request-rate', '1e15', '--concurrency', '1', '--out', out], { timeoutMs: 90_000 });
    expect(o.signal).toBeNull();
    expect(o.code).toBe(2);
    expect(o.stderr).toMatch(/^servesim: scenarios\/agg-rr-k8s\.yaml \(--request-rate\): client\.request_rate: 1000000000000000\/s: gaps of 1e-12 ms are below the simulated clock's resolution at [\d.]+ ms \([\d.e-]+ ms\); the requests would all arrive at one instant\n$/);
    expect(existsSync(join(out, 'summary.json'))).toBe(false);
  }, 60_000);
});
