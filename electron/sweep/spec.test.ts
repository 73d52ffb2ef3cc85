// How a sweep is described on the command line: `--vary` ranges and lists, SLO clauses, the grid
// of points, and the messages for each way of getting them wrong.
import { describe, expect, it } from 'vitest';
import type { SimResult } from '../../sim-core/result';
import { formatSlo, gridPoints, meetsSlo, parseSlo, parseVary } from './spec';
import { cheapest, varyFromRange, type SweepPoint } from './sweep';

describe('--vary', () => {
  it('reads an inclusive range with a default step of 1', () => {
    expect(parseVary('async.workers=1..5')).toEqual({
      path: 'async.workers',
      values: [1, 2, 3, 4, 5],
    });
  });

  it('reads a step, without floating-point crumbs', () => {
    expect(parseVary('handler[0].cpu.mean_ms=0.1..0.5:0.1').values).toEqual([
      0.1, 0.2, 0.3, 0.4, 0.5,
    ]);
    expect(parseVary('db.pool_size=10..45:10').values).toEqual([10, 20, 30, 40]);
  });

  it('reads a list of values', () => {
    expect(parseVary('db.shards=1,2,4,8,16').values).toEqual([1, 2, 4, 8, 16]);
  });

  it('names what is wrong', () => {
    expect(() => parseVary('async.workers')).toThrow('--vary needs path=a..b[:step]');
    expect(() => parseVary('async.workers=5..1')).toThrow('end must be >= start');
    expect(() => parseVary('async.workers=1..5:0')).toThrow('step must be > 0');
    expect(() => parseVary('async.workers=1..x')).toThrow('end "x" is not a number');
    expect(() => parseVary('async.workers=1,2,2')).toThrow('values repeat');
    expect(() => parseVary('async.workers=1..100000')).toThrow('too many');
    expect(() => parseVary('a..b=1..2')).toThrow('cannot read path');
  });

  it('converts the API contract form {from, to, step}', () => {
    expect(varyFromRange({ path: 'x', from: 2, to: 8, step: 3 })).toEqual({
      path: 'x',
      values: [2, 5, 8],
    });
    expect(() => varyFromRange({ path: 'x', from: 2, to: 1 })).toThrow('to must be >= from');
  });
});

describe('grid', () => {
  it('enumerates the first dimension outermost', () => {
    expect(
      gridPoints([
        { path: 'a', values: [1, 2] },
        { path: 'b', values: [10, 20, 30] },
      ]),
    ).toEqual([
      [1, 10],
      [1, 20],
      [1, 30],
      [2, 10],
      [2, 20],
      [2, 30],
    ]);
  });
});

const result = (over: Partial<SimResult> & { p99?: number; p999?: number }): SimResult =>
  ({
    throughput_rps: over.throughput_rps ?? 1000,
    error_rate: over.error_rate ?? 0,
    latency_ms: { mean: 10, p50: 8, p90: 15, p99: over.p99 ?? 50, p999: over.p999 ?? 90, max: 120 },
    async: null,
    requests: { arrived: 100, completed: 100, ok: 100, rejected: 0, timed_out: 0, in_flight: 0 },
    stations: {},
  }) as unknown as SimResult;

describe('--slo', () => {
  it('reads clauses joined by commas', () => {
    expect(parseSlo('p99<=200, error_rate<=0.01,throughput>=5000')).toEqual([
      { metric: 'p99', op: '<=', value: 200 },
      { metric: 'error_rate', op: '<=', value: 0.01 },
      { metric: 'throughput', op: '>=', value: 5000 },
    ]);
    expect(parseSlo('p999<150ms')).toEqual([{ metric: 'p999', op: '<', value: 150 }]);
    expect(parseSlo('error_rate<1%')).toEqual([{ metric: 'error_rate', op: '<', value: 0.01 }]);
    expect(formatSlo(parseSlo('p99<=200,throughput>=5000'))).toBe('p99<=200, throughput>=5000');
  });

  it('names an unknown metric and an unreadable clause', () => {
    expect(() => parseSlo('p98<=200')).toThrow(/unknown metric "p98" .*\(one of p50, p90, p99/);
    expect(() => parseSlo('p99 = 200')).toThrow('cannot read "p99 = 200"');
    expect(() => parseSlo(' , ')).toThrow('--slo is empty');
  });

  it('is met only when every clause holds', () => {
    const slo = parseSlo('p99<=200,error_rate<=0.01,throughput>=900');
    expect(meetsSlo(result({ p99: 200 }), slo)).toBe(true);
    expect(meetsSlo(result({ p99: 201 }), slo)).toBe(false);
    expect(meetsSlo(result({ error_rate: 0.02 }), slo)).toBe(false);
    expect(meetsSlo(result({ throughput_rps: 899 }), slo)).toBe(false);
    expect(meetsSlo(result({ p999: 100 }), parseSlo('p999<100'))).toBe(false);
  });

  it("is the plan's SLO: a run with no ok response misses a latency clause, async metrics need async", () => {
    const none = result({ p99: 0 });
    none.requests = { ...none.requests, ok: 0 };
    expect(meetsSlo(none, parseSlo('p99<=200'))).toBe(false);
    expect(meetsSlo(result({}), parseSlo('backlog_max<=900'))).toBe(false);
    expect(meetsSlo(result({}), parseSlo('max<=120'))).toBe(true);
  });
});

describe('the cheapest configuration', () => {
  const pt = (index: number, cost: number, p99: number, meets: boolean | null): SweepPoint => ({
    index,
    values: {},
    throughput_rps: 1,
    p50_ms: 1,
    p90_ms: 1,
    p99_ms: p99,
    p999_ms: 1,
    mean_ms: 1,
    error_rate: 0,
    task_delay_p99_ms: null,
    saturated: null,
    meets_slo: meets,
    cost,
  });

  it('is the lowest cost meeting the SLO, ties to the lower P99', () => {
    const points = [
      pt(0, 5, 90, false),
      pt(1, 6, 80, true),
      pt(2, 6, 70, true),
      pt(3, 9, 10, true),
    ];
    expect(cheapest(points)?.index).toBe(2);
  });

  it('is none when nothing meets the SLO or there is no SLO', () => {
    expect(cheapest([pt(0, 1, 1, false)])).toBeNull();
    expect(cheapest([pt(0, 1, 1, null)])).toBeNull();
  });
});
