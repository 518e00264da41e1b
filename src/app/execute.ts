// Simulating one job (a point with a seed) into its figures, with a small cache of generated
// workloads, so consecutive jobs on the same workload sample do not regenerate it. Used in-process and
// by every sweep worker thread alike.
import type { TraceRequest } from '../protocol/trace.ts';
import type { RouterFactory } from '../protocol/router.ts';
import { loadRouterPlugin } from '../router/plugin.ts';
import { figuresOf, type Figures } from './figures.ts';
import { hasPrefixProperty } from '../kv/block-hash.ts';
import { loadInputs } from './inputs.ts';
import type { Job } from './points.ts';
import { simulate } from './run.ts';

const CACHE = 6;
const workloads = new Map<string, { requests: TraceRequest[]; label: string; prefixProperty: boolean }>();
const plugins = new Map<string, RouterFactory>();

async function inputsOf(job: Job): Promise<{ requests: TraceRequest[]; label: string; prefixProperty: boolean }> {
  const id = JSON.stringify([job.workload, job.seed]);
  let hit = workloads.get(id);
  if (hit) {
    workloads.delete(id);
    workloads.set(id, hit);
    return hit;
  }
  const w = job.workload;
  const inputs = 'trace' in w ? await loadInputs({ trace: w.trace, seed: job.seed }) : await loadInputs({ workload: w.name, params: w.params, seed: job.seed });
  // scanned once per cached sample, not by every job's run
  hit = { requests: inputs.requests, label: inputs.label, prefixProperty: inputs.prefixProperty ?? hasPrefixProperty(inputs.requests) };
  workloads.set(id, hit);
  if (workloads.size > CACHE) workloads.delete(workloads.keys().next().value!);
  return hit;
}

export async function executeJob(job: Job): Promise<Figures> {
  const { requests, label, prefixProperty } = await inputsOf(job);
  let routers: Partial<Record<'agg' | 'prefill', RouterFactory>> | undefined;
  if (job.router !== undefined) {
    let f = plugins.get(job.router);
    if (!f) plugins.set(job.router, (f = await loadRouterPlugin(job.router)));
    routers = { [job.scenario.workers.agg ? 'agg' : 'prefill']: f };
  }
  const run = simulate({ scenario: job.scenario, requests, prefixProperty, seed: job.seed, workload: label, calibration: job.calibration, routers });
  return figuresOf(job.scenario, run);
}
