// The result of one simulation run: the fields of `peakline run --json` (DESIGN.md "CLI") plus
// what the console charts. Plain data (JSON-serialisable), so it crosses worker boundaries as is.
import type { HistogramData } from './histogram';

/** A 95 % confidence interval by batch means: estimate ± half_width. */
export interface Ci95 {
  mean: number;
  half_width: number;
  low: number;
  high: number;
}

export interface LatencySummary {
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
}

export interface StationStats {
  /** Busy servers / servers, time-averaged over the measured window (0..1). */
  utilization: number;
  /** Time-averaged number waiting (not in service). */
  mean_queue: number;
  /** Mean wait before service, of those that got service. */
  mean_wait_ms: number;
  /** Servers at this station (handlers, workers, pool connections, shard capacity, cores...). */
  servers: number;
  /**
   * Services started per second in the measured window (requests, queries, calls, lock grants,
   * CPU stints on a host; for the async queue, tasks taken). With `series` only.
   */
  throughput_rps?: number;
  /**
   * Mean time of one visit, ms: the wait plus the time held (busy area / services started, by
   * Little's law); the async queue's is its wait. With `series` only.
   */
  residence_ms?: number;
  /** Kind, for the pipeline diagram. */
  kind: 'instance' | 'queue' | 'workers' | 'pool' | 'shard' | 'service' | 'lock' | 'cache' | 'host';
}

/** Error causes (DESIGN.md): each counts requests (or tasks) lost to it. */
export interface ErrorCounts {
  backlog_full: number;
  async_queue_full: number;
  pool_timeout: number;
  client_timeout: number;
  instance_down: number;
  lock_timeout: number;
  service_full: number;
}

/** One window of the time series. Times are simulated seconds from the start (warm-up included). */
export interface SeriesPoint {
  t_s: number;
  rps: number;
  ok_rps: number;
  error_rps: number;
  p50_ms: number;
  p99_ms: number;
  in_flight: number;
  /** Requests waiting for a handler, summed over instances. */
  backlog: number;
  /** Tasks in the async queue (not yet taken by a worker). */
  async_backlog: number;
  /** Handlers blocked on a full async queue (`when_full: block`). */
  blocked: number;
}

export interface AsyncStats {
  enqueued: number;
  completed: number;
  rejected: number;
  /** Tasks that failed in a step (pool or lock timeout, service full) in the measured window. */
  failed?: number;
  /** Tasks in the queue or in a worker at the end. */
  pending: number;
  mean_backlog: number;
  max_backlog: number;
  /** Enqueue → done, of tasks completed in the measured window. */
  task_delay_ms: LatencySummary;
  /** Tasks completed per second in the measured window. */
  throughput_rps: number;
}

export interface SimResult {
  scenario: string;
  seed: number;
  duration_s: number;
  warmup_s: number;
  /** Completed-ok responses per second in the measured window. */
  throughput_rps: number;
  /** Same as throughput_rps (ok responses); kept for readers that say goodput. */
  goodput_rps: number;
  /** Arrivals per second in the measured window. */
  offered_rps: number;
  /** Errors / (ok + errors) in the measured window. */
  error_rate: number;
  /** Of ok responses finishing in the measured window. */
  latency_ms: LatencySummary;
  /**
   * The fate of the requests that ARRIVED in the measured window (so the counts add up):
   * arrived = completed + rejected + timed_out + in_flight, where
   * completed = ok + failed after acceptance (pool_timeout, lock_timeout, service_full,
   * async_queue_full, instance_down of a crash while in flight); rejected = refused at the door
   * (backlog_full, or routed to an instance that is down); timed_out = the client gave up
   * (client_timeout); in_flight = still unresolved at the end. `errors` counts the same cohort by
   * cause, so ok + Σ errors + in_flight = arrived. Rates and latencies, by contrast, count
   * responses completing in the measured window.
   */
  requests: {
    arrived: number;
    completed: number;
    ok: number;
    rejected: number;
    timed_out: number;
    in_flight: number;
  };
  errors: ErrorCounts;
  /**
   * Events processed: event-list pops, plus open-workload arrivals and expired timeouts, which
   * the engine keeps in their own ordered streams beside the heap (stale, cancelled timeouts are
   * not counted).
   */
  events: number;
  /** Wall-clock time of the run (the only field that differs between identical runs). */
  wall_ms: number;
  stations: Record<string, StationStats>;
  /**
   * Station that saturates first, or null: in the first batch of the measured window where any
   * station is ≥ 90 % utilised (a queue: ≥ 90 % full), the deepest such stage (shard, service or
   * lock, then pool, workers, async queue, instances — an upstream stage looks busy while it waits
   * on a deeper one), the busiest of those on a tie.
   */
  saturated: string | null;
  async: AsyncStats | null;
  ci95: {
    throughput_rps: Ci95;
    latency_mean_ms: Ci95;
    latency_p99_ms: Ci95;
  };
  /** Window width of `series`, seconds. */
  window_s: number;
  /**
   * Instance-seconds over the measured window: what the capacity cost (with `server.autoscale`, or
   * an `slo` to compare against: instances × duration for a fixed count).
   */
  instance_seconds?: number;
  /** With `server.autoscale`: what the controller did (model/scaler.ts). */
  autoscale?: AutoscaleStats;
  /** With `slo`: its windows over the measured window and which violated it. */
  slo?: SloStats;
  /** Present when asked for (`--series`, the UI). */
  series?: SeriesPoint[];
  /** Latency CDF of ok responses: [ms, fraction ≤ ms] points, for the distribution chart. */
  cdf?: [number, number][];
  /**
   * Present only when the run was stopped before its end (Ctrl+C): the figures are of the part
   * done — `simulated_s` of the `of_s` seconds the run would have simulated (warm-up included);
   * `duration_s` is then the measured part of it.
   */
  partial?: { simulated_s: number; of_s: number };
  /** What independent runs need to be merged into one result (`parts: true`; merge.ts). */
  parts?: MergeParts;
  /** Present on a result merged from several runs (merge.ts). */
  replications?: Replications;
}

/** One batch of the batch-means estimator, as a run reports it for merging. */
export interface BatchPart {
  seconds: number;
  /** Ok responses in the batch and the sum of their latencies (ms). */
  ok: number;
  lat_sum: number;
  p99: number;
  /** Each station's utilisation within the batch (for the first station to saturate). */
  utilization: Record<string, number>;
}

/** The raw figures behind a result that merging needs and the summary does not keep. */
export interface MergeParts {
  /** Latencies of the ok responses in the measured window. */
  latency: HistogramData;
  /** Task delays (enqueue → done) in the measured window; null without async. */
  task_delay: HistogramData | null;
  batches: BatchPart[];
  /** Per station: how many waits `mean_wait_ms` averages. */
  wait_n: Record<string, number>;
}

/** How a merged result was made (merge.ts). */
export interface Replications {
  /**
   * `split`: a stationary scenario's measured window cut into `count` shorter runs, each after a
   * warm-up of its own; `repeat`: `count` runs of the whole scenario.
   */
  mode: 'split' | 'repeat';
  count: number;
  /** Measured seconds of each run. */
  measured_s: number;
  /**
   * What the 95 % intervals come from: the batches of every run (batch means), the runs themselves
   * (Student's t over `count` values), or for each figure the wider of those two.
   */
  ci: 'batches' | 'runs' | 'wider';
  /** Batches of all runs together. */
  batches: number;
}

export interface SimOptions {
  /** Include the time series, the CDF and each station's throughput and residence time. */
  series?: boolean;
  /** Override the scenario's seed. */
  seed?: number;
  /** Called now and then with the fraction of simulated time done (0..1). */
  onProgress?: (fraction: number) => void;
  /** Polled now and then; returning true stops the run (it throws SimCancelled). */
  shouldCancel?: () => boolean;
  /** Clock for wall_ms (performance.now in Node and browsers). */
  now?: () => number;
  /**
   * false: run independent async worker pools event by event instead of solving each task when it
   * is queued (the same results in distribution; for tests that compare the two).
   */
  lazyAsync?: boolean;
  /** Include `parts`, so that this run can be merged with others (merge.ts). */
  parts?: boolean;
}

/** What the autoscaler did over the run (times: simulated seconds from the start). */
export interface AutoscaleStats {
  mode: 'reactive' | 'forecast' | 'static';
  metric: 'cpu' | 'utilization' | 'inflight';
  target: number;
  min: number;
  max: number;
  /** Same as the result's instance_seconds. */
  instance_seconds: number;
  /** Mean instances serving or draining over the measured window. */
  mean_instances: number;
  /** Most instances paid for at once (provisioning + serving + draining). */
  peak_instances: number;
  scale_ups: number;
  scale_downs: number;
  /** Every change of the counts: a step function from t_s on. */
  timeline: { t_s: number; serving: number; provisioning: number; draining: number }[];
  /** Each decision: the metric sampled, what it recommended, the count decided. */
  decisions: { t_s: number; metric: number; recommended: number; desired: number }[];
}

/** The SLO checked window by window over the measured window. */
export interface SloStats {
  p99_ms: number;
  window_s: number;
  max_error_rate: number;
  windows: number;
  violated_windows: number;
  /** Seconds of the measured window in violated windows. */
  violated_s: number;
  /** Start of the first violated window (simulated seconds), or null. */
  first_violation_s: number | null;
  /** Each window: its start, ok responses, errors, P99 and whether it violated the SLO. */
  timeline: { t_s: number; ok: number; errors: number; p99_ms: number; violated: boolean }[];
}
