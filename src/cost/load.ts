// Cost-model files: the registry of models/*.json by name (or any path ending in .json), read and
// validated, with their shared calibration file (models/calibration/<name>.json) and calibration
// overrides applied. The only I/O of src/cost/.
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { z } from 'zod';
import { inputError } from '../util/errors.ts';
import { checkReadableFile, readTextFile } from '../util/files.ts';
import { Registry } from '../util/registry.ts';
import { isModelPath } from '../scenario/schema.ts';
import { CostModel } from './model.ts';
import { calibrationFileSchema, costModelFileSchema, type CalibrationFile, type CalibrationParameter, type CalibrationValues, type CostModelFile } from './spec.ts';
import { jsonPath, validateCalibrationFile, validateCostModelFile, validateOverrides } from './validate.ts';
import { expectObject, expectString } from '../util/guard.ts';

export const MODELS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../models');

let registry: Registry<string> | undefined;

/** Cost models shipped in models/ (every JSON file there but the workload models): name → file. */
export function costModels(): Registry<string> {
  if (registry) return registry;
  registry = new Registry<string>('cost model');
  for (const f of readdirSync(MODELS_DIR).sort()) {
    if (f.endsWith('.json') && !f.startsWith('workload-')) registry.register(f.slice(0, -5), `models/${f}`, join(MODELS_DIR, f));
  }
  return registry;
}

/** The file of a cost model given by name (models/<name>.json) or by a path ending in .json. */
export function modelFile(nameOrPath: string): string {
  if (isModelPath(nameOrPath)) {
    const file = resolve(nameOrPath);
    if (!existsSync(file)) throw inputError({ field: 'model' }, `no cost model file ${file}`);
    checkReadableFile(file, 'cost model file');
    return file;
  }
  if (/[\\/]/.test(nameOrPath)) throw inputError({ field: 'model' }, `'${nameOrPath}' is neither a cost model name (models/<name>.json) nor a path ending in .json`);
  return costModels().get(nameOrPath, { field: 'model' });
}

function readJson<S extends z.ZodTypeAny>(file: string, schema: S, what: string): z.infer<S> {
  const text = readTextFile(file, what);
  if (text.trim() === '') throw inputError({ file }, `is empty: a ${what} is one JSON object`);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw inputError({ file }, `not valid JSON (${(e as Error).message})`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw inputError({ file }, `a ${what} is one JSON object, not ${Array.isArray(raw) ? 'an array' : raw === null ? 'null' : `a ${typeof raw}`}`);
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    const missing = i.code === 'invalid_type' && / received undefined$/.test(i.message);
    throw inputError({ file, field: jsonPath(i.path as (string | number)[]) }, missing ? `missing (expected ${(i as { expected: string }).expected})` : i.message);
  }
  return parsed.data;
}

/** Read and validate a cost-model file. */
export function readCostModelFile(file: string): CostModelFile {
  const spec = readJson(file, costModelFileSchema, 'cost model file');
  validateCostModelFile(file, spec);
  return spec;
}

/** The calibration file a model file names: beside it in calibration/, else in models/calibration/. */
export function calibrationFileOf(modelFilePath: string, spec: CostModelFile = readCostModelFile(modelFilePath)): string {
  const name = `${spec.calibration}.json`;
  const beside = join(dirname(modelFilePath), 'calibration', name);
  const file = existsSync(beside) ? beside : join(MODELS_DIR, 'calibration', name);
  if (!existsSync(file)) throw inputError({ file: modelFilePath, field: 'calibration' }, `no calibration file ${file}`);
  return file;
}

export function readCalibrationFile(file: string): CalibrationFile {
  const cal = readJson(file, calibrationFileSchema, 'calibration file');
  validateCalibrationFile(file, cal);
  // looked up by a scenario's platform.name: 'toString' or 'constructor' must not find Object's
  return { ...cal, platforms: Object.assign(Object.create(null) as CalibrationFile['platforms'], cal.platforms) };
}

/** Load a cost model by name or path, with calibration `overrides` of its global parameters. */
export function loadCostModel(nameOrPath: string, overrides?: CalibrationValues): CostModel {
  expectString(nameOrPath, 'loadCostModel', 'nameOrPath');
  if (overrides !== undefined) expectObject(overrides, 'loadCostModel', 'overrides');
  const file = modelFile(nameOrPath);
  const spec = readCostModelFile(file);
  const calFile = calibrationFileOf(file, spec);
  const calibration = readCalibrationFile(calFile);
  for (const [k, v] of Object.entries(overrides ?? {})) {
    const param = Object.hasOwn(calibration.parameters, k) ? calibration.parameters[k as CalibrationParameter] : undefined;
    if (!param) throw inputError({ file: calFile, field: `parameters.${k}` }, 'unknown calibration parameter');
    validateOverrides({ [k]: v });
    const [lo, hi] = param.bounds;
    if (!(v >= lo && v <= hi)) throw inputError({ field: `calibration.${k}` }, `${v} is outside ${lo} – ${hi}, the physically plausible range ${calFile} gives it (its bounds)`);
    param.value = v;
  }
  return new CostModel(spec, calibration);
}
