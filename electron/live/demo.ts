// `peakline demo`: a small but real order pipeline on Redis, for a presenter to point the console
// at and for the integration tests to drive. Producers LPUSH orders onto a list (Poisson arrivals
// at a set mean rate);
// workers BRPOP them, read the item through a cache (cache-aside), take a per-item Redis lock
// (SET NX PX, released by a Lua compare-and-delete), deduct stock, do some lognormal "work", and
// publish Prometheus metrics on /metrics with prom-client: a request counter, end-to-end latency
// and service-time histograms, in-flight, queue-depth and worker gauges. Every key it touches
// starts with its prefix (default `peakline:demo:`); it never FLUSHes anything.
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export interface DemoOptions {
  redis: string;
  /** Orders per second produced. */
  rate: number;
  workers: number;
  /** Port of the metrics endpoint (0 picks a free one). */
  metricsPort: number;
  metricsHost: string;
  /** Mean of the simulated work per order, ms (lognormal, sigma 0.5). */
  workMs: number;
  /** Distinct items (stock keys are a hash field each). */
  items: number;
  prefix: string;
  /** Queue length above which new orders are rejected (keeps memory bounded). */
  maxQueue: number;
}

export const DEMO_DEFAULTS: Omit<DemoOptions, 'redis'> = {
  rate: 200,
  workers: 4,
  metricsPort: 9464,
  metricsHost: '127.0.0.1',
  workMs: 8,
  items: 100,
  prefix: 'peakline:demo:',
  maxQueue: 100_000,
};

/** A running demo. */
export interface Demo {
  metricsUrl: string;
  /** Orders completed so far. */
  completed(): number;
  /** Stop producing, let workers finish, close the endpoint and connections, delete the queue and stock (cache keys expire on their own). */
  stop(): Promise<void>;
}

const RELEASE_LUA = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A lognormal draw with the given mean and log-space sigma (Box–Muller). */
function lognormal(mean: number, sigma: number): number {
  const u = 1 - Math.random();
  const v = Math.random();
  const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  return Math.exp(Math.log(mean) - (sigma * sigma) / 2 + sigma * z);
}

/** Start the demo pipeline and its metrics endpoint. */
export async function startDemo(opts: DemoOptions): Promise<Demo> {
  const k = (s: string) => `${opts.prefix}${s}`;
  const queueKey = k('orders');
  const stockKey = k('stock');
  const redisOpts = { connectionName: 'peakline-demo', maxRetriesPerRequest: 3 };
  const producer = new Redis(opts.redis, { ...redisOpts, lazyConnect: true });
  let lastError = '';
  producer.on('error', (e: Error) => (lastError = e.message));
  try {
    await producer.connect();
  } catch (e) {
    producer.disconnect();
    const m = e instanceof Error ? e.message : String(e);
    throw new Error(lastError && /closed/i.test(m) ? lastError : m, { cause: e });
  }

  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'peakline_demo_process_' });
  const buckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
  const orders = new Counter({
    name: 'peakline_orders_total',
    help: 'Orders by outcome: ok (processed), error (lock timeout or Redis error), rejected (queue full).',
    labelNames: ['status'],
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'peakline_order_duration_seconds',
    help: 'End-to-end order latency: from LPUSH by the producer to the end of processing.',
    buckets,
    registers: [registry],
  });
  const service = new Histogram({
    name: 'peakline_order_service_seconds',
    help: "Service time: a worker's own time on one order (cache, lock, stock, work).",
    buckets,
    registers: [registry],
  });
  const inFlight = new Gauge({
    name: 'peakline_orders_in_flight',
    help: 'Orders being processed by a worker right now.',
    registers: [registry],
  });
  new Gauge({
    name: 'peakline_queue_depth',
    help: 'Orders waiting in the Redis list.',
    registers: [registry],
    async collect() {
      try {
        this.set(await producer.llen(queueKey));
      } catch {
        // Redis away: leave the last value
      }
    },
  });
  new Gauge({ name: 'peakline_workers', help: 'Worker count.', registers: [registry] }).set(
    opts.workers,
  );
  for (const s of ['ok', 'error', 'rejected']) orders.inc({ status: s }, 0);

  const server = http.createServer((req, res) => {
    if (req.url === '/metrics' || req.url?.startsWith('/metrics?')) {
      registry.metrics().then(
        (body) => {
          res.writeHead(200, { 'content-type': registry.contentType });
          res.end(body);
        },
        (e: unknown) => {
          res.writeHead(500, { 'content-type': 'text/plain' });
          res.end(String(e));
        },
      );
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('peakline demo: metrics are on /metrics\n');
  });
  // Listen before any order flows, so a busy port fails cleanly.
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.metricsPort, opts.metricsHost, () => resolve());
    });
  } catch (e) {
    producer.disconnect();
    const err = e as NodeJS.ErrnoException;
    throw new Error(
      err.code === 'EADDRINUSE'
        ? `metrics port ${opts.metricsPort} on ${opts.metricsHost} is in use (try --metrics-port 0)`
        : `cannot serve metrics on ${opts.metricsHost}:${opts.metricsPort}: ${err.message}`,
      { cause: e },
    );
  }
  const port = (server.address() as AddressInfo).port;

  let running = true;
  let done = 0;
  let depth = 0;

  // Producer: Poisson arrivals (exponential gaps, as independent customers place orders), pushed
  // by a 5 ms tick; an order's clock starts when it is pushed.
  let seq = 0;
  let nextArrival = Date.now();
  const depthTimer = setInterval(() => {
    producer.llen(queueKey).then(
      (n) => (depth = n),
      () => undefined,
    );
  }, 500);
  const produceTimer = setInterval(() => {
    const now = Date.now();
    if (opts.rate <= 0) return;
    let n = 0;
    while (nextArrival <= now) {
      n++;
      nextArrival += (-Math.log(1 - Math.random()) / opts.rate) * 1000;
    }
    if (n <= 0) return;
    if (depth >= opts.maxQueue) {
      orders.inc({ status: 'rejected' }, n);
      return;
    }
    const batch: string[] = [];
    for (let i = 0; i < n; i++) {
      const item = Math.floor(opts.items * Math.random() ** 2);
      batch.push(JSON.stringify({ id: ++seq, item, qty: 1, t: now }));
    }
    producer.lpush(queueKey, ...batch).catch(() => orders.inc({ status: 'error' }, n));
  }, 5);

  async function processOrder(c: Redis, raw: string): Promise<void> {
    const order = JSON.parse(raw) as { id: number; item: number; qty: number; t: number };
    const started = performance.now();
    inFlight.inc();
    try {
      const cacheKey = k(`item:${order.item}`);
      if ((await c.get(cacheKey)) === null) {
        await sleep(1); // the "database" read on a miss
        await c.set(
          cacheKey,
          JSON.stringify({ item: order.item, price: 100 + order.item }),
          'EX',
          30,
        );
      }
      const lockKey = k(`lock:item:${order.item}`);
      const token = randomBytes(8).toString('hex');
      let locked = false;
      for (let attempt = 0; attempt < 500 && running; attempt++) {
        if ((await c.set(lockKey, token, 'PX', 2000, 'NX')) === 'OK') {
          locked = true;
          break;
        }
        await sleep(1 + Math.random() * 2);
      }
      if (!locked) throw new Error('lock timeout');
      try {
        const left = await c.hincrby(stockKey, String(order.item), -order.qty);
        if (left < 0) await c.hincrby(stockKey, String(order.item), 1000); // restock
        await sleep(lognormal(opts.workMs, 0.5));
      } finally {
        await c.eval(RELEASE_LUA, 1, lockKey, token);
      }
      const end = performance.now();
      service.observe((end - started) / 1000);
      latency.observe(Math.max(0, Date.now() - order.t) / 1000);
      orders.inc({ status: 'ok' });
      done++;
    } catch {
      orders.inc({ status: 'error' });
    } finally {
      inFlight.dec();
    }
  }

  const workerClients: Redis[] = [];
  const workers = Array.from({ length: opts.workers }, async () => {
    const c = new Redis(opts.redis, { ...redisOpts, lazyConnect: true });
    c.on('error', () => undefined);
    workerClients.push(c);
    await c.connect().catch(() => undefined);
    while (running) {
      let res: [string, string] | null;
      try {
        res = await c.brpop(queueKey, 1);
      } catch {
        if (running) await sleep(200);
        continue;
      }
      if (res) await processOrder(c, res[1]);
    }
  });

  const host = opts.metricsHost.includes(':') ? `[${opts.metricsHost}]` : opts.metricsHost;

  let stopping: Promise<void> | null = null;
  return {
    metricsUrl: `http://${host}:${port}/metrics`,
    completed: () => done,
    stop() {
      stopping ??= (async () => {
        running = false;
        clearInterval(produceTimer);
        clearInterval(depthTimer);
        await Promise.all(workers);
        server.closeAllConnections?.();
        await new Promise<void>((r) => server.close(() => r()));
        await producer.del(queueKey, stockKey).catch(() => undefined);
        for (const c of workerClients) c.disconnect();
        producer.disconnect();
      })();
      return stopping;
    },
  };
}
