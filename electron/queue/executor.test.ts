// The queue executor as the console's Plan view would use it (runPlanOn with a Redis URL), against
// a real redis-server: stopped (Ctrl+C) before any worker came, it reports partial and leaves no
// job behind; with no worker connected it says so and waits; when Redis goes away for
// longer than it may wait, the plan stops with a message naming the Redis — no answer rather
// than a wrong one.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CostModel, parsePlanSlo } from '../../sim-core/plan/index';
import { validateScenario } from '../../sim-core/validate';
import { startRedis, type RedisProcess } from '../live/testing';
import { runPlanOn } from '../sweep/plan-runner';
import type { QueueStatus } from '../sweep/executor';
import { queueJobs } from './testing';

const mmc = {
  schema: 'peakline.scenario/v1',
  name: 'M/M/c',
  seed: 1,
  duration_s: 2,
  warmup_s: 0,
  workload: { type: 'open', rate_rps: 100 },
  server: { concurrency: 2 },
  handler: [{ cpu: { dist: 'exp', mean_ms: 10 } }],
};

let redis: RedisProcess;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
});

/** The plan's input on the M/M/c scenario: four values of server.concurrency. */
function input() {
  const v = validateScenario(mmc);
  if (!v.ok) throw new Error('bad scenario');
  return {
    name: 'M/M/c',
    dims: [{ path: 'server.concurrency', values: [1, 2, 3, 4] }],
    slo: parsePlanSlo('p99<=100'),
    cost: new CostModel(v.scenario, { prices: { 'server.concurrency': 1 } }, [
      'server.concurrency',
    ]),
    seed: 1,
  };
}

describe('runPlanOn with a Redis URL', () => {
  it('stopped before any worker came, reports partial and takes its jobs off the queue', async () => {
    const url = `redis://127.0.0.1:${redis.port}`;
    const ac = new AbortController();
    const statuses: QueueStatus[] = [];
    const plan = runPlanOn(mmc, input(), {
      redis: url,
      signal: ac.signal,
      onStatus: (s) => statuses.push(s),
    });
    await expect.poll(() => statuses.length, { timeout: 20_000 }).toBeGreaterThan(0);
    // the first configurations' replications are on the queue, waiting for a worker
    await expect
      .poll(async () => (await queueJobs(redis.port)).counts.waiting, { timeout: 20_000 })
      .toBeGreaterThan(0);
    ac.abort(); // Ctrl+C
    const { report } = await plan;
    expect(report.partial).toBe(true);
    expect(report.best).toBeNull();
    expect(report.replications.total).toBe(0);
    const { counts } = await queueJobs(redis.port);
    expect(counts.waiting + counts.active + counts.completed + counts.failed).toBe(0);
  });

  it('waits for workers, then stops with a clear message when Redis stays away', async () => {
    const v = validateScenario(mmc);
    if (!v.ok) throw new Error('bad scenario');
    const dims = [{ path: 'server.concurrency', values: [1, 2, 3, 4] }];
    const notes: string[] = [];
    const statuses: QueueStatus[] = [];
    const url = `redis://127.0.0.1:${redis.port}`;
    const plan = runPlanOn(
      mmc,
      {
        name: 'M/M/c',
        dims,
        slo: parsePlanSlo('p99<=100'),
        cost: new CostModel(v.scenario, { prices: { 'server.concurrency': 1 } }, [
          'server.concurrency',
        ]),
        seed: 1,
      },
      {
        redis: url,
        lostAfterMs: 2000,
        onNote: (l) => notes.push(l),
        onStatus: (s) => statuses.push(s),
      },
    );
    const outcome = plan.then(
      () => 'answered',
      (e: Error) => e.message,
    );
    // no worker: the jobs wait on the queue, and the plan says none is connected
    await expect.poll(() => statuses.length, { timeout: 20_000 }).toBeGreaterThan(0);
    expect(statuses[0]).toMatchObject({ workers: 0, connected: true });
    expect(notes[0]).toBe(
      `no worker is connected to ${url} yet: the points wait on the queue until one is (peakline worker --redis URL)`,
    );
    await redis.stop();
    expect(await outcome).toBe(
      `Redis at ${url} has been unreachable for 2 s; stopped without an answer (run again when Redis is back: results already made are kept)`,
    );
    expect(notes.some((l) => l.startsWith(`lost Redis at ${url}; waiting for it`))).toBe(true);
  });
});
