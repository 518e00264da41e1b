// Argument guards at the library's boundary: a wrong type from plain JavaScript is one InputError
// naming the call and the argument (`loadScenario: sets: must be an array of strings, got a string`).
import { inputError, type InputError } from './errors.ts';

/** What `v` is, for a message: `undefined`, `null`, `an array`, `a string "x"`, `a number 5`. */
export function kindOf(v: unknown): string {
  if (v === undefined || v === null) return String(v);
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return `a string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return `a ${typeof v} ${String(v)}`;
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

/** `call: arg: must be <what>, got <kind of v>`. */
export function argError(call: string, arg: string, what: string, v: unknown): InputError {
  return inputError({ file: call, field: arg }, `must be ${what}, got ${kindOf(v)}`);
}

export function expectString(v: unknown, call: string, arg: string): asserts v is string {
  if (typeof v !== 'string') throw argError(call, arg, 'a string', v);
}

export function expectStrings(v: unknown, call: string, arg: string): asserts v is string[] {
  if (!Array.isArray(v)) throw argError(call, arg, 'an array of strings', v);
  for (let i = 0; i < v.length; i++) if (typeof v[i] !== 'string') throw argError(call, `${arg}[${i}]`, 'a string', v[i]);
}

export function expectObject<T>(v: T, call: string, arg: string): asserts v is NonNullable<T> & object {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw argError(call, arg, 'an object', v);
}
