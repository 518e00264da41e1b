// Extrapolation bookkeeping for the hot path: a Track remembers the largest key a lookup was asked for
// beyond its table's last row (one comparison per lookup) and turns it into one summary note at the end.

export class Track {
  max = -Infinity;

  /** `what` names the lookup (role, op, table); `unit` the key; `how` the extrapolation rule. */
  constructor(
    readonly limit: number,
    readonly what: string,
    readonly unit: string,
    readonly how: string,
  ) {}

  see(x: number): void {
    if (x > this.limit && x > this.max) this.max = x;
  }

  note(): string | null {
    if (!(this.max > this.limit)) return null;
    const n = (v: number) => Math.round(v).toLocaleString('en-US');
    return `${this.what}: up to ${n(this.max)} ${this.unit}, beyond the table's last row (${n(this.limit)}): ${this.how}`;
  }
}

/** The tracks of one worker group, noted once each. */
export class Tracks {
  private readonly all: Track[] = [];

  add(limit: number, what: string, unit: string, how: string): Track {
    const t = new Track(limit, what, unit, how);
    this.all.push(t);
    return t;
  }

  notes(): string[] {
    const seen = new Set<string>();
    for (const t of this.all) {
      const n = t.note();
      if (n) seen.add(n);
    }
    return [...seen];
  }
}
