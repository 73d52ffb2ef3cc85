// The Live view's own rules: what a connection form asks the Node side for, that a saved
// connection never keeps a password, how a window of samples becomes chart points, when the
// "P99 above the SLO for 30 s" threshold turns a panel red, and the twin's band from a real run.
import { describe, expect, it } from 'vitest';
import { simulate } from '../../sim-core/index';
import { ScenarioSchema } from '../../sim-core/schema';
import type { LiveSample } from '../api/types';
import {
  bandFromResult,
  breach,
  chartPoints,
  EMPTY_FORM,
  isSavedForm,
  loadSaved,
  requestsFromForm,
  SAVED_KEY,
  storeSaved,
  toSaved,
} from './model';

const sample = (
  t: number,
  metrics: Record<string, number | null>,
  status: LiveSample['status'] = 'up',
): LiveSample => ({
  t,
  id: 'metrics-1',
  kind: 'metrics',
  source: 'http://x/metrics',
  status,
  error: status === 'up' ? null : 'HTTP 500',
  metrics,
});

describe('the connection form', () => {
  it('asks for a Redis cluster source with its queue keys, user, password and TLS', () => {
    const [req] = requestsFromForm({
      ...EMPTY_FORM,
      url: 'rediss://10.0.0.5:6380',
      username: 'watcher',
      password: 's3cret',
      cluster: true,
      queueKeys: 'bull:orders:wait, events\nrefunds',
      tlsCaFile: '/etc/ca.pem',
      intervalS: 0.5,
    });
    expect(req).toEqual({
      kind: 'redis',
      url: 'rediss://10.0.0.5:6380',
      username: 'watcher',
      password: 's3cret',
      tls: { ca_file: '/etc/ca.pem', insecure_skip_verify: false },
      cluster: true,
      queue_keys: ['bull:orders:wait', 'events', 'refunds'],
      interval_s: 0.5,
    });
  });

  it('asks for one metrics source per URL and never goes below the 0.25 s floor', () => {
    const reqs = requestsFromForm({
      ...EMPTY_FORM,
      kind: 'metrics',
      metricsUrls: 'http://a:1/metrics\n\nhttp://b:2/metrics',
      intervalS: 0.1,
    });
    expect(reqs).toEqual([
      { kind: 'metrics', url: 'http://a:1/metrics', interval_s: 0.25 },
      { kind: 'metrics', url: 'http://b:2/metrics', interval_s: 0.25 },
    ]);
  });
});

describe('saved connections', () => {
  it('never keep a password, in the field or in a URL', () => {
    const mem = new Map<string, string>();
    const storage = {
      getItem: (k: string) => mem.get(k) ?? null,
      setItem: (k: string, v: string) => void mem.set(k, v),
    };
    const form = {
      ...EMPTY_FORM,
      url: 'redis://admin:hunter2@db:6379',
      password: 'hunter2',
      label: 'prod',
    };
    storeSaved(storage, [toSaved(form)]);
    const raw = mem.get(SAVED_KEY)!;
    expect(raw).not.toContain('hunter2');
    const [back] = loadSaved(storage);
    expect(back.label).toBe('prod');
    expect(back.url).toBe('redis://db:6379');
    expect('password' in back).toBe(false);
  });

  it('keep the sources of a form that is exactly a saved connection, and only those', () => {
    const form = { ...EMPTY_FORM, label: 'prod cache', password: 'x', queueKeys: 'q1' };
    const saved = [toSaved(form)];
    expect(isSavedForm({ ...form, password: 'typed again' }, saved)).toBe(true);
    expect(isSavedForm({ ...form, url: 'redis://10.0.0.9:6379' }, saved)).toBe(false);
    expect(isSavedForm({ ...form, cluster: true }, saved)).toBe(false);
    expect(isSavedForm(form, [])).toBe(false);
  });

  it('survive garbage in storage', () => {
    expect(loadSaved({ getItem: () => '{not json' })).toEqual([]);
    expect(loadSaved({ getItem: () => '{"a":1}' })).toEqual([]);
  });
});

describe('chart points', () => {
  it('keep the window, blank out down samples, and average into buckets when there are many', () => {
    const now = 1_000_000;
    const few = [
      sample(now - 400_000, { request_rate: 5 }),
      sample(now - 2000, { request_rate: 10 }),
      sample(now - 1000, {}, 'down'),
    ];
    expect(chartPoints(few, ['request_rate'], now, 300_000)).toEqual([
      { t: now - 2000, request_rate: 10 },
      { t: now - 1000, request_rate: null },
    ]);
    const many = Array.from({ length: 3600 }, (_, i) =>
      sample(now - 3_600_000 + i * 1000, { request_rate: i % 2 ? 10 : 20 }),
    );
    const pts = chartPoints(many, ['request_rate'], now, 3_600_000, 300);
    expect(pts.length).toBeLessThanOrEqual(301);
    expect(pts.length).toBeGreaterThan(250);
    for (const p of pts) expect(p.request_rate).toBeCloseTo(15, 0);
  });
});

describe('the P99 threshold', () => {
  const run = (p99s: (number | null)[], step = 1000) =>
    p99s.map((v, i) => sample(i * step, { latency_p99_ms: v }));

  it('turns red only after P99 has stayed above the SLO for the hold time', () => {
    const above29 = run([100, ...Array(30).fill(250)]); // above from t=1 s to t=30 s: 29 s
    expect(breach(above29, 'latency_p99_ms', 200, 30).breached).toBe(false);
    const above30 = run([100, ...Array(31).fill(250)]); // t=1 s .. t=31 s: 30 s
    expect(breach(above30, 'latency_p99_ms', 200, 30)).toEqual({ breached: true, since: 1000 });
  });

  it('resets when P99 comes back under, and treats an outage as the end of a run', () => {
    expect(breach(run([...Array(40).fill(250), 150]), 'latency_p99_ms', 200, 30).breached).toBe(
      false,
    );
    const withOutage = [
      ...run(Array(40).fill(250)),
      sample(40_000, {}, 'down'),
      sample(41_000, { latency_p99_ms: 300 }),
    ];
    expect(breach(withOutage, 'latency_p99_ms', 200, 30)).toEqual({
      breached: false,
      since: 41_000,
    });
  });

  it('looks through intervals without observations', () => {
    const gaps = run(Array.from({ length: 40 }, (_, i) => (i % 3 === 0 ? null : 250)));
    expect(breach(gaps, 'latency_p99_ms', 200, 30).breached).toBe(true);
  });
});

describe('the twin band', () => {
  it('brackets the simulated P99 and throughput of a real run', () => {
    const result = simulate(
      ScenarioSchema.parse({
        schema: 'peakline.scenario/v1',
        name: 'twin',
        seed: 3,
        duration_s: 20,
        warmup_s: 2,
        workload: { type: 'open', rate_rps: 150, arrivals: 'poisson' },
        server: { instances: 1, concurrency: 3, backlog: 100000 },
        handler: [{ cpu: { dist: 'lognormal', mean_ms: 8, sigma: 0.5 } }],
      }),
      { series: true },
    );
    const band = bandFromResult(result);
    expect(band.p99Low).toBeLessThanOrEqual(result.latency_ms.p99);
    expect(band.p99High).toBeGreaterThanOrEqual(result.latency_ms.p99);
    expect(band.rpsLow).toBeLessThanOrEqual(150 * 1.1);
    expect(band.rpsHigh).toBeGreaterThanOrEqual(150 * 0.9);
  });
});
