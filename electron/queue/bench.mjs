#!/usr/bin/env node
// Benchmark of plans on `peakline worker` processes (figures for the README; no test asserts on
// them): a redis-server of its own on a free port, then
//   1. the plan (seed-async-queue, 4 fields, 3,968 configurations) on one worker, then on
//      two (one simulation thread each; Redis emptied before each run, so nothing is reused) — the
//      speed-up of the second worker;
//      and, for what the machine gives a second core at the time, the plan on 1 and 2 local threads;
//   2. the per-job overhead: a sweep of N tiny points (a 10 ms simulated run) on one worker
//      thread through the queue against the same sweep on one local thread: (queue − local) / N.
// Usage: node electron/queue/bench.mjs [--quick]   (needs `npm run build` and redis-server)
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Queue } from 'bullmq';

const root = fileURLToPath(new URL('../..', import.meta.url));
const bin = join(root, 'electron/bin/peakline.mjs');
const quick = process.argv.includes('--quick');
const dir = mkdtempSync(join(tmpdir(), 'peakline-qbench-'));
const log = (l) => process.stderr.write(`${l}\n`);

const freePort = () =>
  new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => resolve(p));
    });
  });

const port = await freePort();
const url = `redis://127.0.0.1:${port}`;
const redis = spawn(
  'redis-server',
  ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
  { stdio: ['ignore', 'pipe', 'ignore'] },
);
await new Promise((resolve) => {
  readline.createInterface({ input: redis.stdout }).on('line', (l) => {
    if (l.includes('Ready to accept connections')) resolve();
  });
});
/** Busy time of the finished jobs over the span from the first added to the last finished. */
async function parallelism() {
  const q = new Queue('points', { connection: { host: '127.0.0.1', port }, prefix: 'peakline' });
  const jobs = await q.getJobs(['completed'], 0, -1);
  await q.close();
  const t0 = Math.min(...jobs.map((j) => j.timestamp));
  const t1 = Math.max(...jobs.map((j) => j.finishedOn));
  return jobs.reduce((s, j) => s + (j.finishedOn - j.processedOn), 0) / (t1 - t0);
}
const flush = () => execFileSync('redis-cli', ['-p', String(port), 'FLUSHALL']);

/** Runs the bin to its end; resolves wall seconds and stdout. */
function run(args) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const p = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (err += d));
    p.on('exit', (code) =>
      code === 0
        ? resolve({ s: (performance.now() - t0) / 1000, out })
        : reject(new Error(`peakline ${args[0]} exited ${code}: ${err}`)),
    );
  });
}

/** Starts `n` workers of `threads` threads each and waits until they take jobs. */
async function startWorkers(n, threads = 1) {
  const ws = [];
  for (let i = 0; i < n; i++) {
    const w = spawn(
      process.execPath,
      [bin, 'worker', '--redis', url, '--concurrency', String(threads)],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    await new Promise((resolve) =>
      readline.createInterface({ input: w.stderr }).on('line', (l) => {
        if (l.startsWith('peakline worker ')) resolve();
      }),
    );
    ws.push(w);
  }
  return ws;
}
const stopWorkers = async (ws) => {
  for (const w of ws) process.kill(w.pid, 'SIGKILL');
  await Promise.all(
    ws.map((w) => (w.exitCode === null ? new Promise((r) => w.once('exit', r)) : 0)),
  );
};

const plan = [
  'plan',
  join(root, 'profiles/seed-async-queue.json'),
  ...['--vary', 'async.workers=2..32', '--vary', 'db.pool_size=10..80:10'],
  ...['--vary', 'server.instances=1..4', '--vary', 'db.shards=1,2,4,8'],
  ...['--slo', 'p99<=150,error_rate<=0.001,backlog_max<=900'],
  ...['--cost', 'server.instances=0.34', '--cost', 'async.workers=0.02'],
  ...['--cost', 'db.pool_size=0.01', '--cost', 'db.shards=1.2', '--json'],
];
const results = {};
try {
  // interleaved rounds (one worker, two workers, one local thread, two), so that the other work
  // on the machine weighs on each about alike; the best of the rounds of each
  const rounds = quick ? 1 : 3;
  const times = { q1: [], q2: [], l1: [], l2: [] };
  const par = { 1: [], 2: [] };
  for (let r = 0; r < rounds; r++) {
    for (const n of [1, 2]) {
      flush();
      const ws = await startWorkers(n);
      const { s, out } = await run([...plan, '--redis', url]);
      await stopWorkers(ws);
      const rep = JSON.parse(out);
      times[`q${n}`].push(s);
      par[n].push(await parallelism());
      log(
        `plan on ${n} worker(s): ${s.toFixed(1)} s (${rep.replications.total} simulations, ${rep.evaluated} of ${rep.grid_size} configurations), jobs running at once on average ${par[n].at(-1).toFixed(2)}`,
      );
    }
    for (const t of [1, 2]) {
      const { s } = await run([...plan, '--threads', String(t)]);
      times[`l${t}`].push(s);
      log(`plan on ${t} local thread(s): ${s.toFixed(1)} s`);
    }
  }
  for (const n of [1, 2]) {
    results[`plan_${n}_worker_s`] = Math.min(...times[`q${n}`]);
    results[`plan_${n}_worker_parallelism`] = Math.max(...par[n]);
    results[`plan_local_${n}_thread_s`] = Math.min(...times[`l${n}`]);
  }
  results.speedup_2_vs_1 = results.plan_1_worker_s / results.plan_2_worker_s;
  results.local_speedup_2_vs_1 = results.plan_local_1_thread_s / results.plan_local_2_thread_s;
  log(
    `two workers against one: ${results.speedup_2_vs_1.toFixed(2)}×; two local threads against one: ${results.local_speedup_2_vs_1.toFixed(2)}× (best of ${rounds} interleaved rounds each)`,
  );
  const load = (await import('node:os')).loadavg()[0];
  results.load_average = load;
  log(
    `load average at the end: ${load.toFixed(1)} on ${(await import('node:os')).availableParallelism()} cores`,
  );

  const N = quick ? 200 : 500;
  const tiny = {
    schema: 'peakline.scenario/v1',
    name: 'tiny',
    seed: 1,
    duration_s: 0.01,
    warmup_s: 0,
    workload: { type: 'open', rate_rps: 100 },
    server: { concurrency: 1 },
    handler: [{ cpu: { dist: 'exp', mean_ms: 1 } }],
  };
  writeFileSync(join(dir, 'tiny.json'), JSON.stringify(tiny));
  const sweep = ['sweep', join(dir, 'tiny.json'), '--vary', `workload.rate_rps=1..${N}`, '--json'];
  const here = await run([...sweep, '--threads', '1']);
  flush();
  const ws = await startWorkers(1);
  const there = await run([...sweep, '--redis', url]);
  await stopWorkers(ws);
  const inside = (x) => JSON.parse(x.out).wall_ms / 1000;
  results.tiny_points = N;
  results.local_sweep_s = inside(here);
  results.queue_sweep_s = inside(there);
  results.overhead_ms_per_job = ((inside(there) - inside(here)) * 1000) / N;
  log(
    `${N} tiny points: ${inside(here).toFixed(2)} s on one local thread, ${inside(there).toFixed(2)} s on one worker through the queue: ${results.overhead_ms_per_job.toFixed(2)} ms of overhead per job`,
  );
  process.stdout.write(JSON.stringify(results, null, 2) + '\n');
} finally {
  process.kill(redis.pid, 'SIGKILL');
  rmSync(dir, { recursive: true, force: true });
}
