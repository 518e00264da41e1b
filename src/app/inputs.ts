// The requests of a run: a trace file or a built-in workload (with its parameters), with the label
// every output names it by. One place for the trace-or-workload rules every command shares.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { TraceSource } from '../protocol/trace.ts';
import type { Provenance } from '../protocol/summary.ts';
import type { TraceRequest } from '../protocol/trace.ts';
import { resolveParams } from '../trace/params.ts';
import { readTrace, scanTrace, traceSource } from '../trace/read.ts';
import { getWorkload } from '../trace/workloads.ts';
import { idsBelow, TRACE_ID_LIMIT } from '../kv/block-hash.ts';
import { inputError, InputError } from '../util/errors.ts';

/** The built-in workload a command uses when given neither a trace nor a workload. */
export const DEFAULT_WORKLOAD = 'seed-coding';

export interface InputSpec {
  trace?: string;
  workload?: string;
  /** Built-in workload parameters (not with a trace). */
  params?: Record<string, number>;
  seed: string;
}

export interface Inputs {
  requests: TraceRequest[];
  /** The trace's file name, or the workload's name. */
  label: string;
  /** For the summary: the workload and its resolved parameters, or the trace and its sha256. */
  provenance: Provenance['workload'];
  /** The requests carry timestamps a fixed schedule can replay. */
  timed: boolean;
  /** Their ids keep the prefix property by the workload's construction (undefined: not known). */
  prefixProperty?: boolean;
}

/** Check the trace-or-workload rules without loading anything. */
export function checkInputSpec(spec: InputSpec): void {
  if (spec.trace !== undefined && spec.workload !== undefined) throw new InputError(`give either a trace file or a workload, not both (trace ${spec.trace}, workload ${spec.workload})`);
  if (spec.trace !== undefined && spec.params !== undefined && Object.keys(spec.params).length > 0) throw new InputError('workload parameters (--param) apply to built-in workloads, not to a trace file');
}

export function inputLabel(spec: InputSpec): string {
  return spec.trace !== undefined ? basename(spec.trace) : (spec.workload ?? DEFAULT_WORKLOAD);
}

/** The requests of one run, streamed from a trace file (checked first) or generated. */
export interface StreamedInputs extends Omit<Inputs, 'requests'> {
  /** Generated requests as an array (the run scans their ids), or a trace file's stream. */
  source: readonly TraceRequest[] | TraceSource;
  /** The ids keep the prefix property (known from the scan of a file, or by the workload's construction;
   *  undefined: the run scans the generated requests). */
  prefixProperty: boolean | undefined;
}

export function openInputs(spec: InputSpec): StreamedInputs {
  checkInputSpec(spec);
  if (spec.trace === undefined) {
    const { requests, ...rest } = generate(spec);
    return { ...rest, source: requests, prefixProperty: rest.prefixProperty };
  }
  const scan = scanTrace(spec.trace);
  return { label: inputLabel(spec), provenance: { trace: spec.trace, sha256: scan.sha256 }, timed: true, source: traceSource(scan), prefixProperty: scan.prefixProperty };
}

function generate(spec: InputSpec): Inputs {
  const name = spec.workload ?? DEFAULT_WORKLOAD;
  const w = getWorkload(name);
  const requests = w.generate({ seed: spec.seed, params: spec.params });
  if (requests.length === 0) throw new InputError(`workload ${name} generated no requests (num_requests ${spec.params?.num_requests ?? 'default'}): nothing to simulate`);
  return { requests, label: name, provenance: { name, params: resolveParams(name, w.params(), spec.params) }, timed: w.timed, ...(w.prefixIds && idsBelow(requests, TRACE_ID_LIMIT) ? { prefixProperty: true } : {}) };
}

export async function loadInputs(spec: InputSpec): Promise<Inputs> {
  checkInputSpec(spec);
  if (spec.trace === undefined) return generate(spec);
  const requests = readTrace(spec.trace);
  const sha256 = createHash('sha256').update(readFileSync(spec.trace)).digest('hex');
  return { requests, label: inputLabel(spec), provenance: { trace: spec.trace, sha256 }, timed: true };
}

/** An untimed workload has nothing for a fixed schedule to replay: it is sent at a rate or a concurrency. */
export function requireSchedule(inputs: { timed: boolean; label: string }, client: { fixed_schedule: boolean }, how = 'give --request-rate or --concurrency', field = '--workload'): void {
  if (!inputs.timed && client.fixed_schedule) throw inputError({ field }, `${inputs.label} has no timestamps to replay: ${how}`);
}

/** requireSchedule's advice where the reported runs are replayed (check, demo, calibrate). */
export const REPLAY_ONLY = 'the reported runs replay a fixed schedule: give a trace or a timed workload (seed-coding, poisson)';

export { parseParamPairs } from '../trace/params.ts';
