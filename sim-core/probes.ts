// What the model's probes record: per-station raw figures, the batches of the batch-means
// estimator, the time-series windows and how wide those are. Pure: no Node or DOM imports.

/** Per-station raw figures at the end of a run (the result builder names and aggregates them). */
export interface StationRaw {
  busyArea: number;
  queueArea: number;
  waitSum: number;
  waitN: number;
  servers: number;
}

/** One batch of the batch-means estimator. */
export interface BatchRaw {
  ok: number;
  latSum: number;
  p99: number;
  seconds: number;
  /** Per station: busy-server area and queue-length area (ms) within the batch. */
  busyArea: Float64Array;
  queueArea: Float64Array;
  /** Per lock step: the busiest key's share of the batch it was held. */
  lockUtil: Float64Array;
}

/** A series window's snapshot. */
export interface WindowRaw {
  t_s: number;
  seconds: number;
  arrivals: number;
  ok: number;
  errors: number;
  p50: number;
  p99: number;
  in_flight: number;
  backlog: number;
  async_backlog: number;
  blocked: number;
}

/** Window width (s) for the series: the given one, or a round width giving 100–300 points. */
export function chooseWindow(totalS: number, given: number): number {
  if (given > 0) {
    let w = given;
    while (totalS / w > 10000) w *= 2;
    return w;
  }
  const nice = [
    0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.25, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300,
    600, 1800, 3600,
  ];
  for (const w of nice) if (totalS / w <= 300) return w;
  return Math.ceil(totalS / 300 / 3600) * 3600;
}
