// `peakline forecast` as a user runs it: the real bin in a child process generates a food-delivery
// series, forecasts from it (table and JSON), backtests it against seasonal naive, reads a Peakline
// recording and a saved Prometheus range, and turns every bad input into one line naming the file,
// the line and what is wrong (exit 1) and every bad option into one line (exit 2).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPeakline } from './testing';

let dir: string;
const file = (name: string) => join(dir, name);
const peakline = (...args: string[]) => runPeakline(dir, ...args);

/** A guard for runs that backtest weeks of minutes (tests check results, never the time). */
const SLOW = 300_000;

interface Point {
  t: number;
  mean: number;
  lo: number;
  hi: number;
}
interface Score {
  accuracy: number;
  coverage: number;
  peak_error_s: number;
  width: number;
  level: number;
  peaks: number;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'peakline-forecast-'));
  // three weeks of minutes, sale days after the first week
  const g = await peakline(
    'forecast',
    '--generate',
    '--days',
    '21',
    '--seed',
    '4',
    '--out',
    'gen.csv',
  );
  expect(g.code).toBe(0);
  const day = 86400;
  // a recording of three days, one sample a minute from a metrics source (and a Redis source)
  const header = { type: 'header', schema: 'peakline.live-recording/v1', started: 0, sources: [] };
  const rec = [JSON.stringify(header)];
  const prom: [number, string][] = [];
  const t0 = 1767225600; // 2026-01-01 00:00 UTC
  for (let k = 0; k < 3 * 1440; k++) {
    const t = t0 + 60 * k;
    const rate = 200 + 150 * Math.sin((2 * Math.PI * (t % day)) / day) + 10 * Math.sin(k);
    rec.push(
      JSON.stringify({
        t: t * 1000,
        id: 's1',
        kind: 'redis',
        source: 'redis://127.0.0.1:6379',
        status: 'up',
        error: null,
        metrics: { ops_per_sec: 5 * rate },
      }),
      JSON.stringify({
        t: t * 1000,
        id: 's2',
        kind: 'metrics',
        source: 'http://127.0.0.1:9464/metrics',
        status: 'up',
        error: null,
        metrics: { request_rate: k === 0 ? null : rate },
      }),
    );
    if (k % 5 === 0) prom.push([t, rate.toFixed(3)]);
  }
  writeFileSync(file('live.ndjson'), rec.join('\n') + '\n');
  writeFileSync(
    file('range.json'),
    JSON.stringify({
      status: 'success',
      data: { resultType: 'matrix', result: [{ metric: {}, values: prom }] },
    }),
  );
  // ISO 8601 times, three days of minutes
  const iso = ['t,rate'];
  for (let k = 0; k < 3 * 1440; k++)
    iso.push(
      `${new Date((t0 + 60 * k) * 1000).toISOString()},${(100 + (k % 1440) / 10).toFixed(1)}`,
    );
  writeFileSync(file('iso.csv'), iso.join('\n') + '\n');
  writeFileSync(file('no-rate.csv'), 't,value\n60,1\n');
  writeFileSync(file('not-number.csv'), 't,rate\n60,1\n120,2\n180,lots\n');
  writeFileSync(file('unsorted.csv'), 't,rate\n60,1\n180,2\n120,3\n');
  writeFileSync(file('duplicate.csv'), 't,rate\n60,1\n120,2\n120,3\n');
  writeFileSync(file('short.csv'), iso.slice(0, 1 + 1440).join('\n') + '\n');
}, SLOW);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('peakline forecast', { timeout: SLOW }, () => {
  it('generates the same series for the same seed, to a file or to stdout', async () => {
    const text = readFileSync(file('gen.csv'), 'utf8');
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toBe('t,rate');
    expect(lines).toHaveLength(1 + 21 * 1440);
    const again = await peakline('forecast', '--generate', '--days', '21', '--seed', '4');
    expect(again.code).toBe(0);
    expect(again.stdout).toBe(text);
    const other = await peakline('forecast', '--generate', '--days', '21', '--seed', '5');
    expect(other.stdout).not.toBe(text);
  });

  it('forecasts the next 15 minutes with an 80 % interval (JSON)', async () => {
    const r = await peakline('forecast', '--history', 'gen.csv', '--horizon', '15m', '--json');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j).toMatchObject({
      format: 'csv',
      season: 'weekly',
      step_s: 60,
      horizon_s: 900,
      level: 0.8,
    });
    expect(j.backtest).toBeNull();
    const last = Number(
      readFileSync(file('gen.csv'), 'utf8').trimEnd().split('\n').pop()!.split(',')[0],
    );
    expect(j.points).toHaveLength(15);
    j.points.forEach((p: Point, k: number) => {
      expect(Object.keys(p).sort()).toEqual(['hi', 'lo', 'mean', 't']);
      expect(p.t).toBe(last + 60 * (k + 1));
      expect(p.lo).toBeLessThanOrEqual(p.mean);
      expect(p.mean).toBeLessThanOrEqual(p.hi);
    });
  });

  it('backtests: beats 92 % and seasonal naive, and its 80 % interval covers about 80 %', async () => {
    const r = await peakline('forecast', '--history', 'gen.csv', '--backtest', '--json');
    expect(r.code).toBe(0);
    const b = JSON.parse(r.stdout).backtest as Score & { baseline: Score; days: unknown[] };
    expect(b.accuracy).toBeGreaterThan(0.92);
    expect(b.accuracy - b.baseline.accuracy).toBeGreaterThan(0.03);
    expect(Math.abs(b.coverage - 0.8)).toBeLessThan(0.05);
    expect(b.width).toBeLessThan(b.baseline.width);
    expect(b.peak_error_s).toBeGreaterThanOrEqual(0);
    expect(b.peak_error_s).toBeLessThan(20 * 60);
    expect(b.peaks).toBeGreaterThanOrEqual(2 * 12);
    expect(b.days.length).toBeGreaterThanOrEqual(12);
  });

  it('prints a table: the forecast rows, then the backtest beside seasonal naive', async () => {
    const r = await peakline(
      'forecast',
      '--history',
      'gen.csv',
      '--backtest',
      '--horizon',
      '10m',
      '--level',
      '90',
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^gen\.csv \(csv\): 30,240 slots of 1 min/);
    expect(r.stdout).toMatch(/Forecast for the next 10 min — profile-level, weekly seasonality/);
    expect(
      r.stdout.match(/^\d{4}-\d\d-\d\d \d\d:\d\d +[\d,.]+ +[\d,.]+ – [\d,.]+$/gm),
    ).toHaveLength(10);
    expect(r.stdout).toMatch(/90 % interval covers/);
    expect(r.stdout).toMatch(/^profile-level \(this forecast\) +\d+\.\d %/m);
    expect(r.stdout).toMatch(/^seasonal naive +\d+\.\d %/m);
  });

  it('reads a Peakline recording, a Prometheus range and ISO 8601 times', async () => {
    const rec = await peakline('forecast', '--history', 'live.ndjson', '--json');
    expect(rec.stderr).toBe('');
    const a = JSON.parse(rec.stdout);
    expect(a).toMatchObject({ format: 'recording', season: 'daily', step_s: 60 });
    expect(a.note).toBe(
      'request_rate of metrics source http://127.0.0.1:9464/metrics (1 other source ignored)',
    );
    expect(a.points).toHaveLength(15);

    const prom = await peakline('forecast', '--history', 'range.json', '--json');
    expect(prom.stderr).toBe('');
    const b = JSON.parse(prom.stdout);
    expect(b).toMatchObject({ format: 'prometheus', season: 'daily', step_s: 300, horizon_s: 900 });
    expect(b.points).toHaveLength(3);

    const iso = await peakline('forecast', '--history', 'iso.csv', '--json', '--horizon', '5m');
    const c = JSON.parse(iso.stdout);
    expect(c.history.from).toBe(1767225600);
    expect(c.points.map((p: Point) => p.t - c.history.to)).toEqual([60, 120, 180, 240, 300]);
  });

  it('names the file, the line and what is wrong (exit 1)', async () => {
    const cases: [string, string][] = [
      [
        'no-rate.csv',
        'no-rate.csv: line 1: the header has no column "rate" (it reads "t,value"; expected t,rate)',
      ],
      ['not-number.csv', 'not-number.csv: line 4: rate "lots" is not a number'],
      ['unsorted.csv', "unsorted.csv: line 4: t 120 is before line 3's 180 (times must increase)"],
      ['duplicate.csv', 'duplicate.csv: line 4: t 120 repeats the time of line 3 (duplicate time)'],
      ['missing.csv', 'missing.csv: cannot read: no such file'],
    ];
    for (const [name, message] of cases) {
      const r = await peakline('forecast', '--history', name);
      expect(r.code, name).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr).toBe(`${message}\n`);
    }
    const short = await peakline('forecast', '--history', 'short.csv');
    expect(short.code).toBe(1);
    expect(short.stderr).toMatch(
      /^short\.csv: the history covers 1\.0 days; the forecast needs at least 2\.0 days \(daily seasonality\) or 8\.0 days \(weekly.*\)\n$/,
    );
    const weekly = await peakline('forecast', '--history', 'iso.csv', '--season', 'weekly');
    expect(weekly.code).toBe(1);
    expect(weekly.stderr).toMatch(
      /^iso\.csv: weekly seasonality needs at least 8\.0 days of history .*covers 3\.0 days\n$/,
    );
  });

  it('refuses bad options in one line (exit 2)', async () => {
    const cases: [string[], RegExp][] = [
      [['--history', 'gen.csv', '--horizon', 'soon'], /--horizon: "soon" is not a duration/],
      [
        ['--history', 'gen.csv', '--horizon', '2d'],
        /--horizon: must be more than 0 and at most 12h/,
      ],
      [['--history', 'gen.csv', '--level', '2'], /--level: must be at least 0\.5/],
      [['--history', 'gen.csv', '--season', 'yearly'], /--season: /],
      [[], /--history: give a history FILE/],
      [['--history', 'gen.csv', '--generate'], /give --history or --generate, not both/],
      [['--history', 'gen.csv', '--seed', '3'], /--seed: goes with --generate/],
      [['gen.csv'], /forecast takes no positional arguments/],
      [['--history', 'gen.csv', '--frobnicate'], /Unknown option '--frobnicate'/],
    ];
    for (const [args, message] of cases) {
      const r = await peakline('forecast', ...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    }
  });

  it('says in --help what it reads', async () => {
    const r = await peakline('forecast', '--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/forecast --history FILE/);
    expect(r.stdout).toMatch(/CSV with a header t,rate/);
    expect(r.stdout).toMatch(/Peakline\s+recording/);
    expect(r.stdout).toMatch(/Prometheus\s+query_range/);
  });
});
