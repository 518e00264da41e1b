// What the report renderer is given: each run's summary and records, and the reported run it is
// compared with (loaded by the CLI), as plain data — src/report/ imports only types from the simulator.
import type { BlockFigures } from '../protocol/summary.ts';
import type { RequestRecord } from '../protocol/records.ts';
import type { Summary } from '../protocol/summary.ts';

export interface ReportedRef {
  /** Name of the reported run (results/reported/NAME.json). */
  name: string;
  /** The workload it was measured on, for the page. */
  trace: string;
  figures: BlockFigures;
  /** Relative tolerance per figure label (as in `servesim check`), with `default`. */
  tolerances?: Record<string, number>;
}

export interface ReportRun {
  name: string;
  summary: Summary;
  records: readonly RequestRecord[];
  /** The reported run of the same scenario on the same workload, if there is one. */
  reported?: ReportedRef;
  /** Why no reported figures are shown although the scenario has some (e.g. another workload). */
  reportedNote?: string;
}
