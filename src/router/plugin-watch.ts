// Timing plug-in calls from another thread: the thread running a plug-in counts each call it makes
// into shared cells, so a watchdog on a thread the plug-in cannot block sees a call that never returns.
/** The plug-in code servesim calls, as a call watch names it (index = its number in the watch). */
export const PLUGIN_CALLS = ['select', 'onRouted', 'onPrefillDone', 'onFinished', 'describe', 'constructing the router'] as const;
export type PluginCall = (typeof PLUGIN_CALLS)[number];

/**
 * Cells another thread reads to time plug-in calls on this one (app/plugin-run.ts): [0] counts calls
 * begun and ended (odd: one is running), [1] the call (PLUGIN_CALLS index), [2] its request id or -1.
 * Null unless a run on a plug-in thread set it.
 */
let callWatch: Int32Array | null = null;
export function watchPluginCalls(cells: Int32Array): void {
  callWatch = cells;
}

export function watched<T>(call: PluginCall, requestId: number, f: () => T): T {
  const w = callWatch;
  if (w === null) return f();
  Atomics.store(w, 1, PLUGIN_CALLS.indexOf(call));
  Atomics.store(w, 2, requestId);
  Atomics.add(w, 0, 1);
  try {
    return f();
  } finally {
    Atomics.add(w, 0, 1);
  }
}

/** How long one plug-in call may take unless said (run's --router-call-timeout), ms. */
export const DEFAULT_CALL_TIMEOUT_MS = 10_000;

/** New cells for watchPluginCalls (shared with the thread that runs the plug-in). */
export const newCallWatch = (): Int32Array => new Int32Array(new SharedArrayBuffer(12));

/**
 * On this thread, check `cells` a few times per limit; `onStuck` (once) when one call has been running
 * for `limitMs`. Returns the stop function.
 */
export function watchdog(cells: Int32Array, limitMs: number, onStuck: (call: PluginCall, requestId: number) => void): () => void {
  let seen = -1;
  let since = performance.now();
  const tick = setInterval(() => {
    const n = Atomics.load(cells, 0);
    if (n % 2 === 0 || n !== seen) {
      seen = n;
      since = performance.now();
    } else if (performance.now() - since >= limitMs) {
      clearInterval(tick);
      onStuck(PLUGIN_CALLS[Atomics.load(cells, 1)], Atomics.load(cells, 2));
    }
  }, Math.min(250, limitMs / 4));
  return () => clearInterval(tick);
}
