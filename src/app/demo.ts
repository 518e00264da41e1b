// `servesim demo` (what `npm start` runs): the seed's two deployments on the embedded default workload,
// each block followed by the simulator's breakdown and a comparison with the reported run.
import { join } from 'node:path';
import { figureRows, formatRows } from '../metrics/compare.ts';
import { formatBlock, formatNotes } from '../metrics/format.ts';
import { loadScenario } from '../scenario/load.ts';
import { loadInputs, REPLAY_ONLY, requireSchedule } from './inputs.ts';
import { loadReported, REPLAYED, SCENARIOS_DIR } from './reported.ts';
import { simulate } from './run.ts';

export async function demo(a: { seed: string; workload: string }): Promise<string> {
  const inputs = await loadInputs({ workload: a.workload, seed: a.seed });
  requireSchedule(inputs, REPLAYED, REPLAY_ONLY);
  const { requests } = inputs;
  let out = '';
  for (const name of ['agg-rr-k8s', 'disagg-kv']) {
    const scenario = loadScenario(join(SCENARIOS_DIR, `${name}.yaml`));
    const { summary } = simulate({ scenario, requests, seed: a.seed, workload: a.workload });
    const reported = loadReported(name);
    out += `\n${scenario.name}: ${scenario.description}\nworkload ${a.workload} (${requests.length} requests, seed ${a.seed})\n`;
    out += `${formatBlock(summary)}\n${formatNotes(summary)}\n\nvs reported (${reported.cluster}):\n`;
    out += `${formatRows(figureRows(reported.figures, summary))}\n`;
  }
  return out;
}
