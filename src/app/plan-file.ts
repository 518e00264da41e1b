// Reading a plan file's YAML into a raw object (validated by plan.ts), with one-line errors.
import { inputError } from '../util/errors.ts';
import { readTextFile } from '../util/files.ts';
import { parseYamlText } from '../util/yaml-text.ts';

export function loadPlanRaw(file: string): Record<string, unknown> {
  const raw = parseYamlText(readTextFile(file, 'plan file'), file);
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw inputError({ file }, 'a plan must be a YAML mapping');
  return raw as Record<string, unknown>;
}
