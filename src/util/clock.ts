// The simulated clock's range and resolution: times are doubles of milliseconds.

/** Latest simulated time, ms (2^43 ms ≈ 278 years): up to it a double resolves 1/1024 ms. */
export const MAX_TIME_MS = 2 ** 43;

/** The resolution of the clock at `ms`: the gap to the next representable double. */
export function clockResolutionMs(ms: number): number {
  const x = Math.abs(ms);
  return x === 0 ? Number.MIN_VALUE : 2 ** (Math.floor(Math.log2(x)) - 52);
}
