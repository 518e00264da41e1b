// The import listing: settings ignored, unsupported or taken from a default, grouped by kind and reason for the scenario header and stderr.

/** unsupported: would change the figures, not modelled; ignored: no effect on the simulated figures;
 *  default: not set in the inputs, the scenario value comes from a default or from how Dynamo works. */
export type FindingKind = 'unsupported' | 'ignored' | 'default';

export interface Finding {
  kind: FindingKind;
  /** Where the setting is, e.g. `services.agg args`, `ConfigMap dsv32-trtllm-config/aggregated.yaml`. */
  where: string;
  /** The flag, key, field or variable. */
  key: string;
  /** Its value as written (absent for a bare flag or a whole section). */
  value?: string;
  reason: string;
}

const TITLES: Record<FindingKind, string> = {
  unsupported: 'unsupported: would change the simulated figures, not modelled by servesim',
  ignored: 'ignored: no effect on the simulated figures',
  default: 'defaults: not set in the inputs; the scenario takes',
};

export class Findings {
  readonly list: Finding[] = [];

  add(kind: FindingKind, where: string, key: string, reason: string, value?: unknown): void {
    const f: Finding = { kind, where, key, reason, ...(value === undefined ? {} : { value: show(value) }) };
    const same = (g: Finding) => g.kind === f.kind && g.where === f.where && g.key === f.key && g.value === f.value && g.reason === f.reason;
    if (!this.list.some(same)) this.list.push(f);
  }

  count(kind: FindingKind): number {
    return this.list.filter((f) => f.kind === kind).length;
  }

  /** The listing: per kind, per reason, per place, `key=value` items; lines wrapped at `width`. */
  format(width = 110): string[] {
    const lines: string[] = [];
    for (const kind of ['unsupported', 'ignored', 'default'] as const) {
      const of = this.list.filter((f) => f.kind === kind);
      if (of.length === 0) continue;
      if (lines.length > 0) lines.push('');
      lines.push(`${TITLES[kind]}:`);
      const reasons = [...new Set(of.map((f) => f.reason))];
      for (const reason of reasons) {
        const items = of.filter((f) => f.reason === reason);
        const places = [...new Set(items.map((f) => f.where))];
        const text = places
          .map((p) => `${p}: ${items.filter((f) => f.where === p).map((f) => (f.value === undefined ? f.key : `${f.key}=${f.value}`)).join(', ')}`)
          .join('; ');
        lines.push(...wrap(`- ${text} — ${reason}`, width, '    ', '  '));
      }
    }
    return lines;
  }
}

/** A value as it would be written on a command line or in YAML. */
export function show(value: unknown): string {
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

/** Word-wrap `text` to `width` (first line indented by `first`, the rest by `rest`). */
export function wrap(text: string, width: number, rest: string, first = ''): string[] {
  const out: string[] = [];
  let line = first;
  for (const word of text.split(' ')) {
    if (line.trim() !== '' && line.length + 1 + word.length > width) {
      out.push(line);
      line = rest + word;
    } else line = line.trim() === '' ? line + word : `${line} ${word}`;
  }
  if (line.trim() !== '') out.push(line);
  return out;
}
