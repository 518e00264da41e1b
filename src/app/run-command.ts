// `servesim run`: a scenario (with --set overrides) on a trace or built-in workload, optionally with a
// plug-in router for the entry pool, written to a run folder; returns what the command prints.
import { join } from 'node:path';
import { formatBlock, formatNotes } from '../metrics/format.ts';
import type { Summary } from '../protocol/summary.ts';
import { loadRouterPlugin } from '../router/plugin.ts';
import { loadScenario } from '../scenario/load.ts';
import { parseParamPairs } from '../trace/params.ts';
import { loadInputs } from './inputs.ts';
import { writeRunFolder } from './run-folder.ts';
import { simulate } from './run.ts';

export interface RunCommandArgs {
  scenario: string;
  trace?: string;
  workload?: string;
  seed: string;
  set: string[];
  param: string[];
  out?: string;
  json: boolean;
  records: boolean;
  router?: string;
}

export async function runCommand(a: RunCommandArgs): Promise<{ summary: Summary; out: string; text: string }> {
  const scenario = loadScenario(a.scenario, a.set);
  const plugin = a.router ? await loadRouterPlugin(a.router) : undefined;
  const inputs = await loadInputs({ trace: a.trace, workload: a.workload, seed: a.seed, params: parseParamPairs(a.param) });
  const entry = scenario.workers.agg ? 'agg' : 'prefill';
  const { summary, records } = simulate({ scenario, requests: inputs.requests, seed: a.seed, workload: inputs.label, routers: plugin ? { [entry]: plugin } : undefined });
  const out = a.out ?? join('results', 'runs', scenario.name);
  writeRunFolder(out, summary, a.records ? records : null);
  const text = a.json ? JSON.stringify(summary, null, 2) + '\n' : `${scenario.name} on ${inputs.label} (seed ${a.seed})\n${formatBlock(summary)}\n${formatNotes(summary)}\n`;
  return { summary, out, text };
}
