// Planning ahead from the command line, as a user meets it: the sale-day autoscaling profile run
// three ways (static, reactive, forecast) with the cost and the SLO windows in the report and in
// --json, and an nginx access log replayed through `peakline run` and checked by `validate`
// (read relative to the scenario file, its bad lines reported by number).
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { root, runPeakline } from './testing';

const profile = 'profiles/sale-day-autoscale.json';

describe('run: autoscaling on the sale-day profile', () => {
  const runs = Promise.all(
    (['static', 'reactive', 'forecast'] as const).map((mode) =>
      runPeakline(root, 'run', profile, '--set', `server.autoscale.mode=${mode}`, '--json'),
    ),
  );

  it('reports cost and SLO violations for static peak, reactive and forecast-driven scaling', async () => {
    const [s, r, f] = (await runs).map((x) => {
      expect(x.code).toBe(0);
      return JSON.parse(x.stdout);
    });
    // static: 16 instances for the hour
    expect(s.instance_seconds).toBe(16 * 3600);
    expect(s.slo.violated_windows).toBe(0);
    // reactive: far cheaper, but the ramp outruns it
    expect(r.instance_seconds).toBeLessThan(0.7 * s.instance_seconds);
    expect(r.slo.violated_windows).toBeGreaterThan(0);
    expect(r.slo.first_violation_s).toBe(600);
    // forecast-driven: about as cheap, and no violation
    expect(f.instance_seconds).toBeLessThan(0.7 * s.instance_seconds);
    expect(f.slo.violated_windows).toBe(0);
    // the count series is in the JSON, and its integral is the cost
    const tl = f.autoscale.timeline as {
      t_s: number;
      serving: number;
      provisioning: number;
      draining: number;
    }[];
    let area = 0;
    tl.forEach((p, k) => {
      const end = k + 1 < tl.length ? tl[k + 1].t_s : 3600;
      area += (p.serving + p.provisioning + p.draining) * (end - p.t_s);
    });
    expect(area).toBeCloseTo(f.instance_seconds, 3);
  });

  it('prints the autoscaler and SLO lines in the text report', async () => {
    const t = await runPeakline(root, 'run', profile);
    expect(t.code).toBe(0);
    expect(t.stdout).toMatch(
      /^Autoscale {4}reactive on utilization → target 0\.60, 2\.\.16 instances$/m,
    );
    expect(t.stdout).toMatch(
      /^ {2}cost {7}35,2\d\d instance-seconds {3}mean 9\.\d\d instances {3}peak 16/m,
    );
    expect(t.stdout).toMatch(/^ {2}serving {4}0 s 3 → /m);
    expect(t.stdout).toMatch(
      /^SLO {10}p99 ≤ 250 ms, errors ≤ 0\.1 % per 60 s window: violated in 3 of 60 windows \(180 s\), from 600 s$/m,
    );
  });
});

describe('run: replaying an nginx access log', () => {
  const dir = mkdtempSync(join(tmpdir(), 'peakline-trace-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  copyFileSync(join(root, 'profiles/traces/orders-access.log'), join(dir, 'access.log'));
  const scenario = (workload: Record<string, unknown>) => ({
    schema: 'peakline.scenario/v1',
    name: 'This morning, replayed',
    duration_s: 7,
    workload: { type: 'trace', file: 'access.log', ...workload },
    server: { concurrency: 8 },
    handler: [{ cpu: { dist: 'exp', mean_ms: 5 } }],
  });
  writeFileSync(join(dir, 'replay.json'), JSON.stringify(scenario({})));
  writeFileSync(join(dir, 'triple.json'), JSON.stringify(scenario({ rate_multiplier: 3 })));
  writeFileSync(join(dir, 'missing.json'), JSON.stringify(scenario({ file: 'nope.log' })));

  it('replays every request of the log, reading it next to the scenario, and names its bad lines', async () => {
    // run from another directory: the log is found relative to the scenario file
    const r = await runPeakline(root, 'run', join(dir, 'replay.json'), '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.requests.arrived).toBe(520);
    expect(j.trace).toMatchObject({
      file: 'access.log',
      format: 'nginx',
      lines: 523,
      bad: 3,
      arrivals: 520,
    });
    expect(j.trace.bad_lines.map((b: { line: number }) => b.line)).toEqual([4, 100, 300]);
    expect(r.stderr).toMatch(
      /access\.log: 3 bad lines of 523 skipped \(line 4: no \$msec or \[\$time_local\] timestamp; line 100: /,
    );
  });

  it('at 3× the traffic, and in the text report', async () => {
    const r = await runPeakline(dir, 'run', 'triple.json');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^Trace {8}access\.log: nginx, 520 arrivals over [56]\.\d s recorded \(speed 1, rate ×3\); 3 bad lines of 523 skipped/m,
    );
    expect(r.stdout).toMatch(/Requests {5}arrived 1,560 /);
  });

  it('validate reads the log too; a missing one is an error naming workload.file', async () => {
    const ok = await runPeakline(dir, 'validate', 'replay.json');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(
      /replay\.json: ok \(This morning, replayed; trace access\.log: nginx, 520 arrivals, 3 bad lines of 523 skipped/,
    );
    const bad = await runPeakline(dir, 'validate', 'missing.json');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(
      /missing\.json: workload\.file: cannot read .*nope\.log: no such file/,
    );
    const run = await runPeakline(dir, 'run', 'missing.json');
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/workload\.file: cannot read .*nope\.log: no such file/);
  });
});
