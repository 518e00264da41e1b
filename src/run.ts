// One simulation run as a library call: scenario + requests + seed → summary and per-request records.
import { loadCostModel } from './cost/model.ts';
import { Simulation, type SimulationResult } from './engine/simulation.ts';
import type { RequestRecord } from './metrics/records.ts';
import { summarize, type Summary } from './metrics/summary.ts';
import type { Router, RouterContext } from './router/types.ts';
import type { Scenario } from './scenario/schema.ts';
import type { TraceRequest } from './trace/types.ts';

export interface RunInput {
  scenario: Scenario;
  requests: readonly TraceRequest[];
  seed: string;
  /** Label of the workload (trace file name or built-in workload). */
  workload: string;
  /** Calibration overrides of the cost model's global scales. */
  calibration?: Parameters<typeof loadCostModel>[1];
  routerOverride?: (ctx: RouterContext) => Router;
}

export interface RunOutput {
  summary: Summary;
  records: RequestRecord[];
  result: SimulationResult;
}

export function simulate(input: RunInput): RunOutput {
  const cost = loadCostModel(input.scenario.model, input.calibration);
  const sim = new Simulation(input.requests, { scenario: input.scenario, cost, seed: input.seed, routerOverride: input.routerOverride });
  const result = sim.run();
  const c = input.scenario.client;
  const summary = summarize(result, {
    scenario: input.scenario.name,
    seed: input.seed,
    workload: input.workload,
    goodput: { ttftMs: c.goodput_ttft_ms, itlMs: c.goodput_itl_ms },
  });
  return { summary, records: result.records, result };
}
