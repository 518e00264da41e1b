// AIPerf's load and synthetic-prompt flags as servesim inputs: --request-rate / --concurrency /
// --request-count become client.* scenario overrides, --synthetic-* flags parameters of the built-in
// `synthetic` workload.
import { InputError } from '../util/errors.ts';

export interface LoadFlags {
  'request-rate'?: number;
  'request-rate-mode'?: string;
  concurrency?: number;
  'request-count'?: number;
}

export interface SyntheticFlags {
  'synthetic-input-tokens-mean'?: number;
  'synthetic-input-tokens-stddev'?: number;
  'output-tokens-mean'?: number;
  'output-tokens-stddev'?: number;
  'prefix-prompt-length'?: number;
  'num-prefix-prompts'?: number;
  'random-range-ratio'?: number;
}

const SYNTHETIC: Record<keyof SyntheticFlags, string> = {
  'synthetic-input-tokens-mean': 'isl_mean',
  'synthetic-input-tokens-stddev': 'isl_stddev',
  'output-tokens-mean': 'osl_mean',
  'output-tokens-stddev': 'osl_stddev',
  'prefix-prompt-length': 'prefix_prompt_length',
  'num-prefix-prompts': 'num_prefix_prompts',
  'random-range-ratio': 'range_ratio',
};

/** The flag behind each scenario key loadSets writes (error messages name it instead of a --set). */
export const LOAD_FLAG_OF: Readonly<Record<string, string>> = {
  'client.request_rate': '--request-rate',
  'client.concurrency': '--concurrency',
  'client.request_count': '--request-count',
  'client.request_rate_mode': '--request-rate-mode',
  'client.fixed_schedule': '--request-rate / --concurrency',
};

/** Scenario overrides for the load flags given (a rate or a concurrency turns the fixed schedule off). */
export function loadSets(f: LoadFlags): string[] {
  const sets: string[] = [];
  const num = (flag: keyof LoadFlags, key: string, integer: boolean) => {
    const v = f[flag];
    if (v === undefined) return;
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0 || (integer && !Number.isInteger(v))) throw new InputError(`--${flag}: must be a positive ${integer ? 'integer' : 'number'}, got ${v}`);
    sets.push(`${key}=${v}`);
  };
  num('request-rate', 'client.request_rate', false);
  num('concurrency', 'client.concurrency', true);
  num('request-count', 'client.request_count', true);
  if (f['request-rate-mode'] !== undefined) sets.push(`client.request_rate_mode=${f['request-rate-mode']}`);
  if (f['request-rate'] !== undefined || f.concurrency !== undefined) sets.push('client.fixed_schedule=false');
  return sets;
}

/** Parameters of the synthetic workload from the flags given (empty when none is). */
export function syntheticParams(f: SyntheticFlags): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [flag, param] of Object.entries(SYNTHETIC)) {
    const v = f[flag as keyof SyntheticFlags];
    if (v !== undefined) out[param] = v;
  }
  return out;
}
