// Reading AIConfigurator's GB200 TRT-LLM operator tables (the CSVs of ../shared/reference/aic-gb200):
// a small CSV reader and the extractors that turn filtered rows into 1-D curves and 2-D grids, each
// carrying its provenance (CSV, filter, key column, version folder). Used by build-cost-models.ts.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export type Row = Record<string, string>;

/** Where a table's numbers come from: the CSV, the row filter, the key columns, AIC's version folder. */
export interface Provenance {
  csv: string;
  filter: Record<string, string | number>;
  key: string;
  version: string;
}

/** A 1-D table: latency (ms) by one key column, sorted, first row of a repeated key wins. */
export interface Curve {
  x: number[];
  ms: number[];
}

/** A 2-D table: latency (ms) by row key × column key. */
export interface Grid {
  rows: number[];
  cols: number[];
  ms: number[][];
}

/** The CSVs, read once each. */
export class AicTables {
  private readonly cache = new Map<string, Row[]>();
  constructor(readonly dir: string) {}

  rows(csv: string): Row[] {
    let rows = this.cache.get(csv);
    if (rows) return rows;
    const [header, ...lines] = readFileSync(join(this.dir, csv), 'utf8').trim().split('\n');
    const cols = header.split(',');
    rows = lines.map((l) => {
      const v = l.split(',');
      if (v.length !== cols.length) throw new Error(`${csv}: a row has ${v.length} fields, the header ${cols.length}`);
      return Object.fromEntries(cols.map((c, i) => [c, v[i]]));
    });
    this.cache.set(csv, rows);
    return rows;
  }

  /** Rows of `csv` matching every `filter` value (compared as strings). */
  select(csv: string, filter: Record<string, string | number>): Row[] {
    const f = Object.entries(filter).map(([k, v]) => [k, String(v)] as const);
    return this.rows(csv).filter((r) => f.every(([k, v]) => r[k] === v));
  }

  /** Distinct numeric values of `column` among the rows matching `filter`, ascending. */
  values(csv: string, filter: Record<string, string | number>, column: string): number[] {
    return [...new Set(this.select(csv, filter).map((r) => Number(r[column])))].sort((a, b) => a - b);
  }

  /** latency by `key` for the rows matching `filter` (first row wins on a repeated key, as AIC's loaders do). */
  curve(csv: string, filter: Record<string, string | number>, key: string): Curve {
    const seen = new Map<number, number>();
    for (const r of this.select(csv, filter)) {
      const x = Number(r[key]);
      if (!seen.has(x)) seen.set(x, Number(r.latency));
    }
    if (seen.size < 2) throw new Error(`${csv} ${JSON.stringify(filter)}: fewer than 2 rows by ${key}`);
    const x = [...seen.keys()].sort((a, b) => a - b);
    return { x, ms: x.map((k) => seen.get(k)!) };
  }

  /**
   * latency by (`rowKey`, `colKey`) for the rows matching `filter`, keeping only the columns that
   * have a value in every row (a full rectangle for bilinear interpolation).
   */
  grid(csv: string, filter: Record<string, string | number>, rowKey: string, colKey: string): Grid {
    const cells = new Map<string, number>();
    for (const r of this.select(csv, filter)) {
      const k = `${r[rowKey]}|${r[colKey]}`;
      if (!cells.has(k)) cells.set(k, Number(r.latency));
    }
    const rows = this.values(csv, filter, rowKey);
    const cols = this.values(csv, filter, colKey).filter((c) => rows.every((rk) => cells.has(`${rk}|${c}`)));
    if (rows.length < 2 || cols.length < 2) throw new Error(`${csv} ${JSON.stringify(filter)}: no full grid by ${rowKey} x ${colKey}`);
    return { rows, cols, ms: rows.map((rk) => cols.map((c) => cells.get(`${rk}|${c}`)!)) };
  }
}

/** A provenance record for `csv` (the version folder is the CSV name's suffix, e.g. __rc20 → 1.3.0rc20). */
export function provenance(csv: string, filter: Record<string, string | number>, key: string): Provenance {
  const m = /__(rc\d+|nccl_[\d.]+)\.csv$/.exec(csv);
  const version = !m ? 'unknown' : m[1].startsWith('rc') ? `1.3.0${m[1]}` : m[1].replace('nccl_', 'nccl ');
  return { csv, filter, key, version };
}

/**
 * JSON with every array of numbers on one line (the tables stay readable and diffable), two-space
 * indentation otherwise.
 */
export function stringifyModel(value: unknown, indent = ''): string {
  const next = indent + '  ';
  if (Array.isArray(value)) {
    if (value.every((v) => typeof v === 'number')) return `[${value.join(', ')}]`;
    if (value.length === 0) return '[]';
    return `[\n${value.map((v) => next + stringifyModel(v, next)).join(',\n')}\n${indent}]`;
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    if (entries.length === 0) return '{}';
    return `{\n${entries.map(([k, v]) => `${next}${JSON.stringify(k)}: ${stringifyModel(v, next)}`).join(',\n')}\n${indent}}`;
  }
  return JSON.stringify(value);
}
