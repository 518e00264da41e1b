// SLAs in AIPerf metric tags: "time_to_first_token:p99<=20000 inter_token_latency:mean<=50
// request_error_rate<=0" (record metrics name a statistic; ms, tokens/s/user, %); a point meets it
// when the mean over its seeds of every named statistic does.
import { inputError } from '../util/errors.ts';
import { didYouMean } from '../util/suggest.ts';
import { meanOf } from '../util/stats.ts';
import { AGGREGATE_METRICS, metricValue, RECORD_METRICS, STATS, type Figures, type StatName } from './figures.ts';
import { expectObject, expectString } from '../util/guard.ts';

export interface SlaCondition {
  tag: string;
  stat?: StatName;
  op: '<=' | '>=' | '<' | '>';
  value: number;
  /** As written: "time_to_first_token:p99<=20000". */
  text: string;
}

export interface Sla {
  conditions: SlaCondition[];
  text: string;
}

const TAGS = [...Object.keys(RECORD_METRICS), ...Object.keys(AGGREGATE_METRICS)];

export function parseSla(spec: string, where: { file?: string; field?: string } = { field: '--sla' }): Sla {
  expectString(spec, 'parseSla', 'spec');
  expectObject(where, 'parseSla', 'where');
  const parts = spec.trim().split(/\s+/).filter((p) => p !== '');
  if (parts.length === 0) throw inputError(where, 'expected conditions such as "time_to_first_token:p99<=20000 inter_token_latency:mean<=50"');
  const conditions = parts.map((text): SlaCondition => {
    const m = /^([a-z_0-9]+)(?::([a-z0-9]+))?(<=|>=|<|>)(-?[0-9.eE+-]+)$/.exec(text);
    if (!m) throw inputError(where, `'${text}': expected tag[:stat]<=value (or >=, <, >)`);
    const [, tag, st, op, num] = m;
    const value = Number(num);
    if (!Number.isFinite(value)) throw inputError(where, `'${text}': ${num} is not a number`);
    if (RECORD_METRICS[tag]) {
      if (st === undefined) throw inputError(where, `'${text}': ${tag} is per request; name a statistic (${STATS.join(', ')}), e.g. ${tag}:p99`);
      if (!(STATS as readonly string[]).includes(st)) throw inputError(where, `'${text}': unknown statistic ${st}${didYouMean(st, [...STATS])}; known: ${STATS.join(', ')}`);
      return { tag, stat: st as StatName, op: op as SlaCondition['op'], value, text };
    }
    if (AGGREGATE_METRICS[tag]) {
      if (st !== undefined) throw inputError(where, `'${text}': ${tag} is one value per run; drop ':${st}'`);
      return { tag, op: op as SlaCondition['op'], value, text };
    }
    throw inputError(where, `'${text}': unknown metric ${tag}${didYouMean(tag, TAGS)}; known: ${TAGS.join(', ')}`);
  });
  return { conditions, text: conditions.map((c) => c.text).join(' ') };
}

/** The across-seed mean of a condition's statistic. */
export function conditionValue(c: SlaCondition, runs: readonly Figures[]): number {
  return meanOf(runs.map((f) => metricValue(f, c.tag, c.stat)));
}

function holds(c: SlaCondition, v: number): boolean {
  if (!Number.isFinite(v)) return false;
  switch (c.op) {
    case '<=':
      return v <= c.value;
    case '>=':
      return v >= c.value;
    case '<':
      return v < c.value;
    case '>':
      return v > c.value;
  }
}

export function meetsSla(sla: Sla, runs: readonly Figures[]): boolean {
  return runs.length > 0 && sla.conditions.every((c) => holds(c, conditionValue(c, runs)));
}

/** The conditions a point misses (empty when it meets the SLA). */
export function missed(sla: Sla, runs: readonly Figures[]): SlaCondition[] {
  return sla.conditions.filter((c) => !holds(c, conditionValue(c, runs)));
}
