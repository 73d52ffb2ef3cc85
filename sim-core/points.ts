// Measured load points for `peakline calibrate`: parses a load test's results from text and
// detects the format — CSV with a header, JSON, pgbench's summary (one or more runs), pgbench's
// per-transaction log (--log) and its aggregated form (--aggregate-interval), and wrk's summary.
// Pure: no Node, so the console can use it too. Errors name the row or line and what is wrong.
import { findJsonError, lineColumn } from './validate/json-text';

/** One measured load: a closed loop (`concurrency` clients) or an open one (`rate_rps`). */
export interface LoadPoint {
  /** Clients (connections) of a closed loop without think time. */
  concurrency?: number;
  /** Offered rate of an open loop, req/s. */
  rate_rps?: number;
  /** Completed requests (transactions) per second. */
  throughput_rps: number;
  /** Mean latency, ms. */
  mean_ms: number;
  p50_ms?: number;
  p99_ms?: number;
  /**
   * CPU time on the host per completed request, ms, as measured (every process on the host that
   * serves it, e.g. from /proc/PID/stat or pidstat): with --fit-demand, calibrate sets the
   * model's CPU from it and leaves the rest of the latency to waiting.
   */
  cpu_ms?: number;
  /** Standard deviation of the latency, ms, where the tool reports it (pgbench, wrk). */
  stddev_ms?: number;
  /** Where in the file the point is, e.g. "row 3" or "line 12". */
  source: string;
}

export type PointsFormat =
  'csv' | 'json' | 'pgbench-summary' | 'pgbench-log' | 'pgbench-aggregate' | 'wrk';

export interface ParsedPoints {
  format: PointsFormat;
  points: LoadPoint[];
}

/** Bad input: `where` is "row N" or "line N"; the message is `where: what`. */
export class PointsError extends Error {
  constructor(
    readonly where: string,
    readonly what: string,
  ) {
    super(`${where}: ${what}`);
  }
}

const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i;

/** A number written as text, or undefined when it is not one. */
function toNumber(text: string): number | undefined {
  const t = text.trim();
  if (!NUMBER.test(t)) return undefined;
  const x = Number(t);
  return Number.isFinite(x) ? x : undefined;
}

const FIELDS = [
  'concurrency',
  'rate_rps',
  'throughput_rps',
  'mean_ms',
  'p50_ms',
  'p99_ms',
  'cpu_ms',
] as const;
type Field = (typeof FIELDS)[number];

/** Checks one row's values (already numbers or undefined) and makes a point of them. */
function rowPoint(values: Partial<Record<Field, number>>, where: string): LoadPoint {
  const fail = (what: string): never => {
    throw new PointsError(where, what);
  };
  const { concurrency, rate_rps, throughput_rps, mean_ms, p50_ms, p99_ms, cpu_ms } = values;
  if (concurrency === undefined && rate_rps === undefined)
    fail('needs concurrency (a closed loop) or rate_rps (an open one); both are empty');
  if (concurrency !== undefined && rate_rps !== undefined)
    fail('give concurrency (a closed loop) or rate_rps (an open one), not both');
  if (concurrency !== undefined && !(concurrency > 0))
    fail(`concurrency must be > 0 (got ${concurrency})`);
  if (rate_rps !== undefined && !(rate_rps > 0)) fail(`rate_rps must be > 0 (got ${rate_rps})`);
  if (throughput_rps === undefined) fail('throughput_rps is empty');
  if (!(throughput_rps! > 0)) fail(`throughput_rps must be > 0 (got ${throughput_rps})`);
  if (mean_ms === undefined) fail('mean_ms is empty');
  if (!(mean_ms! > 0)) fail(`mean_ms must be > 0 (got ${mean_ms})`);
  for (const [k, v] of [
    ['p50_ms', p50_ms],
    ['p99_ms', p99_ms],
    ['cpu_ms', cpu_ms],
  ] as const)
    if (v !== undefined && !(v > 0)) fail(`${k} must be > 0 (got ${v})`);
  return {
    ...(concurrency !== undefined ? { concurrency } : {}),
    ...(rate_rps !== undefined ? { rate_rps } : {}),
    throughput_rps: throughput_rps!,
    mean_ms: mean_ms!,
    ...(p50_ms !== undefined ? { p50_ms } : {}),
    ...(p99_ms !== undefined ? { p99_ms } : {}),
    ...(cpu_ms !== undefined ? { cpu_ms } : {}),
    source: where,
  };
}

const REQUIRED_NOTE = 'concurrency or rate_rps, throughput_rps, mean_ms';

/** Splits one CSV line into trimmed cells (double quotes around a cell are removed). */
function csvCells(line: string, sep: string): string[] {
  const cells: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"') quoted = true;
    else if (c === sep) {
      cells.push(cur.trim());
      cur = '';
    } else cur += c;
  }
  cells.push(cur.trim());
  return cells;
}

/** CSV with a header row; rows are numbered as in a spreadsheet (the header is row 1). */
function parseCsv(lines: string[]): LoadPoint[] {
  const first = lines.findIndex((l) => l.trim() !== '' && !l.trim().startsWith('#'));
  const sep = lines[first].includes(',') ? ',' : lines[first].includes('\t') ? '\t' : ';';
  const header = csvCells(lines[first], sep).map((h) => h.toLowerCase());
  const headerRow = `row ${first + 1}`;
  if (header.every((h) => toNumber(h) !== undefined))
    throw new PointsError(
      headerRow,
      `no header: the first row must name the columns (${REQUIRED_NOTE})`,
    );
  const col: Partial<Record<Field, number>> = {};
  for (const f of FIELDS) {
    const i = header.indexOf(f);
    if (i >= 0) col[f] = i;
  }
  const has = header.filter((h) => h !== '').join(', ');
  for (const f of ['throughput_rps', 'mean_ms'] as const)
    if (col[f] === undefined)
      throw new PointsError(
        headerRow,
        `missing column "${f}" in the header (has: ${has}; needs ${REQUIRED_NOTE})`,
      );
  if (col.concurrency === undefined && col.rate_rps === undefined)
    throw new PointsError(
      headerRow,
      `missing column "concurrency" or "rate_rps" in the header (has: ${has}; needs ${REQUIRED_NOTE})`,
    );
  const points: LoadPoint[] = [];
  for (let li = first + 1; li < lines.length; li++) {
    const line = lines[li];
    if (line.trim() === '' || line.trim().startsWith('#')) continue;
    const where = `row ${li + 1}`;
    const cells = csvCells(line, sep);
    const values: Partial<Record<Field, number>> = {};
    for (const f of FIELDS) {
      const i = col[f];
      if (i === undefined) continue;
      const text = cells[i];
      if (text === undefined) {
        if (f === 'throughput_rps' || f === 'mean_ms')
          throw new PointsError(where, `no value for "${f}" (the row has ${cells.length} cells)`);
        continue;
      }
      if (text === '') continue;
      const x = toNumber(text);
      if (x === undefined) throw new PointsError(where, `${f} is not a number: "${text}"`);
      values[f] = x;
    }
    points.push(rowPoint(values, where));
  }
  return points;
}

/** JSON: an array of point objects, or `{ "points": [...] }`; rows are numbered from 1. */
function parseJson(text: string): LoadPoint[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    const found = findJsonError(text);
    const { line } = lineColumn(text, found?.offset ?? 0);
    throw new PointsError(
      `line ${line}`,
      `malformed JSON: ${found?.message ?? (e as Error).message}`,
    );
  }
  const list =
    data !== null && typeof data === 'object' && !Array.isArray(data)
      ? (data as { points?: unknown }).points
      : data;
  if (!Array.isArray(list))
    throw new PointsError(
      'line 1',
      'expected a JSON array of points or an object with "points": [...]',
    );
  return list.map((item, i) => {
    const where = `row ${i + 1}`;
    if (item === null || typeof item !== 'object' || Array.isArray(item))
      throw new PointsError(where, `a point must be an object (got ${JSON.stringify(item)})`);
    const o = item as Record<string, unknown>;
    const values: Partial<Record<Field, number>> = {};
    for (const f of FIELDS) {
      const v = o[f];
      if (v === undefined || v === null) continue;
      if (typeof v !== 'number' || !Number.isFinite(v))
        throw new PointsError(where, `${f} is not a number: ${JSON.stringify(v)}`);
      values[f] = v;
    }
    for (const f of ['throughput_rps', 'mean_ms'] as const)
      if (values[f] === undefined)
        throw new PointsError(where, `missing "${f}" (a point needs ${REQUIRED_NOTE})`);
    return rowPoint(values, where);
  });
}

/** A number on a line of tool output, or an error naming the line and the text. */
function numberOn(text: string, what: string, line: number): number {
  const x = toNumber(text);
  if (x === undefined) throw new PointsError(`line ${line}`, `${what} is not a number: "${text}"`);
  return x;
}

/**
 * pgbench's summary; several runs may follow each other (each "number of clients" starts one).
 * With --rate ("rate limit schedule lag") a run is an open loop at the measured tps.
 */
function parsePgbenchSummary(lines: string[]): LoadPoint[] {
  interface Run {
    line: number;
    clients: number;
    tps?: number;
    tpsExcluding?: boolean;
    mean?: number;
    stddev?: number;
    rate: boolean;
  }
  const runs: Run[] = [];
  let run: Run | undefined;
  lines.forEach((raw, i) => {
    const ln = i + 1;
    const l = raw.trim();
    let m: RegExpExecArray | null;
    if ((m = /^number of clients:\s*(.*)$/.exec(l))) {
      const clients = numberOn(m[1], 'number of clients', ln);
      if (!(clients >= 1)) throw new PointsError(`line ${ln}`, `number of clients must be >= 1`);
      run = { line: ln, clients, rate: false };
      runs.push(run);
      return;
    }
    if (!/^(tps|latency average|latency stddev|rate limit schedule lag)\b/.test(l)) return;
    if (!run)
      throw new PointsError(
        `line ${ln}`,
        `"${l.split(/[=:]/)[0].trim()}" before any "number of clients:" line (is the start of the run cut off?)`,
      );
    if ((m = /^tps\s*=\s*(\S+)(.*)$/.exec(l))) {
      // Older pgbench prints "including" and "excluding connections establishing": take excluding.
      const excluding = !/including/.test(m[2]);
      if (run.tps !== undefined && run.tpsExcluding && !excluding) return;
      const tps = numberOn(m[1], 'tps', ln);
      if (!(tps > 0)) throw new PointsError(`line ${ln}`, `tps must be > 0 (got ${tps})`);
      run.tps = tps;
      run.tpsExcluding = excluding;
    } else if ((m = /^latency average\s*=\s*(\S+)\s*ms/.exec(l))) {
      const mean = numberOn(m[1], 'latency average', ln);
      if (!(mean > 0))
        throw new PointsError(`line ${ln}`, `latency average must be > 0 (got ${mean})`);
      run.mean = mean;
    } else if ((m = /^latency stddev\s*=\s*(\S+)\s*ms/.exec(l))) {
      run.stddev = numberOn(m[1], 'latency stddev', ln);
    } else if (/^rate limit schedule lag/.test(l)) run.rate = true;
  });
  return runs.map((r, k) => {
    const where = `line ${r.line}`;
    const which = runs.length > 1 ? `run ${k + 1} (from this line)` : 'the run';
    if (r.tps === undefined)
      throw new PointsError(where, `${which} has no "tps = …" line (did it fail or stop early?)`);
    if (r.mean === undefined)
      throw new PointsError(where, `${which} has no "latency average = … ms" line`);
    return {
      ...(r.rate ? { rate_rps: r.tps } : { concurrency: r.clients }),
      throughput_rps: r.tps,
      mean_ms: r.mean,
      ...(r.stddev !== undefined ? { stddev_ms: r.stddev } : {}),
      source: where,
    };
  });
}

/** The value at quantile q (nearest rank) of sorted values. */
function quantileSorted(sorted: Float64Array, q: number): number {
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i];
}

/**
 * Runs `fn(fields, line)` on each non-empty line of a whitespace-separated log, after checking it
 * has at least as many fields as `names` (the message lists them). Returns the first and last
 * line numbers seen.
 */
function eachLogLine(
  lines: string[],
  names: readonly string[],
  fn: (t: string[], ln: number) => void,
): { firstLine: number; lastLine: number } {
  let firstLine = 0;
  let lastLine = 0;
  lines.forEach((raw, i) => {
    const l = raw.trim();
    if (l === '') return;
    const ln = i + 1;
    const t = l.split(/\s+/);
    if (t.length < names.length)
      throw new PointsError(
        `line ${ln}`,
        `expected at least ${names.length} fields (${names.join(' ')}), got ${t.length}`,
      );
    if (!firstLine) firstLine = ln;
    lastLine = ln;
    fn(t, ln);
  });
  return { firstLine, lastLine };
}

/**
 * pgbench's per-transaction log: `client_id transaction_no time_us script_no time_epoch time_us
 * [schedule_lag] [retries]`. The whole file is one closed-loop point: as many clients as distinct
 * client ids; failed and skipped transactions are left out.
 */
function parsePgbenchLog(lines: string[]): LoadPoint[] {
  const clients = new Set<string>();
  const latencies: number[] = [];
  let firstEnd = Infinity;
  let lastEnd = -Infinity;
  const names = ['client_id', 'transaction_no', 'time', 'script_no', 'time_epoch', 'time_us'];
  const { firstLine, lastLine } = eachLogLine(lines, names, (t, ln) => {
    if (t[2] === 'failed' || t[2] === 'skipped') return;
    const v = t.slice(0, 6).map((s, k) => numberOn(s, names[k], ln));
    if (!(v[2] >= 0)) throw new PointsError(`line ${ln}`, `time must be >= 0 (got ${v[2]})`);
    clients.add(t[0]);
    latencies.push(v[2]);
    const end = v[4] * 1e6 + v[5];
    if (end < firstEnd) firstEnd = end;
    if (end > lastEnd) lastEnd = end;
  });
  if (latencies.length < 2 || !(lastEnd > firstEnd))
    throw new PointsError(
      `line ${lastLine || 1}`,
      'needs at least two transactions that end at different times',
    );
  const n = latencies.length;
  const sorted = Float64Array.from(latencies).sort();
  let sum = 0;
  for (const x of latencies) sum += x;
  const mean = sum / n;
  let ss = 0;
  for (const x of latencies) ss += (x - mean) * (x - mean);
  // n transactions end in [first end, last end]: n − 1 intervals between them.
  const throughput = ((n - 1) * 1e6) / (lastEnd - firstEnd);
  return [
    {
      concurrency: clients.size,
      throughput_rps: throughput,
      mean_ms: mean / 1000,
      p50_ms: quantileSorted(sorted, 0.5) / 1000,
      p99_ms: quantileSorted(sorted, 0.99) / 1000,
      stddev_ms: Math.sqrt(ss / n) / 1000,
      source: `lines ${firstLine}–${lastLine} (${n} transactions)`,
    },
  ];
}

/**
 * pgbench's aggregated log (--aggregate-interval): `interval_start num_transactions sum_latency
 * sum_latency_2 min_latency max_latency [sum_lag sum_lag_2 min_lag max_lag [skipped]] …`. One
 * point per file. It names no clients: with schedule lag (--rate) it is an open loop at the
 * measured rate; otherwise the clients are estimated by Little's law (throughput × mean latency,
 * rounded), exact for a closed loop without think time.
 */
function parsePgbenchAggregate(lines: string[]): LoadPoint[] {
  let n = 0;
  let sum = 0;
  let sum2 = 0;
  let lag = 0;
  let intervals = 0;
  let firstStart = Infinity;
  let lastStart = -Infinity;
  let step = Infinity;
  let prev: number | undefined;
  const names = [
    'interval_start',
    'num_transactions',
    'sum_latency',
    'sum_latency_2',
    'min_latency',
    'max_latency',
  ];
  const { firstLine, lastLine } = eachLogLine(lines, names, (t, ln) => {
    const [start, count, s, s2] = t.slice(0, 4).map((x, k) => numberOn(x, names[k], ln));
    if (!(count >= 0))
      throw new PointsError(`line ${ln}`, `num_transactions must be >= 0 (got ${count})`);
    if (t.length >= 10) lag += numberOn(t[6], 'sum_lag', ln);
    if (prev !== undefined && start > prev) step = Math.min(step, start - prev);
    prev = start;
    firstStart = Math.min(firstStart, start);
    lastStart = Math.max(lastStart, start);
    n += count;
    sum += s;
    sum2 += s2;
    intervals++;
  });
  if (intervals < 2 || !Number.isFinite(step))
    throw new PointsError(
      `line ${lastLine || 1}`,
      'needs at least two intervals (the interval length is read from their starts)',
    );
  if (!(n > 0)) throw new PointsError(`line ${firstLine}`, 'no transactions in any interval');
  const throughput = n / (lastStart - firstStart + step);
  const mean = sum / n / 1000;
  const variance = Math.max(0, sum2 / n - (sum / n) ** 2);
  const open = lag > 0;
  return [
    {
      ...(open
        ? { rate_rps: throughput }
        : { concurrency: Math.max(1, Math.round((throughput * mean) / 1000)) }),
      throughput_rps: throughput,
      mean_ms: mean,
      stddev_ms: Math.sqrt(variance) / 1000,
      source: `lines ${firstLine}–${lastLine} (${intervals} intervals of ${step} s${open ? '' : ', clients by Little’s law'})`,
    },
  ];
}

/** wrk's time units as [multiply, divide] to ms (dividing µs by 1000 rounds better than × 0.001). */
const WRK_UNITS: Record<string, [number, number]> = {
  us: [1, 1000],
  ms: [1, 1],
  s: [1000, 1],
  m: [60_000, 1],
  h: [3_600_000, 1],
};

/** A wrk duration such as `436.81us`, `2.76ms` or `1.02s`, in ms. */
function wrkTime(text: string, what: string, line: number): number {
  const m = /^([\d.]+)([a-z]+)$/i.exec(text);
  const unit = m ? WRK_UNITS[m[2].toLowerCase()] : undefined;
  const x = m ? toNumber(m[1]) : undefined;
  if (x === undefined || unit === undefined)
    throw new PointsError(
      `line ${line}`,
      `${what} is not a time with a unit (us, ms, s, m, h): "${text}"`,
    );
  return (x * unit[0]) / unit[1];
}

/** wrk's summary; several runs may follow each other (each "N threads and M connections"). */
function parseWrk(lines: string[]): LoadPoint[] {
  interface Run {
    line: number;
    connections: number;
    mean?: number;
    stddev?: number;
    p50?: number;
    p99?: number;
    rps?: number;
  }
  const runs: Run[] = [];
  let run: Run | undefined;
  lines.forEach((raw, i) => {
    const ln = i + 1;
    const l = raw.trim();
    let m: RegExpExecArray | null;
    if ((m = /^(\S+) threads? and (\S+) connections?/.exec(l))) {
      const connections = numberOn(m[2], 'connections', ln);
      if (!(connections >= 1)) throw new PointsError(`line ${ln}`, 'connections must be >= 1');
      run = { line: ln, connections };
      runs.push(run);
      return;
    }
    const latency = /^Latency\s+(\S+)\s+(\S+)/.exec(l);
    const pct = /^(\d+(?:\.\d+)?)%\s+(\S+)$/.exec(l);
    const rps = /^Requests\/sec:\s*(\S+)/.exec(l);
    if (!(latency && !/^Latency Distribution/.test(l)) && !pct && !rps) return;
    if (!run)
      throw new PointsError(
        `line ${ln}`,
        'a wrk result before any "N threads and M connections" line (is the start cut off?)',
      );
    if (latency && !/^Latency Distribution/.test(l)) {
      run.mean = wrkTime(latency[1], 'Latency Avg', ln);
      run.stddev = wrkTime(latency[2], 'Latency Stdev', ln);
    } else if (pct) {
      const q = Number(pct[1]);
      if (q === 50) run.p50 = wrkTime(pct[2], 'the 50% latency', ln);
      else if (q === 99) run.p99 = wrkTime(pct[2], 'the 99% latency', ln);
    } else if (rps) {
      const x = numberOn(rps[1], 'Requests/sec', ln);
      if (!(x > 0)) throw new PointsError(`line ${ln}`, `Requests/sec must be > 0 (got ${x})`);
      run.rps = x;
    }
  });
  return runs.map((r, k) => {
    const where = `line ${r.line}`;
    const which = runs.length > 1 ? `run ${k + 1} (from this line)` : 'the run';
    if (r.rps === undefined) throw new PointsError(where, `${which} has no "Requests/sec:" line`);
    if (r.mean === undefined)
      throw new PointsError(where, `${which} has no "Latency  avg  stdev  max" line`);
    if (!(r.mean > 0)) throw new PointsError(where, `${which}: latency average must be > 0`);
    return {
      concurrency: r.connections,
      throughput_rps: r.rps,
      mean_ms: r.mean,
      ...(r.p50 !== undefined ? { p50_ms: r.p50 } : {}),
      ...(r.p99 !== undefined ? { p99_ms: r.p99 } : {}),
      ...(r.stddev !== undefined ? { stddev_ms: r.stddev } : {}),
      source: where,
    };
  });
}

/** Which format `text` is in, or null when it is none of them. */
export function detectPointsFormat(text: string): PointsFormat | null {
  const body = text.replace(/^\ufeff/, '');
  const trimmed = body.trimStart();
  if (trimmed.startsWith('[') || trimmed.startsWith('{')) return 'json';
  if (/^\s*\S+ threads? and \S+ connections?/m.test(body) || /^Requests\/sec:/m.test(body))
    return 'wrk';
  if (/^number of clients:/m.test(body) || /^tps = /m.test(body)) return 'pgbench-summary';
  const first = body
    .split(/\r?\n/)
    .map((l) => l.trim())
    .find((l) => l !== '' && !l.startsWith('#'));
  if (first === undefined) return null;
  const t = first.split(/\s+/);
  const numeric = (s: string) => /^-?\d+(\.\d+)?$/.test(s);
  if (t.length >= 6 && [0, 1, 3, 4, 5].every((k) => numeric(t[k]))) {
    if (numeric(t[2]) || t[2] === 'failed' || t[2] === 'skipped') {
      // The aggregated form starts with an epoch second; the per-transaction one with a client id.
      return Number(t[0]) >= 1e8 ? 'pgbench-aggregate' : 'pgbench-log';
    }
  }
  if (/[,;\t]/.test(first)) return 'csv';
  return null;
}

/** Parses measured load points, detecting the format. Throws PointsError on bad input. */
export function parsePoints(text: string): ParsedPoints {
  const body = text.replace(/^\ufeff/, '');
  if (body.trim() === '') throw new PointsError('line 1', 'the file is empty');
  const format = detectPointsFormat(body);
  if (format === null)
    throw new PointsError(
      'line 1',
      `not a format calibrate reads: expected CSV with a header (${REQUIRED_NOTE}), JSON, pgbench output (summary, --log or --aggregate-interval) or wrk output`,
    );
  const lines = body.split(/\r?\n/);
  const points =
    format === 'csv'
      ? parseCsv(lines)
      : format === 'json'
        ? parseJson(body)
        : format === 'pgbench-summary'
          ? parsePgbenchSummary(lines)
          : format === 'pgbench-log'
            ? parsePgbenchLog(lines)
            : format === 'pgbench-aggregate'
              ? parsePgbenchAggregate(lines)
              : parseWrk(lines);
  if (points.length === 0)
    throw new PointsError(
      `line ${lines.length}`,
      format === 'csv' ? 'no data rows after the header' : 'no load points in the file',
    );
  return { format, points };
}
