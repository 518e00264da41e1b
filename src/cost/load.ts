// Cost-model files: the registry of models/*.json by name (or any path ending in .json), read,
// validated against the file schema, with calibration overrides applied. The only I/O of src/cost/.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inputError } from '../util/errors.ts';
import { Registry } from '../util/registry.ts';
import { CostModel } from './model.ts';
import { costModelFileSchema, type CalibrationParameter, type CalibrationValues, type CostModelFile } from './spec.ts';

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
  if (nameOrPath.endsWith('.json')) {
    const file = resolve(nameOrPath);
    if (!existsSync(file)) throw inputError({ field: 'model' }, `no cost model file ${file}`);
    return file;
  }
  return costModels().get(nameOrPath, { field: 'model' });
}

/** Read and validate a cost-model file. */
export function readCostModelFile(file: string): CostModelFile {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw inputError({ file }, `not valid JSON (${(e as Error).message})`);
  }
  const parsed = costModelFileSchema.safeParse(raw);
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    throw inputError({ file, field: i.path.join('.') }, i.message);
  }
  return parsed.data;
}

/** Load a cost model by name or path, with calibration `overrides` of its global parameters. */
export function loadCostModel(nameOrPath: string, overrides?: CalibrationValues): CostModel {
  const file = modelFile(nameOrPath);
  const spec = readCostModelFile(file);
  for (const [k, v] of Object.entries(overrides ?? {})) {
    const param = spec.calibration.parameters[k as CalibrationParameter];
    if (!param) throw inputError({ file, field: `calibration.parameters.${k}` }, 'unknown calibration parameter');
    param.value = v;
  }
  return new CostModel(spec);
}
