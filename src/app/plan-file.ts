// Reading a plan file's YAML into a raw object (validated by plan.ts), with one-line errors, and where
// each of its keys is written (file:line, or the flag that overrides it) for the validation's errors.
import { keyLocation } from '../scenario/locate.ts';
import { inputError } from '../util/errors.ts';
import { readTextFile } from '../util/files.ts';
import { parseYamlText } from '../util/yaml-text.ts';

/** The plan file's raw object and where a key is written; `flags`: top-level keys a flag sets instead (key → flag). */
export function loadPlanRaw(file: string, flags: Readonly<Record<string, string>> = {}): { raw: Record<string, unknown>; where: (field: string) => string } {
  const text = readTextFile(file, 'plan file');
  const raw = parseYamlText(text, file);
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw inputError({ file }, 'a plan must be a YAML mapping');
  const where = (field: string) => {
    const flag = flags[field.split(/[.[ ,]/)[0]];
    return flag !== undefined ? `${file} (${flag})` : keyLocation(file, text, field);
  };
  return { raw: raw as Record<string, unknown>, where };
}
