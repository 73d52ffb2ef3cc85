// Reading a rate history as a user hands it over — a CSV t,rate (Unix seconds or ISO 8601), a
// Peakline recording, a saved Prometheus range — and naming the line and what is wrong otherwise.
import { describe, expect, it } from 'vitest';
import { parseHistory, parseTime } from './history';
import { ForecastError } from './series';

/** The error's line and message. */
function fails(text: string): { line?: number; message: string } {
  try {
    parseHistory(text);
  } catch (e) {
    expect(e).toBeInstanceOf(ForecastError);
    return { line: (e as ForecastError).line, message: (e as Error).message };
  }
  throw new Error('expected the history to be refused');
}

describe('CSV histories', () => {
  it('reads t in Unix seconds or ISO 8601, columns in any order, with comments and blank lines', () => {
    const r = parseHistory(
      '# orders per second\nrate,t,host\n10,1767225600,a\n\n12.5,1767225660,a\n"13",2026-01-01T00:02:00Z,a\n14,2026-01-01 08:03:00+08:00,a\n15,2026-01-01T00:04,a\n',
    );
    expect(r.format).toBe('csv');
    expect(r.points).toEqual([
      { t: 1767225600, rate: 10 },
      { t: 1767225660, rate: 12.5 },
      { t: 1767225720, rate: 13 },
      { t: 1767225780, rate: 14 },
      { t: 1767225840, rate: 15 },
    ]);
  });

  it('names a missing column', () => {
    expect(fails('time,rate\n1,2\n')).toEqual({
      line: 1,
      message: 'the header has no column "t" (it reads "time,rate"; expected t,rate)',
    });
    expect(fails('t,value\n1,2\n').message).toMatch(/no column "rate"/);
    expect(fails('').message).toMatch(/empty/);
    expect(fails('t,rate\n')).toEqual({ line: 1, message: 'no data rows after the header' });
  });

  it('names a line whose values are not numbers, or are negative, or too short', () => {
    expect(fails('t,rate\n60,1\n120,abc\n')).toEqual({
      line: 3,
      message: 'rate "abc" is not a number',
    });
    expect(fails('t,rate\nyesterday,1\n')).toEqual({
      line: 2,
      message: 't "yesterday" is neither Unix seconds nor an ISO 8601 time',
    });
    expect(fails('t,rate\n60,-1\n').message).toBe('rate -1 is negative');
    expect(fails('t,rate\n60\n').message).toBe('1 column(s), the header has 2');
    expect(fails('t,rate\n2026-02-30T00:00:00Z,1\n').message).toMatch(/not a valid date/);
    expect(fails('t,rate\n1767225600000,1\n').message).toMatch(/looks like milliseconds/);
  });

  it('names unsorted and repeated times', () => {
    expect(fails('t,rate\n60,1\n180,1\n120,1\n')).toEqual({
      line: 4,
      message: "t 120 is before line 3's 180 (times must increase)",
    });
    expect(fails('t,rate\n60,1\n2026-01-01T00:00:00Z,1\n2026-01-01T00:00:00Z,2\n')).toEqual({
      line: 4,
      message: 't 2026-01-01T00:00:00Z repeats the time of line 3 (duplicate time)',
    });
  });

  it('parses times', () => {
    expect(parseTime('0')).toBe(0);
    expect(parseTime('2026-01-01')).toBe(1767225600);
    expect(parseTime('2026-01-01T00:00:00.500Z')).toBe(1767225600.5);
    expect(parseTime('2026-01-01T08:00:00+0800')).toBe(1767225600);
  });
});

describe('recordings', () => {
  const header = JSON.stringify({
    type: 'header',
    schema: 'peakline.live-recording/v1',
    started: 1767225600000,
    sources: [],
  });
  const sample = (t: number, source: string, kind: string, metrics: Record<string, unknown>) =>
    JSON.stringify({ t, id: source, kind, source, status: 'up', error: null, metrics });

  it('takes the request rate of the metrics source (its first sample, without a rate, skipped)', () => {
    const text = [
      header,
      sample(1767225600000, 'redis://127.0.0.1:6379', 'redis', { ops_per_sec: 900 }),
      sample(1767225600000, 'http://127.0.0.1:9464/metrics', 'metrics', { request_rate: null }),
      sample(1767225601000, 'http://127.0.0.1:9464/metrics', 'metrics', { request_rate: 210 }),
      sample(1767225602000, 'http://127.0.0.1:9464/metrics', 'metrics', { request_rate: 190 }),
      '',
    ].join('\n');
    const r = parseHistory(text);
    expect(r.format).toBe('recording');
    expect(r.points).toEqual([
      { t: 1767225601, rate: 210 },
      { t: 1767225602, rate: 190 },
    ]);
    expect(r.note).toBe(
      'request_rate of metrics source http://127.0.0.1:9464/metrics (1 other source ignored)',
    );
  });

  it("falls back to a Redis source's ops/s, and names a bad line", () => {
    const redis = [header, sample(1000, 'r', 'redis', { ops_per_sec: 5 })].join('\n');
    expect(parseHistory(redis).points).toEqual([{ t: 1, rate: 5 }]);
    expect(fails([header, '{"t":'].join('\n'))).toEqual({
      line: 2,
      message: 'not JSON (a recording has one JSON sample a line)',
    });
    expect(
      fails([header, sample(1000, 'm', 'metrics', { request_rate: 'fast' })].join('\n')),
    ).toEqual({ line: 2, message: 'request_rate "fast" is not a rate' });
    expect(fails(header).message).toMatch(/no request_rate/);
  });
});

describe('Prometheus ranges', () => {
  const range = (result: unknown[]) =>
    JSON.stringify({ status: 'success', data: { resultType: 'matrix', result } }, null, 2);

  it('reads one series, skipping NaN', () => {
    const r = parseHistory(
      range([
        {
          metric: {},
          values: [
            [1767225600, '10'],
            [1767225615, 'NaN'],
            [1767225630, '12.5'],
          ],
        },
      ]),
    );
    expect(r.format).toBe('prometheus');
    expect(r.points).toEqual([
      { t: 1767225600, rate: 10 },
      { t: 1767225630, rate: 12.5 },
    ]);
  });

  it('asks for one series, and names what is wrong', () => {
    expect(
      fails(
        range([
          { metric: { a: '1' }, values: [] },
          { metric: { a: '2' }, values: [] },
        ]),
      ).message,
    ).toMatch(/holds 2 series; aggregate them in the query/);
    expect(fails(range([])).message).toBe('the query matched no series');
    expect(fails(range([{ metric: {}, values: [[1, 'x']] }])).message).toBe(
      'value 1: rate "x" is not a number',
    );
    expect(fails('{"status": "success",\n "data": [1,,2]}')).toEqual({
      line: 2,
      message: 'not valid JSON: expected a value, found ","',
    });
  });
});
