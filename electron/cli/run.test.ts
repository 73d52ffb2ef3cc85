// `peakline run` guarding against runs that would never end, as a user meets it: a scenario with
// `duration_s: 1e9` is refused with its estimate (exit 3) unless --yes; `--progress` writes progress
// lines to stderr without a terminal; Ctrl+C prints the part done, marked partial, exit 130.
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { bin, root, runPeakline } from './testing';

const seed = 'profiles/seed-async-queue.json';

describe('run: long runs', () => {
  it('refuses duration_s 1e9 with what it would cost and how to go on, and prints nothing on stdout', async () => {
    const r = await runPeakline(root, 'run', seed, '--set', 'duration_s=1e9', '--json');
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(
      /^peakline run: profiles\/seed-async-queue\.json would simulate 4\.\de12 requests \([\d,]+ req\/s × 1,000,000,003 s\) in about [\d.]+e1[23] events, roughly \d+ days on one core/,
    );
    expect(r.stderr).toMatch(/--set duration_s=60/);
    expect(r.stderr).toMatch(/--yes to run it anyway/);
  });

  it('writes progress lines to stderr with --progress, without a terminal, and ends at 100 %', async () => {
    const r = await runPeakline(
      root,
      'run',
      seed,
      '--set',
      'duration_s=300',
      '--progress',
      '--json',
    );
    expect(r.code).toBe(0);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(2);
    for (const l of lines)
      expect(l).toMatch(
        /^peakline run: \d+ % \([\d,.]+ of 303\.0 s simulated, [\d.]+ (thousand|million) events\)$/,
      );
    expect(lines.at(-1)).toMatch(/^peakline run: 100 % \(303\.0 of 303\.0 s simulated/);
    expect(r.stderr).not.toMatch(/\r/);
    const out = JSON.parse(r.stdout) as { partial?: unknown; duration_s: number };
    expect(out.partial).toBeUndefined();
    expect(out.duration_s).toBe(300);
  });

  it('on Ctrl+C prints the part done as JSON marked partial and exits 130', async () => {
    const child = spawn(
      process.execPath,
      [bin, 'run', seed, '--set', 'duration_s=1e9', '--yes', '--progress', '--json'],
      { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const exited = new Promise<number | null>((resolve) =>
      child.on('exit', (code) => resolve(code)),
    );
    // once the run reports progress, press Ctrl+C
    await new Promise<void>((resolve) => {
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        if (/ % \(/.test(stderr)) resolve();
      });
    });
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(stderr).toMatch(
      /stopped by Ctrl\+C after [\d,.]+ of 1,000,000,003\.0 s simulated; the figures below are of that part \(partial\)/,
    );
    const r = JSON.parse(stdout) as {
      partial: { simulated_s: number; of_s: number };
      duration_s: number;
      throughput_rps: number;
      requests: { arrived: number };
    };
    expect(r.partial.of_s).toBe(1e9 + 3);
    expect(r.partial.simulated_s).toBeGreaterThan(3);
    expect(r.duration_s).toBeCloseTo(r.partial.simulated_s - 3, 6);
    // the part done is the seed's steady state: the reference article's ≈ 4,230 req/s
    expect(r.throughput_rps).toBeGreaterThan(3800);
    expect(r.throughput_rps).toBeLessThan(4700);
    expect(r.requests.arrived).toBeGreaterThan(0);
  });

  it('prints the partial table with a PARTIAL RESULT header when not --json', async () => {
    const child = spawn(
      process.execPath,
      [bin, 'run', seed, '--set', 'duration_s=1e9', '-y', '--progress'],
      {
        cwd: root,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const exited = new Promise<number | null>((resolve) =>
      child.on('exit', (code) => resolve(code)),
    );
    await new Promise<void>((resolve) => child.stderr.once('data', () => resolve()));
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(stdout).toMatch(
      /^PARTIAL RESULT — stopped by Ctrl\+C at [\d,.]+ of 1,000,000,003\.0 s simulated\n/,
    );
    expect(stdout).toMatch(/Throughput +[\d,.]+ req\/s/);
  });
});
