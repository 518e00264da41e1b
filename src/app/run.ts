// One simulation run as a library call: scenario + requests + seed → summary and per-request records;
// whole (simulate), or in slices that yield to the event loop and stop early when asked (runSliced).
import type { CalibrationValues } from '../cost/spec.ts';
import { loadCostModel } from '../cost/load.ts';
import { Simulation } from '../engine/simulation.ts';
import { RecordTable } from '../metrics/record-table.ts';
import { summarize } from '../metrics/summary.ts';
import type { RequestRecord } from '../protocol/records.ts';
import type { SimulationResult } from '../protocol/result.ts';
import type { Role } from '../protocol/roles.ts';
import type { RouterFactory } from '../protocol/router.ts';
import type { Provenance, Summary } from '../protocol/summary.ts';
import type { TraceRequest, TraceSource } from '../protocol/trace.ts';
import type { Scenario } from '../scenario/schema.ts';
import { checkRunInput } from './run-input.ts';

export interface RunInput {
  scenario: Scenario;
  /** The requests: an array, or a source read as the run consumes it (then say whether its ids keep the prefix property). */
  requests: readonly TraceRequest[] | TraceSource;
  /** As loadInputs / openInputs report it for these very requests (see SimulationOptions.prefixProperty). */
  prefixProperty?: boolean;
  seed: string;
  /** Label of the workload (trace file name or built-in workload). */
  workload: string;
  /** Calibration overrides of the cost model's global scales. */
  calibration?: CalibrationValues;
  /** Replacement routers by pool role, e.g. a plug-in for the agg or prefill pool. */
  routers?: Partial<Record<Role, RouterFactory>>;
  /** How to reproduce the run, copied into the summary. */
  provenance?: Provenance;
  /** Keep the records only in compact columns (RunOutput.table; `records` is then empty): long runs. */
  compact?: boolean;
}

export interface RunOutput {
  summary: Summary;
  /** Every record (empty for a `compact` run: read `table`). */
  records: RequestRecord[];
  /** The records in compact columns (compact runs). */
  table?: RecordTable;
  result: SimulationResult;
}

/** The run of a checked input (`call` names the library call in its errors). */
function simulation(input: RunInput, call: string): { sim: Simulation; table: RecordTable | undefined; input: RunInput } {
  const { scenario, requests } = checkRunInput(input, call);
  const checked = { ...input, scenario };
  const table = input.compact ? new RecordTable(requests.length) : undefined;
  const cost = loadCostModel(scenario.model, input.calibration);
  const sim = new Simulation(requests, { scenario, cost, seed: input.seed, routers: input.routers, prefixProperty: input.prefixProperty, recordSink: table });
  return { sim, table, input: checked };
}

/** Run to the end. Every argument is checked first: a bad one is an InputError naming it (`simulate: requests[3].outputTokens: …`). */
export function simulate(input: RunInput): RunOutput {
  const { sim, table, input: checked } = simulation(input, 'simulate');
  return output(checked, sim, sim.run(), table);
}

/** Events per slice of runSliced: ~0.1-0.5 s of work, so a stop request is seen within about that. */
export const SLICE_EVENTS = 20_000;

/**
 * The run in slices of `sliceEvents` events, yielding to the event loop between them (a signal handler
 * can run). Once `signal` is aborted the run stops: the result holds the requests ended so far and the
 * summary is marked interrupted with the signal's reason (e.g. 'SIGINT').
 */
export async function runSliced(input: RunInput, signal?: AbortSignal, onSlice?: (progress: Simulation['progress']) => void, sliceEvents = SLICE_EVENTS): Promise<RunOutput> {
  const { sim, table, input: checked } = simulation(input, 'runSliced');
  while (!sim.advance(sliceEvents)) {
    onSlice?.(sim.progress);
    await new Promise(setImmediate);
    if (signal?.aborted) break;
  }
  return output(checked, sim, sim.result(), table, signal?.aborted ? String(signal.reason) : undefined);
}

function output(input: RunInput, sim: Simulation, result: SimulationResult, table: RecordTable | undefined, stoppedBy?: string): RunOutput {
  const c = input.scenario.client;
  const summary = summarize(result, {
    scenario: input.scenario.name,
    seed: input.seed,
    workload: input.workload,
    goodput: { ttftMs: c.goodput_ttft_ms, itlMs: c.goodput_itl_ms },
    run: input.provenance,
    load: sim.loadMode,
    signal: stoppedBy,
  }, table);
  return { summary, records: result.records, ...(table ? { table } : {}), result };
}
