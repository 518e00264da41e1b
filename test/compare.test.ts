// `servesim compare`: Dynamo's KV router vs round robin on the prefill pool of disagg-kv, paired by
// seed on a reduced workload: the TTFT difference is distinguishable from zero at 5 seeds, and pairing
// by seed gives a narrower CI than comparing the two variants' means as independent samples.
import { describe, expect, it } from 'vitest';
import { compareText, compareVariants, parseVariant, variantsOf } from '../src/app/compare.ts';
import { seedList } from '../src/app/plan.ts';
import { InputError } from '../src/util/errors.ts';
import { confidenceInterval } from '../src/util/stats.ts';

const SCENARIO = 'scenarios/disagg-kv.yaml';

describe('compare', () => {
  it('parses variants', () => {
    expect(parseVariant('rr:--set router.router_mode=round-robin --set workers.decode.count=3', SCENARIO)).toEqual({ name: 'rr', scenario: SCENARIO, sets: ['router.router_mode=round-robin', 'workers.decode.count=3'], params: [] });
    expect(() => parseVariant('--set a=b', SCENARIO)).toThrow(InputError);
    expect(() => parseVariant('x:--sett a=b', SCENARIO)).toThrow(/unknown flag --sett/);
    expect(() => variantsOf({ files: [SCENARIO], variant: [], set: [] })).toThrow(/at least two variants/);
  });

  it('KV vs round-robin prefill routing: paired TTFT difference excludes zero at 5 seeds, narrower than unpaired', async () => {
    const variants = variantsOf({ files: [SCENARIO], variant: ['rr:--set router.router_mode=round-robin'], set: [] });
    const param = ['num_requests=400'];
    // seeds 42..53; the 3- and 5-seed comparisons are its first seeds (the same runs, as compare would run them)
    const r12 = await compareVariants(variants, { seeds: seedList('12'), param, workers: 0 });
    const f12 = r12.figures.find((f) => f.tag === 'time_to_first_token' && f.stat === 'mean')!;
    const [kv, rr] = f12.values;
    const diff = (n: number) => confidenceInterval(rr.slice(0, n).map((x, i) => x - kv[i]));
    expect(diff(12).half).toBeCloseTo(f12.diffs[0].half, 9);
    expect(diff(5).lo).toBeGreaterThan(0); // round robin loses the prefix hits: slower first tokens, CI excludes zero
    // the workload sample moves both variants' TTFT together: the paired CI is narrower than the
    // Welch-style CI of the difference of two independent means (same t quantile, df n - 1)
    const sd = (xs: number[]) => confidenceInterval(xs).half * Math.sqrt(xs.length);
    const unpaired = Math.sqrt(sd(kv) ** 2 / 12 + sd(rr) ** 2 / 12);
    expect(diff(12).half).toBeLessThan(unpaired);
    expect(compareText(r12)).toMatch(/TTFT mean \(ms\).*yes/);
    console.log(`paired TTFT mean difference (rr − kv), num_requests 400: ${[3, 5, 12].map((n) => `${n} seeds ${diff(n).mean.toFixed(0)} ± ${diff(n).half.toFixed(0)} ms`).join(', ')}; unpaired at 12 seeds ± ${unpaired.toFixed(0)} ms`);
  }, 60_000);
});
