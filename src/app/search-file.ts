// A sweep's load-search results (search/<id>.json) read back with every field checked against the
// SearchResult type and the plan's search: a corrupt or hand-edited file is one line naming it and the
// field, never a table built on a value outside the searched range.
import { z } from 'zod';
import { schemaProblem } from '../protocol/run-schema.ts';
import { inputError } from '../util/errors.ts';
import { readTextFile } from '../util/files.ts';
import type { Manifest } from './points.ts';
import type { SearchResult } from './search.ts';

const scalar = z.union([z.string(), z.number(), z.boolean()]);
const searchFileSchema = z.object({
  inputs: z.record(z.string(), scalar),
  key: z.string(),
  low: z.number(),
  high: z.number(),
  tolerance: z.number(),
  status: z.enum(['ok', 'below', 'above']),
  // NaN (even low fails) is null in the file
  value: z.number().nullable(),
  evaluated: z.array(z.object({ value: z.number(), meets: z.boolean() })),
});

const HINT = 'not a search result servesim wrote (delete it to have the sweep search again)';

/** Where a result disagrees with the plan's search or with its own evaluations: field and what; null when it does not. */
function problem(r: z.infer<typeof searchFileSchema>, search: NonNullable<Manifest['search']>): { field: string; what: string } | null {
  for (const k of ['key', 'low', 'high', 'tolerance'] as const) if (r[k] !== search[k]) return { field: k, what: `${JSON.stringify(r[k])}, but the plan searches ${k} ${JSON.stringify(search[k])}` };
  const out = r.evaluated.findIndex((e) => !(e.value >= r.low && e.value <= r.high));
  if (out >= 0) return { field: `evaluated[${out}].value`, what: `${r.evaluated[out].value} is outside the searched range ${r.low} – ${r.high}` };
  const met = r.evaluated.filter((e) => e.meets).map((e) => e.value);
  const best = met.length > 0 ? Math.max(...met) : null;
  if (r.status === 'below' ? r.value !== null : r.value !== best) return { field: 'value', what: `${r.value} with status ${r.status}, but the largest evaluated value meeting the SLA is ${best}` };
  return null;
}

/** Read and check one search result against the plan's `search`. */
export function readSearchFile(file: string, search: Manifest['search']): SearchResult {
  let value: unknown;
  try {
    value = JSON.parse(readTextFile(file, 'search result'));
  } catch (e) {
    if (e instanceof SyntaxError) throw inputError({ file }, `not valid JSON (${e.message.split('\n')[0]}): ${HINT}`);
    throw e;
  }
  if (search === null || search === undefined) throw inputError({ file }, `the plan has no search: ${HINT}`);
  const bad = schemaProblem(searchFileSchema, value) ?? problem(value as z.infer<typeof searchFileSchema>, search);
  if (bad) throw inputError({ file, field: bad.field }, `${bad.what}: ${HINT}`);
  const r = value as z.infer<typeof searchFileSchema>;
  return { ...r, value: r.value ?? NaN };
}
