// The registry of built-in workloads: seeded request generators that need no trace file, each with its
// documented parameters, plus the Mooncake JSONL line of a generated request.
import type { TraceRequest } from '../protocol/trace.ts';
import { Registry } from '../util/registry.ts';
import { generatePoisson, poissonParamSpec } from './poisson.ts';
import { generateSynthetic, syntheticParamSpec } from './synthetic.ts';
import type { ParamSpec } from './params.ts';
import { generateSeedCoding, loadSeedCodingModel, seedCodingParamSpec } from './seed-coding.ts';

export interface Workload {
  name: string;
  description: string;
  /** Its parameters, defaults and ranges. */
  params(): ParamSpec;
  /** Its requests carry timestamps a fixed schedule can replay (false: send them at a rate or concurrency). */
  timed: boolean;
  generate(opts: { seed: string; params?: Record<string, number> }): TraceRequest[];
  /** Its hash ids keep the prefix property by construction (an id always follows the same id), so a run
   *  need not scan them, only check they stay below TRACE_ID_LIMIT (test/workloads.test.ts checks it). */
  prefixIds?: boolean;
  /** The parameter that scales its load (a plan's `search` may bisect param.<it>), if it has one. */
  loadParam?: string;
}

export const workloads = new Registry<Workload>('workload');
for (const w of [
  {
    name: 'seed-coding',
    description:
      "The seed's Mooncake-based synthetic coding/conversation trace (datagen x16 prefix, x10 prompt, max ISL 110000): " +
      '10,000 requests over ~85 min, ~39K-token inputs, ~44 % block hit rate; generated from a model measured on the Mooncake trace.',
    params: () => seedCodingParamSpec(loadSeedCodingModel()),
    timed: true,
    generate: ({ seed, params }) => generateSeedCoding(loadSeedCodingModel(), seed, params),
    prefixIds: true,
    loadParam: 'rate_scale',
  },
  {
    name: 'poisson',
    description: 'Poisson arrivals with fixed or log-normal ISL/OSL and a given share of each prompt from Zipf-popular shared prefixes.',
    params: () => poissonParamSpec,
    timed: true,
    generate: ({ seed, params }) => generatePoisson(seed, params),
    prefixIds: true,
    loadParam: 'rate',
  },
  {
    name: 'synthetic',
    description: "AIPerf-style synthetic prompts: normal (or uniform range-ratio) input/output lengths, an optional pool of shared prefixes; untimed (use a request rate or concurrency).",
    params: () => syntheticParamSpec,
    timed: false,
    generate: ({ seed, params }) => generateSynthetic(seed, params),
    prefixIds: true,
  },
] satisfies Workload[]) workloads.register(w.name, w.description, w);

export function getWorkload(name: string): Workload {
  return workloads.get(name, { field: 'workload' });
}

/** Mooncake JSONL line of a request (context fields included when the request carries them). */
export function requestToTraceLine(r: TraceRequest): string {
  const row: Record<string, unknown> = { timestamp: r.timestampMs, input_length: r.inputTokens, output_length: r.outputTokens, hash_ids: r.hashIds };
  if (r.contextTokens !== undefined) row.context_len = r.contextTokens;
  if (r.uniqueUserPromptTokens !== undefined) row.unique_user_prompt_len = r.uniqueUserPromptTokens;
  return JSON.stringify(row);
}
