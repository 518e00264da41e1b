// A sweep's point files (points/<key>.json: the seed and the Figures of one point × seed) read back
// with every field checked against the Figures type and the figures' own accounting, for the tables,
// a resumed sweep and merge alike: a corrupt or hand-edited file is one line naming it and the field.
import { z } from 'zod';
import { schemaProblem, statSchema } from '../protocol/run-schema.ts';
import { inputError } from '../util/errors.ts';
import { readTextFile } from '../util/files.ts';
import type { Figures } from './figures.ts';

const count = z.number().int().nonnegative();
/** Rates, durations: finite (JSON has no Infinity) and not negative. */
const rate = z.number().nonnegative();
type Shape<T> = Record<keyof T, z.ZodType>;

const figuresSchema = z.object({
  scenario: z.string(),
  gpus: z.record(z.string(), count),
  gpusTotal: count,
  requests: z.object({ issued: count, completed: count, timedOut: count, rejected: count }),
  durationS: rate,
  requestThroughput: rate,
  outputTokenThroughput: rate,
  totalTokenThroughput: rate,
  ttft: statSchema,
  itl: statSchema,
  e2el: statSchema,
  perUser: statSchema,
  // a NaN goodput rate (no duration) is null in the file
  goodput: z.object({ requests: count, requestThroughput: rate.nullable(), fraction: z.number().min(0).max(1) }).nullable(),
  kvCapacityBlocksPerRank: z.record(z.string(), z.number()),
  events: count,
} satisfies Shape<Figures>);

const pointFileSchema = z.object({ seed: z.string(), figures: figuresSchema });

export interface PointFile {
  seed: string;
  figures: Figures;
}

/** A point file's name: its job key (32 hex digits) and .json. */
export const POINT_FILE_NAME = /^[0-9a-f]{32}\.json$/;

const HINT = 'not a point file servesim wrote (delete it to have the sweep compute the point again)';

/** Where the figures' own accounting does not add up (exact identities only): field and what; null when it does. */
function accountingProblem(f: Figures): { field: string; what: string } | null {
  const r = f.requests;
  if (r.completed + r.timedOut + r.rejected !== r.issued) return { field: 'figures.requests', what: `completed ${r.completed} + timedOut ${r.timedOut} + rejected ${r.rejected} is not issued ${r.issued}` };
  const gpus = Object.values(f.gpus).reduce((a, b) => a + b, 0);
  if (gpus !== f.gpusTotal) return { field: 'figures.gpusTotal', what: `${f.gpusTotal}, but figures.gpus add up to ${gpus}` };
  if (f.goodput && f.goodput.requests > r.completed) return { field: 'figures.goodput.requests', what: `${f.goodput.requests} good requests of ${r.completed} completed` };
  return null;
}

/** Read and check one point file; with `seed`, the seed the plan runs its key with. */
export function readPointFile(file: string, seed?: string): PointFile {
  const text = readTextFile(file, 'point file');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw inputError({ file }, `not valid JSON (${(e as Error).message.split('\n')[0]}): ${HINT}`);
  }
  const bad = schemaProblem(pointFileSchema, value) ?? accountingProblem((value as PointFile).figures);
  if (bad) throw inputError({ file, field: bad.field }, `${bad.what}: ${HINT}`);
  const point = value as PointFile;
  if (seed !== undefined && point.seed !== seed) throw inputError({ file, field: 'seed' }, `${JSON.stringify(point.seed)}, but the plan runs this point with seed ${JSON.stringify(seed)}: ${HINT}`);
  return point;
}
