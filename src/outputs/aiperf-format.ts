// Byte-level formatting of AIPerf's files: Python float text (pydantic/msgspec JSON and "%.2f" CSV cells), a JSON writer, CSV rows.

/** A number written as a Python float (AIPerf's float-typed fields): 80 → "80.0". */
export class PyFloat {
  constructor(readonly value: number) {}
}

/**
 * A float as pydantic's model_dump_json / msgspec write it (serde_json + Ryu): the shortest digits that round-trip,
 * plain notation while the decimal exponent is in [-5, 16], always with a fraction ("80.0"), otherwise "1.5e-7" /
 * "1e16" (no "+", no padding). Non-finite floats are written as null, pydantic's default (ser_json_inf_nan='null').
 */
export function formatPyFloat(x: number): string {
  // fast path: in [1e-5, 1e16) JavaScript's shortest round-trip text is already plain notation
  const a = x < 0 ? -x : x;
  if (a >= 1e-5 && a < 1e16) {
    const t = String(x);
    return t.includes('.') ? t : `${t}.0`;
  }
  if (!Number.isFinite(x)) return 'null';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const sign = x < 0 ? '-' : '';
  // toExponential() without an argument gives the shortest round-trip digits, like Ryu
  const [mantissa, exponent] = Math.abs(x).toExponential().split('e');
  const digits = mantissa.replace('.', '');
  const length = digits.length;
  const kk = Number(exponent) + 1; // 10^(kk-1) <= |x| < 10^kk
  const k = kk - length; // |x| = digits × 10^k
  if (k >= 0 && kk <= 16) return `${sign}${digits}${'0'.repeat(k)}.0`;
  if (kk > 0 && kk <= 16) return `${sign}${digits.slice(0, kk)}.${digits.slice(kk)}`;
  if (kk > -5 && kk <= 0) return `${sign}0.${'0'.repeat(-kk)}${digits}`;
  if (length === 1) return `${sign}${digits}e${kk - 1}`;
  return `${sign}${digits[0]}.${digits.slice(1)}e${kk - 1}`;
}

/**
 * Python's f"{x:.2f}": correctly rounded from the exact binary value, exact ties to even (0.125 → "0.12"), full digits
 * for large values. JavaScript's toFixed rounds exact ties away from zero and switches to exponents at 1e21.
 */
export function formatPyFixed2(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  const sign = x < 0 || Object.is(x, -0) ? '-' : '';
  const a = Math.abs(x);
  if (a >= 1e21) return `${sign}${BigInt(a).toString()}.00`; // integral at this magnitude
  const hundredths = a * 100;
  // an exact tie needs |x| = (2m+1)/200 exactly, i.e. x a multiple of 1/8 with x*100 ending in .5 (both exact here)
  if (a < 2 ** 49 && Number.isInteger(a * 8) && hundredths - Math.floor(hundredths) === 0.5) {
    const lower = Math.floor(hundredths);
    const n = BigInt(lower % 2 === 0 ? lower : lower + 1);
    return `${sign}${(n / 100n).toString()}.${(n % 100n).toString().padStart(2, '0')}`;
  }
  return `${sign}${a.toFixed(2)}`;
}

/** What the JSON writer accepts; undefined object members are skipped (pydantic exclude_none). */
export type JsonValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | PyFloat
  | readonly JsonValue[]
  | { readonly [key: string]: JsonValue | undefined };

function scalar(v: JsonValue): string | undefined {
  if (v === null) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number') return JSON.stringify(v); // NaN/±Infinity → null, like JSON.stringify
  if (v instanceof PyFloat) return formatPyFloat(v.value);
  return undefined;
}

function entriesOf(v: { readonly [key: string]: JsonValue | undefined }): [string, JsonValue][] {
  const out: [string, JsonValue][] = [];
  for (const [k, x] of Object.entries(v)) if (x !== undefined) out.push([k, x]);
  return out;
}

function isJsonObject(v: JsonValue): v is { readonly [key: string]: JsonValue | undefined } {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof PyFloat);
}

/** JSON in pydantic's model_dump_json(indent=2) layout (the same as JSON.stringify(v, null, 2)), no trailing newline. */
export function jsonPretty(v: JsonValue, depth = 0): string {
  const s = scalar(v);
  if (s !== undefined) return s;
  const pad = '  '.repeat(depth + 1);
  const end = '  '.repeat(depth);
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]';
    return `[\n${v.map((x) => pad + jsonPretty(x, depth + 1)).join(',\n')}\n${end}]`;
  }
  if (!isJsonObject(v)) throw new TypeError('jsonPretty: unsupported value');
  const entries = entriesOf(v);
  if (entries.length === 0) return '{}';
  return `{\n${entries.map(([k, x]) => `${pad}${JSON.stringify(k)}: ${jsonPretty(x, depth + 1)}`).join(',\n')}\n${end}}`;
}

/** Compact JSON (msgspec / model_dump_json without indent): no spaces. */
export function jsonCompact(v: JsonValue): string {
  const s = scalar(v);
  if (s !== undefined) return s;
  if (Array.isArray(v)) return `[${v.map(jsonCompact).join(',')}]`;
  if (!isJsonObject(v)) throw new TypeError('jsonCompact: unsupported value');
  let out = '{';
  for (const k in v) {
    const x = v[k];
    if (x === undefined) continue;
    out += `${out.length > 1 ? ',' : ''}${JSON.stringify(k)}:${jsonCompact(x)}`;
  }
  return out + '}';
}

/** Converts an arbitrary value (the scenario) to a JsonValue, rejecting what JSON cannot hold. */
export function toJsonValue(v: unknown, path = 'input_config'): JsonValue {
  if (v === null || typeof v === 'boolean' || typeof v === 'number' || typeof v === 'string' || typeof v === 'bigint') return v;
  if (Array.isArray(v)) return v.map((x, i) => toJsonValue(x === undefined ? null : x, `${path}[${i}]`));
  if (typeof v === 'object' && (Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null)) {
    const out: Record<string, JsonValue> = {};
    for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k] = toJsonValue(x, `${path}.${k}`);
    return out;
  }
  throw new TypeError(`${path}: cannot be written as JSON (${typeof v})`);
}

/** One CSV row as Python's csv.writer writes it (QUOTE_MINIMAL, "\r\n" line ends). */
export function csvRow(fields: readonly string[]): string {
  return `${fields.map((f) => (/[",\r\n]/.test(f) ? `"${f.replace(/"/g, '""')}"` : f)).join(',')}\r\n`;
}
