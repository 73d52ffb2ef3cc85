// Plans past one machine, as an operator runs them: a real redis-server on a free port, three real
// `peakline worker` processes, and `peakline plan --redis` / `sweep --redis`. A worker killed with
// SIGKILL in the middle of a job: its job is run again by another worker, the plan's answer is the
// local run's (same seeds), and Redis holds exactly one finished job per simulation the report
// counts. Redis killed and restarted (its data gone) mid-plan: the plan says so, waits, queues the
// lost jobs again and gives the same answer. Redis unreachable at the start: one line naming
// --redis, exit 2. The console's plan (plan:run with redis) runs on the same workers with the
// CLI's answer. A job from another version is refused. A worker stopped with SIGTERM finishes
// and says how many jobs it ran.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPeakline, root } from '../cli/testing';
import { freePort, redisCli, startRedis, type RedisProcess } from '../live/testing';
import { Queue } from 'bullmq';
import { jobData, QUEUE_NAME, QUEUE_PREFIX } from './protocol';
import type { PlanReportReply } from '../api/contract';
import { createApiHandler, type RequestContext } from '../api/handler';
import { tempProfiles } from '../api/testing';
import { planWorkers } from './plan-workers';
import { Peakline, queueJobs } from './testing';

// An M/M/c queue at 1,000 requests/s, 8 ms of work each: a minute simulated, so a job takes long
// enough (a few hundred ms) for a worker to be killed in the middle of one.
const mmc = {
  schema: 'peakline.scenario/v1',
  name: 'M/M/c for the queue',
  seed: 3,
  duration_s: 60,
  warmup_s: 1,
  workload: { type: 'open', rate_rps: 1000 },
  server: { instances: 1, concurrency: 10 },
  handler: [{ cpu: { dist: 'exp', mean_ms: 8 } }],
};

let dir: string;
let redis: RedisProcess;
let url: string;
const workers: Peakline[] = [];
let local: Record<string, unknown>;

const planArgs = () => [
  'plan',
  join(dir, 'mmc.json'),
  '--vary',
  'server.concurrency=8..20',
  '--vary',
  'server.instances=1..3',
  '--slo',
  'p99<=40',
  '--cost',
  'server.instances=5',
  '--cost',
  'server.concurrency=1',
  '--replications',
  '3',
  '--json',
];

/** The report without where and how long it ran. */
function answer(r: Record<string, unknown>) {
  const { wall_ms: _w, threads: _t, redis: _r, workers: _k, ...rest } = r;
  return rest;
}

function startWorker(): Peakline {
  const w = new Peakline(['worker', '--redis', url, '--concurrency', '1', '--verbose']);
  workers.push(w);
  return w;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'peakline-queue-'));
  writeFileSync(join(dir, 'mmc.json'), JSON.stringify(mmc, null, 2));
  redis = await startRedis();
  url = `redis://127.0.0.1:${redis.port}`;
  const ran = await runPeakline(root, ...planArgs(), '--threads', '1');
  expect(ran.code, ran.stderr).toBe(0);
  local = JSON.parse(ran.stdout) as Record<string, unknown>;
  for (let i = 0; i < 3; i++) startWorker();
  await Promise.all(workers.map((w) => w.waitErr((l) => l.startsWith('peakline worker '))));
});

afterAll(async () => {
  for (const w of workers) w.signal('SIGKILL');
  await Promise.all(workers.map((w) => w.exited));
  await redis?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('plan --redis on peakline workers', () => {
  it('gives the local answer when a worker is killed -9 mid-job, every job counted once', async () => {
    const plan = new Peakline([...planArgs(), '--redis', url]);
    const victim = workers[2];
    const started = await victim.waitErr((l) => / started /.test(l));
    victim.signal('SIGKILL');
    const killedJob = /job (\S+) started/.exec(started)![1];
    expect(await victim.exited).toBeNull(); // killed by the signal

    expect(await plan.exited, plan.stderr).toBe(0);
    const report = JSON.parse(plan.stdout) as Record<string, unknown> & {
      replications: { total: number };
      configurations: { replications: number }[];
      workers: number;
    };
    expect(answer(report)).toEqual(answer(local));
    expect(report.workers).toBe(2);
    expect(plan.stderr).toMatch(/plan: 3 workers connected to redis:\/\/127\.0\.0\.1:\d+/);

    // the killed worker's job went back to the queue and another worker ran it
    const others = workers.slice(0, 2);
    expect(others.some((w) => w.errLines.some((l) => l.includes(`job ${killedJob} done`)))).toBe(
      true,
    );
    // one finished job per simulation counted, none failed; the killed one was found stalled
    const { counts, completed } = await queueJobs(redis.port);
    expect(counts.failed).toBe(0);
    expect(counts.waiting + counts.active + counts.delayed).toBe(0);
    expect(completed.length).toBe(report.replications.total);
    expect(new Set(completed.map((j) => j.id)).size).toBe(completed.length);
    expect(report.configurations.reduce((n, c) => n + c.replications, 0)).toBe(
      report.replications.total,
    );
    const killed = completed.find((j) => j.id === killedJob)!;
    expect(killed.stalledCounter).toBeGreaterThanOrEqual(1);
    expect(killed.processedBy).not.toContain(`:${victim.proc.pid}`);
  });

  it('waits through a Redis restart that lost every job and gives the same answer', async () => {
    await redisCli(redis.port, ['FLUSHALL']);
    const plan = new Peakline([...planArgs(), '--redis', url]);
    await plan.waitErr((l) => /^plan: \d+ of 39 configurations run/.test(l));
    await redis.stop(); // SIGKILL: nothing saved
    await plan.waitErr((l) => l.includes('lost Redis at redis://127.0.0.1:'));
    await new Promise((r) => setTimeout(r, 1500));
    await redis.start();
    expect(await plan.exited, plan.stderr).toBe(0);
    expect(plan.stderr).toMatch(/Redis at redis:\/\/127\.0\.0\.1:\d+ is back after/);
    expect(answer(JSON.parse(plan.stdout) as Record<string, unknown>)).toEqual(answer(local));
    await workers[0].waitErr((l) => l.includes('is back after'));
  });

  it('runs a sweep on the workers with the points a local sweep gives', async () => {
    const args = [
      'sweep',
      join(dir, 'mmc.json'),
      '--vary',
      'server.concurrency=9..12',
      '--slo',
      'p99<=40',
      '--json',
    ];
    const here = await runPeakline(root, ...args, '--threads', '1');
    const there = await runPeakline(root, ...args, '--redis', url);
    expect(there.code, there.stderr).toBe(0);
    const a = JSON.parse(here.stdout) as { points: unknown[]; best: unknown };
    const b = JSON.parse(there.stdout) as { points: unknown[]; best: unknown; workers: number };
    expect(b.points).toEqual(a.points);
    expect(b.best).toEqual(a.best);
    expect(b.workers).toBe(2);
    expect(there.stderr).toMatch(/sweep 4\/4 \(100 %, 2 workers connected\)/);
  });

  it('stops with one line naming --redis (exit 2) when Redis cannot be reached', async () => {
    const nobody = `redis://127.0.0.1:${await freePort()}`;
    for (const args of [
      [...planArgs(), '--redis', nobody],
      ['sweep', join(dir, 'mmc.json'), '--vary', 'server.concurrency=9..10', '--redis', nobody],
      ['worker', '--redis', nobody],
    ]) {
      const r = await runPeakline(root, ...args);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(
        new RegExp(
          `^peakline (plan|sweep|worker): --redis ${nobody.replace(/\./g, '\\.')}: cannot reach Redis \\(connect ECONNREFUSED`,
          'm',
        ),
      );
    }
  });

  it("runs the console's plan (plan:run with redis) on the workers, with the CLI's answer", async () => {
    await redisCli(redis.port, ['FLUSHALL']); // nothing kept from the plans above
    const profiles = await tempProfiles('peakline-queue-ui-', 'tiny.json');
    const handler = createApiHandler({
      shell: 'web',
      version: '0',
      store: profiles.store,
      planWorkers,
    });
    try {
      const ctx: RequestContext = { emit: () => {} };
      const w = await handler.handle('plan:workers', { redis: url }, ctx);
      expect(w).toEqual({ ok: true, result: { connected: 2 } });
      const r = await handler.handle(
        'plan:run',
        {
          id: 'on-workers',
          scenario: mmc,
          vary: [
            { path: 'server.concurrency', from: 8, to: 20 },
            { path: 'server.instances', from: 1, to: 3 },
          ],
          slo: 'p99<=40',
          prices: { 'server.instances': 5, 'server.concurrency': 1 },
          replications: 3,
          redis: url,
        },
        ctx,
      );
      expect(r.ok, JSON.stringify(r)).toBe(true);
      if (!r.ok) return;
      const rep = r.result as PlanReportReply;
      const cli = local as unknown as PlanReportReply;
      expect(rep.executor).toBe('workers');
      expect(rep.threads).toBe(2); // the workers connected, as the view shows them
      expect(rep.best!.params).toEqual(cli.best!.params);
      expect(rep.best!.cost).toBe(cli.best!.cost);
      expect(rep.evaluated).toBe(cli.evaluated);
      expect(rep.replications.total).toBe(cli.replications.total);
      expect((await queueJobs(redis.port)).completed.length).toBe(cli.replications.total);
      const nobody = `redis://127.0.0.1:${await freePort()}`;
      const down = await handler.handle('plan:workers', { redis: nobody }, ctx);
      expect(down).toMatchObject({
        ok: false,
        error: { message: expect.stringMatching(/cannot reach Redis \(connect ECONNREFUSED/) },
      });
    } finally {
      handler.dispose();
      await profiles.remove();
    }
  });

  it('refuses a job from another peakline version (its results could differ)', async () => {
    const q = new Queue(QUEUE_NAME, {
      connection: { host: '127.0.0.1', port: redis.port },
      prefix: QUEUE_PREFIX,
    });
    try {
      const data = { ...jobData(mmc, 'feedfacefeedface', ['seed'], [9]), version: '0.0.1' };
      await q.add('point', data, { jobId: 'other-version' });
      await expect
        .poll(async () => (await q.getJob('other-version'))?.failedReason, { timeout: 30_000 })
        .toMatch(
          /^the job is from peakline 0\.0\.1; this worker \(.+:\d+\) runs \d+\.\d+\.\d+: results would differ$/,
        );
      expect(await (await q.getJob('other-version'))!.getState()).toBe('failed');
    } finally {
      await q.close();
    }
  });

  it('lets a worker stopped with SIGTERM finish and say how many jobs it ran', async () => {
    const w = workers[0];
    w.signal('SIGTERM');
    expect(await w.exited).toBe(0);
    expect(w.stderr).toMatch(/worker: SIGTERM: taking no new jobs/);
    expect(w.stderr).toMatch(/worker: stopped after [1-9]\d* jobs?/);
  });
});
