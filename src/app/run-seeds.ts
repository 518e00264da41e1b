// `servesim run --seeds N`: the scenario on N workload samples (seeds), each figure's spread: mean,
// standard deviation, range, the 95 % CI of the mean and the 95 % prediction interval of one more
// sample (Student t) — how far a single benchmark run may land from the simulator's mean.
import { figureRows } from '../metrics/compare.ts';
import type { Summary } from '../protocol/summary.ts';
import { scenarioError } from '../scenario/load.ts';
import type { Scenario } from '../scenario/schema.ts';
import { confidenceInterval, predictionInterval } from '../util/stats.ts';
import { textTable } from '../util/text-table.ts';
import { fmt } from './answers.ts';
import { inputError } from '../util/errors.ts';
import { loadInputs, requireSchedule } from './inputs.ts';
import { intervalSeeds } from './plan.ts';
import { loadRunScenario, routerTimeouts, runInputSpec, runWithPlugin, type RunCommandArgs } from './run-command.ts';
import { simulate } from './run.ts';

/** The block figures of a summary plus goodput and cut-offs, by label. */
export function spreadFigures(s: Summary): [string, number][] {
  return [
    ...figureRows(s, s).map((r): [string, number] => [r.figure, r.simulated]),
    ['goodput (req/s)', s.goodput?.requestThroughput ?? NaN],
    ['timed out + rejected', s.requests.timedOut + s.requests.rejected],
  ];
}

export function spreadTable(summaries: readonly Summary[]): { text: string; rows: { figure: string; values: number[] }[] } {
  const per = summaries.map(spreadFigures);
  const rows = per[0].map(([figure], i) => ({ figure, values: per.map((p) => p[i][1]) }));
  const body = rows.map(({ figure, values }) => {
    const ci = confidenceInterval(values);
    const pi = predictionInterval(values);
    const v = values.filter(Number.isFinite);
    return [figure, fmt(ci.mean), fmt(ci.std), v.length ? `${fmt(Math.min(...v))} – ${fmt(Math.max(...v))}` : '–', `[${fmt(ci.lo)}, ${fmt(ci.hi)}]`, `[${fmt(pi.lo)}, ${fmt(pi.hi)}]`];
  });
  return { text: textTable(['figure', 'mean', 'sd', 'range', '95 % CI of mean', '95 % prediction interval'], body), rows };
}

/** Flags of a run that write or watch a run folder, which --seeds does not make. */
const FOLDER_FLAGS = [
  ['out', (a: RunCommandArgs) => a.out !== undefined],
  ['overwrite', (a: RunCommandArgs) => a.overwrite],
  ['progress', (a: RunCommandArgs) => a.progress === true],
] as const;

export async function runSeedsCommand(a: RunCommandArgs & { seeds: string }): Promise<{ text: string; summaries: Summary[] }> {
  for (const [flag, given] of FOLDER_FLAGS) if (given(a)) throw inputError({ field: `--${flag}` }, 'run --seeds prints the spread across samples and writes no run folder: drop it, or run one seed');
  const seeds = intervalSeeds(a.seeds, a.seed);
  const scenario = loadRunScenario(a);
  try {
    return await runSeeds(a, seeds, scenario);
  } catch (e) {
    throw scenarioError(scenario, e);
  }
}

async function runSeeds(a: RunCommandArgs, seeds: string[], scenario: Scenario): Promise<{ text: string; summaries: Summary[] }> {
  const timeouts = routerTimeouts(a);
  const summaries: Summary[] = [];
  let label = '';
  for (const seed of seeds) {
    const spec = runInputSpec(a, seed);
    const inputs = await loadInputs(spec);
    requireSchedule(inputs, scenario.client);
    label = inputs.label;
    // a plug-in runs on a watched thread of its own, as in `run` (plugin-run.ts)
    const run = { scenario, seed, workload: inputs.label };
    summaries.push(a.router ? (await runWithPlugin(a.router, timeouts, spec, inputs.provenance, { ...run, compact: true })).summary : simulate({ ...run, requests: inputs.requests }).summary);
  }
  if (a.json) return { summaries, text: JSON.stringify({ seeds, figures: spreadTable(summaries).rows }, null, 1) + '\n' };
  const head = `${scenario.name} on ${label}, ${seeds.length} workload samples (seeds ${seeds.join(', ')}): spread across samples; the prediction interval is where one more benchmark run on a fresh sample should land (95 %, Student t)\n`;
  return { summaries, text: `${head}${spreadTable(summaries).text}\n` };
}
