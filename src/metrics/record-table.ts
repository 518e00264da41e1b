// Finished requests in compact columns: one row per RequestRecord, its numbers in Float64Arrays, its
// status, end reason and targets as codes of interned strings, its reason kept only where not empty.
// ~150 bytes a request instead of a record object, so a million-request run keeps its records cheaply;
// the summary and AIPerf's statistics read the columns, requests.jsonl is written back from the rows.
import type { EndReason, RequestRecord, RequestStatus } from '../protocol/records.ts';

/** The record's number fields, in RequestRecord's key order. */
export const NUMBER_FIELDS = [
  'id', 'scheduledMs', 'endMs', 'inputTokens', 'outputTokens', 'generatedTokens', 'responses', 'cachedTokens',
  'ttftMs', 'e2elMs', 'itlMs', 'clientWaitMs', 'queueMs', 'prefillMs', 'transferMs', 'decodeMs',
] as const;
export type NumberField = (typeof NUMBER_FIELDS)[number];

/** Strings seen in one column, each with its code. */
class Interned<T extends string | null> {
  readonly values: T[] = [];
  private readonly codes = new Map<T, number>();

  code(v: T): number {
    let c = this.codes.get(v);
    if (c === undefined) {
      c = this.values.length;
      this.codes.set(v, c);
      this.values.push(v);
    }
    return c;
  }
}

const INITIAL_ROWS = 1024;

/** A table as plain data (structured-cloneable: to a worker thread and back). */
export interface RecordTableData {
  rows: number;
  numbers: Record<NumberField, Float64Array>;
  status: Uint8Array;
  endReason: Uint8Array;
  prefillTarget: Uint32Array;
  decodeTarget: Uint32Array;
  reasons: [number, string][];
  statuses: RequestStatus[];
  endReasons: (EndReason | null)[];
  targets: string[];
}

export class RecordTable {
  private rows = 0;
  private capacity: number;
  private readonly numbers = {} as Record<NumberField, Float64Array>;
  private status: Uint8Array;
  private endReason: Uint8Array;
  private prefillTarget: Uint32Array;
  private decodeTarget: Uint32Array;
  private readonly reasons = new Map<number, string>();
  readonly statuses = new Interned<RequestStatus>();
  readonly endReasons = new Interned<EndReason | null>();
  readonly targets = new Interned<string>();

  /** `expectedRows`: how many records will come (the columns then never grow). */
  constructor(expectedRows = INITIAL_ROWS) {
    this.capacity = Math.max(16, Math.ceil(expectedRows));
    for (const f of NUMBER_FIELDS) this.numbers[f] = new Float64Array(this.capacity);
    this.status = new Uint8Array(this.capacity);
    this.endReason = new Uint8Array(this.capacity);
    this.prefillTarget = new Uint32Array(this.capacity);
    this.decodeTarget = new Uint32Array(this.capacity);
  }

  static from(records: readonly RequestRecord[]): RecordTable {
    const t = new RecordTable(records.length);
    for (const r of records) t.push(r);
    return t;
  }

  /** The rows as plain data (copies of the used part of each column). */
  data(): RecordTableData {
    const n = this.rows;
    const numbers = {} as Record<NumberField, Float64Array>;
    for (const f of NUMBER_FIELDS) numbers[f] = this.numbers[f].slice(0, n);
    return {
      rows: n,
      numbers,
      status: this.status.slice(0, n),
      endReason: this.endReason.slice(0, n),
      prefillTarget: this.prefillTarget.slice(0, n),
      decodeTarget: this.decodeTarget.slice(0, n),
      reasons: [...this.reasons],
      statuses: [...this.statuses.values],
      endReasons: [...this.endReasons.values],
      targets: [...this.targets.values],
    };
  }

  /** The table `data()` gave. */
  static fromData(d: RecordTableData): RecordTable {
    const t = new RecordTable(0);
    t.rows = t.capacity = d.rows;
    Object.assign(t.numbers, d.numbers);
    t.status = d.status;
    t.endReason = d.endReason;
    t.prefillTarget = d.prefillTarget;
    t.decodeTarget = d.decodeTarget;
    for (const [i, r] of d.reasons) t.reasons.set(i, r);
    for (const v of d.statuses) t.statuses.code(v);
    for (const v of d.endReasons) t.endReasons.code(v);
    for (const v of d.targets) t.targets.code(v);
    return t;
  }

  get length(): number {
    return this.rows;
  }

  push(r: RequestRecord): void {
    if (this.rows === this.capacity) this.grow();
    const i = this.rows++;
    const n = this.numbers;
    for (const f of NUMBER_FIELDS) n[f][i] = r[f];
    this.status[i] = this.small(this.statuses.code(r.status), 'status');
    this.endReason[i] = this.small(this.endReasons.code(r.endReason), 'endReason');
    this.prefillTarget[i] = this.targets.code(r.prefillTarget);
    this.decodeTarget[i] = this.targets.code(r.decodeTarget);
    if (r.reason !== '') this.reasons.set(i, r.reason);
  }

  /** A number column (rows 0..length-1 are the records'). */
  column(f: NumberField): Float64Array {
    return this.numbers[f];
  }
  statusOf(i: number): RequestStatus {
    return this.statuses.values[this.status[i]];
  }
  /** Code of a status in statusCode's numbering (-1 if no row has it). */
  statusCode(s: RequestStatus): number {
    return this.statuses.values.indexOf(s);
  }
  statusCodeOf(i: number): number {
    return this.status[i];
  }
  endReasonCodeOf(i: number): number {
    return this.endReason[i];
  }
  endReasonOf(i: number): EndReason | null {
    return this.endReasons.values[this.endReason[i]];
  }
  reasonOf(i: number): string {
    return this.reasons.get(i) ?? '';
  }

  /** Row `i` as the record it was. */
  record(i: number): RequestRecord {
    const n = this.numbers;
    return {
      id: n.id[i],
      status: this.statusOf(i),
      endReason: this.endReasonOf(i),
      reason: this.reasonOf(i),
      scheduledMs: n.scheduledMs[i],
      endMs: n.endMs[i],
      inputTokens: n.inputTokens[i],
      outputTokens: n.outputTokens[i],
      generatedTokens: n.generatedTokens[i],
      responses: n.responses[i],
      cachedTokens: n.cachedTokens[i],
      ttftMs: n.ttftMs[i],
      e2elMs: n.e2elMs[i],
      itlMs: n.itlMs[i],
      clientWaitMs: n.clientWaitMs[i],
      queueMs: n.queueMs[i],
      prefillMs: n.prefillMs[i],
      transferMs: n.transferMs[i],
      decodeMs: n.decodeMs[i],
      prefillTarget: this.targets.values[this.prefillTarget[i]],
      decodeTarget: this.targets.values[this.decodeTarget[i]],
    };
  }

  /** Every row as a record (for callers of the array API). */
  records(): RequestRecord[] {
    const out = new Array<RequestRecord>(this.rows);
    for (let i = 0; i < this.rows; i++) out[i] = this.record(i);
    return out;
  }

  private small(code: number, what: string): number {
    if (code > 255) throw new RangeError(`RecordTable: more than 256 distinct ${what} values`);
    return code;
  }

  private grow(): void {
    this.capacity = Math.max(16, this.capacity * 2);
    const bigger = <A extends Float64Array | Uint8Array | Uint32Array>(a: A, make: new (n: number) => A): A => {
      const b = new make(this.capacity);
      b.set(a);
      return b;
    };
    for (const f of NUMBER_FIELDS) this.numbers[f] = bigger(this.numbers[f], Float64Array);
    this.status = bigger(this.status, Uint8Array);
    this.endReason = bigger(this.endReason, Uint8Array);
    this.prefillTarget = bigger(this.prefillTarget, Uint32Array);
    this.decodeTarget = bigger(this.decodeTarget, Uint32Array);
  }
}
