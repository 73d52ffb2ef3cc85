// The fidelity lab for real, small: its own PostgreSQL and pgbouncer, pgbench through the pool at
// 1 and 2 clients, twice each, measured only. What a user runs with `npm run fidelity`, shrunk to
// seconds: the repeats come as sweeps, every repeat records what the scheduler did for the
// threads of PostgreSQL, pgbouncer and pgbench, the run records the kernel, and nothing is left
// behind.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from './predict';

const out = mkdtempSync(path.join(os.tmpdir(), 'peakline-lab-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

function fidelity(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['electron/fidelity/run.mjs', ...args], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

const labsLeft = () =>
  readdirSync(os.tmpdir()).filter((n) => n.startsWith('peakline-fidelity-')).length;

describe.skipIf(process.platform !== 'linux')('the fidelity lab, measuring for real', () => {
  it('sweeps the client counts, records the scheduler per thread and stops what it started', async () => {
    const before = labsLeft();
    const r = await fidelity([
      '--clients',
      '1,2',
      '--calibrate-at',
      '1,2',
      '--dist',
      'uniform',
      '--mode',
      'pooled',
      '--items',
      '1000',
      '--repeats',
      '2',
      '--seconds',
      '3',
      '--warmup',
      '0',
      '--quiet-wait',
      '0',
      '--retries',
      '0',
      '--skip-predict',
      '--out',
      out,
    ]);
    expect(r.code, r.stderr).toBe(0);

    // repeat 1 of every point, then repeat 2: a sweep across the client counts each time
    const order = [...r.stderr.matchAll(/\[uniform-pooled\]\s+(\d+) clients, repeat (\d)\/2/g)].map(
      (m) => `${m[1]}:${m[2]}`,
    );
    expect(order).toEqual(['1:1', '2:1', '1:2', '2:2']);

    const raw = JSON.parse(readFileSync(path.join(out, 'raw.json'), 'utf8')) as {
      machine: { kernel?: string; sched?: Record<string, string> };
      method: string;
      series: Record<
        string,
        {
          points: {
            concurrency: number;
            repeats: {
              transactions: number;
              cpu_busy?: number[];
              sched_per_tx?: Record<string, { cpu_ms: number; runq_ms: number; slices: number }>;
            }[];
          }[];
        }
      >;
    };
    expect(raw.machine.kernel).toBe(os.release());
    expect(raw.machine.sched).toBeTypeOf('object');
    expect(raw.method).toContain('the repeats are sweeps across the client counts');
    const points = raw.series['uniform-pooled'].points;
    expect(points.map((p) => p.concurrency)).toEqual([1, 2]);
    for (const p of points) {
      expect(p.repeats).toHaveLength(2);
      for (const rep of p.repeats) {
        expect(rep.transactions).toBeGreaterThan(0);
        // each CPU's busy share over the same stretch
        expect(rep.cpu_busy).toHaveLength(os.cpus().length);
        for (const b of rep.cpu_busy!) expect(b >= 0 && b <= 1).toBe(true);
        const s = rep.sched_per_tx!;
        // every part of the pipeline ran and was given a core for each transaction
        for (const part of ['postgres', 'pgbouncer', 'pgbench']) {
          expect(s[part].cpu_ms, part).toBeGreaterThan(0);
          expect(s[part].slices, part).toBeGreaterThanOrEqual(1);
          expect(s[part].runq_ms, part).toBeGreaterThanOrEqual(0);
        }
      }
    }
    expect(readFileSync(path.join(out, 'report.md'), 'utf8')).toContain(
      'Scheduler ms per transaction by clients',
    );
    expect(existsSync(path.join(out, 'uniform-pooled.csv'))).toBe(true);
    // its temp folder (the cluster, pgbouncer's files) is gone
    expect(labsLeft()).toBe(before);
  }, 180_000);
});
