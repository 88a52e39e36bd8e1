/** Timing and summary helpers shared by the benchmarks. */

export const nowMs = (): number => Number(process.hrtime.bigint()) / 1e6;

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

export const round = (value: number, digits = 3): number => {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
};

export interface Interleaved {
  subjectMs: number[];
  floorMs: number[];
}

/**
 * One timed call. `prepare` runs untimed (signing a request, building an event) and returns
 * the timed part; `check`, also untimed, throws when the call did not do the real work.
 */
export interface Trial {
  run: () => Promise<void>;
  check?: () => void;
}
export type PrepareTrial = () => Trial;

export interface InterleaveOptions {
  warmup: number;
  iterations: number;
  /** Stop early (after at least minIterations) once this much wall time has gone. */
  maxMs?: number;
  minIterations?: number;
}

async function timed(prepare: PrepareTrial, into?: number[]): Promise<void> {
  const trial = prepare();
  const start = nowMs();
  await trial.run();
  const elapsed = nowMs() - start;
  trial.check?.();
  into?.push(elapsed);
}

/**
 * Runs subject and floor alternately, swapping which goes first every iteration, so that
 * drift (GC, JIT tiers, a neighbour's load, the engine's growing state) hits both equally.
 * Warm-up rounds run the same way and are discarded.
 */
export async function interleave(
  subject: PrepareTrial,
  floor: PrepareTrial,
  options: InterleaveOptions,
): Promise<Interleaved> {
  for (let i = 0; i < options.warmup; i++) {
    await timed(subject);
    await timed(floor);
  }
  const result: Interleaved = { subjectMs: [], floorMs: [] };
  const started = nowMs();
  for (let i = 0; i < options.iterations; i++) {
    if (i % 2 === 0) {
      await timed(subject, result.subjectMs);
      await timed(floor, result.floorMs);
    } else {
      await timed(floor, result.floorMs);
      await timed(subject, result.subjectMs);
    }
    const enough = i + 1 >= (options.minIterations ?? options.iterations);
    if (options.maxMs !== undefined && enough && nowMs() - started > options.maxMs) break;
  }
  return result;
}

export interface Comparison {
  medianMs: number;
  floorMedianMs: number;
  ratio: number;
}

const quantiles = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return [0.1, 0.25, 0.5, 0.75, 0.9].map((q) =>
    round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number, 2),
  );
};

export function compare(samples: Interleaved): Comparison {
  if (process.env.BENCH_DEBUG) {
    console.error('p10/25/50/75/90 subject', quantiles(samples.subjectMs));
    console.error('p10/25/50/75/90 floor  ', quantiles(samples.floorMs));
  }
  const medianMs = median(samples.subjectMs);
  const floorMedianMs = median(samples.floorMs);
  return {
    medianMs: round(medianMs),
    floorMedianMs: round(floorMedianMs),
    ratio: round(medianMs / floorMedianMs),
  };
}
