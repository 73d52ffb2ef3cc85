// Sweeps on real worker threads: the same points give the same numbers whatever the thread count,
// progress is reported point by point, a sweep can be cancelled, the cheapest configuration
// meeting the SLO is found, and a bad point is named before any work starts.
import { describe, expect, it } from 'vitest';
import { runSweep, SweepInputError, type SweepResult } from './sweep';

/** M/M/c: 150 requests/s of 10 ms exponential work on `server.concurrency` handlers. */
const mmc = {
  schema: 'peakline.scenario/v1',
  name: 'M/M/c',
  seed: 3,
  duration_s: 5,
  warmup_s: 1,
  workload: { type: 'open', rate_rps: 150 },
  server: { concurrency: 2 },
  handler: [{ cpu: { dist: 'exp', mean_ms: 10 } }],
};

const numbers = (r: SweepResult) =>
  r.points.map((p) => [p.index, p.values, p.throughput_rps, p.p99_ms, p.mean_ms, p.error_rate]);

describe('runSweep', () => {
  const dims = [
    { path: 'server.concurrency', values: [2, 3, 4] },
    { path: 'workload.rate_rps', values: [100, 150] },
  ];

  it('gives identical results on 2 threads, 1 thread and in this thread', async () => {
    const [two, one, none] = await Promise.all([
      runSweep(mmc, dims, { threads: 2 }),
      runSweep(mmc, dims, { threads: 1 }),
      runSweep(mmc, dims, { threads: 0 }),
    ]);
    expect(two.points).toHaveLength(6);
    expect(two.threads).toBe(2);
    expect(numbers(two)).toEqual(numbers(one));
    expect(numbers(two)).toEqual(numbers(none));
    // Grid order: first dimension outermost.
    expect(two.points.map((p) => Object.values(p.values))).toEqual([
      [2, 100],
      [2, 150],
      [3, 100],
      [3, 150],
      [4, 100],
      [4, 150],
    ]);
    // More handlers, lower latency at the same load.
    const at150 = two.points.filter((p) => p.values['workload.rate_rps'] === 150);
    expect(at150[0].mean_ms).toBeGreaterThan(at150[1].mean_ms);
    expect(at150[1].mean_ms).toBeGreaterThan(at150[2].mean_ms);
  });

  it('reports progress for every point and keeps full results when asked', async () => {
    const seen: [number, number][] = [];
    const r = await runSweep(mmc, [dims[0]], {
      threads: 2,
      onProgress: (done, total) => seen.push([done, total]),
    });
    expect(seen).toEqual([
      [1, 3],
      [2, 3],
      [3, 3],
    ]);
    expect(r.points[0].result?.scenario).toBe('M/M/c');
  });

  it('picks the cheapest configuration meeting the SLO (cost = sum of values, weighted)', async () => {
    const r = await runSweep(mmc, [{ path: 'server.concurrency', values: [1, 2, 3, 4, 5] }], {
      threads: 2,
      slo: 'p99<=60',
    });
    // One 10 ms server at 150/s is overloaded (ρ = 1.5); two hold P99 near 90 ms; three meet it.
    expect(r.points.map((p) => p.meets_slo)).toEqual([false, false, true, true, true]);
    expect(r.best?.values).toEqual({ 'server.concurrency': 3 });
    expect(r.best?.cost).toBe(3);
    expect(r.slo).toBe('p99<=60');

    const weighted = await runSweep(mmc, dims, {
      threads: 2,
      slo: 'p99<=60,throughput>=140',
      weights: { 'workload.rate_rps': -0.1 },
    });
    // A negative weight on the rate rewards carrying more load: 3 handlers at 150/s.
    expect(weighted.best?.values).toEqual({ 'server.concurrency': 3, 'workload.rate_rps': 150 });
  });

  it('can be cancelled, returning the points done so far', async () => {
    const ac = new AbortController();
    const r = await runSweep(
      mmc,
      [{ path: 'server.concurrency', values: [2, 3, 4, 5, 6, 7, 8, 9] }],
      {
        threads: 1,
        signal: ac.signal,
        onProgress: (done) => {
          if (done === 2) ac.abort();
        },
      },
    );
    expect(r.cancelled).toBe(true);
    expect(r.points.length).toBeGreaterThanOrEqual(2);
    expect(r.points.length).toBeLessThan(8);
  });

  it('names an invalid point before starting', async () => {
    await expect(
      runSweep(mmc, [{ path: 'server.concurrency', values: [1, 0] }], { threads: 2 }),
    ).rejects.toThrow(
      new SweepInputError(
        'sweep point server.concurrency=0 is not a valid scenario: server.concurrency: must be >= 1 (got 0)',
      ),
    );
    await expect(runSweep(mmc, [], {})).rejects.toThrow('a sweep varies one or two paths (got 0)');
    await expect(
      runSweep(mmc, [dims[0], { path: 'server["concurrency"]', values: [1] }], {}),
    ).rejects.toThrow('server["concurrency"] is varied twice');
    await expect(runSweep(mmc, [dims[0]], { slo: 'p97<3' })).rejects.toThrow(
      'unknown metric "p97"',
    );
  });
});
