// A Prometheus server as a live source, against a real `prometheus` (started here on a free port
// with its own config, scraping a real `peakline demo` every second, stopped by PID): request
// rate, latency quantiles and gauges as live samples and as history, the twin fitted from that
// range, and the `watch --prometheus` and `forecast --prometheus` commands of the real bin. Then
// what goes wrong: a server that is down, one that never answers, one that answers 502, a query
// Prometheus rejects and one that matches nothing — each a message on that source while the
// others go on — and credentials (basic auth on Prometheus itself, a bearer token through an auth
// proxy) that never show up in what the service reports, records or prints.
import http from 'node:http';
import net from 'node:net';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sample, SourceInfo } from '../api/contract';
import { generateSeries } from '../../sim-core/forecast/generate';
import { parsePrometheus } from './prom';
import { LiveService } from './service';
import {
  counterOpenMetrics,
  freePort,
  nextSample,
  parsed,
  PeaklineProcess,
  removeDir,
  startPrometheus,
  startRedis,
  type PrometheusProcess,
  type RedisProcess,
} from './testing';

const RATE = 60;
const WORKERS = 3;

/** The status update of `id` that satisfies `pred`. */
function nextStatus(
  svc: LiveService,
  id: string,
  pred: (i: SourceInfo) => boolean,
  timeoutMs = 30_000,
): Promise<SourceInfo> {
  const now = svc.list().sources.find((s) => s.id === id);
  if (now && pred(now)) return Promise.resolve(now);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no such status of ${id} in time`));
    }, timeoutMs);
    const off = svc.on('status', (i) => {
      if (i.id !== id || !pred(i)) return;
      clearTimeout(timer);
      off();
      resolve(i);
    });
  });
}

describe('Prometheus server source (a real prometheus scraping peakline demo)', () => {
  let redis: RedisProcess;
  let demo: PeaklineProcess;
  let metricsUrl = '';
  /** The demo's order counter read from its own endpoint (not through Prometheus), and when. */
  const orders = async () => {
    const families = parsePrometheus(await (await fetch(metricsUrl)).text());
    const f = families.find((x) => x.name === 'peakline_orders_total');
    return { t: Date.now(), n: (f?.samples ?? []).reduce((a, x) => a + x.value, 0) };
  };
  /** Orders a second between two readings: what the demo really did on this (busy) machine. */
  const between = (a: { t: number; n: number }, b: { t: number; n: number }) =>
    ((b.n - a.n) * 1000) / (b.t - a.t);
  let first: { t: number; n: number };
  let prom: PrometheusProcess;
  let svc: LiveService;
  let dir: string;
  const closers: (() => Promise<void> | void)[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'peakline-promsrc-'));
    redis = await startRedis();
    demo = new PeaklineProcess([
      'demo',
      '--redis',
      `redis://127.0.0.1:${redis.port}`,
      '--metrics-port',
      '0',
      '--rate',
      String(RATE),
      '--workers',
      String(WORKERS),
      '--prefix',
      'peakline:prom-test:',
    ]);
    const line = await demo.waitLine((l) => l.startsWith('metrics: '));
    metricsUrl = line.slice('metrics: '.length);
    const target = new URL(metricsUrl).host;
    prom = await startPrometheus({ targets: [target], job: 'orders' });
    svc = new LiveService({ recordingsDir: path.join(dir, 'recordings') });
    const started = Date.now();
    const c = svc.connect(
      parsed('live:connect', { kind: 'prometheus', url: prom.url, history_s: 0 }),
    );
    await nextSample(
      svc,
      (s) => s.id === c.id && (s.metrics.request_rate ?? 0) > 0 && !!s.hist?.service,
      120_000,
    );
    // rate(…[1m]) reads low until a whole minute of scrapes is in its window: let one pass
    await new Promise((r) => setTimeout(r, Math.max(0, started + 70_000 - Date.now())));
    await svc.disconnect({ id: c.id });
    first = await orders();
  }, 175_000);

  afterAll(async () => {
    for (const c of closers.reverse()) await c();
    await svc?.close();
    await prom?.stop();
    if (demo) {
      demo.signal('SIGKILL');
      await demo.exited;
    }
    await redis?.stop();
    if (redis) removeDir(redis.dir);
    if (prom) removeDir(prom.dir);
    if (dir) removeDir(dir);
  });

  it('reads request rate, latency quantiles and the gauges of a job each interval', async () => {
    const before = await orders();
    await new Promise((r) => setTimeout(r, 5000));
    const { id } = svc.connect(
      parsed('live:connect', {
        kind: 'prometheus',
        url: prom.url,
        job: 'orders',
        query: 'sum(peakline_workers{job="orders"}) * 10',
        history_s: 0,
      }),
    );
    const s = await nextSample(
      svc,
      (x) => x.id === id && x.status === 'up' && x.metrics.latency_p99_ms !== null,
    );
    expect(s.kind).toBe('prometheus');
    expect(s.source).toBe(prom.url);
    // the demo is asked for RATE orders a second (fewer get done on a machine busy with other
    // work): the rate over the last minute agrees with its own counter over the same stretch
    const done = between(before, await orders());
    expect(done).toBeGreaterThan(5);
    expect(s.metrics.request_rate).toBeGreaterThan(done * 0.6);
    expect(s.metrics.request_rate).toBeLessThan(Math.min(done * 1.5, RATE * 1.4));
    const p50 = s.metrics.latency_p50_ms!;
    const p90 = s.metrics.latency_p90_ms!;
    const p99 = s.metrics.latency_p99_ms!;
    expect(p50).toBeGreaterThan(0);
    expect(p90).toBeGreaterThanOrEqual(p50);
    expect(p99).toBeGreaterThanOrEqual(p90);
    expect(s.metrics.service_mean_ms).toBeGreaterThan(1);
    expect(s.metrics.workers).toBe(WORKERS);
    expect(s.metrics.in_flight).not.toBeNull();
    expect(s.metrics.queue_depth).not.toBeNull();
    expect(s.metrics.query).toBe(WORKERS * 10);
    expect(s.hist?.service?.count).toBeGreaterThan(0);
    expect(s.error).toBeNull();
    await svc.disconnect({ id });
  });

  it('loads history from query_range on connect, and the twin is fitted from that range', async () => {
    const before = Date.now();
    const { id } = svc.connect(
      parsed('live:connect', { kind: 'prometheus', url: prom.url, history_s: 3600 }),
    );
    await nextSample(svc, (x) => x.id === id && x.t >= before && x.status === 'up');
    const { samples } = svc.getHistory({ id });
    const past = samples.filter((x) => x.t < before);
    // the server has been scraping for a while: a history from before the connect, in order
    expect(past.length).toBeGreaterThan(5);
    expect(past.every((x, i) => i === 0 || x.t > past[i - 1].t)).toBe(true);
    expect(past.some((x) => (x.metrics.request_rate ?? 0) > 0)).toBe(true);
    // "Model this" on the past range only, once rate(…[1m]) had a full minute of scrapes
    const top = Math.max(...past.map((x) => x.metrics.request_rate ?? 0));
    const steady = past.find((x) => (x.metrics.request_rate ?? 0) > top * 0.8)!;
    const { scenario, fit } = svc.model(
      parsed('live:model', { id, from: steady.t, to: past[past.length - 1].t }),
    );
    expect(fit.source).toBe(prom.url);
    // the arrival rate the twin fitted: what the demo's own counter says it did meanwhile
    const done = between(first, await orders());
    expect(fit.arrival_rps).toBeGreaterThan(done * 0.6);
    expect(fit.arrival_rps).toBeLessThan(Math.min(done * 1.5, RATE * 1.4));
    expect(fit.workers).toBe(WORKERS);
    expect(fit.workers_from).toBe('metric');
    expect(fit.service_mean_ms).toBeGreaterThan(1);
    expect(scenario.workload.type).toBe('open');
    await svc.disconnect({ id });
  });

  it('gives the forecast a rate history of one series (live:prom:range)', async () => {
    const { id } = svc.connect(
      parsed('live:connect', { kind: 'prometheus', url: prom.url, history_s: 0 }),
    );
    const r = await svc.promRange(
      parsed('live:prom:range', {
        id,
        query: 'sum(rate(peakline_orders_total[1m]))',
        range_s: 600,
        step_s: 5,
      }),
    );
    expect(r.points.length).toBeGreaterThan(3);
    expect(r.points.every((p, i) => i === 0 || p.t - r.points[i - 1].t === 5)).toBe(true);
    // orders a second, as the demo's own counter says it did them
    const done = between(first, await orders());
    // (the points since a whole minute of scrapes was in rate's window)
    const recent = r.points.filter((p) => p.t * 1000 >= first.t).map((p) => p.rate);
    expect(recent.length).toBeGreaterThan(0);
    const mean = recent.reduce((a, b) => a + b, 0) / recent.length;
    expect(mean).toBeGreaterThan(done * 0.6);
    expect(mean).toBeLessThan(Math.min(done * 1.5, RATE * 1.4));
    await expect(
      svc.promRange(
        parsed('live:prom:range', { id, query: 'rate(peakline_orders_total[1m])', range_s: 600 }),
      ),
    ).rejects.toThrow(/gives \d+ series; aggregate them to one/);
    await expect(
      svc.promRange(parsed('live:prom:range', { id, query: 'nothing_here_total', range_s: 600 })),
    ).rejects.toThrow(/matched no series/);
    await svc.disconnect({ id });
  });

  it('a query matching nothing and one Prometheus rejects: said on that source, which stays up', async () => {
    const empty = svc.connect(
      parsed('live:connect', {
        kind: 'prometheus',
        url: prom.url,
        query: 'sum(no_such_metric_total)',
        history_s: 0,
      }),
    ).id;
    const bad = svc.connect(
      parsed('live:connect', {
        kind: 'prometheus',
        url: prom.url,
        query: 'sum(rate(peakline_orders_total[1m]',
        history_s: 0,
      }),
    ).id;
    const e = await nextSample(svc, (x) => x.id === empty && x.status === 'up');
    expect(e.error).toBe('the query matched no series');
    expect(e.metrics.query).toBeNull();
    expect(e.metrics.request_rate).toBeGreaterThan(0);
    expect(e.warnings).toContain('query: the query matched no series: sum(no_such_metric_total)');
    const b = await nextSample(svc, (x) => x.id === bad && x.status === 'up');
    expect(b.error).toMatch(/^query: Prometheus rejected the query \(bad_data\): .*parse error/);
    expect(b.metrics.request_rate).toBeGreaterThan(0);
    expect(svc.list().sources.find((s) => s.id === bad)?.reason).toMatch(/bad_data/);
    await svc.disconnect({ id: empty });
    await svc.disconnect({ id: bad });
  });

  it('down, silent and failing servers: each source says why; the healthy one goes on', async () => {
    // nothing listens here
    const nobody = await freePort();
    // accepts connections and never answers
    const held = new Set<net.Socket>();
    const silent = net.createServer((sock) => held.add(sock));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    closers.push(
      () =>
        new Promise<void>((r) => {
          for (const sock of held) sock.destroy();
          silent.close(() => r());
        }),
    );
    // an HTTP server in front that fails
    const broken = http.createServer((_q, res) => {
      res.writeHead(502, 'Bad Gateway');
      res.end('upstream is down');
    });
    await new Promise<void>((r) => broken.listen(0, '127.0.0.1', r));
    closers.push(
      () =>
        new Promise<void>((r) => {
          broken.closeAllConnections();
          broken.close(() => r());
        }),
    );
    const port = (s: net.Server) => (s.address() as net.AddressInfo).port;

    const healthy = svc.connect(
      parsed('live:connect', { kind: 'prometheus', url: prom.url, history_s: 0 }),
    ).id;
    const down = svc.connect(
      parsed('live:connect', {
        kind: 'prometheus',
        url: `http://127.0.0.1:${nobody}`,
        history_s: 0,
      }),
    ).id;
    const slow = svc.connect(
      parsed('live:connect', {
        kind: 'prometheus',
        url: `http://127.0.0.1:${port(silent)}`,
        timeout_ms: 300,
        history_s: 0,
      }),
    ).id;
    const failing = svc.connect(
      parsed('live:connect', {
        kind: 'prometheus',
        url: `http://127.0.0.1:${port(broken)}`,
        history_s: 0,
      }),
    ).id;
    const d = await nextStatus(svc, down, (i) => i.state === 'down');
    expect(d.reason).toMatch(new RegExp(`cannot reach http://127.0.0.1:${nobody}: .*ECONNREFUSED`));
    const s = await nextStatus(svc, slow, (i) => i.state === 'down');
    expect(s.reason).toBe(`no answer from http://127.0.0.1:${port(silent)} within 300 ms`);
    const f = await nextStatus(svc, failing, (i) => i.state === 'down');
    expect(f.reason).toBe(`HTTP 502 Bad Gateway from http://127.0.0.1:${port(broken)}`);
    // a down source still reports each interval, with its reason
    const ds = await nextSample(svc, (x) => x.id === down);
    expect(ds).toMatchObject({ status: 'down', error: d.reason, metrics: {} });
    // meanwhile the real one is up and counting
    const h = await nextSample(svc, (x) => x.id === healthy && x.t > Date.now() - 1000);
    expect(h.status).toBe('up');
    expect(h.metrics.request_rate).toBeGreaterThan(0);
    for (const id of [healthy, down, slow, failing]) await svc.disconnect({ id });
  });

  it('watch --prometheus --query prints the figures and the query as JSON lines (the real bin)', async () => {
    const p = new PeaklineProcess([
      'watch',
      '--prometheus',
      prom.url,
      '--job',
      'orders',
      '--query',
      'sum(peakline_workers)',
      '--history',
      '30',
      '--json',
      '--count',
      '2',
    ]);
    expect(await p.exited).toBe(0);
    // the last 30 s from query_range first (one line a second), then two live samples
    const all = p.lines.map((l) => JSON.parse(l) as Sample);
    expect(all.length).toBeGreaterThanOrEqual(2 + 20);
    expect(all.every((x, i) => i === 0 || x.t > all[i - 1].t)).toBe(true);
    expect(all[0].t).toBeLessThan(all.at(-1)!.t - 25_000);
    expect(all.slice(0, -2).every((x) => x.metrics.query === WORKERS)).toBe(true);
    const last = all.at(-1)!;
    expect(last).toMatchObject({ source: prom.url, kind: 'prometheus', status: 'up' });
    expect(last.metrics.query).toBe(WORKERS);
    expect(last.metrics.request_rate).toBeGreaterThan(0);
    expect(last.metrics.latency_p99_ms).toBeGreaterThan(0);
  });
});

describe('Prometheus credentials (never shown)', () => {
  const USER = 'planner';
  const PASSWORD = 'pl-prom-Pa55-93ab';
  const TOKEN = 'pl-token-5f2e-77aa-c0de';
  let prom: PrometheusProcess;
  let proxy: http.Server;
  let proxyUrl: string;
  let svc: LiveService;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'peakline-promauth-'));
    prom = await startPrometheus({ basicAuth: { user: USER, password: PASSWORD } });
    // a bearer-token auth proxy in front of it, as operators put one
    const basic = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;
    proxy = http.createServer((req, res) => {
      if (req.headers.authorization !== `Bearer ${TOKEN}`) {
        res.writeHead(401, 'Unauthorized');
        res.end('missing or wrong token');
        return;
      }
      const up = http.request(
        `${prom.url}${req.url}`,
        { headers: { authorization: basic } },
        (r) => {
          res.writeHead(r.statusCode ?? 502, r.headers);
          r.pipe(res);
        },
      );
      up.on('error', () => res.destroy());
      up.end();
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    proxyUrl = `http://127.0.0.1:${(proxy.address() as net.AddressInfo).port}`;
    svc = new LiveService({ recordingsDir: path.join(dir, 'recordings') });
  }, 90_000);

  afterAll(async () => {
    await svc?.close();
    proxy?.closeAllConnections();
    await new Promise<void>((r) => (proxy ? proxy.close(() => r()) : r()));
    await prom?.stop();
    if (prom) removeDir(prom.dir);
    if (dir) removeDir(dir);
  });

  it('basic auth and a bearer token work; without them the source says so; no secret leaks', async () => {
    const seen: string[] = [];
    svc.on('sample', (s) => seen.push(JSON.stringify(s)));
    svc.on('status', (s) => seen.push(JSON.stringify(s)));
    const rec = svc.recordStart({ name: 'auth.ndjson' }).path;
    const basic = svc.connect(
      parsed('live:connect', {
        kind: 'prometheus',
        url: prom.url,
        username: USER,
        password: PASSWORD,
        query: 'up',
        history_s: 0,
      }),
    ).id;
    const inUrl = svc.connect(
      parsed('live:connect', {
        kind: 'prometheus',
        url: `http://${USER}:${PASSWORD}@127.0.0.1:${prom.port}`,
        history_s: 0,
      }),
    ).id;
    const bearer = svc.connect(
      parsed('live:connect', {
        kind: 'prometheus',
        url: proxyUrl,
        bearer_token: TOKEN,
        query: 'vector(7)',
        history_s: 0,
      }),
    ).id;
    const none = svc.connect(
      parsed('live:connect', { kind: 'prometheus', url: prom.url, history_s: 0 }),
    ).id;
    const wrong = svc.connect(
      parsed('live:connect', {
        kind: 'prometheus',
        url: proxyUrl,
        bearer_token: `${TOKEN}-old`,
        history_s: 0,
      }),
    ).id;
    const b = await nextSample(svc, (x) => x.id === basic && x.status === 'up');
    expect(b.source).toBe(prom.url);
    // this Prometheus scrapes nothing: said once for the figures, in full for the request rate
    expect(b.metrics.query).toBe(null);
    expect(b.error).toBe('request_rate matched no series');
    expect(b.warnings).toContain(
      'no series for latency_mean_ms, latency_p50_ms, latency_p90_ms, latency_p99_ms, service_mean_ms, service_p99_ms, in_flight, queue_depth, workers (check the metric names)',
    );
    await nextSample(svc, (x) => x.id === inUrl && x.status === 'up');
    const t = await nextSample(svc, (x) => x.id === bearer && x.status === 'up');
    expect(t.metrics.query).toBe(7);
    const n = await nextStatus(svc, none, (i) => i.state === 'down');
    expect(n.reason).toBe(
      `HTTP 401 Unauthorized from ${prom.url} (check the bearer token or user and password)`,
    );
    const w = await nextStatus(svc, wrong, (i) => i.state === 'down');
    expect(w.reason).toMatch(/^HTTP 401 Unauthorized from/);
    const infos = svc.list().sources;
    expect(infos.find((i) => i.id === basic)?.has_password).toBe(true);
    expect(infos.find((i) => i.id === bearer)?.has_password).toBe(true);
    expect(infos.find((i) => i.id === none)?.has_password).toBe(false);
    await svc.recordStop();
    const everything = [
      ...seen,
      JSON.stringify(infos),
      JSON.stringify(svc.getHistory()),
      readFileSync(rec, 'utf8'),
    ].join('\n');
    for (const secret of [PASSWORD, TOKEN, Buffer.from(`${USER}:${PASSWORD}`).toString('base64')])
      expect(everything).not.toContain(secret);
    for (const id of [basic, inUrl, bearer, none, wrong]) await svc.disconnect({ id });
  });

  it('the CLI takes the credentials from the environment and never prints them', async () => {
    const env = { ...process.env, PEAKLINE_PROMETHEUS_TOKEN: TOKEN };
    const ok = new PeaklineProcess(
      ['watch', '--prometheus', proxyUrl, '--query', 'vector(3)', '--json', '--count', '1'],
      env,
    );
    expect(await ok.exited).toBe(0);
    expect(JSON.parse(ok.lines[0]).metrics.query).toBe(3);
    const wrongEnv = { ...process.env, PEAKLINE_PROMETHEUS_PASSWORD: `${PASSWORD}x` };
    const f = new PeaklineProcess(
      [
        'forecast',
        '--prometheus',
        prom.url,
        '--prometheus-user',
        USER,
        '--query',
        'sum(rate(x_total[5m]))',
      ],
      wrongEnv,
    );
    expect(await f.exited).toBe(1);
    expect(f.stderr).toContain(`${prom.url}: HTTP 401 Unauthorized`);
    const out = [...ok.lines, ok.stderr, ...f.lines, f.stderr].join('\n');
    expect(out).not.toContain(TOKEN);
    expect(out).not.toContain(PASSWORD);
  });
});

describe('forecast --prometheus (the real bin, a real prometheus holding three days)', () => {
  let prom: PrometheusProcess;
  const DAYS = 3;

  beforeAll(async () => {
    const end = Math.floor(Date.now() / 1000 / 60) * 60;
    const series = generateSeries({ days: DAYS, start: end - DAYS * 86400, seed: 11, sales: 0 });
    prom = await startPrometheus({
      backfill: counterOpenMetrics('peakline_orders', series, 'job="orders"'),
    });
  }, 120_000);

  afterAll(async () => {
    await prom?.stop();
    if (prom) removeDir(prom.dir);
  });

  it('fetches the history with query_range and forecasts the horizon with a backtest', async () => {
    const p = new PeaklineProcess([
      'forecast',
      '--prometheus',
      prom.url,
      '--query',
      'sum(rate(peakline_orders_total{job="orders"}[5m]))',
      '--range',
      `${DAYS}d`,
      // 17,280 points: more than one query_range may return, so fetched in two pieces
      '--step',
      '15s',
      '--horizon',
      '15m',
      '--backtest',
      '--json',
    ]);
    expect(await p.exited, p.stderr).toBe(0);
    const r = JSON.parse(p.lines.join('\n'));
    expect(r.prometheus).toBe(prom.url);
    expect(r.format).toBe('prometheus');
    expect(r.season).toBe('daily');
    // 15 s points averaged into minutes: three days of them (less the first 5 minutes rate() needs)
    expect(r.step_s).toBe(60);
    expect(r.history.slots).toBeGreaterThan(DAYS * 1440 - 30);
    expect(r.points).toHaveLength(15);
    for (const x of r.points) {
      expect(x.lo).toBeLessThanOrEqual(x.mean);
      expect(x.hi).toBeGreaterThanOrEqual(x.mean);
    }
    expect(r.backtest.accuracy).toBeGreaterThan(0.8);
    expect(r.backtest.coverage).toBeGreaterThan(0.5);
    expect(typeof r.backtest.peak_error_s).toBe('number');
  });

  it('says which server and why when the query matches nothing or the server is down', async () => {
    const empty = new PeaklineProcess([
      'forecast',
      '--prometheus',
      prom.url,
      '--query',
      'sum(rate(nothing_total[5m]))',
    ]);
    expect(await empty.exited).toBe(1);
    expect(empty.stderr).toMatch(
      new RegExp(
        `^${prom.url}: the query matched no series between .*: sum\\(rate\\(nothing_total`,
      ),
    );
    const nobody = await freePort();
    const down = new PeaklineProcess([
      'forecast',
      '--prometheus',
      `http://127.0.0.1:${nobody}`,
      '--query',
      'sum(rate(x_total[5m]))',
    ]);
    expect(await down.exited).toBe(1);
    expect(down.stderr).toMatch(/cannot reach http:\/\/127\.0\.0\.1:\d+: .*ECONNREFUSED/);
  });
});
