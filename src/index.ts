// servesim as a library: `import { simulate, loadScenario, loadInputs, ... } from 'servesim'`.
// Everything a program needs to run, compare and report simulated deployments, with the plain types
// plug-in routers and readers of the outputs use.

// running a deployment
export { simulate, runSliced, type RunInput, type RunOutput } from './app/run.ts';
export { loadScenario, validateScenario, applyOverrides } from './scenario/load.ts';
export { scenarioSchema, engineSchema, routerSchema, type Scenario, type EngineConfig, type RouterConfig } from './scenario/schema.ts';
export { loadInputs, checkInputSpec, DEFAULT_WORKLOAD, type InputSpec, type Inputs } from './app/inputs.ts';
export { readTrace as loadTrace, scanTrace, traceSource, parseTraceLine, type TraceScan } from './trace/read.ts';
export { importDgd, type ImportDgdOptions, type ImportDgdResult } from './app/import-dgd.ts';
export type { Finding, FindingKind } from './app/dgd-findings.ts';
export { workloads, getWorkload, requestToTraceLine, type Workload } from './trace/workloads.ts';
export type { ParamSpec } from './trace/params.ts';

// the results
export { summarize, stat } from './metrics/summary.ts';
export { formatBlock, formatNotes } from './metrics/format.ts';
export { figureRows, formatRows, type FigureRow } from './metrics/compare.ts';
export { writeRunFolder, readRunFolder, recordsJsonl, tableJsonl, type RunFolder } from './app/run-folder.ts';
export { aiperfFiles, aiperfJson, aiperfCsv, aiperfRecordLines, aiperfTableParts, AIPERF_FILES } from './outputs/aiperf.ts';
export { RecordTable, type RecordTableData } from './metrics/record-table.ts';
export { writeReport, loadRun as loadReportRun } from './app/report.ts';

// reported runs, checks, calibration, what-ifs
export { checkRun, type CheckedRun, type CheckedRow } from './app/check.ts';
export { loadReported, loadTolerances, REPORTED_RUNS, SCENARIOS_DIR, type ReportedRun } from './app/reported.ts';
export { parseVary, combinations, sweepPlan, type Dimension } from './app/sweep.ts';
export { loadPlan, validatePlan, seedList, type Plan } from './app/plan.ts';
export { runSweepPlan, mergeShards, parseShard, type SweepOptions, type SweepOutcome } from './app/sweep-run.ts';
export { parseSla, meetsSla, type Sla } from './app/sla.ts';
export { figuresOf, type Figures } from './app/figures.ts';
export { compareVariants, variantsOf, compareText, type CompareResult, type Variant } from './app/compare.ts';
export { confidenceInterval, predictionInterval, studentTQuantile, type Interval } from './util/stats.ts';
export { analyzeRequests, formatAnalysis, type DatasetAnalysis } from './trace/analyze.ts';

// cost models and routers
export { loadCostModel, costModels, modelFile } from './cost/load.ts';
export { costReport, formatCostReport, type CostReport, type BatchShape } from './app/cost-report.ts';
export { CostModel, type StepShape } from './cost/model.ts';
export { WorkerCost } from './cost/worker-cost.ts';
export { routerModes, routerFactory, type RouterMode } from './router/registry.ts';
export { loadRouterPlugin, routerFromPlugin } from './router/plugin.ts';

// the plain types every part shares
export type { TraceRequest, TraceSource } from './protocol/trace.ts';
export { TRACE_BLOCK_TOKENS } from './protocol/trace.ts';
export type { RequestRecord, RequestStatus, EndReason } from './protocol/records.ts';
export type { RouteTarget, RequestView, TargetView, RouterContext, Router, RouterFactory, KvEventKind, KvEventListener } from './protocol/router.ts';
export type { Role } from './protocol/roles.ts';
export type { SimulationResult, PoolResult, WorkerResult, RankResult } from './protocol/result.ts';
export type { Summary, Stat, BlockFigures, Provenance, RoutingTable, RoutingTargetRow } from './protocol/summary.ts';
export { InputError } from './util/errors.ts';
export { Registry } from './util/registry.ts';
export { randomStream, type Rng } from './util/random.ts';
