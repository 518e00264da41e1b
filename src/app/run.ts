// One simulation run as a library call: scenario + requests + seed → summary and per-request records.
import type { CalibrationValues } from '../cost/spec.ts';
import { loadCostModel } from '../cost/load.ts';
import { Simulation } from '../engine/simulation.ts';
import { summarize } from '../metrics/summary.ts';
import type { RequestRecord } from '../protocol/records.ts';
import type { SimulationResult } from '../protocol/result.ts';
import type { Role } from '../protocol/roles.ts';
import type { RouterFactory } from '../protocol/router.ts';
import type { Provenance, Summary } from '../protocol/summary.ts';
import type { TraceRequest, TraceSource } from '../protocol/trace.ts';
import type { Scenario } from '../scenario/schema.ts';

export interface RunInput {
  scenario: Scenario;
  /** The requests: an array, or a source read as the run consumes it (then say whether its ids keep the prefix property). */
  requests: readonly TraceRequest[] | TraceSource;
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
}

export interface RunOutput {
  summary: Summary;
  records: RequestRecord[];
  result: SimulationResult;
}

export function simulate(input: RunInput): RunOutput {
  const cost = loadCostModel(input.scenario.model, input.calibration);
  const sim = new Simulation(input.requests, { scenario: input.scenario, cost, seed: input.seed, routers: input.routers, prefixProperty: input.prefixProperty });
  const result = sim.run();
  const c = input.scenario.client;
  const summary = summarize(result, {
    scenario: input.scenario.name,
    seed: input.seed,
    workload: input.workload,
    goodput: { ttftMs: c.goodput_ttft_ms, itlMs: c.goodput_itl_ms },
    run: input.provenance,
    load: sim.loadMode,
  });
  return { summary, records: result.records, result };
}
