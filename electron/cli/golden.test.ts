// Golden tests: every shipped profile runs with its own seed and must give the committed summary
// in profiles/<name>.expected.json (the numbers that matter, rounded). UPDATE_GOLDEN=1 rewrites
// them after a deliberate model change. The two seed profiles must also reproduce the reference
// article's wrk figures within 10 %.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { simulate } from '../../sim-core/index';
import type { SimResult } from '../../sim-core/result';
import { parseScenarioText } from '../../sim-core/validate';

const dir = fileURLToPath(new URL('../../profiles/', import.meta.url));
const profiles = readdirSync(dir)
  .filter((f) => f.endsWith('.json') && !f.endsWith('.expected.json'))
  .sort();

const r1 = (x: number) => Math.round(x * 10) / 10;
const r3 = (x: number) => Math.round(x * 1000) / 1000;

/** The numbers of a run that a golden file pins down. */
function summary(r: SimResult) {
  const stations: Record<
    string,
    { utilization: number; mean_queue: number; mean_wait_ms: number }
  > = {};
  // The busiest stations, by name, enough to see the bottleneck move.
  const names = Object.keys(r.stations)
    .sort((a, b) => r.stations[b].utilization - r.stations[a].utilization || a.localeCompare(b))
    .slice(0, 8)
    .sort();
  for (const n of names) {
    const s = r.stations[n];
    stations[n] = {
      utilization: r3(s.utilization),
      mean_queue: r1(s.mean_queue),
      mean_wait_ms: r1(s.mean_wait_ms),
    };
  }
  return {
    scenario: r.scenario,
    seed: r.seed,
    throughput_rps: r1(r.throughput_rps),
    offered_rps: r1(r.offered_rps),
    error_rate: Math.round(r.error_rate * 1e5) / 1e5,
    latency_ms: {
      mean: r1(r.latency_ms.mean),
      p50: r1(r.latency_ms.p50),
      p90: r1(r.latency_ms.p90),
      p99: r1(r.latency_ms.p99),
      p999: r1(r.latency_ms.p999),
      max: r1(r.latency_ms.max),
    },
    requests: r.requests,
    errors: r.errors,
    events: r.events,
    saturated: r.saturated,
    async: r.async && {
      enqueued: r.async.enqueued,
      completed: r.async.completed,
      rejected: r.async.rejected,
      mean_backlog: r1(r.async.mean_backlog),
      max_backlog: r.async.max_backlog,
      task_delay_p99_ms: r1(r.async.task_delay_ms.p99),
    },
    stations,
    // autoscaled profiles: what the capacity cost and the SLO windows it missed
    ...(r.autoscale
      ? {
          autoscale: {
            instance_seconds: r1(r.autoscale.instance_seconds),
            peak_instances: r.autoscale.peak_instances,
            scale_ups: r.autoscale.scale_ups,
            scale_downs: r.autoscale.scale_downs,
          },
        }
      : {}),
    ...(r.slo ? { slo: { windows: r.slo.windows, violated_windows: r.slo.violated_windows } } : {}),
  };
}

const results = new Map<string, SimResult>();
function run(file: string): SimResult {
  let r = results.get(file);
  if (!r) {
    const v = parseScenarioText(readFileSync(join(dir, file), 'utf8'), file);
    if (!v.ok) throw new Error(`${file} is not valid: ${JSON.stringify(v.problems)}`);
    r = simulate(v.scenario);
    results.set(file, r);
  }
  return r;
}

describe('every shipped profile', () => {
  it('exists as the issue lists them', () => {
    expect(profiles).toEqual(
      expect.arrayContaining([
        'flash-sale.json',
        'sale-day-peak.json',
        'seed-async-queue.json',
        'seed-sync-baseline.json',
        'shard-hotspot.json',
      ]),
    );
  });

  for (const file of profiles) {
    it(`${file} is documented and gives its committed summary`, () => {
      const v = parseScenarioText(readFileSync(join(dir, file), 'utf8'), file);
      expect(v.ok).toBe(true);
      if (!v.ok) return;
      expect(v.scenario.notes.length).toBeGreaterThan(200);
      const got = summary(run(file));
      const expectedFile = join(dir, file.replace(/\.json$/, '.expected.json'));
      if (process.env.UPDATE_GOLDEN === '1' || !existsSync(expectedFile)) {
        writeFileSync(expectedFile, JSON.stringify(got, null, 2) + '\n');
        if (process.env.UPDATE_GOLDEN !== '1')
          throw new Error(`${expectedFile} was missing; written now — check it and commit it`);
      }
      const expected = JSON.parse(readFileSync(expectedFile, 'utf8'));
      expect(got).toEqual(expected);
    }, 300_000);
  }
});

const within10 = (got: number, want: number) => {
  expect(got).toBeGreaterThanOrEqual(want * 0.9);
  expect(got).toBeLessThanOrEqual(want * 1.1);
};

describe('the reference article (wrk -t10 -c200 -d30s)', () => {
  it('synchronous handler: 487 QPS, P99 812 ms (within 10 %)', () => {
    const r = run('seed-sync-baseline.json');
    within10(r.throughput_rps, 487);
    within10(r.latency_ms.p99, 812);
    // Little's law with 200 connections and no think time: mean = 200 / throughput.
    expect(r.latency_ms.mean).toBeCloseTo((200 / r.throughput_rps) * 1000, -1);
    expect(r.error_rate).toBeLessThan(0.001);
  });

  it('bounded channel of 1000 drained by 10 workers: 4,230 QPS, P99 115 ms (within 10 %)', () => {
    const r = run('seed-async-queue.json');
    within10(r.throughput_rps, 4230);
    within10(r.latency_ms.p99, 115);
    expect(r.latency_ms.mean).toBeCloseTo((200 / r.throughput_rps) * 1000, -1);
    // A few requests in the slow tail may hit wrk's 2 s timeout (wrk counts them too).
    expect(r.error_rate).toBeLessThan(0.001);
    // The workers keep up: every task is done within the run's end, the channel never fills.
    expect(r.async).not.toBeNull();
    expect(r.async!.max_backlog).toBeLessThan(1000);
    expect(r.async!.throughput_rps).toBeGreaterThan(r.throughput_rps * 0.98);
  });
});
