// `calibrate --fit-seeds`: the robust objective is the mean over workload samples of each sample's
// objective against the same reported runs, and the flag's bad values stop with one line.
import { beforeAll, describe, expect, it } from 'vitest';
import { evaluate, inBand, type CalibrationSetup } from '../src/app/calibrate.ts';
import { fitSeedsOf } from '../src/app/calibrate-seeds.ts';
import { loadInputs } from '../src/app/inputs.ts';
import { InputError } from '../src/util/errors.ts';

describe('calibrate --fit-seeds', () => {
  it('takes a list including --seed (put first) or a count from --seed upwards', () => {
    expect(fitSeedsOf({ seed: '42' })).toBeUndefined();
    expect(fitSeedsOf({ seed: '42', 'fit-seeds': '1,42,2' })).toEqual(['42', '1', '2']);
    expect(fitSeedsOf({ seed: '42', 'fit-seeds': '3' })).toEqual(['42', '43', '44']);
  });

  it('refuses a list without --seed, a seed twice, an empty list, a trace file (the CLI refuses the flag twice)', () => {
    const bad: [Parameters<typeof fitSeedsOf>[0], string][] = [
      [{ seed: '42', 'fit-seeds': '1,2' }, '--fit-seeds: 1,2 does not include --seed 42, the sample the report\'s tables show'],
      [{ seed: '42', 'fit-seeds': '42,1,1' }, '--fit-seeds: seed 1 is given twice: its workload sample would count twice in every interval'],
      [{ seed: '42', 'fit-seeds': ' , ' }, "--fit-seeds: expected a count or seed1,seed2,..., got ','"],
      [{ seed: '42', 'fit-seeds': '0' }, '--fit-seeds: give at least one seed'],
      [{ seed: '42', 'fit-seeds': '42,1', trace: 't.jsonl' }, '--fit-seeds: samples the built-in workload at each seed; a trace file is one fixed sample (drop --trace)'],
      [{ seed: 'abc', 'fit-seeds': '2' }, '--fit-seeds: a count counts up from --seed, which is not a whole number (abc): give a list'],
    ];
    for (const [a, message] of bad) {
      expect(() => fitSeedsOf(a)).toThrow(InputError);
      expect(() => fitSeedsOf(a)).toThrow(message);
    }
  });

  describe('the robust objective', () => {
    let setup: CalibrationSetup;
    beforeAll(async () => {
      const own = (await loadInputs({ workload: 'seed-coding', seed: '42' })).requests;
      const other = (await loadInputs({ workload: 'seed-coding', seed: '1' })).requests;
      setup = { model: 'gb200-dsv32-nvfp4-trtllm', requests: own, seed: '42', workload: 'seed-coding', parameters: ['cudaGraphScale'], runs: ['disagg-kv'], samples: [{ seed: '42', requests: own }, { seed: '1', requests: other }] };
    });

    it('is the mean of the samples’ objectives; the runs shown are --seed’s; in band is the mean count', () => {
      const robust = evaluate(setup, {});
      const one = evaluate({ ...setup, samples: undefined }, {});
      const other = evaluate({ ...setup, samples: undefined, seed: '1', requests: setup.samples![1].requests }, {});
      expect(robust.samples!.map((s) => s.seed)).toEqual(['42', '1']);
      expect(robust.objective).toBeCloseTo((one.objective + other.objective) / 2, 12);
      expect(robust.runs.map((r) => r.rows.map((x) => x.simulated))).toEqual(one.runs.map((r) => r.rows.map((x) => x.simulated)));
      expect(inBand(robust)).toBe((inBand(one) + inBand(other)) / 2);
    });
  });
});
