// Reading measured load points as a user hands them over: a CSV or JSON they wrote, or the output
// of pgbench and wrk as the tools print it (real PostgreSQL 15 pgbench and wrk 4.1 runs captured in
// fixtures/). Each mistake is named by its row or line and what is wrong.
import { describe, expect, it } from 'vitest';
import pgbenchTpcbRuns from './fixtures/pgbench-tpcb-runs.txt?raw';
import pgbenchSelectOnlyR from './fixtures/pgbench-select-only-r.txt?raw';
import pgbenchTModeR from './fixtures/pgbench-t-mode-r.txt?raw';
import pgbenchRate800 from './fixtures/pgbench-rate800.txt?raw';
import pgbenchLogC1 from './fixtures/pgbench-log-c1.log?raw';
import pgbenchLogC2 from './fixtures/pgbench-log-c2.log?raw';
import pgbenchLogC4 from './fixtures/pgbench-log-c4.log?raw';
import pgbenchLogC8 from './fixtures/pgbench-log-c8.log?raw';
import pgbenchAggregateC4 from './fixtures/pgbench-aggregate-c4.log?raw';
import pgbenchAggregateRate800 from './fixtures/pgbench-aggregate-rate800.log?raw';
import wrkC8 from './fixtures/wrk-c8.txt?raw';
import wrkLatencyC1 from './fixtures/wrk-latency-c1.txt?raw';
import wrkLatencyC2 from './fixtures/wrk-latency-c2.txt?raw';
import wrkLatencyC4 from './fixtures/wrk-latency-c4.txt?raw';
import wrkLatencyC8 from './fixtures/wrk-latency-c8.txt?raw';
import wrkLatencyC16 from './fixtures/wrk-latency-c16.txt?raw';
import wrkLatencyC32 from './fixtures/wrk-latency-c32.txt?raw';
import { detectPointsFormat, parsePoints, PointsError, type LoadPoint } from './points';

const FIXTURES: Record<string, string> = {
  'pgbench-tpcb-runs.txt': pgbenchTpcbRuns,
  'pgbench-select-only-r.txt': pgbenchSelectOnlyR,
  'pgbench-t-mode-r.txt': pgbenchTModeR,
  'pgbench-rate800.txt': pgbenchRate800,
  'pgbench-log-c1.log': pgbenchLogC1,
  'pgbench-log-c2.log': pgbenchLogC2,
  'pgbench-log-c4.log': pgbenchLogC4,
  'pgbench-log-c8.log': pgbenchLogC8,
  'pgbench-aggregate-c4.log': pgbenchAggregateC4,
  'pgbench-aggregate-rate800.log': pgbenchAggregateRate800,
  'wrk-c8.txt': wrkC8,
  'wrk-latency-c1.txt': wrkLatencyC1,
  'wrk-latency-c2.txt': wrkLatencyC2,
  'wrk-latency-c4.txt': wrkLatencyC4,
  'wrk-latency-c8.txt': wrkLatencyC8,
  'wrk-latency-c16.txt': wrkLatencyC16,
  'wrk-latency-c32.txt': wrkLatencyC32,
};
/** The text of a captured fixture. */
const fixture = (name: string): string => {
  const text = FIXTURES[name];
  if (text === undefined) throw new Error(`no fixture ${name}`);
  return text;
};

/** The error message parsePoints gives for `text`. */
function errorOf(text: string): string {
  try {
    parsePoints(text);
  } catch (e) {
    expect(e).toBeInstanceOf(PointsError);
    return (e as Error).message;
  }
  throw new Error('parsePoints accepted the text');
}

const loads = (points: LoadPoint[]) => points.map((p) => p.concurrency ?? p.rate_rps);

describe('CSV with a header', () => {
  it('reads closed points in any column order, ignoring extra columns and blank lines', () => {
    const r = parsePoints(
      'mean_ms,note,concurrency,throughput_rps,p99_ms\n' +
        '1.0,warm,1,1000,2.5\n' +
        '\n' +
        '# a comment\n' +
        '2.2,"quoted, note",4,1818.2,\n',
    );
    expect(r.format).toBe('csv');
    expect(r.points).toEqual([
      { concurrency: 1, throughput_rps: 1000, mean_ms: 1, p99_ms: 2.5, source: 'row 2' },
      { concurrency: 4, throughput_rps: 1818.2, mean_ms: 2.2, source: 'row 5' },
    ]);
  });

  it('reads open points (rate_rps) and p50/p99', () => {
    const r = parsePoints(
      'rate_rps,throughput_rps,mean_ms,p50_ms,p99_ms\r\n100,99.5,3.1,2.9,8\r\n200,198,4.5,4,12\r\n',
    );
    expect(r.points.map((p) => [p.rate_rps, p.throughput_rps, p.p50_ms, p.p99_ms])).toEqual([
      [100, 99.5, 2.9, 8],
      [200, 198, 4, 12],
    ]);
  });

  it('names the missing column in the header', () => {
    expect(errorOf('concurrency,throughput_rps\n1,100\n')).toBe(
      'row 1: missing column "mean_ms" in the header (has: concurrency, throughput_rps; needs concurrency or rate_rps, throughput_rps, mean_ms)',
    );
    expect(errorOf('clients,throughput_rps,mean_ms\n1,100,10\n')).toMatch(
      /^row 1: missing column "concurrency" or "rate_rps" in the header/,
    );
    expect(errorOf('1,100,10\n2,180,11\n')).toMatch(/^row 1: no header: the first row must name/);
  });

  it('names the row and column of a value that is not a number', () => {
    expect(errorOf('concurrency,throughput_rps,mean_ms\n1,100,10\n2,1.8k,11\n')).toBe(
      'row 3: throughput_rps is not a number: "1.8k"',
    );
    expect(errorOf('concurrency,throughput_rps,mean_ms\n1,100\n')).toBe(
      'row 2: no value for "mean_ms" (the row has 2 cells)',
    );
  });

  it('reads the CPU a request used (cpu_ms), and names the row of a bad one', () => {
    const r = parsePoints(
      'concurrency,throughput_rps,mean_ms,cpu_ms\n1,1650,0.6,0.47\n8,5290,1.48,\n',
    );
    expect(r.points).toEqual([
      { concurrency: 1, throughput_rps: 1650, mean_ms: 0.6, cpu_ms: 0.47, source: 'row 2' },
      { concurrency: 8, throughput_rps: 5290, mean_ms: 1.48, source: 'row 3' },
    ]);
    expect(errorOf('concurrency,throughput_rps,mean_ms,cpu_ms\n1,1650,0.6,0\n')).toBe(
      'row 2: cpu_ms must be > 0 (got 0)',
    );
    expect(errorOf('[{"concurrency":1,"throughput_rps":1650,"mean_ms":0.6,"cpu_ms":"0.4"}]')).toBe(
      'row 1: cpu_ms is not a number: "0.4"',
    );
  });

  it('refuses a non-positive throughput and a row with neither concurrency nor rate', () => {
    expect(errorOf('concurrency,throughput_rps,mean_ms\n1,100,10\n2,0,11\n')).toBe(
      'row 3: throughput_rps must be > 0 (got 0)',
    );
    expect(errorOf('concurrency,rate_rps,throughput_rps,mean_ms\n1,,100,10\n,,180,11\n')).toBe(
      'row 3: needs concurrency (a closed loop) or rate_rps (an open one); both are empty',
    );
    expect(errorOf('concurrency,rate_rps,throughput_rps,mean_ms\n1,100,100,10\n')).toBe(
      'row 2: give concurrency (a closed loop) or rate_rps (an open one), not both',
    );
    expect(errorOf('concurrency,throughput_rps,mean_ms\n')).toMatch(
      /no data rows after the header/,
    );
  });
});

describe('JSON', () => {
  it('reads an array of points and an object with "points"', () => {
    const pts = [
      { concurrency: 1, throughput_rps: 100, mean_ms: 10, extra: 'ignored' },
      { rate_rps: 50, throughput_rps: 50, mean_ms: 11, p99_ms: 30 },
    ];
    const a = parsePoints(JSON.stringify(pts));
    expect(a.format).toBe('json');
    expect(a.points).toEqual([
      { concurrency: 1, throughput_rps: 100, mean_ms: 10, source: 'row 1' },
      { rate_rps: 50, throughput_rps: 50, mean_ms: 11, p99_ms: 30, source: 'row 2' },
    ]);
    expect(parsePoints(JSON.stringify({ points: pts }, null, 2)).points).toEqual(a.points);
  });

  it('names the row and what is wrong', () => {
    expect(errorOf('[{"concurrency":1,"throughput_rps":100,"mean_ms":10},{"concurrency":2}]')).toBe(
      'row 2: missing "throughput_rps" (a point needs concurrency or rate_rps, throughput_rps, mean_ms)',
    );
    expect(errorOf('[{"concurrency":"two","throughput_rps":100,"mean_ms":10}]')).toBe(
      'row 1: concurrency is not a number: "two"',
    );
    expect(errorOf('[{"concurrency":1,"throughput_rps":-3,"mean_ms":10}]')).toBe(
      'row 1: throughput_rps must be > 0 (got -3)',
    );
    expect(errorOf('[{"throughput_rps":3,"mean_ms":10}]')).toMatch(
      /^row 1: needs concurrency \(a closed loop\) or rate_rps/,
    );
    expect(errorOf('[\n  {"concurrency": 1}\n  {"concurrency": 2}\n]')).toBe(
      'line 3: malformed JSON: expected "," or "]", found "{"',
    );
    expect(errorOf('{"runs": []}')).toMatch(/^line 1: expected a JSON array of points/);
  });
});

describe('pgbench summary (PostgreSQL 15, captured)', () => {
  it('reads six concatenated TPC-B runs with progress lines, one point per run', () => {
    const r = parsePoints(fixture('pgbench-tpcb-runs.txt'));
    expect(r.format).toBe('pgbench-summary');
    expect(loads(r.points)).toEqual([1, 2, 4, 8, 16, 32]);
    expect(r.points[0]).toEqual({
      concurrency: 1,
      throughput_rps: 1023.227847,
      mean_ms: 0.977,
      stddev_ms: 0.261,
      source: 'line 10',
    });
    expect(r.points[5]).toMatchObject({ throughput_rps: 1550.458068, mean_ms: 20.501 });
  });

  it('reads -r output (per-statement latencies) and -t mode', () => {
    const r = parsePoints(fixture('pgbench-select-only-r.txt'));
    expect(loads(r.points)).toEqual([1, 2, 4, 8, 16]);
    expect(r.points[1]).toMatchObject({ throughput_rps: 43921.109078, mean_ms: 0.046 });
    expect(parsePoints(fixture('pgbench-t-mode-r.txt')).points).toEqual([
      { concurrency: 4, throughput_rps: 2344.281126, mean_ms: 1.706, source: 'line 6' },
    ]);
  });

  it('takes a --rate run as an open point at the measured tps', () => {
    expect(parsePoints(fixture('pgbench-rate800.txt')).points).toEqual([
      {
        rate_rps: 799.870099,
        throughput_rps: 799.870099,
        mean_ms: 2.569,
        stddev_ms: 3.009,
        source: 'line 6',
      },
    ]);
  });

  it('prefers tps excluding connection time in older pgbench output', () => {
    const r = parsePoints(
      'number of clients: 10\nlatency average = 11.013 ms\n' +
        'tps = 85.184871 (including connections establishing)\n' +
        'tps = 85.296346 (excluding connections establishing)\n',
    );
    expect(r.points[0].throughput_rps).toBe(85.296346);
  });

  it('names the line of a run that is cut short or has a bad number', () => {
    const text = fixture('pgbench-tpcb-runs.txt');
    const cut = text.slice(0, text.lastIndexOf('latency average'));
    expect(errorOf(cut)).toBe(
      'line 105: run 6 (from this line) has no "tps = …" line (did it fail or stop early?)',
    );
    expect(errorOf(text.replace('tps = 1867.218308', 'tps = n/a'))).toBe(
      'line 38: tps is not a number: "n/a"',
    );
    expect(errorOf(text.replace('tps = 1867.218308', 'tps = 0.000000'))).toBe(
      'line 38: tps must be > 0 (got 0)',
    );
    expect(errorOf('number of clients: 4\ntps = 100 (without initial connection time)\n')).toBe(
      'line 1: the run has no "latency average = … ms" line',
    );
    expect(errorOf('tps = 100 (without initial connection time)\n')).toMatch(
      /^line 1: "tps" before any "number of clients:" line/,
    );
  });
});

describe('pgbench per-transaction log (--log, captured)', () => {
  it('makes one point per file: clients, throughput between first and last end, percentiles', () => {
    const r = parsePoints(fixture('pgbench-log-c8.log'));
    expect(r.format).toBe('pgbench-log');
    expect(r.points).toHaveLength(1);
    const p = r.points[0];
    expect(p.concurrency).toBe(8);
    expect(p.source).toBe('lines 1–400 (400 transactions)');
    // Checked by hand from the file: 400 transactions, sorted latencies, first/last end time.
    const rows = fixture('pgbench-log-c8.log')
      .trim()
      .split('\n')
      .map((l: string) => l.split(' ').map(Number));
    const ends = rows.map((t) => t[4] * 1e6 + t[5]);
    const lat = rows.map((t) => t[2]).sort((a, b) => a - b);
    expect(p.throughput_rps).toBeCloseTo((399 * 1e6) / (Math.max(...ends) - Math.min(...ends)), 6);
    expect(p.mean_ms).toBeCloseTo(lat.reduce((s, x) => s + x, 0) / 400 / 1000, 9);
    expect(p.p50_ms).toBe(lat[199] / 1000);
    expect(p.p99_ms).toBe(lat[395] / 1000);
  });

  it('counts distinct clients at every load, and leaves out failed and skipped transactions', () => {
    for (const c of [1, 2, 4, 8])
      expect(parsePoints(fixture(`pgbench-log-c${c}.log`)).points[0].concurrency).toBe(c);
    const r = parsePoints(
      '0 1 1000 0 1700000000 0\n1 1 failed 0 1700000000 500\n0 2 3000 0 1700000000 4000\n',
    );
    expect(r.points[0]).toMatchObject({
      concurrency: 1,
      throughput_rps: 250,
      mean_ms: 2,
      source: 'lines 1–3 (2 transactions)',
    });
  });

  it('names a bad line', () => {
    expect(errorOf('0 1 1000 0 1700000000 0\n0 2 1000 0 1700000000\n')).toBe(
      'line 2: expected at least 6 fields (client_id transaction_no time script_no time_epoch time_us), got 5',
    );
    expect(errorOf('0 1 1000 0 1700000000 0\n0 2 1x00 0 1700000000 9\n')).toBe(
      'line 2: time is not a number: "1x00"',
    );
    expect(errorOf('0 1 1000 0 1700000000 0\n')).toBe(
      'line 1: needs at least two transactions that end at different times',
    );
  });
});

describe('pgbench aggregated log (--aggregate-interval, captured)', () => {
  it('sums the intervals; clients by Little’s law without --rate', () => {
    const r = parsePoints(fixture('pgbench-aggregate-c4.log'));
    expect(r.format).toBe('pgbench-aggregate');
    const n = 1855 + 1937 + 1969 + 1875 + 1753;
    const sum = 3445315 + 3982954 + 3985952 + 3989481 + 3990335;
    expect(r.points[0].throughput_rps).toBeCloseTo(n / 5, 9);
    expect(r.points[0].mean_ms).toBeCloseTo(sum / n / 1000, 9);
    expect(r.points[0].concurrency).toBe(4); // 1877.8/s × 2.066 ms = 3.88 clients
    expect(r.points[0].source).toBe('lines 1–5 (5 intervals of 1 s, clients by Little’s law)');
  });

  it('an aggregate with schedule lag (--rate) is an open point', () => {
    const p = parsePoints(fixture('pgbench-aggregate-rate800.log')).points[0];
    expect(p.concurrency).toBeUndefined();
    expect(p.rate_rps).toBeCloseTo((663 + 767 + 772 + 829 + 826) / 5, 9);
  });

  it('needs two intervals to know their length', () => {
    expect(errorOf('1700000000 10 20000 50000000 1000 3000\n')).toBe(
      'line 1: needs at least two intervals (the interval length is read from their starts)',
    );
  });
});

describe('wrk (4.1, captured)', () => {
  it('reads connections, requests/s, latency avg and stdev with units, and --latency 50%/99%', () => {
    const r = parsePoints(fixture('wrk-latency-c1.txt'));
    expect(r.format).toBe('wrk');
    expect(r.points).toEqual([
      {
        concurrency: 1,
        throughput_rps: 362.44,
        mean_ms: 2.76,
        p50_ms: 2.73,
        p99_ms: 4.13,
        stddev_ms: 0.43681,
        source: 'line 2',
      },
    ]);
    expect(parsePoints(fixture('wrk-c8.txt')).points).toEqual([
      { concurrency: 8, throughput_rps: 2169.22, mean_ms: 3.73, stddev_ms: 1.27, source: 'line 2' },
    ]);
  });

  it('reads concatenated runs and times in seconds', () => {
    const text = [1, 2, 4, 8, 16, 32].map((c) => fixture(`wrk-latency-c${c}.txt`)).join('');
    expect(loads(parsePoints(text).points)).toEqual([1, 2, 4, 8, 16, 32]);
    const slow = fixture('wrk-c8.txt').replace('3.73ms', '1.20s');
    expect(parsePoints(slow).points[0].mean_ms).toBe(1200);
  });

  it('names a bad unit and a missing Requests/sec', () => {
    expect(errorOf(fixture('wrk-c8.txt').replace('3.73ms', '3.73 ms'))).toBe(
      'line 4: Latency Avg is not a time with a unit (us, ms, s, m, h): "3.73"',
    );
    expect(errorOf(fixture('wrk-c8.txt').replace(/Requests\/sec.*\n/, ''))).toBe(
      'line 2: the run has no "Requests/sec:" line',
    );
  });
});

describe('format detection', () => {
  it('knows every format and refuses what it does not know', () => {
    expect(detectPointsFormat('concurrency,throughput_rps,mean_ms\n')).toBe('csv');
    expect(detectPointsFormat(' [ ]')).toBe('json');
    expect(detectPointsFormat(fixture('pgbench-tpcb-runs.txt'))).toBe('pgbench-summary');
    expect(detectPointsFormat(fixture('pgbench-log-c1.log'))).toBe('pgbench-log');
    expect(detectPointsFormat(fixture('pgbench-aggregate-c4.log'))).toBe('pgbench-aggregate');
    expect(detectPointsFormat(fixture('wrk-c8.txt'))).toBe('wrk');
    expect(errorOf('hello world\n')).toMatch(/^line 1: not a format calibrate reads/);
    expect(errorOf('  \n')).toBe('line 1: the file is empty');
  });
});
