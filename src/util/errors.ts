// Input errors: one-line, user-facing failures (bad trace line, bad scenario key, impossible setting).
// The CLI prints `message` alone and exits with code 2; anything else is a bug and keeps its stack.

export class InputError extends Error {
  /** The key or flag it names (inputError's field), and whether the message names its file already. */
  field?: string;
  located = false;
  /** The CLI's exit code for it (2 unless said: 130 for a run interrupted by Ctrl-C). */
  exitCode = 2;
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}

/** `file:line: field: what is wrong` (line and field optional). */
export function inputError(where: { file?: string; line?: number; field?: string }, what: string): InputError {
  const parts: string[] = [];
  if (where.file !== undefined) parts.push(where.line !== undefined ? `${where.file}:${where.line}` : where.file);
  if (where.field !== undefined) parts.push(where.field);
  parts.push(what);
  const e = new InputError(parts.join(': '));
  e.field = where.field;
  e.located = where.file !== undefined;
  return e;
}

/** Thrown when a run's own accounting does not add up: a simulator bug, never user error. */
export class AccountingError extends Error {
  constructor(message: string) {
    super(`accounting check failed: ${message}`);
    this.name = 'AccountingError';
  }
}
