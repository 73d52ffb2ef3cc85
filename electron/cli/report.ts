// Human-readable output of the CLI: the `run` table (throughput, latency, requests, errors,
// stations, async backlog, confidence intervals) and the `sweep` table, grid and CSV.
import type { ErrorCounts, SimResult } from '../../sim-core/result';
import type { SweepPoint, SweepResult } from '../sweep/sweep';
import { ms, num, pct, table } from './util';

const ERROR_NAMES: Record<keyof ErrorCounts, string> = {
  backlog_full: 'backlog full (503)',
  async_queue_full: 'async queue full',
  pool_timeout: 'DB pool acquire timeout',
  client_timeout: 'client timeout',
  instance_down: 'instance down',
  lock_timeout: 'lock timeout',
  service_full: 'downstream service full',
};

const MAX_INDEXED_ROWS = 8;

/** The `run` table for one result. */
export function formatRun(r: SimResult, file: string): string {
  const out: string[] = [];
  const ci = r.ci95;
  out.push(`${r.scenario}  (${file}, seed ${r.seed})`);
  out.push(
    `measured ${num(r.duration_s, r.duration_s % 1 ? 1 : 0)} s of simulated time after ${num(r.warmup_s, r.warmup_s % 1 ? 1 : 0)} s warm-up`,
  );
  out.push('');
  out.push(
    `Throughput   ${num(r.throughput_rps, 1)} req/s ± ${num(ci.throughput_rps.half_width, 1)}   (offered ${num(r.offered_rps, 1)} req/s, error rate ${pct(r.error_rate, 2)})`,
  );
  const l = r.latency_ms;
  out.push(
    `Latency ms   mean ${ms(l.mean)} ± ${ms(ci.latency_mean_ms.half_width)}   p50 ${ms(l.p50)}   p90 ${ms(l.p90)}   p99 ${ms(l.p99)} ± ${ms(ci.latency_p99_ms.half_width)}   p99.9 ${ms(l.p999)}   max ${ms(l.max)}`,
  );
  const q = r.requests;
  out.push(
    `Requests     arrived ${num(q.arrived)}   completed ${num(q.completed)}   ok ${num(q.ok)}   rejected ${num(q.rejected)}   timed out ${num(q.timed_out)}   in flight ${num(q.in_flight)}`,
  );
  const errs = (Object.keys(ERROR_NAMES) as (keyof ErrorCounts)[])
    .filter((k) => (r.errors[k] ?? 0) > 0)
    .map((k) => `${ERROR_NAMES[k]} ${num(r.errors[k])}`);
  out.push(`Errors       ${errs.length ? errs.join('   ') : 'none'}`);
  out.push('');

  // Whole stations (instances, pool, queue, workers, services) always; of the per-index ones
  // (instance[i], shard[i], lock[i]) the busiest.
  const names = Object.keys(r.stations);
  const indexed = names.filter((n) => /\[\d+\]$/.test(n));
  const busiest = new Set(
    [...indexed]
      .sort((a, b) => r.stations[b].utilization - r.stations[a].utilization)
      .slice(0, MAX_INDEXED_ROWS),
  );
  const shown = names.filter((n) => !indexed.includes(n) || busiest.has(n));
  const rows = shown.map((n) => {
    const s = r.stations[n];
    return [
      n === r.saturated ? `${n} *` : n,
      s.kind,
      num(s.servers),
      pct(s.utilization),
      num(s.mean_queue, 2),
      ms(s.mean_wait_ms),
    ];
  });
  out.push('Stations');
  for (const line of table(
    ['  station', 'kind', 'servers', 'util', 'mean queue', 'mean wait ms'],
    rows.map((row) => [`  ${row[0]}`, ...row.slice(1)]),
    [false, false, true, true, true, true],
  ))
    out.push(line);
  if (names.length > shown.length)
    out.push(
      `  … ${names.length - shown.length} more (the busiest ${MAX_INDEXED_ROWS} of ${indexed.length} shown; --json lists all)`,
    );
  out.push(
    `Saturated    ${r.saturated ? `${r.saturated} (the first station to saturate)` : 'none (no station is the bottleneck)'}`,
  );

  if (r.async) {
    const a = r.async;
    const d = a.task_delay_ms;
    out.push('');
    out.push(
      `Async        enqueued ${num(a.enqueued)}   done ${num(a.completed)} (${num(a.throughput_rps, 1)} tasks/s)   rejected ${num(a.rejected)}   pending at end ${num(a.pending)}`,
    );
    out.push(`  backlog    mean ${num(a.mean_backlog, 1)}   max ${num(a.max_backlog)}`);
    out.push(
      `  task delay mean ${ms(d.mean)}   p50 ${ms(d.p50)}   p99 ${ms(d.p99)}   max ${ms(d.max)} ms (enqueue → done)`,
    );
  }
  if (r.autoscale || r.slo) out.push('', ...capacityLines(r));
  out.push('');
  const rate = r.wall_ms > 0 ? r.events / (r.wall_ms / 1000) : 0;
  out.push(
    `Engine       ${num(r.events)} events in ${num(r.wall_ms, 1)} ms${rate ? ` (${num(rate / 1e6, 1)} M events/s)` : ''}`,
  );
  out.push('             ± are 95 % confidence half-widths (batch means)');

  if (r.series && r.series.length) {
    out.push('');
    out.push(`Series (window ${num(r.window_s, 2)} s)`);
    const step = Math.max(1, Math.ceil(r.series.length / 40));
    const pts = r.series.filter((_, i) => i % step === 0);
    for (const line of table(
      [
        '  t s',
        'rps',
        'ok rps',
        'err rps',
        'p50 ms',
        'p99 ms',
        'in flight',
        'backlog',
        'async q',
        'blocked',
      ],
      pts.map((p) => [
        `  ${num(p.t_s, 1)}`,
        num(p.rps, 0),
        num(p.ok_rps, 0),
        num(p.error_rps, 0),
        ms(p.p50_ms),
        ms(p.p99_ms),
        num(p.in_flight, 0),
        num(p.backlog, 0),
        num(p.async_backlog, 0),
        num(p.blocked, 0),
      ]),
      [true, true, true, true, true, true, true, true, true, true],
    ))
      out.push(line);
    if (step > 1) out.push(`  (every ${step}th window of ${r.series.length}; --json has them all)`);
  }
  return out.join('\n') + '\n';
}

/** Autoscaler and SLO lines: cost, what the controller did, the counts over time, violations. */
export function capacityLines(r: SimResult): string[] {
  const out: string[] = [];
  const a = r.autoscale;
  if (a) {
    out.push(
      `Autoscale    ${a.mode}${a.mode === 'static' ? ` (${a.max} instances throughout)` : ` on ${a.metric} → target ${num(a.target, 2)}, ${a.min}..${a.max} instances`}`,
    );
    out.push(
      `  cost       ${num(a.instance_seconds, 0)} instance-seconds   mean ${num(a.mean_instances, 2)} instances   peak ${a.peak_instances}   scale-ups ${a.scale_ups}   scale-downs ${a.scale_downs}`,
    );
    if (a.timeline.length > 1) {
      // the serving count as a line of changes: 0 s 2 → 105 s 2 (+1 booting) → …
      const steps = a.timeline.filter((p, i) => i === 0 || p.serving !== a.timeline[i - 1].serving);
      const shown = steps.slice(0, 16).map((p) => `${num(p.t_s, 0)} s ${p.serving}`);
      out.push(
        `  serving    ${shown.join(' → ')}${steps.length > shown.length ? ` → … (${steps.length} changes; --json has the timeline)` : ''}`,
      );
    }
  } else if (r.instance_seconds !== undefined) {
    out.push(`Capacity     ${num(r.instance_seconds, 0)} instance-seconds (a fixed count)`);
  }
  const slo = r.slo;
  if (slo) {
    const bad = slo.timeline.filter((w) => w.violated).map((w) => num(w.t_s, 0));
    out.push(
      `SLO          p99 ≤ ${ms(slo.p99_ms)} ms, errors ≤ ${pct(slo.max_error_rate, 1)} per ${num(slo.window_s, 0)} s window: ` +
        (slo.violated_windows === 0
          ? `met in all ${slo.windows} windows`
          : `violated in ${slo.violated_windows} of ${slo.windows} windows (${num(slo.violated_s, 0)} s), from ${num(slo.first_violation_s ?? 0, 0)} s`),
    );
    if (bad.length > 0)
      out.push(
        `  violated   windows starting at ${bad.slice(0, 20).join(', ')} s${bad.length > 20 ? ', …' : ''}`,
      );
  }
  return out;
}

const valuesText = (p: SweepPoint) =>
  Object.entries(p.values)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');

/** The `sweep` table: one row per point, or a P99 grid for two dimensions; then the verdict. */
export function formatSweep(s: SweepResult): string {
  const out: string[] = [];
  const mark = (p: SweepPoint) => (p.meets_slo === null ? '' : p.meets_slo ? 'yes' : 'no');
  const dims = s.vary;
  const header = [
    ...dims.map((d) => d.path),
    'throughput',
    'p50 ms',
    'p99 ms',
    'p99.9 ms',
    'errors',
    'saturated',
    ...(s.slo ? ['meets SLO'] : []),
  ];
  const rows = s.points.map((p) => [
    ...dims.map((d) => String(p.values[d.path])),
    p.error ? 'failed' : num(p.throughput_rps, 1),
    p.error ? '' : ms(p.p50_ms),
    p.error ? '' : ms(p.p99_ms),
    p.error ? '' : ms(p.p999_ms),
    p.error ? p.error : pct(p.error_rate, 2),
    p.saturated ?? '',
    ...(s.slo ? [mark(p)] : []),
  ]);
  const right = header.map((_, i) => i >= dims.length && i < dims.length + 5);
  if (dims.length === 2 && s.points.length > 0) {
    const [a, b] = dims;
    const at = new Map(s.points.map((p) => [`${p.values[a.path]}|${p.values[b.path]}`, p]));
    out.push(
      `P99 latency ms by ${a.path} (rows) × ${b.path} (columns)${s.slo ? '; * meets the SLO' : ''}`,
    );
    const gridRows = a.values.map((va) => [
      String(va),
      ...b.values.map((vb) => {
        const p = at.get(`${va}|${vb}`);
        if (!p) return '';
        if (p.error) return 'fail';
        return `${ms(p.p99_ms)}${p.meets_slo ? '*' : p.meets_slo === false ? ' ' : ''}`;
      }),
    ]);
    for (const line of table([`${a.path} \\ ${b.path}`, ...b.values.map(String)], gridRows, [
      false,
      ...b.values.map(() => true),
    ]))
      out.push(line);
    out.push('');
  }
  for (const line of table(header, rows, right)) out.push(line);
  out.push('');
  if (s.cancelled) out.push(`Cancelled after ${s.points.length} points.`);
  if (s.slo) {
    const meeting = s.points.filter((p) => p.meets_slo).length;
    if (s.best)
      out.push(
        `Cheapest meeting SLO ${s.slo}: ${valuesText(s.best)} (cost ${num(s.best.cost, 2)}; throughput ${num(s.best.throughput_rps, 1)} req/s, p99 ${ms(s.best.p99_ms)} ms, errors ${pct(s.best.error_rate, 2)}) — ${meeting} of ${s.points.length} points meet it`,
      );
    else out.push(`No configuration meets the SLO ${s.slo} (0 of ${s.points.length} points).`);
    out.push('Cost = the sum of the varied values (each weighted by --weight path=w, default 1).');
  }
  out.push(
    `${s.points.length} points on ${s.redis !== undefined ? `${s.workers ?? 0} worker(s) at ${s.redis}` : `${s.threads || 1} thread(s)`} in ${num(s.wall_ms / 1000, 2)} s`,
  );
  return out.join('\n') + '\n';
}

function csvCell(v: unknown): string {
  const t = v === null || v === undefined ? '' : String(v);
  return /[",\n]/.test(t) ? `"${t.replace(/"/g, '""')}"` : t;
}

/** The sweep as CSV: one row per point, varied values first. */
export function formatSweepCsv(s: SweepResult): string {
  const cols = [
    'throughput_rps',
    'p50_ms',
    'p90_ms',
    'p99_ms',
    'p999_ms',
    'mean_ms',
    'error_rate',
    'task_delay_p99_ms',
    'saturated',
    'meets_slo',
    'cost',
    'error',
  ] as const;
  const lines = [[...s.vary.map((d) => d.path), ...cols].map(csvCell).join(',')];
  for (const p of s.points)
    lines.push(
      [...s.vary.map((d) => p.values[d.path]), ...cols.map((c) => p[c])].map(csvCell).join(','),
    );
  return lines.join('\n') + '\n';
}
