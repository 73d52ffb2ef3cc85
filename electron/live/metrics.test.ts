// Metrics endpoints over real HTTP: the demo's prom-client /metrics (a real order pipeline on a
// real redis-server) beside endpoints that return garbage, a 500, or never answer. Each bad one
// is down with its reason while the demo keeps reporting; then the twin turns the demo's
// recorded window into a scenario that validates and, simulated, tracks what was observed.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScenarioSchema } from '../../sim-core/schema';
import { simulate } from '../../sim-core/index';
import { startDemo, DEMO_DEFAULTS, type Demo } from './demo';
import { LiveService } from './service';
import { nextSample, parsed, removeDir, startRedis, type RedisProcess } from './testing';

async function serve(handler: http.RequestListener): Promise<{ url: string; server: http.Server }> {
  const server = http.createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`, server };
}

describe('metrics endpoints: the demo and three broken ones', () => {
  let redis: RedisProcess;
  let demo: Demo;
  let svc: LiveService;
  const servers: http.Server[] = [];
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    redis = await startRedis();
    demo = await startDemo({
      ...DEMO_DEFAULTS,
      redis: `redis://127.0.0.1:${redis.port}`,
      metricsPort: 0,
      rate: 150,
      workers: 3,
      workMs: 6,
    });
    const garbage = await serve((_q, res) =>
      res.end('<html><body>Welcome to nginx!</body></html>\n'),
    );
    const failing = await serve((_q, res) => {
      res.writeHead(500, 'Internal Server Error');
      res.end('boom');
    });
    const silent = await serve(() => undefined); // accepts, never answers
    servers.push(garbage.server, failing.server, silent.server);
    svc = new LiveService();
    ids.demo = svc.connect(
      parsed('live:connect', { kind: 'metrics', url: demo.metricsUrl, interval_s: 0.5 }),
    ).id;
    ids.garbage = svc.connect(
      parsed('live:connect', { kind: 'metrics', url: garbage.url, interval_s: 0.5 }),
    ).id;
    ids.failing = svc.connect(
      parsed('live:connect', { kind: 'metrics', url: failing.url, interval_s: 0.5 }),
    ).id;
    ids.silent = svc.connect(
      parsed('live:connect', {
        kind: 'metrics',
        url: silent.url,
        interval_s: 0.5,
        timeout_ms: 800,
      }),
    ).id;
  });

  afterAll(async () => {
    await svc?.close();
    await demo?.stop();
    for (const s of servers) {
      s.closeAllConnections();
      s.close();
    }
    await redis?.stop();
    if (redis) removeDir(redis.dir);
  });

  it('marks each broken endpoint down with its reason', async () => {
    const [garbage, failing, silent] = await Promise.all([
      nextSample(svc, (s) => s.id === ids.garbage && s.status === 'down'),
      nextSample(svc, (s) => s.id === ids.failing && s.status === 'down'),
      nextSample(svc, (s) => s.id === ids.silent && s.status === 'down'),
    ]);
    expect(garbage.error).toMatch(/^not Prometheus text: line 1: expected a metric name/);
    expect(failing.error).toBe('HTTP 500 Internal Server Error');
    expect(silent.error).toBe('no answer within 800 ms');
    const states = Object.fromEntries(svc.list().sources.map((s) => [s.id, s.state]));
    expect(states[ids.garbage]).toBe('down');
    expect(states[ids.failing]).toBe('down');
    expect(states[ids.silent]).toBe('down');
  });

  it('keeps reporting the demo meanwhile: request rate, latency quantiles, gauges', async () => {
    const s = await nextSample(
      svc,
      (x) =>
        x.id === ids.demo &&
        (x.metrics.request_rate ?? 0) > 50 &&
        x.metrics.latency_p99_ms !== null,
    );
    expect(s.status).toBe('up');
    expect(s.metrics.request_rate).toBeLessThan(400);
    expect(s.metrics.latency_p50_ms).toBeGreaterThan(0);
    expect(s.metrics.latency_p99_ms!).toBeGreaterThanOrEqual(s.metrics.latency_p50_ms!);
    expect(s.metrics.service_mean_ms).toBeGreaterThan(3);
    expect(s.metrics.workers).toBe(3);
    expect(typeof s.metrics.in_flight).toBe('number');
    expect(typeof s.metrics.queue_depth).toBe('number');
    expect(s.hist?.service?.count).toBeGreaterThan(0);
    // The silent endpoint is still down, and it did not hold the demo back.
    const demoCount = svc.getHistory({ id: ids.demo }).samples.length;
    const silentDown = svc
      .getHistory({ id: ids.silent })
      .samples.filter((x) => x.status === 'down').length;
    expect(silentDown).toBeGreaterThan(0);
    expect(demoCount).toBeGreaterThan(silentDown);
  });

  it('models the recorded window as a scenario that tracks the demo (the twin)', async () => {
    // Enough window for a stable fit: wait for twelve samples with a rate.
    await nextSample(
      svc,
      () =>
        svc.getHistory({ id: ids.demo }).samples.filter((x) => x.metrics.request_rate !== null)
          .length >= 12,
    );
    const { scenario, fit } = svc.model(parsed('live:model', { id: ids.demo, duration_s: 30 }));
    expect(ScenarioSchema.safeParse(scenario).success).toBe(true);
    expect(fit.workers).toBe(3);
    expect(fit.workers_from).toBe('metric');
    expect(fit.arrival_rps).toBeGreaterThan(150 * 0.75);
    expect(fit.arrival_rps).toBeLessThan(150 * 1.25);
    expect(fit.service_mean_ms).toBeGreaterThan(5);
    expect(fit.service_p99_ms).toBeGreaterThan(fit.service_mean_ms);
    expect(scenario.server.concurrency).toBe(3);
    expect(scenario.handler[0]).toMatchObject({ cpu: { dist: 'lognormal' } });

    const result = simulate(scenario);
    // The model serves what arrived (the demo is not saturated) …
    expect(result.throughput_rps).toBeGreaterThan(fit.arrival_rps * 0.85);
    expect(result.throughput_rps).toBeLessThan(fit.arrival_rps * 1.15);
    // … with a median latency at least one service time, as observed.
    expect(result.latency_ms.p50).toBeGreaterThan(fit.service_mean_ms * 0.3);
    expect(fit.observed.latency_p50_ms).not.toBeNull();
  });

  it('refuses to model a source without metrics, saying why', () => {
    expect(() => svc.model(parsed('live:model', { id: ids.garbage }))).toThrow(
      /no metrics samples in the window/,
    );
    expect(() => svc.model(parsed('live:model', { id: 'nope' }))).toThrow(
      /no source with id "nope"/,
    );
  });
});
