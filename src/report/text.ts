// Text that goes into the report page: the one HTML escape, and number formatting that never lets a
// non-number (a hostile or broken summary.json) reach the page unescaped.

/** Escape any value for HTML text and attribute values (quoted with " or '). */
export function esc(value: unknown): string {
  const s = typeof value === 'string' ? value : value === undefined || value === null ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value);
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** The value as a number, NaN unless it is one (strings and objects from a broken summary.json included). */
export function num(v: unknown): number {
  return typeof v === 'number' ? v : NaN;
}

/** A finite number with `digits` decimals; '–' for anything else (escaped text of a non-number). */
export function fixed(v: unknown, digits = 2): string {
  if (typeof v === 'number') return Number.isFinite(v) ? v.toFixed(digits) : v === Infinity ? '∞' : '–';
  if (v === undefined || v === null) return '–';
  const text = typeof v === 'string' ? v : (JSON.stringify(v) ?? String(v));
  return `<span class="invalid" title="not a number">${esc(text.slice(0, 60))}</span>`;
}

/** Compact number for ticks and labels: 3 significant digits, k/M suffixes. */
export function short(v: number): string {
  if (!Number.isFinite(v)) return '–';
  const a = Math.abs(v);
  if (a >= 1e6) return `${+(v / 1e6).toPrecision(3)}M`;
  if (a >= 1e4) return `${+(v / 1e3).toPrecision(3)}k`;
  return `${+v.toPrecision(3)}`;
}

/** Percentage with one decimal, '–' for a non-number. */
export function pct(v: unknown): string {
  return typeof v === 'number' && Number.isFinite(v) ? `${(v * 100).toFixed(1)} %` : '–';
}

/** o[k1][k2]…, or undefined as soon as a step is not an object (a broken summary.json does not throw). */
export function dig(o: unknown, ...keys: string[]): unknown {
  let cur = o;
  for (const k of keys) {
    if (cur === null || typeof cur !== 'object' || !Object.hasOwn(cur, k)) return undefined;
    cur = (cur as Record<string, unknown>)[k];
  }
  return cur;
}
