// The pure arithmetic of the fidelity suite: reading pgbench's per-transaction logs and its summary
// output, percentiles and the spread across repeats, and the series CSV that `peakline calibrate`
// reads. Nothing here starts a process or touches the file system.
import type { SchedPerTx } from './cpu';

/** One measured load point: the median of its repeats, and each repeat's figures. */
export interface MeasuredPoint {
  concurrency: number;
  throughput_rps: number;
  mean_ms: number;
  p50_ms: number;
  p99_ms: number;
  /** Min and max across the repeats (absent when read back from a bare CSV). */
  spread?: Spread;
  repeats?: RepeatFigures[];
  /** Repeats run again because other processes disturbed them (not in the figures). */
  discarded?: RepeatFigures[];
}

export interface Spread {
  throughput_rps: Range;
  mean_ms: Range;
  p50_ms: Range;
  p99_ms: Range;
}

export interface Range {
  min: number;
  max: number;
  stdev: number;
}

/** The figures of one pgbench run (one repeat of one point). */
export interface RepeatFigures {
  /** pgbench's "tps = … (without initial connection time)". */
  throughput_rps: number;
  mean_ms: number;
  p50_ms: number;
  p90_ms: number;
  p99_ms: number;
  p999_ms: number;
  max_ms: number;
  /** Transactions in the log (successful ones). */
  transactions: number;
  /** Transactions the log marks failed or skipped. */
  failed: number;
  /** pgbench's "initial connection time" (ms). */
  connect_ms: number;
  /** The 1-minute load average of the machine when the repeat ended. */
  load1: number;
  /** CPU cores used by processes other than ours (servers, pgbench, this script) during the run. */
  others_cores?: number;
  /** Share of CPU time the hypervisor stole during the run, percent. */
  steal_pct?: number;
  /**
   * Milliseconds of CPU per transaction used by each part during the run (from /proc: the
   * postmaster's tree, pgbouncer's, pgbench's): what the model's step times can be checked against.
   */
  cpu_ms_per_tx?: { postgres: number; pgbouncer: number; pgbench: number };
  /**
   * PostgreSQL's WAL flushes during the run (pg_stat_wal with track_wal_io_timing): transactions
   * per flush, the mean time of one (its write and fdatasync) and the share of the run a flush
   * was in progress.
   */
  wal?: { tx_per_flush: number; flush_ms: number; flush_busy: number };
  /** Commit-like flushes timed on the lab's disk just before the run (flush.ts). */
  flush_ms?: { mean_ms: number; p50_ms: number; p99_ms: number };
  /** The times no client committed for STALL_MS or more, in the run's middle (commitStalls). */
  stalls?: Stalls;
  /**
   * What the scheduler did per transaction for each part's threads, between two samples inside
   * the run (/proc/PID/task/TID/schedstat): ms on a CPU, ms runnable but waiting for a CPU (the
   * run queue), and how many times a thread was given a CPU (about how often it woke).
   */
  sched_per_tx?: Record<'postgres' | 'pgbouncer' | 'pgbench', SchedPerTx>;
  /** How busy each CPU was over the same stretch (0..1 each, in CPU order; /proc/stat). */
  cpu_busy?: number[];
}

/**
 * The WAL figures of a run from pg_stat_wal's counters (reset before it): wal_sync, and
 * wal_write_time and wal_sync_time in ms, over `transactions` committed in `seconds`.
 */
export function walFigures(
  stat: { wal_sync: number; wal_write_time: number; wal_sync_time: number },
  transactions: number,
  seconds: number,
): RepeatFigures['wal'] {
  if (!(stat.wal_sync > 0) || !(transactions > 0) || !(seconds > 0)) return undefined;
  const r = (v: number, d: number) => Math.round(v * 10 ** d) / 10 ** d;
  const busy = stat.wal_write_time + stat.wal_sync_time;
  return {
    tx_per_flush: r(transactions / stat.wal_sync, 2),
    flush_ms: r(busy / stat.wal_sync, 3),
    flush_busy: r(busy / (seconds * 1000), 3),
  };
}

/** What a pgbench per-transaction log (`--log`, no aggregation) holds. */
export interface PgbenchLog {
  /** Latency of each successful transaction, microseconds, in log order. */
  latencies_us: number[];
  /** Lines whose time field is `failed` or `skipped`. */
  failed: number;
  /** Successful transactions that completed within `window` (epoch ms), when one was given. */
  in_window?: number;
  /** When each successful transaction completed (epoch ms), in log order. */
  ends_ms: number[];
}

/**
 * Reads pgbench's per-transaction log lines: `client_id transaction_no time script_no time_epoch
 * time_us [schedule_lag] [retries]`, where `time` is the transaction's latency in microseconds or
 * the word `failed` / `skipped`. Several files (one per pgbench thread) can be concatenated.
 */
export function parsePgbenchLog(text: string, window?: readonly [number, number]): PgbenchLog {
  const latencies_us: number[] = [];
  const ends_ms: number[] = [];
  let failed = 0;
  let inWindow = 0;
  let lineNo = 0;
  for (const line of text.split('\n')) {
    lineNo++;
    if (line.trim() === '') continue;
    const fields = line.trim().split(/\s+/);
    if (fields.length < 6)
      throw new Error(`pgbench log line ${lineNo}: expected 6 fields: ${line}`);
    const time = fields[2];
    if (time === 'failed' || time === 'skipped') {
      failed++;
      continue;
    }
    const us = Number(time);
    if (!Number.isFinite(us) || us < 0)
      throw new Error(`pgbench log line ${lineNo}: bad latency "${time}"`);
    latencies_us.push(us);
    // time_epoch and time_us: when the transaction completed
    const end = Number(fields[4]) * 1000 + Number(fields[5]) / 1000;
    ends_ms.push(end);
    if (window && end >= window[0] && end <= window[1]) inWindow++;
  }
  return { latencies_us, failed, ...(window && { in_window: inWindow }), ends_ms };
}

/** Times the whole pipeline committed nothing for a while (commitStalls). */
export interface Stalls {
  /** Stalls a second of the span looked at. */
  per_s: number;
  /** Their mean length (ms). */
  mean_ms: number;
  /** The share of the span they took. */
  share: number;
  /** Each stall's length (ms, to the 10 µs), in the order they happened. */
  lengths_ms: number[];
}

/** A gap between two commits of the whole pipeline at least this long (ms) is a stall. */
export const STALL_MS = 3;

/**
 * The stalls among commit times `ends_ms` (epoch ms, any order, every client's): the gaps of at
 * least `minMs` during which no client committed, within `span` (epoch ms; default: from a second
 * after the first commit to half a second before the last, where every client runs). A stall
 * holds back every transaction in flight, so a few of them make a transaction P99 that no
 * per-transaction figure shows (on the CI machine's disk: several a second, 3–40 ms each).
 */
export function commitStalls(
  ends_ms: readonly number[],
  span?: readonly [number, number],
  minMs = STALL_MS,
): Stalls | undefined {
  if (ends_ms.length < 2) return undefined;
  const sorted = Float64Array.from(ends_ms).sort();
  const [from, to] = span ?? [sorted[0] + 1000, sorted[sorted.length - 1] - 500];
  if (!(to > from)) return undefined;
  const lengths_ms: number[] = [];
  let prev = NaN;
  for (const t of sorted) {
    if (t < from || t > to) continue;
    if (t - prev >= minMs) lengths_ms.push(Math.round((t - prev) * 100) / 100);
    prev = t;
  }
  const total = lengths_ms.reduce((a, b) => a + b, 0);
  return {
    per_s: Math.round((lengths_ms.length / ((to - from) / 1000)) * 100) / 100,
    mean_ms: lengths_ms.length ? Math.round((total / lengths_ms.length) * 100) / 100 : 0,
    share: Math.round((total / (to - from)) * 10000) / 10000,
    lengths_ms,
  };
}

/**
 * The q-quantile (0 < q ≤ 1) of ascending-sorted values by the nearest-rank method: the smallest
 * value with at least q of the values at or below it (so the P99 of 100 values is the 99th).
 */
export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil(q * sorted.length - 1e-9);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

/** Mean, median, P90, P99, P99.9 and max of latencies given in microseconds, in milliseconds. */
export function latencySummary(latencies_us: readonly number[]) {
  const sorted = Float64Array.from(latencies_us).sort();
  const ms = (us: number) => us / 1000;
  let sum = 0;
  for (const v of sorted) sum += v;
  const arr = Array.from(sorted);
  return {
    count: sorted.length,
    mean_ms: sorted.length ? ms(sum / sorted.length) : NaN,
    p50_ms: ms(percentile(arr, 0.5)),
    p90_ms: ms(percentile(arr, 0.9)),
    p99_ms: ms(percentile(arr, 0.99)),
    p999_ms: ms(percentile(arr, 0.999)),
    max_ms: sorted.length ? ms(sorted[sorted.length - 1]) : NaN,
  };
}

/** What pgbench prints at the end of a run (PostgreSQL 15). */
export interface PgbenchSummary {
  tps: number;
  processed: number;
  failed: number;
  /** pgbench's "latency average" (without -P it is clients × duration / transactions). */
  latency_avg_ms: number;
  connect_ms: number;
}

/** Reads pgbench's summary: tps (without initial connection time), transactions, failures. */
export function parsePgbenchSummary(stdout: string): PgbenchSummary {
  const num = (re: RegExp, what: string, optional = false): number => {
    const m = re.exec(stdout);
    if (!m) {
      if (optional) return NaN;
      throw new Error(
        `pgbench printed no ${what}: ${stdout.trim().split('\n').slice(-3).join(' | ')}`,
      );
    }
    return Number(m[1]);
  };
  return {
    tps: num(/^tps = ([\d.]+) \(without initial connection time\)/m, 'tps'),
    processed: num(/^number of transactions actually processed: (\d+)/m, 'transaction count'),
    failed: num(/^number of failed transactions: (\d+)/m, 'failure count', true) || 0,
    latency_avg_ms: num(/^latency average = ([\d.]+) ms/m, 'latency average', true),
    connect_ms: num(/^initial connection time = ([\d.]+) ms/m, 'connection time', true),
  };
}

/** The median (the mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Min, max and sample standard deviation (0 for a single value). */
export function range(values: readonly number[]): Range {
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const ss = values.reduce((a, v) => a + (v - mean) ** 2, 0);
  return {
    min: Math.min(...values),
    max: Math.max(...values),
    stdev: n > 1 ? Math.sqrt(ss / (n - 1)) : 0,
  };
}

/** What makes a repeat disturbed: other processes' cores, and the hypervisor's steal. */
export interface Quiet {
  /** Other processes using this many cores or more disturb a repeat. */
  cores: number;
  /** The hypervisor stealing this share of the CPU time or more (percent) disturbs it. */
  stealPct: number;
}

/** How disturbed a repeat was, as the largest share of a limit reached (≥ 1: disturbed). */
export function disturbance(f: RepeatFigures, q: Quiet): number {
  return Math.max((f.others_cores ?? 0) / q.cores, (f.steal_pct ?? 0) / q.stealPct);
}

/**
 * Whether other processes used `q.cores` cores or more during a repeat, or the hypervisor stole
 * `q.stealPct` % of the CPU time or more (what was not recorded counts as quiet).
 */
export function disturbed(f: RepeatFigures, q: Quiet): boolean {
  return disturbance(f, q) >= 1;
}

/**
 * The `n` repeats least disturbed by other processes and the hypervisor (the smallest share of
 * either limit reached), in the order they ran; the rest are returned apart so a report can keep
 * them.
 */
export function leastDisturbed(
  repeats: RepeatFigures[],
  n: number,
  q: Quiet,
): { used: RepeatFigures[]; discarded: RepeatFigures[] } {
  const keep = new Set(
    repeats
      .map((f, i) => ({ i, o: disturbance(f, q) }))
      .sort((a, b) => a.o - b.o || a.i - b.i)
      .slice(0, n)
      .map((x) => x.i),
  );
  return {
    used: repeats.filter((_, i) => keep.has(i)),
    discarded: repeats.filter((_, i) => !keep.has(i)),
  };
}

/** One load point from its repeats: each figure is the median of the repeats' figures. */
export function combineRepeats(concurrency: number, repeats: RepeatFigures[]): MeasuredPoint {
  if (repeats.length === 0) throw new Error(`no repeats measured at ${concurrency} clients`);
  const pick = (k: keyof Spread) => repeats.map((r) => r[k]);
  return {
    concurrency,
    throughput_rps: median(pick('throughput_rps')),
    mean_ms: median(pick('mean_ms')),
    p50_ms: median(pick('p50_ms')),
    p99_ms: median(pick('p99_ms')),
    spread: {
      throughput_rps: range(pick('throughput_rps')),
      mean_ms: range(pick('mean_ms')),
      p50_ms: range(pick('p50_ms')),
      p99_ms: range(pick('p99_ms')),
    },
    repeats,
  };
}

/** Half the min–max range as a percentage of the median: the "±" a table shows for a figure. */
export function halfRangePct(r: Range | undefined, med: number): number | undefined {
  if (!r || !(med > 0)) return undefined;
  return ((r.max - r.min) / 2 / med) * 100;
}

export const CSV_HEADER = 'concurrency,throughput_rps,mean_ms,p50_ms,p99_ms';

const round = (x: number, digits: number) => {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
};

type CpuPerTx = NonNullable<RepeatFigures['cpu_ms_per_tx']>;

/** The median over a point's repeats of `pick` of their CPU per transaction (ms), if recorded. */
export function medianCpu(
  p: MeasuredPoint | undefined,
  pick: (c: CpuPerTx) => number,
): number | undefined {
  const v = (p?.repeats ?? []).flatMap((r) => (r.cpu_ms_per_tx ? [pick(r.cpu_ms_per_tx)] : []));
  return v.length === 0 ? undefined : median(v);
}

/**
 * The median over `repeats` of one scheduler figure a transaction, summed over the processes
 * (PostgreSQL, pgbouncer, pgbench), if any of them recorded it.
 */
export function medianSched(
  repeats: readonly RepeatFigures[],
  k: 'cpu_ms' | 'runq_ms' | 'slices',
): number | undefined {
  const v = repeats.flatMap((r) => {
    const s = r.sched_per_tx;
    return s ? [s.postgres[k] + s.pgbouncer[k] + s.pgbench[k]] : [];
  });
  return v.length === 0 ? undefined : median(v);
}

/**
 * CPU per transaction of every process serving it (PostgreSQL, pgbouncer, pgbench), ms: the median
 * over a point's repeats, if they recorded it.
 */
export function measuredCpu(p: MeasuredPoint): number | undefined {
  return medianCpu(p, (c) => c.postgres + c.pgbouncer + c.pgbench);
}

/**
 * The series CSV `peakline calibrate --points` reads: one line per client count, ascending. With
 * `cpu` and CPU recorded at every point, a cpu_ms column too (calibrate's --fit-demand then sets
 * the model's CPU from it).
 */
export function seriesCsv(points: readonly MeasuredPoint[], o: { cpu?: boolean } = {}): string {
  const sorted = [...points].sort((a, b) => a.concurrency - b.concurrency);
  const cpu = o.cpu ? sorted.map(measuredCpu) : [];
  const withCpu = cpu.length > 0 && cpu.every((c) => c !== undefined);
  const rows = sorted.map((p, i) =>
    [
      p.concurrency,
      round(p.throughput_rps, 1),
      round(p.mean_ms, 3),
      round(p.p50_ms, 3),
      round(p.p99_ms, 3),
      ...(withCpu ? [round(cpu[i]!, 4)] : []),
    ].join(','),
  );
  return `${CSV_HEADER}${withCpu ? ',cpu_ms' : ''}\n${rows.join('\n')}\n`;
}

/** Reads a series CSV back (lines starting with # are comments); names the line of a bad value. */
export function parseSeriesCsv(text: string, file = 'CSV'): MeasuredPoint[] {
  const lines = text
    .split('\n')
    .map((l, i) => ({ l: l.trim(), n: i + 1 }))
    .filter(({ l }) => l !== '' && !l.startsWith('#'));
  if (lines.length === 0 || lines[0].l !== CSV_HEADER)
    throw new Error(`${file}: the first line must be the header ${CSV_HEADER}`);
  return lines.slice(1).map(({ l, n }) => {
    const v = l.split(',').map(Number);
    if (v.length !== 5 || v.some((x) => !Number.isFinite(x)))
      throw new Error(`${file}: line ${n}: expected 5 numbers: ${l}`);
    return { concurrency: v[0], throughput_rps: v[1], mean_ms: v[2], p50_ms: v[3], p99_ms: v[4] };
  });
}
