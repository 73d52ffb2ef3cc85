// What the fidelity suite prints: per series a table of measured against predicted throughput,
// mean and P99 latency with the error of each, calibration points marked; a verdict per series
// (the largest held-out errors against the targets of DESIGN.md, and whether the measured and the
// predicted throughput fall past their peak); the same as Markdown. Pure functions of the figures.
import { halfRangePct, median, medianSched, type MeasuredPoint } from './stats';

/** The simulator's prediction at one client count (averaged over seeds). */
export interface PredictedPoint {
  concurrency: number;
  throughput_rps: number;
  mean_ms: number;
  p99_ms: number;
  /** The share of the time the model's commit flush was in progress (with db.commit_flush). */
  flush_busy?: number;
  /** The model's CPU per transaction on its hosts and the time it waited for a core, ms. */
  cpu_ms?: number;
  runq_ms?: number;
  /** How many seeds were averaged. */
  seeds: number;
}

/** What `peakline calibrate --json` fitted (null: infinite or not given). */
export interface UslFit {
  /** Null when σ and κ were fitted by simulating a scenario (calibrate --pool or --base). */
  x1_rps: number | null;
  sigma: number;
  kappa: number;
  cores: number | null;
  peak_concurrency: number | null;
  peak_throughput_rps: number | null;
  r2: number | null;
  /** σ and κ fitted by simulating the scenario at the calibration points. */
  by_simulation?: boolean;
  /** The factor on the base's step times (calibrate --fit-demand); with cpu_scale, on its waits. */
  demand_scale?: number;
  /** The factor on the base's CPU, set from the CPU measured (calibrate --fit-demand with cpu_ms). */
  cpu_scale?: number;
  /** The CPU a transaction then uses in the model, ms. */
  cpu_ms?: number;
  /** The host's core_speedup fitted with σ and κ (calibrate --fit-speedup). */
  core_speedup?: number;
  /** The host's cold_start_ms (calibrate --fit-cold); with it, cpu_ms is the lowest load's. */
  cold_start_ms?: number;
}

/** One measured series (one distribution and one connection mode) and what was predicted for it. */
export interface SeriesReport {
  /** e.g. `uniform-direct`. */
  name: string;
  measured: MeasuredPoint[];
  calibrateAt: number[];
  predicted?: PredictedPoint[];
  fit?: UslFit;
  /** Why there is no prediction (shown in place of the predicted columns' verdict). */
  predictNote?: string;
  /** The measuring machine's CPUs (for what the scheduler's figures say about idle cores). */
  cpus?: number;
}

type Metric = 'throughput_rps' | 'mean_ms' | 'p99_ms';

/** The targets of DESIGN.md ("Truth"), in percent of the measured value, for held-out points. */
export const TARGETS: Record<Metric, number> = { throughput_rps: 20, mean_ms: 25, p99_ms: 35 };

const LABEL: Record<Metric, string> = {
  throughput_rps: 'throughput',
  mean_ms: 'mean',
  p99_ms: 'P99',
};

/** Throughput counts as falling past its peak when the last point is this many % below the peak. */
export const FALL_PCT = 5;

/** Signed relative error of a prediction, percent of the measured value. */
export function errorPct(predicted: number, measured: number): number {
  return ((predicted - measured) / measured) * 100;
}

export interface PeakInfo {
  peakAt: number;
  peak: number;
  lastAt: number;
  last: number;
  /** How far the throughput at the largest client count is below the peak, percent (≥ 0). */
  dropPct: number;
  /** Whether it falls past its peak: the peak is not the last point and the drop is ≥ FALL_PCT. */
  falls: boolean;
}

/** Where throughput peaks across client counts and whether it falls after the peak. */
export function peakOf(
  points: readonly { concurrency: number; throughput_rps: number }[],
): PeakInfo {
  const sorted = [...points].sort((a, b) => a.concurrency - b.concurrency);
  let best = sorted[0];
  for (const p of sorted) if (p.throughput_rps > best.throughput_rps) best = p;
  const last = sorted[sorted.length - 1];
  const dropPct = ((best.throughput_rps - last.throughput_rps) / best.throughput_rps) * 100;
  return {
    peakAt: best.concurrency,
    peak: best.throughput_rps,
    lastAt: last.concurrency,
    last: last.throughput_rps,
    dropPct,
    falls: best.concurrency !== last.concurrency && dropPct >= FALL_PCT,
  };
}

export interface MetricVerdict {
  metric: Metric;
  target: number;
  /** The held-out point with the largest |error| (absent without held-out predictions). */
  worst?: { concurrency: number; errorPct: number };
  ok: boolean;
}

export interface SeriesVerdict {
  heldOut: number[];
  metrics: MetricVerdict[];
  measuredPeak: PeakInfo;
  predictedPeak?: PeakInfo;
  /** Measured and predicted agree on whether throughput falls past its peak. */
  peakAgrees?: boolean;
  /** Every metric within its target at every held-out point. */
  ok?: boolean;
}

const byConcurrency = <T extends { concurrency: number }>(xs: readonly T[] | undefined) =>
  new Map((xs ?? []).map((x) => [x.concurrency, x]));

/** The largest held-out errors of a series against the targets, and the peak of each curve. */
export function seriesVerdict(s: SeriesReport): SeriesVerdict {
  const pred = byConcurrency(s.predicted);
  const cal = new Set(s.calibrateAt);
  const heldOut = s.measured
    .map((p) => p.concurrency)
    .filter((c) => !cal.has(c))
    .sort((a, b) => a - b);
  const scored = heldOut.filter((c) => pred.has(c));
  const meas = byConcurrency(s.measured);
  const metrics = (Object.keys(TARGETS) as Metric[]).map((metric): MetricVerdict => {
    let worst: MetricVerdict['worst'];
    for (const c of scored) {
      const e = errorPct(pred.get(c)![metric], meas.get(c)![metric]);
      if (!worst || Math.abs(e) > Math.abs(worst.errorPct)) worst = { concurrency: c, errorPct: e };
    }
    return {
      metric,
      target: TARGETS[metric],
      worst,
      ok: worst !== undefined && Math.abs(worst.errorPct) <= TARGETS[metric],
    };
  });
  const measuredPeak = peakOf(s.measured);
  const predictedPeak = s.predicted?.length ? peakOf(s.predicted) : undefined;
  return {
    heldOut,
    metrics,
    measuredPeak,
    predictedPeak,
    peakAgrees: predictedPeak ? predictedPeak.falls === measuredPeak.falls : undefined,
    ok: scored.length ? metrics.every((m) => m.ok) : undefined,
  };
}

/** Throughput for a table: thousands separated, one decimal below 100. */
export function fmtRate(x: number | undefined): string {
  if (x === undefined || !Number.isFinite(x)) return '—';
  return x >= 100
    ? Math.round(x).toLocaleString('en-US')
    : x.toLocaleString('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
}

/** Milliseconds for a table: three significant figures (whole numbers from 100 up). */
export function fmtMs(x: number | undefined): string {
  if (x === undefined || !Number.isFinite(x)) return '—';
  if (x >= 100) return Math.round(x).toLocaleString('en-US');
  return x >= 10 ? x.toFixed(1) : x >= 1 ? x.toFixed(2) : x.toFixed(3);
}

/** A signed percentage: `+12.3`, `-4.0`. */
export function fmtPct(x: number | undefined): string {
  if (x === undefined || !Number.isFinite(x)) return '—';
  return `${x >= 0 ? '+' : '-'}${Math.abs(x).toFixed(1)}`;
}

const fmtSpread = (pct: number | undefined) => (pct === undefined ? '' : ` ±${pct.toFixed(1)}%`);

/** The cells of one table row (shared by the text and the Markdown table). */
function rowCells(s: SeriesReport, p: MeasuredPoint): string[] {
  const pr = byConcurrency(s.predicted).get(p.concurrency);
  // A spread needs two repeats or more (a point read from a bare CSV has none).
  const sp = (p.repeats?.length ?? 0) > 1 ? p.spread : undefined;
  const err = (m: Metric) => (pr ? fmtPct(errorPct(pr[m], p[m])) : '—');
  return [
    s.calibrateAt.includes(p.concurrency) ? 'cal' : 'held-out',
    String(p.concurrency),
    fmtRate(p.throughput_rps) + fmtSpread(halfRangePct(sp?.throughput_rps, p.throughput_rps)),
    fmtRate(pr?.throughput_rps),
    err('throughput_rps'),
    fmtMs(p.mean_ms) + fmtSpread(halfRangePct(sp?.mean_ms, p.mean_ms)),
    fmtMs(pr?.mean_ms),
    err('mean_ms'),
    fmtMs(p.p99_ms) + fmtSpread(halfRangePct(sp?.p99_ms, p.p99_ms)),
    fmtMs(pr?.p99_ms),
    err('p99_ms'),
  ];
}

const HEADERS = [
  'point',
  'clients',
  'measured X/s',
  'predicted',
  'err %',
  'mean ms',
  'predicted',
  'err %',
  'P99 ms',
  'predicted',
  'err %',
];

const sortedPoints = (s: SeriesReport) =>
  [...s.measured].sort((a, b) => a.concurrency - b.concurrency);

/** The series table as aligned text (first column left-aligned, the figures right-aligned). */
export function formatSeriesTable(s: SeriesReport): string {
  const rows = [HEADERS, ...sortedPoints(s).map((p) => rowCells(s, p))];
  const widths = HEADERS.map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const line = (r: string[]) =>
    r
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i])))
      .join('  ')
      .trimEnd();
  return [`${s.name}`, ...rows.map(line)].join('\n');
}

const describePeak = (p: PeakInfo) =>
  p.peakAt === p.lastAt
    ? `peaks at the last point (${fmtRate(p.peak)}/s at ${p.peakAt} clients): no fall measured`
    : `peaks at ${p.peakAt} clients (${fmtRate(p.peak)}/s), ${
        p.falls ? 'falls' : 'stays within ' + FALL_PCT + ' %:'
      } ${p.dropPct.toFixed(0)} % below by ${p.lastAt}`;

/** One paragraph per series: the largest held-out errors against the targets, and the peaks. */
export function summaryLine(s: SeriesReport): string {
  const v = seriesVerdict(s);
  const parts: string[] = [];
  if (!s.predicted?.length) {
    parts.push(`${s.name}: no prediction${s.predictNote ? ` (${s.predictNote})` : ''}`);
  } else if (v.heldOut.length === 0) {
    parts.push(`${s.name}: every point was a calibration point, nothing held out to judge`);
  } else {
    const errs = v.metrics.map((m) =>
      m.worst
        ? `${LABEL[m.metric]} ${fmtPct(m.worst.errorPct)} % at ${m.worst.concurrency} (±${m.target} %: ${m.ok ? 'ok' : 'MISSED'})`
        : `${LABEL[m.metric]} — (not predicted)`,
    );
    parts.push(
      `${s.name}: ${v.ok ? 'PASS' : 'FAIL'} — largest held-out errors (${v.heldOut.join(', ')} clients): ${errs.join(', ')}`,
    );
  }
  parts.push(`measured throughput ${describePeak(v.measuredPeak)}`);
  if (v.predictedPeak)
    parts.push(
      `predicted ${describePeak(v.predictedPeak)} — ${
        v.peakAgrees
          ? v.measuredPeak.falls
            ? 'both fall past the peak'
            : 'neither falls past the peak'
          : v.measuredPeak.falls
            ? 'the prediction misses the fall'
            : 'the prediction falls where the measurement does not'
      }`,
    );
  const idle = idleCoresNote(s);
  if (idle) parts.push(idle);
  return parts.join('; ');
}

/** The calibrated USL in one line: X(1), σ, κ, the core limit, N* and R². */
export function fitLine(f: UslFit): string {
  const g = (x: number) => (x === 0 ? '0' : x.toPrecision(3));
  if (f.by_simulation || f.x1_rps === null)
    return (
      `USL fit by simulation at the calibration points: ` +
      (f.demand_scale === undefined
        ? ''
        : f.cpu_scale !== undefined
          ? `CPU ${g(f.cpu_scale)}× the base's (` +
            // with cold starts the CPU a transaction reported is the lowest load's, with them
            (f.cold_start_ms === undefined
              ? `${f.cpu_ms === undefined ? '' : `${g(f.cpu_ms)} ms a transaction, `}the least measured), `
              : `the least measured), ${g(f.cold_start_ms)} ms more a stint that starts on the idle host (cold starts${f.cpu_ms === undefined ? '' : `: ${g(f.cpu_ms)} ms a transaction at the lowest load, as measured`}), `) +
            `waits ${g(f.demand_scale)}×, `
          : `step times ${g(f.demand_scale)}× the base's, `) +
      `σ ${g(f.sigma)}, κ ${g(f.kappa)}` +
      (f.core_speedup === undefined
        ? ''
        : `, core speedup ${g(f.core_speedup)} (${f.cores ?? 'its'} cores together do that many times one's work)`) +
      (f.r2 === null ? '' : `, R² ${f.r2.toFixed(3)} (throughput)`)
    );
  return (
    `USL fit: X(1) ${fmtRate(f.x1_rps)}/s, σ ${g(f.sigma)}, κ ${g(f.kappa)}` +
    `${f.cores === null ? '' : `, at most ${f.cores} cores`}, ` +
    (f.peak_concurrency === null
      ? 'no peak'
      : `peak N* ${f.peak_concurrency.toFixed(1)} → ${fmtRate(f.peak_throughput_rps ?? NaN)}/s`) +
    (f.r2 === null ? '' : `, R² ${f.r2.toFixed(3)}`)
  );
}

/**
 * CPU per transaction by process at each point (the median of the repeats kept), or undefined when
 * no repeat recorded it: what the model's step times and the pooler's cost can be checked against.
 */
export function cpuLine(s: SeriesReport): string | undefined {
  const parts: string[] = [];
  for (const p of sortedPoints(s)) {
    const r = (p.repeats ?? []).flatMap((x) => (x.cpu_ms_per_tx ? [x.cpu_ms_per_tx] : []));
    if (r.length === 0) continue;
    const med = (k: 'postgres' | 'pgbouncer' | 'pgbench') => median(r.map((x) => x[k]));
    const bouncer = med('pgbouncer');
    const model = s.predicted?.find((x) => x.concurrency === p.concurrency)?.cpu_ms;
    parts.push(
      `${p.concurrency}: postgres ${med('postgres').toFixed(3)}` +
        (bouncer > 0 ? `, pgbouncer ${bouncer.toFixed(3)}` : '') +
        `, pgbench ${med('pgbench').toFixed(3)}` +
        (model === undefined ? '' : ` (model ${model.toFixed(3)} in all)`),
    );
  }
  return parts.length
    ? `CPU ms per transaction by clients (median of the repeats): ${parts.join(' | ')}`
    : undefined;
}

/**
 * What the scheduler did per transaction at each point (the median of the repeats kept, summed
 * over the parts), beside the model's figures where there are: the CPU, the time runnable but
 * waiting for a core (the run queue) and how often a thread was given a core. Undefined when no
 * repeat recorded it (runs before the ninth).
 */
export function schedLine(s: SeriesReport): string | undefined {
  const parts: string[] = [];
  for (const f of schedFigures(s)) {
    parts.push(
      `${f.concurrency}: CPU ${f.cpu_ms.toFixed(3)} (${f.busy_cores.toFixed(2)} cores busy` +
        (f.cpu_busy
          ? `; by CPU ${f.cpu_busy.map((x) => `${Math.round(x * 100)} %`).join(' + ')}`
          : '') +
        `), ` +
        `run queue ${f.runq_ms.toFixed(3)}, ${f.slices.toFixed(1)} slices` +
        (f.model ? ` (model ${f.model.cpu_ms.toFixed(3)}, ${f.model.runq_ms.toFixed(3)})` : ''),
    );
  }
  return parts.length
    ? `Scheduler ms per transaction by clients (schedstat of every thread, median of the repeats): ${parts.join(' | ')}`
    : undefined;
}

interface SchedFigures {
  concurrency: number;
  cpu_ms: number;
  runq_ms: number;
  slices: number;
  /** Cores our processes kept busy: the throughput × the CPU a transaction. */
  busy_cores: number;
  /** How busy each CPU was, the median of the repeats (all processes, ours and others'). */
  cpu_busy?: number[];
  model?: { cpu_ms: number; runq_ms: number };
}

/** The scheduler's figures of each point that recorded them, summed over the parts. */
function schedFigures(s: SeriesReport): SchedFigures[] {
  const out: SchedFigures[] = [];
  for (const p of sortedPoints(s)) {
    const reps = p.repeats ?? [];
    if (!reps.some((x) => x.sched_per_tx)) continue;
    const sum = (k: 'cpu_ms' | 'runq_ms' | 'slices') => medianSched(reps, k)!;
    const m = s.predicted?.find((x) => x.concurrency === p.concurrency);
    // each CPU's median, the CPUs ordered busiest first (which vCPU is which does not matter)
    const byCpu = (p.repeats ?? []).flatMap((x) =>
      x.cpu_busy ? [[...x.cpu_busy].sort((a, b) => b - a)] : [],
    );
    const cpuBusy =
      byCpu.length && byCpu.every((b) => b.length === byCpu[0].length)
        ? byCpu[0].map((_, i) => median(byCpu.map((b) => b[i])))
        : undefined;
    out.push({
      concurrency: p.concurrency,
      cpu_ms: sum('cpu_ms'),
      runq_ms: sum('runq_ms'),
      slices: sum('slices'),
      busy_cores: (p.throughput_rps * sum('cpu_ms')) / 1000,
      ...(cpuBusy && { cpu_busy: cpuBusy }),
      ...(m?.cpu_ms !== undefined &&
        m.runq_ms !== undefined && { model: { cpu_ms: m.cpu_ms, runq_ms: m.runq_ms } }),
    });
  }
  return out;
}

/**
 * Whether the machine kept work waiting for a core while a core was free — a scheduler that does
 * not share its cores as processor sharing does (one that packs tasks onto fewer vCPUs, say), which
 * a model of cores does not predict: the point where the run queue was longest while at least half a
 * core stood idle, when it was at least 0.1 ms a transaction and three times the model's (or, with
 * no model, a quarter of the CPU). Undefined when no point shows it or the CPUs are unknown.
 */
export function idleCoresNote(s: SeriesReport): string | undefined {
  if (!s.cpus) return undefined;
  let worst: SchedFigures | undefined;
  for (const f of schedFigures(s)) {
    const idle = s.cpus - f.busy_cores >= 0.5;
    const long =
      f.runq_ms >= 0.1 && (f.model ? f.runq_ms >= 3 * f.model.runq_ms : f.runq_ms >= f.cpu_ms / 4);
    if (idle && long && (!worst || f.runq_ms > worst.runq_ms)) worst = f;
  }
  if (!worst) return undefined;
  return (
    `work waited for a core while cores stood idle: at ${worst.concurrency} clients ` +
    `${fmtMs(worst.runq_ms)} ms a transaction in the run queue with ${worst.busy_cores.toFixed(2)} ` +
    `of ${s.cpus} cores busy` +
    (worst.model ? ` (the model's ${fmtMs(worst.model.runq_ms)} ms)` : '') +
    ' — processor sharing never leaves a core idle while work waits, so light loads are where a model of cores misses most'
  );
}

/**
 * PostgreSQL's WAL flushes at each point (the median of the repeats kept), or undefined when no
 * repeat recorded them: what the model's commit flush (db.commit_flush) can be checked against —
 * how many commits share a flush, how long one takes under load, how busy the flushing is.
 */
export function walLine(s: SeriesReport): string | undefined {
  const parts: string[] = [];
  for (const p of sortedPoints(s)) {
    const r = (p.repeats ?? []).flatMap((x) => (x.wal ? [x.wal] : []));
    if (r.length === 0) continue;
    const med = (k: 'tx_per_flush' | 'flush_ms' | 'flush_busy') => median(r.map((x) => x[k]));
    const model = s.predicted?.find((x) => x.concurrency === p.concurrency)?.flush_busy;
    parts.push(
      `${p.concurrency}: ${med('tx_per_flush').toFixed(2)} tx a flush, ` +
        `${med('flush_ms').toFixed(3)} ms each, busy ${Math.round(med('flush_busy') * 100)} %` +
        (model === undefined ? '' : ` (model ${Math.round(model * 100)} %)`),
    );
  }
  return parts.length
    ? `WAL flushes by clients (pg_stat_wal, median of the repeats): ${parts.join(' | ')}`
    : undefined;
}

/** The text report of one series: its table, a legend and the summary. */
export function formatSeries(s: SeriesReport): string {
  return [
    formatSeriesTable(s),
    '  cal = calibration point, held-out = predicted only; ± = half the min–max range of the repeats',
    ...(s.fit ? [`  ${fitLine(s.fit)}`] : []),
    ...(cpuLine(s) ? [`  ${cpuLine(s)}`] : []),
    ...(walLine(s) ? [`  ${walLine(s)}`] : []),
    ...(schedLine(s) ? [`  ${schedLine(s)}`] : []),
    `  ${summaryLine(s)}`,
  ].join('\n');
}

const mdEscape = (t: string) => t.replace(/\|/g, '\\|');

/** The Markdown report: a context paragraph, then per series its table and summary. */
export function formatMarkdown(title: string, context: string[], series: SeriesReport[]): string {
  const out = [`# ${title}`, '', ...context.map((c) => `- ${c}`), ''];
  for (const s of series) {
    out.push(`## ${s.name}`, '');
    out.push(`| ${HEADERS.join(' | ')} |`);
    out.push(`|${HEADERS.map((_, i) => (i < 1 ? ' --- ' : ' ---: ')).join('|')}|`);
    for (const p of sortedPoints(s)) out.push(`| ${rowCells(s, p).map(mdEscape).join(' | ')} |`);
    const cpu = cpuLine(s);
    const wal = walLine(s);
    const sched = schedLine(s);
    out.push(
      '',
      ...(s.fit ? [mdEscape(fitLine(s.fit)), ''] : []),
      ...(cpu ? [mdEscape(cpu), ''] : []),
      ...(wal ? [mdEscape(wal), ''] : []),
      ...(sched ? [mdEscape(sched), ''] : []),
      mdEscape(summaryLine(s)),
      '',
    );
  }
  out.push(
    'cal = calibration point (given to `peakline calibrate`), held-out = predicted only; ' +
      '± = half the min–max range of the repeats, in % of their median. ' +
      `Targets on held-out points: throughput ±${TARGETS.throughput_rps} %, mean ±${TARGETS.mean_ms} %, ` +
      `P99 ±${TARGETS.p99_ms} %. Throughput "falls" past its peak when the last point is ≥ ${FALL_PCT} % below it.`,
    '',
  );
  return out.join('\n');
}
