// Trace replay (workload.type = "trace"): real nginx access logs and a CSV of timestamps
// (fixtures/README.md says how they were made) read, their bad lines reported by number, and
// replayed as the simulation's arrivals — at their own pace, faster, and at several times the
// traffic.
import { describe, expect, it } from 'vitest';
import accessLog from '../profiles/traces/orders-access.log?raw';
import msecLog from './fixtures/nginx-msec.log?raw';
import arrivalsCsv from './fixtures/arrivals.csv?raw';
import { badLinesText, detectFormat, parseTrace, TraceError, withTrace } from './trace';
import { simulate } from './simulate';
import { exp, scenario } from './testkit';
import type { ScenarioInput } from './schema';
import { formatProblems, validateScenario } from './validate';

/** The msec log's times, as nginx wrote them (Unix seconds). */
const msecTimes = msecLog
  .trim()
  .split('\n')
  .map((l) => Number(l.split(' ')[0]));

describe('reading recorded traffic', () => {
  it('an nginx log with $msec: every request, to the millisecond, from the first one', () => {
    expect(detectFormat(msecLog)).toBe('nginx');
    const t = parseTrace(msecLog);
    expect(t.format).toBe('nginx');
    expect(t.lines).toBe(520);
    expect(t.bad).toBe(0);
    expect(t.times_s).toHaveLength(520);
    expect(t.t0).toBe(Math.floor(msecTimes[0]));
    expect(t.times_s[0]).toBeCloseTo(msecTimes[0] - t.t0, 6);
    expect(t.times_s[519]).toBeCloseTo(msecTimes[519] - t.t0, 6);
    expect(t.span_s).toBeCloseTo(msecTimes[519] - t.t0, 6);
  });

  it('an nginx log with $time_local and bad lines: each counted and named by its line', () => {
    const t = parseTrace(accessLog);
    expect(t.format).toBe('nginx');
    expect(t.lines).toBe(523);
    expect(t.bad).toBe(3);
    expect(t.bad_lines.map((b) => b.line)).toEqual([4, 100, 300]);
    expect(t.bad_lines[0].reason).toContain('no $msec or [$time_local] timestamp');
    expect(t.bad_lines[1].reason).toContain('31/Feb/2026');
    expect(t.times_s).toHaveLength(520);
    expect(badLinesText(t)).toMatch(
      /^3 bad lines of 523 skipped \(line 4: .*; line 100: .*; line 300: /,
    );
  });

  it('$time_local has whole seconds: the requests of one second are spread evenly over it', () => {
    const t = parseTrace(accessLog);
    // the same seconds as the $msec log of the same requests
    const perSecond = (xs: number[]) => {
      const c = new Map<number, number>();
      for (const x of xs) c.set(Math.floor(x), (c.get(Math.floor(x)) ?? 0) + 1);
      return [...c.entries()].sort((a, b) => a[0] - b[0]);
    };
    expect(perSecond(t.times_s.map((x) => x + t.t0))).toEqual(perSecond(msecTimes));
    const first = t.times_s.filter((x) => x < 1);
    const k = first.length;
    first.forEach((x, i) => expect(x).toBeCloseTo((i + 0.5) / k, 5));
  });

  it('$request_time as empirical service times, when asked', () => {
    const t = parseTrace(msecLog, 'auto', true);
    const rt = msecLog
      .trim()
      .split('\n')
      .map((l) => Number(l.split(' ')[1]) * 1000);
    expect([...t.service_ms!].sort((a, b) => a - b)).toEqual([...rt].sort((a, b) => a - b));
    // the combined log carries it as its last field
    const c = parseTrace(accessLog, 'nginx', true);
    expect(c.service_ms).toHaveLength(520);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(c.service_ms!)).toBeCloseTo(mean(rt), 6);
  });

  it('a CSV of timestamps (ISO 8601 or Unix seconds) with a bad row named by its line', () => {
    expect(detectFormat(arrivalsCsv)).toBe('csv');
    const t = parseTrace(arrivalsCsv);
    expect(t.lines).toBe(61);
    expect(t.bad).toBe(1);
    expect(t.bad_lines[0].line).toBe(12);
    expect(t.bad_lines[0].reason).toContain('2026-12-06T25:00:00Z');
    expect(t.times_s).toHaveLength(60);
    t.times_s.forEach((x, i) => expect(x + t.t0).toBeCloseTo(msecTimes[i], 3));
  });

  it('a Peakline recording: its request rate, not requests', () => {
    const rec = [
      JSON.stringify({ type: 'header', schema: 'peakline.live-recording/v1', started: 0 }),
      ...[0, 1, 2, 3].map((k) =>
        JSON.stringify({
          t: 1_796_579_160_000 + k * 10_000,
          source: 'demo',
          kind: 'metrics',
          metrics: { request_rate: k === 0 ? null : 100 * k },
        }),
      ),
    ].join('\n');
    const t = parseTrace(rec);
    expect(t.format).toBe('recording');
    expect(t.rates).toEqual([
      [0, 100],
      [10, 200],
      [20, 300],
    ]);
  });

  it('a file with no traffic at all is an error that says so', () => {
    expect(() => parseTrace('garbage\nmore garbage\n', 'nginx')).toThrow(TraceError);
    expect(() => parseTrace('garbage\nmore garbage\n', 'nginx')).toThrow(
      /none of its 2 lines could be read .*line 1: no \$msec/,
    );
    expect(() => parseTrace('\n\n')).toThrow('the trace is empty');
  });
});

/** A trace scenario: a fast server (no queueing to speak of), the log replayed. */
function replay(text: string, w: Record<string, unknown>, duration_s = 7) {
  const input = {
    schema: 'peakline.scenario/v1',
    name: 'replay',
    duration_s,
    workload: { type: 'trace', file: 'x.log', ...w },
    server: { concurrency: 64 },
    handler: [{ cpu: exp(1) }],
    stats: { window_s: 1 },
  } as unknown as ScenarioInput;
  const { scenario: withData } = withTrace(input, text);
  return scenario(withData as Parameters<typeof scenario>[0]);
}

describe('replaying a trace', () => {
  it('every recorded request arrives, at its recorded time', () => {
    const r = simulate(replay(msecLog, {}), { series: true });
    expect(r.requests.arrived).toBe(520);
    // arrivals per second follow the log's seconds: wrk -c1, then -c4, then -c1
    const t0 = Math.floor(msecTimes[0]);
    const perSecond = [0, 1, 2, 3, 4, 5].map(
      (s) => msecTimes.filter((x) => Math.floor(x - t0) === s).length,
    );
    expect(r.series!.slice(0, 6).map((p) => Math.round(p.rps))).toEqual(perSecond);
  });

  it('speed 2 replays it in half the time, at twice the rate', () => {
    const r = simulate(replay(msecLog, { speed: 2 }, 3.5), { series: true });
    expect(r.requests.arrived).toBe(520);
    expect(r.offered_rps).toBeCloseTo(520 / 3.5, 6);
  });

  it('rate_multiplier 3 is the same traffic at 3×: three arrivals for each, in the same seconds', () => {
    const r = simulate(replay(msecLog, { rate_multiplier: 3 }), { series: true });
    expect(r.requests.arrived).toBe(3 * 520);
    const one = simulate(replay(msecLog, {}), { series: true });
    for (let s = 0; s < 6; s++) expect(r.series![s].rps).toBeCloseTo(3 * one.series![s].rps, -1);
    // 0.5 thins it: about half
    const half = simulate(replay(msecLog, { rate_multiplier: 0.5 }));
    expect(half.requests.arrived).toBeGreaterThan(220);
    expect(half.requests.arrived).toBeLessThan(300);
  });

  it('start_s skips the start of the recording', () => {
    const r = simulate(replay(msecLog, { start_s: 3 }));
    const t0 = Math.floor(msecTimes[0]);
    expect(r.requests.arrived).toBe(msecTimes.filter((x) => x - t0 >= 3).length);
  });

  it('service_times: the recorded $request_time becomes the handler time', () => {
    const s = replay(accessLog, { service_times: true });
    expect(s.handler).toHaveLength(1);
    const r = simulate(s);
    const rt = msecLog
      .trim()
      .split('\n')
      .map((l) => Number(l.split(' ')[1]) * 1000);
    const mean = rt.reduce((a, b) => a + b, 0) / rt.length;
    // 64 handlers never queue at ≤ 200 req/s of ~20 ms: latency is the recorded times' own
    expect(r.latency_ms.mean).toBeGreaterThan(mean * 0.8);
    expect(r.latency_ms.mean).toBeLessThan(mean * 1.2);
  });

  it('a trace without its data, or asking for service times from a CSV, is refused naming the field', () => {
    expect(() =>
      simulate(
        scenario({
          duration_s: 1,
          workload: { type: 'trace', file: 'x.log' },
          server: { concurrency: 1 },
          handler: [{ cpu: exp(1) }],
        }),
      ),
    ).toThrow('workload: the trace "x.log" was not read');
    const v = validateScenario({
      schema: 'peakline.scenario/v1',
      name: 'x',
      duration_s: 1,
      workload: { type: 'trace', file: 'a.csv', format: 'csv', service_times: true, speed: 0 },
      server: { concurrency: 1 },
      handler: [{ cpu: exp(1) }],
    });
    const text = v.ok ? '' : formatProblems('s.json', v.problems).join('\n');
    expect(text).toContain('workload.speed: must be > 0');
  });
});
