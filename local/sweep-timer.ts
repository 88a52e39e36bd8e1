/**
 * The local stand-in for the sweep's schedule: an in-process timer that runs the sweep every
 * SWEEP_INTERVAL_SECONDS (default 5). Runs never overlap in this process (the next one is
 * scheduled when the previous one ends); `stop()` cancels the timer and waits for a run in
 * progress, so the engine is closed only after it.
 */
export interface SweepTimer {
  stop(): Promise<void>;
  /** Runs completed so far. */
  readonly runs: number;
}

export function startSweepTimer(options: {
  intervalMs: number;
  sweep: () => Promise<unknown>;
  onError: (error: unknown) => void;
}): SweepTimer {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;
  let runs = 0;
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(tick, options.intervalMs);
    timer.unref();
  };
  const tick = () => {
    timer = undefined;
    running = options
      .sweep()
      .then(
        () => undefined,
        (error: unknown) => options.onError(error),
      )
      .finally(() => {
        runs++;
        running = undefined;
        schedule();
      });
  };
  schedule();
  return {
    get runs() {
      return runs;
    },
    async stop() {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      await running;
    },
  };
}
