// `servesim analyze`: the DATASET ANALYSIS block (or its figures) of a trace file or built-in workload.
import { analyzeRequests, formatAnalysis, type DatasetAnalysis } from '../trace/analyze.ts';
import { parseParamPairs } from '../trace/params.ts';
import { readTrace } from '../trace/read.ts';
import { getWorkload } from '../trace/workloads.ts';
import { InputError } from '../util/errors.ts';
import { checkInputSpec, inputLabel } from './inputs.ts';

export interface AnalyzeArgs {
  trace?: string;
  workload?: string;
  seed: string;
  param: string[];
  blockTokens: number;
  name?: string;
}

export async function analyze(a: AnalyzeArgs): Promise<{ analysis: DatasetAnalysis; text: string }> {
  if (!Number.isInteger(a.blockTokens) || a.blockTokens < 1) throw new InputError(`--block-size: must be an integer >= 1, got ${a.blockTokens}`);
  const spec = { trace: a.trace, workload: a.workload, seed: a.seed, params: parseParamPairs(a.param) };
  checkInputSpec(spec);
  if (a.trace === undefined && a.workload === undefined) throw new InputError('name a trace file or a built-in --workload');
  const requests = a.trace !== undefined ? await readTrace(a.trace, a.blockTokens) : getWorkload(a.workload!).generate({ seed: a.seed, params: spec.params });
  if (requests.length === 0) throw new InputError(`workload ${a.workload} generated no requests`);
  const analysis = analyzeRequests(requests, { name: a.name ?? inputLabel(spec), blockTokens: a.blockTokens });
  return { analysis, text: formatAnalysis(analysis) };
}
