// What a plan's SLO may say and how each clause is read from a simulation result.
import { describe, expect, it } from 'vitest';
import type { SimResult } from '../result';
import {
  checkSloAgainst,
  formatSloClauses,
  holds,
  metricValue,
  parsePlanSlo,
  stationUtil,
} from './slo';

const result = (over: Partial<SimResult> = {}): SimResult =>
  ({
    throughput_rps: 4200,
    error_rate: 0.0004,
    requests: { arrived: 1, completed: 1, ok: 1000, rejected: 0, timed_out: 0, in_flight: 0 },
    latency_ms: { mean: 40, p50: 35, p90: 70, p99: 109, p999: 250, max: 900 },
    async: {
      enqueued: 1,
      completed: 1,
      rejected: 0,
      pending: 0,
      mean_backlog: 7,
      max_backlog: 99,
      task_delay_ms: { mean: 3, p50: 2, p90: 6, p99: 15, p999: 30, max: 36 },
      throughput_rps: 4200,
    },
    stations: {
      instances: { utilization: 0.2, mean_queue: 0, mean_wait_ms: 0, servers: 1, kind: 'instance' },
      db_pool: { utilization: 0.97, mean_queue: 150, mean_wait_ms: 30, servers: 20, kind: 'pool' },
      'shard[0]': { utilization: 0.3, mean_queue: 0, mean_wait_ms: 0, servers: 64, kind: 'shard' },
      'shard[1]': { utilization: 0.6, mean_queue: 0, mean_wait_ms: 0, servers: 64, kind: 'shard' },
    },
    saturated: 'db_pool',
    ...over,
  }) as SimResult;

describe('--slo for plan', () => {
  it('reads every metric the issue names, with units and station names', () => {
    const slo = parsePlanSlo(
      'p99<=150, p999<400ms, p50<=50, mean<=60, error_rate<=0.1%, throughput>=4000, task_delay_p99<=20, backlog_max<=900, util:db_pool<=0.8, util:shard<0.9',
    );
    expect(slo).toEqual([
      { metric: 'p99', op: '<=', value: 150 },
      { metric: 'p999', op: '<', value: 400 },
      { metric: 'p50', op: '<=', value: 50 },
      { metric: 'mean', op: '<=', value: 60 },
      { metric: 'error_rate', op: '<=', value: 0.001 },
      { metric: 'throughput', op: '>=', value: 4000 },
      { metric: 'task_delay_p99', op: '<=', value: 20 },
      { metric: 'backlog_max', op: '<=', value: 900 },
      { metric: 'util', station: 'db_pool', op: '<=', value: 0.8 },
      { metric: 'util', station: 'shard', op: '<', value: 0.9 },
    ]);
    expect(formatSloClauses(slo.slice(7, 9))).toBe('backlog_max<=900, util:db_pool<=0.8');
    expect(parsePlanSlo('p99.9<=300')[0].metric).toBe('p999');
    expect(parsePlanSlo('util:service:broker<=0.5')[0].station).toBe('service:broker');
  });

  it('names what is wrong', () => {
    expect(() => parsePlanSlo('p98<=1')).toThrow('unknown metric "p98" in "p98<=1" (one of p50');
    expect(() => parsePlanSlo('p99 = 1')).toThrow('cannot read "p99 = 1"');
    expect(() => parsePlanSlo('util<=0.8')).toThrow('util needs a station');
    expect(() => parsePlanSlo('p99:x<=1')).toThrow('only util takes a station');
    expect(() => parsePlanSlo('backlog_max<=9ms')).toThrow('backlog_max is not a time');
    expect(() => parsePlanSlo(' , ')).toThrow('--slo is empty');
  });

  it('reads each metric from a result', () => {
    const r = result();
    const v = (text: string) => metricValue(r, parsePlanSlo(text)[0]);
    expect(v('p99<=1')).toBe(109);
    expect(v('error_rate<=1')).toBe(0.0004);
    expect(v('throughput>=1')).toBe(4200);
    expect(v('task_delay_p99<=1')).toBe(15);
    expect(v('backlog_max<=1')).toBe(99);
    expect(v('util:db_pool<=1')).toBe(0.97);
    // a family without its index is its busiest member
    expect(stationUtil(r, 'shard')).toBe(0.6);
    // serving nothing does not meet a latency objective
    const none = result({
      requests: { arrived: 9, completed: 9, ok: 0, rejected: 9, timed_out: 0, in_flight: 0 },
    });
    expect(metricValue(none, parsePlanSlo('p99<=150')[0])).toBe(Infinity);
  });

  it('checks clauses against what the scenario has', () => {
    const slo = parsePlanSlo('util:db_poool<=0.8,backlog_max<=900,p99<=150');
    expect(checkSloAgainst(result({ async: null }), slo)).toEqual([
      '--slo util:db_poool<=0.8: no station "db_poool" (stations: instances, db_pool, shard (busiest of shard[0..1]))',
      '--slo backlog_max<=900: the scenario has no async section',
    ]);
    expect(checkSloAgainst(result(), parsePlanSlo('util:shard<=0.8'))).toEqual([]);
  });

  it('compares on the side the operator says', () => {
    const [le, lt, ge] = parsePlanSlo('p99<=100,p99<100,throughput>=10');
    expect([holds(le, 100), holds(lt, 100), holds(ge, 10), holds(ge, 9.9)]).toEqual([
      true,
      false,
      true,
      false,
    ]);
  });
});
