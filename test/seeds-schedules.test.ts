// What every command shares with `run`: an untimed workload is refused wherever a fixed schedule would
// replay it (run --seeds, check, demo, sweep points), `run --seeds` runs what its load and synthetic
// flags say, and the interval commands (run / check / compare --seeds) want at least two samples.
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkCommand } from '../src/app/check-command.ts';
import { compareSeeds } from '../src/app/compare.ts';
import { demo } from '../src/app/demo.ts';
import { SCENARIOS_DIR } from '../src/app/reported.ts';
import type { RunCommandArgs } from '../src/app/run-command.ts';
import { runSeedsCommand } from '../src/app/run-seeds.ts';
import { servesim } from './cli-spawn.ts';

const UNTIMED = /^--vary: workers\.decode\.count=1: --workload: synthetic has no timestamps to replay: add --set client\.fixed_schedule=false and a load \(--set client\.concurrency=N or client\.request_rate=R\)$/;
const args = (o: Partial<RunCommandArgs> & { seeds: string }): RunCommandArgs & { seeds: string } => ({
  scenario: join(SCENARIOS_DIR, 'disagg-kv.yaml'), seed: '42', set: [], param: [], json: true, records: true, overwrite: false, command: 'test', ...o,
});
const message = async (p: Promise<unknown>) => p.then(() => 'no error', (e: Error) => `${e.name}: ${e.message}`);

describe('an untimed workload is never replayed as a burst at t = 0', () => {
  it('run --seeds, check, check --seeds and demo refuse it; a sweep point does too', async () => {
    expect(await message(runSeedsCommand(args({ seeds: '2', workload: 'synthetic' })))).toMatch(/^InputError: --workload: synthetic has no timestamps/);
    expect(await message(checkCommand({ workload: 'synthetic', seed: '42', run: ['disagg-kv'], json: true }))).toBe('InputError: --workload: synthetic has no timestamps to replay: the reported runs replay a fixed schedule: give a trace or a timed workload (seed-coding, poisson)');
    expect(await message(checkCommand({ workload: 'synthetic', seed: '42', run: ['disagg-kv'], json: true, seeds: '2' }))).toMatch(/^InputError: --workload: synthetic has no timestamps/);
    expect(await message(demo({ workload: 'synthetic', seed: '42' }))).toMatch(/^InputError: --workload: synthetic has no timestamps/);
    const out = join(tmpdir(), `servesim-untimed-${process.pid}`);
    const sweep = await servesim(['sweep', 'scenarios/disagg-kv.yaml', '--workload', 'synthetic', '--param', 'num_requests=20', '--vary', 'workers.decode.count=1', '--workers', '0', '--out', out]);
    expect(sweep.code).toBe(2);
    expect(sweep.stderr.trim().replace(/^servesim: /, '')).toMatch(UNTIMED);
    expect(existsSync(out)).toBe(false); // refused before plan.json is written
  });
});

describe('run --seeds runs what its flags say', () => {
  it('a closed loop of synthetic prompts, not the default workload on its fixed schedule', async () => {
    const { text, summaries } = await runSeedsCommand(args({ seeds: '2', concurrency: 4, 'request-count': 12, 'synthetic-input-tokens-mean': 1000, 'output-tokens-mean': 20 }));
    expect(JSON.parse(text).seeds).toEqual(['42', '43']);
    for (const s of summaries) {
      expect(s.requests.issued).toBe(12);
      expect(s.load).toMatch(/^concurrency 4/);
      expect(s.workload).toBe('synthetic');
      expect(s.outputTokenThroughput / s.requestThroughput).toBeCloseTo(20, 3);
    }
  });
  it('refuses the run-folder flags it cannot honour, and a count from a seed that is not a number', async () => {
    expect(await message(runSeedsCommand(args({ seeds: '2', out: 'x' })))).toBe('InputError: --out: run --seeds prints the spread across samples and writes no run folder: drop it, or run one seed');
    expect(await message(runSeedsCommand(args({ seeds: '2', overwrite: true })))).toMatch(/^InputError: --overwrite: run --seeds/);
    expect(await message(runSeedsCommand(args({ seeds: '2', seed: 'abc' })))).toBe('InputError: --seeds: a count counts up from --seed, which is not a whole number (abc): give a list');
  });
});

describe('an interval needs at least two workload samples', () => {
  it('run, check and compare --seeds 1 (or a one-seed list) stop with one line', async () => {
    const one = /--seeds: 1: one workload sample has no spread; an interval needs at least 2 seeds/;
    expect(await message(runSeedsCommand(args({ seeds: '1' })))).toMatch(one);
    expect(await message(checkCommand({ seed: '42', run: ['disagg-kv'], json: true, seeds: '1' }))).toMatch(one);
    expect(() => compareSeeds('1')).toThrow(one);
    expect(() => compareSeeds('42,,43')).toThrow(/^--seeds: '42,,43' has an empty seed between its commas$/);
    expect(compareSeeds('2')).toEqual(['42', '43']);
  });
});
