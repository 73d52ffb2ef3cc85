// Trace replay (`workload.type = "trace"`): reading a recording of real traffic from its text — an
// nginx access log (`$msec` or `$time_local`, optionally `$request_time`), a CSV of timestamps, or
// a Peakline live recording (its request rate) — and turning it into simulated arrivals. Pure: no
// Node (the CLI and the Node side read the file; the console hands over its content).
//
// Semantics chosen here:
// - Times are relative to the trace's first timestamp (t = 0); `start_s` skips that much recorded
//   time; `speed` s compresses recorded time (2 = an hour replayed in 30 minutes, at twice the
//   rate); `rate_multiplier` m keeps the pace and multiplies the traffic: each recorded arrival
//   becomes ⌊m⌋ arrivals, plus one more with probability m − ⌊m⌋ (m < 1 thins the trace); the
//   copies after the first fall uniformly in the gap to the next recorded arrival, so "this
//   morning at 3×" keeps the morning's shape without bunching copies at one instant.
// - `$time_local` has whole seconds: the k requests logged in one second are spread evenly over it.
// - Log lines are written when a request ends, so they are sorted by time before replay.
// - A recording holds rates, not requests: the replay is a Poisson process on that rate curve.
// - A line that cannot be read is counted and reported (its number and why, the first few); empty
//   lines and `#` comments are not lines of traffic.
import { parseHistory, parseTime } from './forecast/history';
import type { Rng } from './random';
import type { Scenario } from './schema';

export type TraceWorkload = Extract<Scenario['workload'], { type: 'trace' }>;
type TraceInput = {
  type: 'trace';
  format?: 'auto' | 'nginx' | 'csv' | 'recording';
  service_times?: boolean;
  [k: string]: unknown;
};

/** A line of the trace that could not be read. */
export interface BadLine {
  line: number;
  reason: string;
}

/** What reading a trace found. */
export interface ParsedTrace {
  format: 'nginx' | 'csv' | 'recording';
  /** Arrival times, seconds from the first (sorted); empty for a recording. */
  times_s: number[];
  /** nginx with $request_time: each request's recorded time, ms (when asked). */
  service_ms?: number[];
  /** A recording's request rate: [t_s from its start, rps]. */
  rates?: [number, number][];
  /** Lines of traffic read (bad ones included). */
  lines: number;
  /** Lines that could not be read, and the first few of them. */
  bad: number;
  bad_lines: BadLine[];
  /** Recorded seconds from the first timestamp to the last. */
  span_s: number;
  /** Unix seconds of the first timestamp (0 for timestamps relative to the start). */
  t0: number;
}

/** Bad lines listed by line number (the count has them all). */
export const BAD_LINES_SHOWN = 5;

export class TraceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TraceError';
  }
}

const MONTHS: Record<string, number> = {
  Jan: 0,
  Feb: 1,
  Mar: 2,
  Apr: 3,
  May: 4,
  Jun: 5,
  Jul: 6,
  Aug: 7,
  Sep: 8,
  Oct: 9,
  Nov: 10,
  Dec: 11,
};
/** `[06/Dec/2026:10:00:01 +0000]` */
const TIME_LOCAL =
  /\[(\d{2})\/([A-Z][a-z]{2})\/(\d{4}):(\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})\]/;
/** `$msec`: Unix seconds with milliseconds, e.g. 1765015200.123 */
const MSEC = /^\d{9,10}\.\d{3}$/;
/** `request_time=0.012` / `rt=0.012` */
const KEYED_RT = /(?:^|\s)(?:request_time|rt)=(\d+(?:\.\d+)?)(?=\s|$)/;
const SECONDS = /^\d+\.\d{3}$/;

/** Which format a text looks like. */
export function detectFormat(text: string): 'nginx' | 'csv' | 'recording' {
  const first = text
    .replace(/^\ufeff/, '')
    .split(/\r?\n/)
    .find((l) => l.trim() !== '' && !l.startsWith('#'));
  if (first === undefined) throw new TraceError('the trace is empty');
  if (first.trim().startsWith('{')) return 'recording';
  if (TIME_LOCAL.test(first) || first.split(/\s+/).some((t) => MSEC.test(t))) return 'nginx';
  return 'csv';
}

/** Reads a trace from its text. */
export function parseTrace(
  text: string,
  format: 'auto' | 'nginx' | 'csv' | 'recording' = 'auto',
  serviceTimes = false,
): ParsedTrace {
  const f = format === 'auto' ? detectFormat(text) : format;
  if (f === 'recording') return parseRecordingTrace(text);
  return f === 'nginx' ? parseNginx(text, serviceTimes) : parseCsvTrace(text);
}

function parseNginx(text: string, serviceTimes: boolean): ParsedTrace {
  const raw: { t: number; svc: number; whole: boolean }[] = [];
  const bad: BadLine[] = [];
  let nBad = 0;
  let lines = 0;
  const fail = (line: number, reason: string) => {
    nBad++;
    if (bad.length < BAD_LINES_SHOWN) bad.push({ line, reason });
  };
  text.split(/\r?\n/).forEach((l, k) => {
    if (l.trim() === '' || l.startsWith('#')) return;
    lines++;
    const no = k + 1;
    const tokens = l.trim().split(/\s+/);
    let t = NaN;
    let msecAt = -1;
    let whole = false;
    const m = TIME_LOCAL.exec(l);
    if (m) {
      const [, d, mon, y, hh, mi, ss, sign, oh, om] = m;
      const month = MONTHS[mon];
      if (month === undefined) return fail(no, `unknown month "${mon}"`);
      const ms = Date.UTC(+y, month, +d, +hh, +mi, +ss);
      const back = new Date(ms);
      if (back.getUTCDate() !== +d || +hh > 23 || +mi > 59 || +ss > 60)
        return fail(no, `not a valid $time_local "${m[0]}"`);
      t = ms / 1000 - (sign === '-' ? -1 : 1) * (+oh * 3600 + +om * 60);
      whole = true;
    }
    // $msec wins over $time_local: it has milliseconds
    msecAt = tokens.findIndex((tok) => MSEC.test(tok));
    if (msecAt >= 0) {
      t = Number(tokens[msecAt]);
      whole = false;
    }
    if (!Number.isFinite(t)) return fail(no, 'no $msec or [$time_local] timestamp');
    let svc = NaN;
    if (serviceTimes) {
      const keyed = KEYED_RT.exec(l);
      if (keyed) svc = Number(keyed[1]);
      else {
        // the first field like 0.012 besides $msec (the log_format's $request_time)
        const at = tokens.findIndex((tok, x) => x !== msecAt && SECONDS.test(tok));
        if (at >= 0) svc = Number(tokens[at]);
      }
      if (!Number.isFinite(svc))
        return fail(
          no,
          'no $request_time (asked for by service_times): rt=… or a field like 0.012',
        );
    }
    raw.push({ t, svc: svc * 1000, whole });
  });
  if (raw.length === 0) throw noTraffic(lines, nBad, bad);
  raw.sort((a, b) => a.t - b.t);
  // whole-second stamps: the k requests of one second spread evenly over it
  const times = new Array<number>(raw.length);
  for (let i = 0; i < raw.length;) {
    let j = i + 1;
    if (raw[i].whole) while (j < raw.length && raw[j].whole && raw[j].t === raw[i].t) j++;
    const k = j - i;
    for (let x = i; x < j; x++) times[x] = raw[x].whole ? raw[x].t + (x - i + 0.5) / k : raw[x].t;
    i = j;
  }
  times.sort((a, b) => a - b);
  const t0 = Math.floor(times[0]);
  return {
    format: 'nginx',
    times_s: times.map((t) => round6(t - t0)),
    ...(serviceTimes ? { service_ms: raw.map((r) => r.svc) } : {}),
    lines,
    bad: nBad,
    bad_lines: bad,
    span_s: round6(times[times.length - 1] - t0),
    t0,
  };
}

function parseCsvTrace(text: string): ParsedTrace {
  const rows = text.replace(/^\ufeff/, '').split(/\r?\n/);
  const bad: BadLine[] = [];
  let nBad = 0;
  let lines = 0;
  let col = 0;
  let headerSeen = false;
  const times: number[] = [];
  rows.forEach((l, k) => {
    if (l.trim() === '' || l.startsWith('#')) return;
    const cells = l.split(',').map((c) => c.trim());
    if (!headerSeen) {
      headerSeen = true;
      const named = cells.findIndex((c) => /^(t|ts|time|timestamp|t_s)$/i.test(c));
      if (named >= 0 || cells.every((c) => /^[a-z_ ]+$/i.test(c))) {
        col = Math.max(named, 0);
        return;
      }
    }
    lines++;
    const cell = cells[col] ?? '';
    let t: number | string;
    if (/^\d{12,14}(\.\d+)?$/.test(cell))
      t = Number(cell) / 1000; // Unix milliseconds
    else t = parseTime(cell);
    if (typeof t === 'string') {
      nBad++;
      if (bad.length < BAD_LINES_SHOWN) bad.push({ line: k + 1, reason: t });
      return;
    }
    times.push(t);
  });
  if (times.length === 0) throw noTraffic(lines, nBad, bad);
  times.sort((a, b) => a - b);
  // Unix times start at their first whole second; times already relative start at 0
  const t0 = times[0] > 1e8 ? Math.floor(times[0]) : 0;
  return {
    format: 'csv',
    times_s: times.map((t) => round6(t - t0)),
    lines,
    bad: nBad,
    bad_lines: bad,
    span_s: round6(times[times.length - 1] - t0),
    t0,
  };
}

function parseRecordingTrace(text: string): ParsedTrace {
  let h;
  try {
    h = parseHistory(text);
  } catch (e) {
    const line = (e as { line?: number }).line;
    throw new TraceError(`${line ? `line ${line}: ` : ''}${(e as Error).message}`);
  }
  if (h.format !== 'recording')
    throw new TraceError(`not a Peakline recording (read as ${h.format})`);
  const t0 = h.points[0].t;
  const rates = h.points.map((p): [number, number] => [round6(p.t - t0), p.rate]);
  return {
    format: 'recording',
    times_s: [],
    rates,
    lines: rates.length,
    bad: 0,
    bad_lines: [],
    span_s: rates[rates.length - 1][0],
    t0,
  };
}

function noTraffic(lines: number, nBad: number, bad: BadLine[]): TraceError {
  const first = bad.map((b) => `line ${b.line}: ${b.reason}`).join('; ');
  return new TraceError(
    lines === 0
      ? 'the trace has no lines of traffic'
      : `none of its ${lines} lines could be read (${nBad} bad; ${first})`,
  );
}

/** A one-line account of bad lines: "2 bad lines of 40 (line 3: …; line 9: …)". */
export function badLinesText(t: Pick<ParsedTrace, 'bad' | 'lines' | 'bad_lines'>): string {
  if (t.bad === 0) return '';
  const listed = t.bad_lines.map((b) => `line ${b.line}: ${b.reason}`).join('; ');
  const more = t.bad > t.bad_lines.length ? `; and ${t.bad - t.bad_lines.length} more` : '';
  return `${t.bad} bad line${t.bad === 1 ? '' : 's'} of ${t.lines} skipped (${listed}${more})`;
}

/**
 * The workload with the trace's data filled in (from the file's text): `times_s` or `rates`, and
 * for `service_times` the handler replaced by one cpu step of the recorded times. The scenario is
 * then self-contained (workers and the console need no file). Returns the report too.
 */
export function withTrace<S extends { workload: unknown; handler: unknown }>(
  scenario: S,
  text: string,
): { scenario: S; trace: ParsedTrace } {
  const w = scenario.workload as TraceInput;
  const trace = parseTrace(text, w.format ?? 'auto', w.service_times === true);
  const workload: Record<string, unknown> = { ...w, format: trace.format };
  if (trace.rates) workload.rates = trace.rates;
  else workload.times_s = trace.times_s;
  const out = { ...scenario, workload } as S;
  if (trace.service_ms)
    (out as { handler: unknown }).handler = [
      { cpu: { dist: 'empirical', samples_ms: trace.service_ms.map(round6) } },
    ];
  return { scenario: out, trace };
}

/** Recorded seconds → simulated ms, after start_s and speed. */
function simMs(w: TraceWorkload, t: number): number {
  return ((t - w.start_s) / w.speed) * 1000;
}

/** A recording's rate curve as the scenario's [[t_s, rps]] (in simulated time, scaled). */
export function traceRatePoints(w: TraceWorkload): [number, number][] {
  if (w.rates) {
    const pts = w.rates
      .filter(([t]) => t >= w.start_s)
      .map(([t, r]): [number, number] => [simMs(w, t) / 1000, r * w.speed * w.rate_multiplier]);
    return pts.length > 0 ? pts : [[0, 0]];
  }
  // timestamps: arrivals per second of simulated time
  const times = w.times_s ?? [];
  const counts = new Map<number, number>();
  for (const t of times) {
    if (t < w.start_s) continue;
    const s = Math.floor(simMs(w, t) / 1000);
    counts.set(s, (counts.get(s) ?? 0) + 1);
  }
  if (counts.size === 0) return [[0, 0]];
  const last = Math.max(...counts.keys());
  const pts: [number, number][] = [];
  for (let s = 0; s <= last; s++) pts.push([s + 0.5, (counts.get(s) ?? 0) * w.rate_multiplier]);
  return pts;
}

/** Mean arrival rate over the first `simulatedS` seconds (for the run-cost estimate). */
export function traceMeanRate(w: TraceWorkload, simulatedS: number): number {
  if (!(simulatedS > 0)) return 0;
  if (w.rates) {
    const pts = traceRatePoints(w);
    let area = 0;
    for (let k = 0; k < pts.length; k++) {
      const t0 = pts[k][0];
      const t1 = k + 1 < pts.length ? Math.min(pts[k + 1][0], simulatedS) : simulatedS;
      if (t1 > t0) area += pts[k][1] * (t1 - t0);
    }
    return area / simulatedS;
  }
  let n = 0;
  for (const t of w.times_s ?? []) {
    if (t < w.start_s) continue;
    if (simMs(w, t) < simulatedS * 1000) n++;
  }
  return (n * w.rate_multiplier) / simulatedS;
}

/**
 * The replayed arrival times (ms of simulated time, sorted, before `endMs`) of a trace of
 * timestamps, with the rate multiplier applied (see the module comment). Draws from `rng`.
 */
export function traceArrivals(w: TraceWorkload, endMs: number, rng: Rng): Float64Array {
  const src = (w.times_s ?? []).filter((t) => t >= w.start_s).map((t) => simMs(w, t));
  const m = w.rate_multiplier;
  const whole = Math.floor(m);
  const frac = m - whole;
  const out: number[] = [];
  const n = src.length;
  const meanGap = n > 1 ? (src[n - 1] - src[0]) / (n - 1) : 1000;
  for (let k = 0; k < n; k++) {
    const t = src[k];
    if (t >= endMs) break;
    let copies = whole + (frac > 0 && rng.float() < frac ? 1 : 0);
    if (copies === 0) continue;
    out.push(t);
    const gap = k + 1 < n ? src[k + 1] - t : meanGap;
    const extra: number[] = [];
    while (--copies > 0) extra.push(t + rng.float() * gap);
    extra.sort((a, b) => a - b);
    for (const x of extra) if (x < endMs) out.push(x);
  }
  return Float64Array.from(out);
}

function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
