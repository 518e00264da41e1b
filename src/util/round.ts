// Rounding for outputs: `digits` decimals, non-finite values passed through (NaN stays NaN).
export function roundTo(x: number, digits: number): number {
  if (!Number.isFinite(x)) return x;
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
