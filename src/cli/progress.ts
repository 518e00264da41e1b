// A progress bar with ETA on stderr for long commands (cli-progress), only on a terminal and outside
// CI; elsewhere nothing is drawn. Returns the callback the app modules report progress to.
export interface Progress {
  update: (done: number, total: number, stage: string) => void;
  stop: () => void;
}

export async function progressBar(): Promise<Progress> {
  if (!process.stderr.isTTY || process.env.CI) return { update: () => {}, stop: () => {} };
  const { SingleBar, Presets } = (await import('cli-progress')).default;
  const bar = new SingleBar({ stream: process.stderr, format: '{stage} [{bar}] {value}/{total} | {percentage}% | ETA {eta_formatted}', etaBuffer: 20, hideCursor: true, clearOnComplete: true }, Presets.shades_classic);
  let started = false;
  let current = '';
  return {
    update: (done, total, stage) => {
      if (!started || stage !== current) {
        if (started) bar.stop();
        bar.start(total, done, { stage });
        started = true;
        current = stage;
      } else bar.update(done, { stage });
    },
    stop: () => {
      if (started) bar.stop();
    },
  };
}

/** An AbortSignal raised by Ctrl-C (SIGINT) for commands that keep finished work. */
export function interruptSignal(): AbortSignal {
  const ac = new AbortController();
  process.once('SIGINT', () => ac.abort());
  return ac.signal;
}
