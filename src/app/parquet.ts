// A table as a Parquet file (hyparquet-writer: pure JavaScript, no native build): INT32, DOUBLE,
// BOOLEAN and UTF-8 STRING columns, all nullable, snappy pages; the same table gives the same bytes.
import { parquetWriteBuffer } from 'hyparquet-writer';
import type { ColumnType, Table } from './tables.ts';

const TYPES: Record<ColumnType, 'INT32' | 'DOUBLE' | 'BOOLEAN' | 'STRING'> = { int: 'INT32', float: 'DOUBLE', bool: 'BOOLEAN', string: 'STRING' };

export function toParquet(t: Table): Uint8Array {
  const columnData = t.columns.map((c, i) => ({
    name: c.name,
    type: TYPES[c.type],
    nullable: true,
    data: t.rows.map((r) => r[i]),
  }));
  return new Uint8Array(parquetWriteBuffer({ columnData, createdBy: 'servesim', statistics: true }));
}
