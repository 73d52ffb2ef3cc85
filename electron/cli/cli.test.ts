// The `peakline` command as a user runs it: the real bin in a child process, asserting on what
// it prints and its exit code — run (table and JSON), --set, --seed, validate, schema, sweep with
// an SLO, help, and errors as one line without a stack trace.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bin, root, runPeakline } from './testing';

/** Runs the bin in the repository and collects its output. */
const peakline = (...args: string[]) => runPeakline(root, ...args);

let dir: string;
const file = (name: string) => join(dir, name);

/** An M/M/2 queue at 80 % load: small and quick. */
const mm2 = {
  schema: 'peakline.scenario/v1',
  name: 'M/M/2 at 80 %',
  notes: 'a test fixture',
  seed: 7,
  duration_s: 20,
  warmup_s: 2,
  workload: { type: 'open', rate_rps: 160 },
  server: { concurrency: 2 },
  handler: [{ cpu: { dist: 'exp', mean_ms: 10 } }],
};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'peakline-cli-'));
  writeFileSync(file('mm2.json'), JSON.stringify(mm2, null, 2));
  writeFileSync(
    file('bad.json'),
    JSON.stringify(
      {
        ...mm2,
        workload: { type: 'open', rate_rps: -5 },
        server: { concurrency: 2, instancs: 3 },
      },
      null,
      2,
    ),
  );
  writeFileSync(
    file('broken.json'),
    '{\n  "schema": "peakline.scenario/v1",\n  "name": "x"\n  "seed": 1\n}\n',
  );
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const noStack = (text: string) => {
  expect(text).not.toMatch(/\n\s+at /);
  expect(text).not.toContain('.ts:');
};

describe('help and version', () => {
  it('prints usage naming every command', async () => {
    const r = await peakline('--help');
    expect(r.code).toBe(0);
    for (const c of [
      'run FILE',
      'validate FILE',
      'schema',
      'sweep FILE',
      'bench',
      'serve',
      'watch',
    ])
      expect(r.stdout).toContain(c);
  });

  it('prints the version from package.json', async () => {
    const r = await peakline('--version');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^peakline \d+\.\d+\.\d+\n$/);
  });
});

describe('run', () => {
  it('prints a readable table of the result', async () => {
    const r = await peakline('run', file('mm2.json'));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('M/M/2 at 80 %');
    expect(r.stdout).toMatch(/Throughput\s+1\d\d\.\d req\/s ± /);
    expect(r.stdout).toMatch(/Latency ms\s+mean [\d.]+ ± [\d.]+\s+p50 [\d.]+\s+p90 [\d.]+\s+p99 /);
    expect(r.stdout).toMatch(/Requests\s+arrived [\d,]+\s+completed/);
    expect(r.stdout).toContain('Errors       none');
    expect(r.stdout).toMatch(
      /Stations\n\s+station\s+kind\s+servers\s+util\s+mean queue\s+mean wait ms/,
    );
    expect(r.stdout).toMatch(/Engine\s+[\d,]+ events in/);
  });

  it('--json prints the contract fields', async () => {
    const r = await peakline('run', file('mm2.json'), '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(typeof j.throughput_rps).toBe('number');
    expect(Object.keys(j.latency_ms).sort()).toEqual(['max', 'mean', 'p50', 'p90', 'p99', 'p999']);
    expect(Object.keys(j.requests).sort()).toEqual(
      ['arrived', 'completed', 'in_flight', 'ok', 'rejected', 'timed_out'].sort(),
    );
    expect(j.events).toBeGreaterThan(0);
    expect(typeof j.wall_ms).toBe('number');
    for (const s of Object.values(j.stations) as Record<string, number>[]) {
      expect(s.utilization).toBeGreaterThanOrEqual(0);
      expect(s.utilization).toBeLessThanOrEqual(1);
      expect(typeof s.mean_queue).toBe('number');
      expect(typeof s.mean_wait_ms).toBe('number');
    }
    expect(j.ci95.throughput_rps.half_width).toBeGreaterThan(0);
    expect(j.ci95.latency_mean_ms.half_width).toBeGreaterThan(0);
    // An M/M/2 at 160/s with 10 ms service is busy 80 % of the time.
    const busiest = Math.max(
      ...Object.values(j.stations).map((s) => (s as { utilization: number }).utilization),
    );
    expect(busiest).toBeGreaterThan(0.75);
    expect(busiest).toBeLessThan(0.85);
    expect(j.series).toBeUndefined();
  });

  it('the same seed gives byte-identical JSON except wall_ms; another seed differs', async () => {
    const strip = (s: string) => s.replace(/"wall_ms": [\d.e+-]+/, '"wall_ms": 0');
    const [a, b, c] = await Promise.all([
      peakline('run', file('mm2.json'), '--json'),
      peakline('run', file('mm2.json'), '--json'),
      peakline('run', file('mm2.json'), '--json', '--seed', '8'),
    ]);
    expect(strip(a.stdout)).toBe(strip(b.stdout));
    expect(strip(c.stdout)).not.toBe(strip(a.stdout));
    expect(JSON.parse(c.stdout).seed).toBe(8);
  });

  it('--set overrides a field before the run, and is validated', async () => {
    const base = JSON.parse((await peakline('run', file('mm2.json'), '--json')).stdout);
    const faster = JSON.parse(
      (await peakline('run', file('mm2.json'), '--json', '--set', 'server.concurrency=4')).stdout,
    );
    const inst = (j: { stations: Record<string, { servers: number; kind: string }> }) =>
      Object.values(j.stations).find((s) => s.kind === 'instance')!;
    expect(inst(base).servers).toBe(2);
    expect(inst(faster).servers).toBe(4);
    expect(faster.latency_ms.mean).toBeLessThan(base.latency_ms.mean);

    const bad = await peakline('run', file('mm2.json'), '--set', 'server.concurrency=0');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('(with --set): server.concurrency: must be >= 1 (got 0)');
    noStack(bad.stderr);
  });

  it('--series adds the time series', async () => {
    const r = await peakline('run', file('mm2.json'), '--json', '--series');
    const j = JSON.parse(r.stdout);
    expect(j.series.length).toBeGreaterThan(3);
    expect(Object.keys(j.series[0])).toEqual(
      expect.arrayContaining(['t_s', 'rps', 'p99_ms', 'in_flight', 'async_backlog']),
    );
  });

  it('refuses an invalid file with every problem and exit code 1', async () => {
    const r = await peakline('run', file('bad.json'));
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`${file('bad.json')}: workload.rate_rps: must be > 0 (got -5)`);
    expect(r.stderr).toContain(
      `${file('bad.json')}: server.instancs: unknown field — did you mean "instances"?`,
    );
    noStack(r.stderr);
  });
});

describe('validate', () => {
  it('passes good files with exit code 0', async () => {
    const r = await peakline('validate', file('mm2.json'));
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${file('mm2.json')}: ok (M/M/2 at 80 %)\n`);
  });

  it('reports every problem of every bad file, naming file and field', async () => {
    const r = await peakline('validate', file('mm2.json'), file('bad.json'), file('broken.json'));
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual([
      `${file('bad.json')}: workload.rate_rps: must be > 0 (got -5)`,
      `${file('bad.json')}: server.instancs: unknown field — did you mean "instances"? (allowed here: instances, concurrency, backlog, host, autoscale)`,
      `${file('broken.json')}: malformed JSON at line 4, column 3: expected "," or "}", found a double quote (a missing comma before it?)`,
    ]);
  });

  it('says when a file does not exist', async () => {
    const r = await peakline('validate', file('nope.json'));
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`${file('nope.json')}: cannot read: no such file\n`);
  });
});

describe('schema', () => {
  it('prints a JSON Schema that validates scenarios and rejects bad ones', async () => {
    const r = await peakline('schema');
    expect(r.code).toBe(0);
    const schema = JSON.parse(r.stdout);
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    const ajv = new Ajv2020({ strict: true, allErrors: true });
    const check = ajv.compile(schema);
    expect(check(mm2)).toBe(true);
    // the shipped profiles and the fidelity suite's calibrated scenarios
    const profiles = [
      ...readdirSync(join(root, 'profiles')),
      ...readdirSync(join(root, 'profiles', 'fidelity')).map((f) => join('fidelity', f)),
      ...readdirSync(join(root, 'profiles', 'traces')).map((f) => join('traces', f)),
    ].filter((f) => f.endsWith('.json') && !f.endsWith('.expected.json'));
    expect(profiles.length).toBeGreaterThanOrEqual(5);
    for (const f of profiles)
      expect([f, check(JSON.parse(readFileSync(join(root, 'profiles', f), 'utf8')))]).toEqual([
        f,
        true,
      ]);
    expect(check({ ...mm2, extra: 1 })).toBe(false);
    expect(check({ ...mm2, workload: { type: 'open', rate_rps: -1 } })).toBe(false);
    expect(check({ ...mm2, handler: [{ dbb: {} }] })).toBe(false);
  });
});

describe('sweep', () => {
  it('runs a grid and names the cheapest configuration meeting the SLO', async () => {
    const r = await peakline(
      'sweep',
      file('mm2.json'),
      '--vary',
      'server.concurrency=1..4',
      '--slo',
      'p99<=100,error_rate<=0.01',
      '--set',
      'duration_s=10',
    );
    expect(r.code).toBe(0);
    // Progress goes to stderr, results to stdout.
    expect(r.stderr).toContain('sweep 4/4 (100 %)');
    expect(r.stdout).toMatch(/^server\.concurrency\s+throughput\s+p50 ms\s+p99 ms/m);
    // One server cannot carry 160/s of 10 ms work; two can, but with P99 above 100 ms
    // (M/M/2 at 80 %: P99 ≈ 140 ms); three is the cheapest meeting it.
    expect(r.stdout).toMatch(
      /Cheapest meeting SLO p99<=100, error_rate<=0.01: server\.concurrency=3 /,
    );
  });

  it('--csv and --json give the same points', async () => {
    const args = [
      'sweep',
      file('mm2.json'),
      '--vary',
      'server.concurrency=2,3',
      '--vary',
      'workload.rate_rps=100..150:50',
      '--set',
      'duration_s=5',
    ];
    const [csv, json] = await Promise.all([
      peakline(...args, '--csv'),
      peakline(...args, '--json'),
    ]);
    const lines = csv.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^server\.concurrency,workload\.rate_rps,throughput_rps,p50_ms/);
    expect(lines.slice(1).map((l) => l.split(',').slice(0, 2).join(','))).toEqual([
      '2,100',
      '2,150',
      '3,100',
      '3,150',
    ]);
    const j = JSON.parse(json.stdout);
    expect(j.points).toHaveLength(4);
    expect(j.points.map((p: { throughput_rps: number }) => String(p.throughput_rps))).toEqual(
      lines.slice(1).map((l) => l.split(',')[2]),
    );
  });

  it('names a bad --vary, a bad --slo and an invalid point', async () => {
    const a = await peakline('sweep', file('mm2.json'), '--vary', 'server.concurrency=4..1');
    expect(a.code).toBe(2);
    expect(a.stderr).toBe('peakline sweep: --vary server.concurrency=4..1: end must be >= start\n');
    const b = await peakline(
      'sweep',
      file('mm2.json'),
      '--vary',
      'server.concurrency=1..2',
      '--slo',
      'p98<1',
    );
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/^peakline sweep: --slo: unknown metric "p98"/);
    const c = await peakline('sweep', file('mm2.json'), '--vary', 'server.concurrency=0..2');
    expect(c.code).toBe(2);
    expect(c.stderr).toBe(
      'peakline sweep: sweep point server.concurrency=0 is not a valid scenario: server.concurrency: must be >= 1 (got 0)\n',
    );
  });
});

describe('bench', () => {
  it('--quick --json reports run times and events per second of the seed profiles and a sweep', async () => {
    const r = await peakline('bench', '--quick', '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    const names = j.figures.map((f: { name: string }) => f.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'profile seed-sync-baseline.json (30 s after a 3 s warm-up)',
        'profile seed-async-queue.json (30 s after a 3 s warm-up)',
        'sweep 3×3 of seed-async-queue.json (async.workers × async.queue_capacity)',
      ]),
    );
    for (const f of j.figures) expect(f.wall_ms).toBeGreaterThan(0);
    const seed = j.figures.find((f: { name: string }) =>
      f.name.includes('seed-async-queue.json (30 s'),
    );
    expect(seed.events_per_s).toBeGreaterThan(0);
    expect(seed.target).toBe('< 50 ms');
    expect(j.peak_rss_mb).toBeGreaterThan(10);
    expect(r.stderr).toContain('3×3 sweep of seed-async-queue.json');
  }, 180_000);
});

describe('sweep cancelled with Ctrl-C', () => {
  it('stops, prints the points done so far and exits with 130', async () => {
    const child = spawn(
      process.execPath,
      [
        bin,
        'sweep',
        file('mm2.json'),
        '--vary',
        'workload.rate_rps=100..190:1',
        '--threads',
        '1',
        '--set',
        'duration_s=300',
      ],
      { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const code = await new Promise<number | null>((resolve) => {
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        // The first progress line: the sweep is under way.
        if (/sweep \d+\/91/.test(stderr) && !child.killed) child.kill('SIGINT');
      });
      child.on('exit', (c) => resolve(c));
    });
    expect(code).toBe(130);
    expect(stderr).toContain('peakline sweep: cancelled');
    expect(stdout).toMatch(/Cancelled after \d+ points\./);
    expect(stdout).toMatch(/^workload\.rate_rps\s+throughput/m);
  });
});

describe('errors', () => {
  it('an unknown command suggests the one meant', async () => {
    const r = await peakline('rnu', file('mm2.json'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^peakline: unknown command "rnu" — did you mean "run"\?/);
  });

  it('an unknown option is one line, no stack trace', async () => {
    const r = await peakline('run', file('mm2.json'), '--fast');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("peakline run: Unknown option '--fast' (see peakline help)\n");
  });

  it('a bad --seed is named', async () => {
    const r = await peakline('run', file('mm2.json'), '--seed', 'abc');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'peakline run: --seed: must be a whole number >= 0 (see peakline help)\n',
    );
  });

  it('a missing file is one line', async () => {
    const r = await peakline('run', file('missing.json'));
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`${file('missing.json')}: cannot read: no such file\n`);
  });

  it('a bad --set path is named', async () => {
    const r = await peakline('run', file('mm2.json'), '--set', 'handler[5].cpu=1');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      '--set handler[5].cpu=1: handler[5]: index out of range (the list has 1)\n',
    );
  });
});
