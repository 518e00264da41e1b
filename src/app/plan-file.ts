// Reading a plan file's YAML into a raw object (validated by plan.ts), with one-line errors.
import { existsSync, readFileSync } from 'node:fs';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { inputError } from '../util/errors.ts';

export function loadPlanRaw(file: string): Record<string, unknown> {
  if (!existsSync(file)) throw inputError({ file }, 'no such plan file');
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(file, 'utf8'));
  } catch (e) {
    const line = e instanceof YAMLParseError ? e.linePos?.[0]?.line : undefined;
    throw inputError({ file, line }, `invalid YAML (${(e as Error).message.split('\n')[0]})`);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw inputError({ file }, 'a plan must be a YAML mapping');
  return raw as Record<string, unknown>;
}
