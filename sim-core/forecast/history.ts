// Reads a rate history from text and tells which format it was: a CSV with a header naming `t` and
// `rate` (t in Unix seconds or ISO 8601), a Peakline live recording (`watch --record`: the
// request rate of its metrics source, or a Redis source's ops/s when it has none), or a saved
// Prometheus `query_range` response holding one series. Pure: no Node, so the console can use it.
// Every error names the line and what is wrong: missing columns, values that are not numbers,
// times out of order or repeated.
import { findJsonError, lineColumn } from '../validate/json-text';
import { ForecastError, type RatePoint } from './series';

export type HistoryFormat = 'csv' | 'recording' | 'prometheus';

export interface ParsedHistory {
  format: HistoryFormat;
  points: RatePoint[];
  /** What was taken from the file (e.g. which source of a recording), for the report. */
  note?: string;
}

const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i;
const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i;

/** Unix seconds above this look like milliseconds (year 5138 in seconds). */
const MAX_UNIX_S = 1e11;

/** A time written as Unix seconds or ISO 8601 (UTC unless it carries an offset), in seconds. */
export function parseTime(text: string): number | string {
  const t = text.trim();
  if (NUMBER.test(t)) {
    const x = Number(t);
    if (!Number.isFinite(x)) return `t "${t}" is not a finite number`;
    if (Math.abs(x) > MAX_UNIX_S) return `t ${t} looks like milliseconds; t is in Unix seconds`;
    return x;
  }
  const m = ISO.exec(t);
  if (!m) return `t "${t}" is neither Unix seconds nor an ISO 8601 time`;
  const [, y, mo, d, hh = '0', mi = '0', ss = '0', frac = '', zone] = m;
  const ms = Date.UTC(+y, +mo - 1, +d, +hh, +mi, +ss, frac ? Math.round(Number(frac) * 1000) : 0);
  const back = new Date(ms);
  if (
    !Number.isFinite(ms) ||
    back.getUTCMonth() !== +mo - 1 ||
    back.getUTCDate() !== +d ||
    +hh > 23 ||
    +mi > 59 ||
    +ss > 60
  )
    return `t "${t}" is not a valid date and time`;
  let offset = 0;
  if (zone && zone.toUpperCase() !== 'Z') {
    const z = /^([+-])(\d{2}):?(\d{2})$/.exec(zone)!;
    offset = (z[1] === '-' ? -1 : 1) * (Number(z[2]) * 60 + Number(z[3])) * 60;
  }
  return ms / 1000 - offset;
}

/** A rate: a finite number ≥ 0, or the reason it is not one. */
function parseRate(text: string): number | string {
  const t = text.trim();
  if (!NUMBER.test(t)) return `rate "${t}" is not a number`;
  const x = Number(t);
  if (!Number.isFinite(x)) return `rate "${t}" is not a finite number`;
  if (x < 0) return `rate ${t} is negative`;
  return x;
}

/** Splits a CSV line on commas, dropping the quotes around a field. */
function cells(line: string): string[] {
  return line.split(',').map((c) =>
    c
      .trim()
      .replace(/^"(.*)"$/, '$1')
      .trim(),
  );
}

/** Checks that times increase; `lines[k]` is the input line of point k. */
function checkOrder(points: RatePoint[], lines: number[], show: (t: number) => string): void {
  for (let k = 1; k < points.length; k++) {
    const a = points[k - 1].t;
    const b = points[k].t;
    if (b === a)
      throw new ForecastError(
        `t ${show(b)} repeats the time of line ${lines[k - 1]} (duplicate time)`,
        lines[k],
      );
    if (b < a)
      throw new ForecastError(
        `t ${show(b)} is before line ${lines[k - 1]}'s ${show(a)} (times must increase)`,
        lines[k],
      );
  }
}

function parseCsv(text: string): ParsedHistory {
  const lines = text.split(/\r?\n/);
  let headerLine = -1;
  let ti = -1;
  let ri = -1;
  let width = 0;
  const points: RatePoint[] = [];
  const at: number[] = [];
  const raw: string[] = [];
  for (let k = 0; k < lines.length; k++) {
    const line = lines[k].replace(/^\ufeff/, '');
    const no = k + 1;
    if (!line.trim() || line.trimStart().startsWith('#')) continue;
    const c = cells(line);
    if (headerLine < 0) {
      headerLine = no;
      const names = c.map((x) => x.toLowerCase());
      ti = names.indexOf('t');
      ri = names.indexOf('rate');
      const missing = [ti < 0 ? 't' : '', ri < 0 ? 'rate' : ''].filter(Boolean);
      if (missing.length)
        throw new ForecastError(
          `the header has no column ${missing.map((m) => `"${m}"`).join(' or ')} (it reads "${line.trim()}"; expected t,rate)`,
          no,
        );
      width = c.length;
      continue;
    }
    if (c.length < width)
      throw new ForecastError(`${c.length} column(s), the header has ${width}`, no);
    const t = parseTime(c[ti]);
    if (typeof t === 'string') throw new ForecastError(t, no);
    const rate = parseRate(c[ri]);
    if (typeof rate === 'string') throw new ForecastError(rate, no);
    points.push({ t, rate });
    at.push(no);
    raw.push(c[ti]);
  }
  if (headerLine < 0) throw new ForecastError('the file is empty (expected a header t,rate)', 1);
  if (points.length === 0) throw new ForecastError('no data rows after the header', headerLine);
  const rawOf = new Map(points.map((p, k) => [p.t, raw[k]]));
  checkOrder(points, at, (t) => rawOf.get(t) ?? String(t));
  return { format: 'csv', points };
}

function parseRecording(text: string): ParsedHistory {
  const lines = text.split(/\r?\n/);
  const bySource = new Map<string, { points: RatePoint[]; lines: number[]; metric: string }>();
  const order: string[] = [];
  for (let k = 1; k < lines.length; k++) {
    const no = k + 1;
    if (!lines[k].trim()) continue;
    let s: { t?: unknown; source?: unknown; kind?: unknown; metrics?: Record<string, unknown> };
    try {
      s = JSON.parse(lines[k]);
    } catch {
      throw new ForecastError('not JSON (a recording has one JSON sample a line)', no);
    }
    if (typeof s.t !== 'number' || typeof s.source !== 'string')
      throw new ForecastError('a sample needs a number "t" (epoch ms) and a "source"', no);
    const metric = s.kind === 'redis' ? 'ops_per_sec' : 'request_rate';
    const v = s.metrics?.[metric];
    if (v === null || v === undefined) continue; // not known yet (a rate needs two samples)
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0)
      throw new ForecastError(`${metric} ${JSON.stringify(v)} is not a rate`, no);
    const key = `${s.kind}\u0000${s.source}`;
    let g = bySource.get(key);
    if (!g) {
      g = { points: [], lines: [], metric };
      bySource.set(key, g);
      order.push(key);
    }
    g.points.push({ t: s.t / 1000, rate: v });
    g.lines.push(no);
  }
  // a metrics source's request rate first, else a Redis source's ops/s
  const pick =
    order.find((k) => bySource.get(k)!.metric === 'request_rate') ??
    order.find((k) => bySource.get(k)!.metric === 'ops_per_sec');
  if (!pick)
    throw new ForecastError(
      'the recording has no request_rate (metrics source) or ops_per_sec (Redis source) samples',
      1,
    );
  const g = bySource.get(pick)!;
  checkOrder(g.points, g.lines, (t) => new Date(t * 1000).toISOString());
  const [kind, source] = pick.split('\u0000');
  const others = order.length - 1;
  return {
    format: 'recording',
    points: g.points,
    note: `${g.metric} of ${kind} source ${source}${others ? ` (${others} other source${others > 1 ? 's' : ''} ignored)` : ''}`,
  };
}

function parsePrometheus(text: string, doc: unknown): ParsedHistory {
  const lineOf = (needle: string) => {
    const at = text.indexOf(needle);
    return at >= 0 ? lineColumn(text, at).line : 1;
  };
  const d = doc as {
    status?: unknown;
    error?: unknown;
    data?: { resultType?: unknown; result?: unknown };
  };
  if (d.status === 'error')
    throw new ForecastError(`Prometheus answered with an error: ${String(d.error ?? '')}`, 1);
  if (d.data?.resultType !== 'matrix' || !Array.isArray(d.data.result))
    throw new ForecastError(
      'not a Prometheus query_range response (expected data.resultType "matrix")',
      lineOf('"data"'),
    );
  const result = d.data.result as { metric?: unknown; values?: unknown }[];
  if (result.length === 0)
    throw new ForecastError('the query matched no series', lineOf('"result"'));
  if (result.length > 1)
    throw new ForecastError(
      `the response holds ${result.length} series; aggregate them in the query (e.g. sum(rate(...[1m])))`,
      lineOf('"result"'),
    );
  const values = result[0].values;
  if (!Array.isArray(values))
    throw new ForecastError('the series has no "values"', lineOf('"values"'));
  const points: RatePoint[] = [];
  const at: number[] = [];
  const valuesLine = lineOf('"values"');
  for (let k = 0; k < values.length; k++) {
    const pair = values[k] as unknown;
    const where = valuesLine;
    if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[0] !== 'number')
      throw new ForecastError(`value ${k + 1} is not a [time, "value"] pair`, where);
    const v = String(pair[1]);
    if (/^(NaN|[+-]?Inf)$/i.test(v)) continue; // Prometheus's way of saying "no value"
    const rate = parseRate(v);
    if (typeof rate === 'string') throw new ForecastError(`value ${k + 1}: ${rate}`, where);
    points.push({ t: pair[0], rate });
    at.push(where);
  }
  if (points.length === 0) throw new ForecastError('the series has no values', valuesLine);
  checkOrder(points, at, (t) => String(t));
  return { format: 'prometheus', points };
}

/** Parses a history; throws ForecastError with the line of the problem. */
export function parseHistory(text: string): ParsedHistory {
  const body = text.replace(/^\ufeff/, '');
  const firstLine = body.split(/\r?\n/, 1)[0].trim();
  if (firstLine.startsWith('{')) {
    let header: { type?: unknown; schema?: unknown } | null;
    try {
      header = JSON.parse(firstLine);
    } catch {
      header = null;
    }
    if (header && header.type === 'header') {
      if (header.schema !== 'peakline.live-recording/v1')
        throw new ForecastError(
          `a recording of schema ${JSON.stringify(header.schema)}; expected peakline.live-recording/v1`,
          1,
        );
      return parseRecording(body);
    }
    const bad = findJsonError(body);
    if (bad)
      throw new ForecastError(`not valid JSON: ${bad.message}`, lineColumn(body, bad.offset).line);
    return parsePrometheus(body, JSON.parse(body));
  }
  return parseCsv(body);
}
