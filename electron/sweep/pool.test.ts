// The pool of sweep threads that stays up: any combination of values in any order, the same
// numbers as the sweep gives, a bad point named, and points not yet run refused once it closes.
import { afterAll, describe, expect, it } from 'vitest';
import { PointPool, PoolClosed } from './pool';
import { runSweep } from './sweep';

const mmc = {
  schema: 'peakline.scenario/v1',
  name: 'M/M/c',
  seed: 3,
  duration_s: 2,
  warmup_s: 0.5,
  workload: { type: 'open', rate_rps: 150 },
  server: { concurrency: 2 },
  handler: [{ cpu: { dist: 'exp', mean_ms: 10 } }],
};
const vary = [
  { path: 'server.concurrency', values: [] },
  { path: 'seed', values: [] },
];

describe('PointPool', () => {
  const pools: PointPool[] = [];
  afterAll(async () => {
    await Promise.all(pools.map((p) => p.close()));
  });

  it('runs any points on its threads with the numbers a sweep gives', async () => {
    const pool = await PointPool.open({ scenario: mmc, vary }, 2);
    pools.push(pool);
    const inThread = await PointPool.open({ scenario: mmc, vary }, 0);
    pools.push(inThread);
    const points = [
      [3, 7],
      [2, 3],
      [4, 3],
      [3, 3],
      [2, 7],
    ];
    const results = await Promise.all(points.map((p) => pool.run(p)));
    const here = await Promise.all(points.map((p) => inThread.run(p)));
    const sweep = await runSweep(
      mmc,
      [
        { path: 'server.concurrency', values: [2, 3, 4] },
        { path: 'seed', values: [3, 7] },
      ],
      { threads: 1 },
    );
    points.forEach(([c, seed], i) => {
      const fromSweep = sweep.points.find(
        (p) => p.values['server.concurrency'] === c && p.values.seed === seed,
      )!;
      expect(results[i].seed).toBe(seed);
      expect(results[i].latency_ms).toEqual(here[i].latency_ms);
      expect(results[i].latency_ms.p99).toBe(fromSweep.p99_ms);
      expect(results[i].throughput_rps).toBe(fromSweep.throughput_rps);
      expect(results[i].series).toBeUndefined();
    });
    expect(pool.threads).toBe(2);
  });

  it('names a point that is not a valid scenario, and refuses points once closed', async () => {
    const pool = await PointPool.open({ scenario: mmc, vary }, 1);
    await expect(pool.run([0, 1])).rejects.toThrow('server.concurrency: must be >= 1 (got 0)');
    // as a reply (what a sweep records for the point), beside a good one
    const [bad, good] = await Promise.all([pool.reply([0, 1]), pool.reply([2, 1])]);
    expect(bad).toMatchObject({
      ok: false,
      error: expect.stringContaining('server.concurrency: must be >= 1 (got 0)'),
    });
    expect(good.ok && good.result.seed).toBe(1);
    const pending = Promise.allSettled([pool.run([2, 1]), pool.run([2, 2]), pool.run([2, 3])]);
    await pool.close();
    const settled = await pending;
    expect(settled.some((s) => s.status === 'rejected' && s.reason instanceof PoolClosed)).toBe(
      true,
    );
    await expect(pool.run([2, 1])).rejects.toBeInstanceOf(PoolClosed);
  });
});
