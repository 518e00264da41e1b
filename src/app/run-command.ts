// `servesim run`: a scenario (with --set overrides and AIPerf-style client flags) on a trace or built-in
// workload, optionally with a plug-in router for the entry pool, written to a run folder (summary,
// per-request records, AIPerf's export files); returns what the command prints.
import { join } from 'node:path';
import { formatBlock, formatNotes } from '../metrics/format.ts';
import type { Provenance, Summary } from '../protocol/summary.ts';
import { PLUGIN_LOAD_TIMEOUT_MS } from '../router/plugin.ts';
import { DEFAULT_CALL_TIMEOUT_MS } from '../router/plugin-watch.ts';
import { loadScenario, scenarioError } from '../scenario/load.ts';
import type { Scenario } from '../scenario/schema.ts';
import { parseParamPairs } from '../trace/params.ts';
import { inputError } from '../util/errors.ts';
import { servesimVersion } from '../util/version.ts';
import { openInputs, requireSchedule, type InputSpec } from './inputs.ts';
import { LOAD_FLAG_OF, loadSets, syntheticParams, type LoadFlags, type SyntheticFlags } from './load-flags.ts';
import { checkRunFolder } from './run-folder.ts';
import { RunOutputs } from './run-outputs.ts';
import { runOnPluginThread, type PluginRunJob } from './plugin-run.ts';
import { runSliced } from './run.ts';

export interface RunCommandArgs extends LoadFlags, SyntheticFlags {
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
  /** AIPerf --goodput: "time_to_first_token:20000 inter_token_latency:50" (ms). */
  goodput?: string;
  /** AIPerf --request-timeout-seconds. */
  'request-timeout-seconds'?: number;
  overwrite: boolean;
  /** The command line, for the summary. */
  command: string;
  /** Aborted (with the signal's name as reason) to stop the run early: what ended so far is written. */
  stop?: AbortSignal;
  /** Print how far the run is to stderr about once a second. */
  progress?: boolean;
  /** Seconds the --router module may take to load. */
  'router-load-timeout'?: number;
  /** Seconds one call of the --router plug-in (select, a hook, its constructor) may take. */
  'router-call-timeout'?: number;
}

/** Requests from which a run writes profile_export.jsonl on a worker thread. */
export const OUTPUT_WORKER_REQUESTS = 100_000;

/** results/runs/<scenario name>: the name as one folder name, never a path out of results/runs. */
export function defaultRunFolder(name: string): string {
  return join('results', 'runs', name.replace(/[^\w.-]+/g, '_').replace(/^\.+/, '_'));
}

/** AIPerf goodput tags servesim evaluates → the scenario key holding the threshold. */
export const GOODPUT_KEYS: Record<string, string> = { time_to_first_token: 'client.goodput_ttft_ms', inter_token_latency: 'client.goodput_itl_ms' };

/** `--goodput "tag:value tag:value"` as AIPerf writes it → scenario overrides (each tag once). */
export function goodputSets(spec: string): string[] {
  const parts = spec.trim().split(/\s+/).filter((p) => p !== '');
  if (parts.length === 0) throw inputError({ field: '--goodput' }, 'expected "time_to_first_token:MS inter_token_latency:MS"');
  const seen = new Map<string, string>();
  return parts.map((p) => {
    const [tag, value, extra] = p.split(':');
    const v = Number(value);
    if (extra !== undefined || value === undefined || value.trim() === '' || !Number.isFinite(v) || v <= 0) throw inputError({ field: '--goodput' }, `'${p}': expected tag:milliseconds with a positive number`);
    const key = GOODPUT_KEYS[tag];
    if (!key) throw inputError({ field: '--goodput' }, `'${tag}' is not an SLO servesim evaluates; supported: ${Object.keys(GOODPUT_KEYS).join(', ')}`);
    const was = seen.get(tag);
    if (was !== undefined) throw inputError({ field: '--goodput' }, `${tag} given twice ('${was}', then '${p}'): give each SLO once`);
    seen.set(tag, p);
    return `${key}=${v}`;
  });
}

/** The scenario's SLO keys `--goodput` clears: AIPerf's --goodput is the whole SLO set, so the tags it
 *  does not name are not judged (none when the flag is absent). */
export function goodputCleared(spec: string | undefined): string[] {
  if (spec === undefined) return [];
  const named = new Set(goodputSets(spec).map((s) => s.slice(0, s.indexOf('='))));
  return Object.values(GOODPUT_KEYS).filter((k) => !named.has(k));
}

/** `simulated 120 s: 340 of 10000 requests ended` on stderr, at the first slice and then once a second. */
function progressLine(): (p: { timeMs: number; ended: number; total: number }) => void {
  let last = -Infinity;
  return (p) => {
    const now = performance.now();
    if (now - last < 1000) return;
    last = now;
    process.stderr.write(`servesim: simulated ${(p.timeMs / 1000).toFixed(0)} s: ${p.ended} of ${p.total} requests ended\n`);
  };
}

type RunFlags = Omit<RunCommandArgs, 'command' | 'overwrite' | 'records' | 'json'>;

/** The scenario of a run: its file with the overrides its flags make (--set, --goodput as the whole SLO
 *  set, AIPerf's load flags, --request-timeout-seconds); an error about a key names the flag that set it. */
export function loadRunScenario(a: RunFlags): Scenario {
  const load = loadSets(a);
  const goodput = a.goodput !== undefined ? goodputSets(a.goodput) : [];
  const timeout = a['request-timeout-seconds'];
  if (timeout !== undefined && !(Number.isFinite(timeout) && timeout > 0)) throw inputError({ field: '--request-timeout-seconds' }, `must be a positive number of seconds, got ${timeout}`);
  const timeouts = timeout !== undefined ? [`client.request_timeout_seconds=${timeout}`] : [];
  const key = (s: string) => s.slice(0, s.indexOf('='));
  const flags = Object.fromEntries([...load.map((s) => [key(s), LOAD_FLAG_OF[key(s)]]), ...goodput.map((s) => [key(s), '--goodput']), ...timeouts.map((s) => [key(s), '--request-timeout-seconds'])]);
  return loadScenario(a.scenario, [...a.set, ...goodput, ...load, ...timeouts], goodputCleared(a.goodput), flags);
}

/** The trace or workload a run's flags choose at `seed`: the synthetic flags pick the synthetic workload. */
export function runInputSpec(a: RunFlags, seed: string): InputSpec {
  const synthetic = syntheticParams(a);
  const workload = a.workload ?? (Object.keys(synthetic).length > 0 && a.trace === undefined ? 'synthetic' : undefined);
  if (Object.keys(synthetic).length > 0 && workload !== 'synthetic') throw inputError({ field: '--synthetic-*' }, 'the synthetic-prompt flags describe the built-in synthetic workload (--workload synthetic)');
  const params: Record<string, number> = { ...parseParamPairs(a.param), ...synthetic };
  // AIPerf makes as many synthetic prompts as --request-count asks for
  if (workload === 'synthetic' && a['request-count'] !== undefined && params.num_requests === undefined) params.num_requests = a['request-count'];
  return { trace: a.trace, workload, seed, params };
}

/** How long the --router module may take to load and one of its calls may take, ms (the flags checked). */
export function routerTimeouts(a: { 'router-load-timeout'?: number; 'router-call-timeout'?: number }): { loadTimeoutMs: number; callTimeoutMs: number } {
  return {
    loadTimeoutMs: secondsFlag('--router-load-timeout', a['router-load-timeout'] ?? PLUGIN_LOAD_TIMEOUT_MS / 1000) * 1000,
    callTimeoutMs: secondsFlag('--router-call-timeout', a['router-call-timeout'] ?? DEFAULT_CALL_TIMEOUT_MS / 1000) * 1000,
  };
}

/** `run` on the watched plug-in thread (plugin-run.ts): it reads the inputs of `spec` again, checked to be
 *  the bytes the main thread hashed into `workload`'s provenance. */
export function runWithPlugin(router: string, timeouts: ReturnType<typeof routerTimeouts>, spec: InputSpec, workload: Provenance['workload'], run: PluginRunJob['run'], stop?: AbortSignal, onSlice?: (p: { timeMs: number; ended: number; total: number }) => void) {
  const entry = run.scenario.workers.agg ? 'agg' : 'prefill';
  return runOnPluginThread({ router, cwd: process.cwd(), ...timeouts, inputs: spec, ...('sha256' in workload ? { sha256: workload.sha256 } : {}), run, entry }, stop, onSlice);
}

/** Longest timer Node keeps: 2^31 - 1 ms. */
const MAX_TIMER_S = 2_147_483;

function secondsFlag(flag: string, s: number): number {
  if (!(s > 0 && Number.isFinite(s))) throw inputError({ field: flag }, `must be a positive number of seconds, got ${s}`);
  if (s > MAX_TIMER_S) throw inputError({ field: flag }, `${s} s is above ${MAX_TIMER_S} s (~24.8 days), the longest timer Node keeps`);
  return s;
}

export async function runCommand(a: RunCommandArgs): Promise<{ summary: Summary; out: string; text: string }> {
  const scenario = loadRunScenario(a);
  try {
    return await runLoaded(a, scenario);
  } catch (e) {
    throw scenarioError(scenario, e);
  }
}

async function runLoaded(a: RunCommandArgs, scenario: Scenario): Promise<{ summary: Summary; out: string; text: string }> {
  const out = a.out ?? defaultRunFolder(scenario.name);
  checkRunFolder(out, a.overwrite);
  const timeouts = routerTimeouts(a);
  const spec = runInputSpec(a, a.seed);
  const inputs = openInputs(spec);
  requireSchedule(inputs, scenario.client);
  const provenance = { servesimVersion: servesimVersion(), command: a.command, seed: a.seed, scenarioFile: a.scenario, scenario, workload: inputs.provenance };
  const run = { scenario, seed: a.seed, workload: inputs.label, provenance, compact: true };
  // a long run's profile_export.jsonl is written on a worker thread, started now so that it loads during
  // the run (a short run's is written here: a thread costs more than it saves below ~100k requests)
  const outputs = new RunOutputs(a.records && inputs.source.length >= OUTPUT_WORKER_REQUESTS);
  const onSlice = a.progress ? progressLine() : undefined;
  let ran;
  try {
    // a plug-in runs on a thread of its own, timed from this one (plugin-run.ts); the plain run stays here
    ran = a.router
      ? await runWithPlugin(a.router, timeouts, spec, inputs.provenance, run, a.stop, onSlice)
      : await runSliced({ ...run, requests: inputs.source, prefixProperty: inputs.prefixProperty }, a.stop, onSlice);
  } catch (e) {
    outputs.close();
    throw e;
  }
  const { summary } = ran;
  const c = scenario.client;
  const info = {
    scenario,
    seed: a.seed,
    commandLine: a.command,
    servesimVersion: provenance.servesimVersion,
    workload: inputs.label,
    goodput: { ...(c.goodput_ttft_ms !== undefined ? { time_to_first_token: c.goodput_ttft_ms } : {}), ...(c.goodput_itl_ms !== undefined ? { inter_token_latency: c.goodput_itl_ms } : {}) },
  };
  try {
    await outputs.write(out, a.records ? ran.table! : null, info, JSON.stringify(summary, null, 2) + '\n');
  } finally {
    outputs.close();
  }
  const text = a.json ? JSON.stringify(summary, null, 2) + '\n' : `${scenario.name} on ${inputs.label} (seed ${a.seed})\n${formatBlock(summary)}\n${formatNotes(summary)}\n`;
  return { summary, out, text };
}
