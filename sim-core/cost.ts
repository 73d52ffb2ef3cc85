// What a run will cost before it starts: requests ≈ rate × simulated seconds and events ≈
// requests × events a request (one for an open arrival, about one for each step), so the console
// and the CLI can ask before starting a run that would not end in any reasonable time
// (`duration_s: 1e9`). A closed loop's rate is its connections over a response time estimated
// from the steps' mean times, capped by the busiest resource's capacity (the asymptotic bounds of
// a closed queueing network). An estimate, right to within a small factor; pure.
import { traceMeanRate } from './trace';
import type { Dist, Query, Scenario, Step } from './schema';

/** A run's estimated size. */
export interface RunCost {
  /** Requests (or, closed, responses) per second the estimate assumes. */
  rate_rps: number;
  /** Simulated seconds, warm-up included. */
  simulated_s: number;
  /** Requests over the whole run. */
  requests: number;
  /** Engine events a request takes (arrival and steps). */
  events_per_request: number;
  /** Engine events over the whole run. */
  events: number;
}

/**
 * Above this many estimated events a run needs a yes first (the console asks, the CLI wants
 * `--yes`): about 8 × the sale-day profile (120,000 req/s for 65 s, 24 M events), tens of seconds
 * in Node and minutes in a browser.
 */
export const CONFIRM_EVENTS = 200_000_000;

/** Whether a run of this cost should be confirmed before it starts. */
export function needsConfirmation(cost: RunCost): boolean {
  return !(cost.events <= CONFIRM_EVENTS);
}

/** Mean of a distribution (ms). */
export function distMean(d: Dist): number {
  switch (d.dist) {
    case 'exp':
    case 'lognormal':
    case 'erlang':
    case 'gamma':
      return d.mean_ms;
    case 'const':
      return d.ms;
    case 'uniform':
      return (d.min_ms + d.max_ms) / 2;
    case 'empirical':
      return d.samples_ms.reduce((a, b) => a + b, 0) / d.samples_ms.length;
  }
}

function queryMean(q: Query): number {
  return 'dist' in q ? distMean(q) : distMean(q.cpu) + distMean(q.wait);
}

/** The part of a query that is CPU on the shard's machine. */
function queryCpu(q: Query): number {
  return 'dist' in q ? 0 : distMean(q.cpu);
}

/** Mean demands of one request on the resources a closed loop can be limited by (ms). */
interface Demand {
  /** Time in a handler (the whole synchronous path). */
  handler: number;
  /** Time holding a pooled DB connection. */
  pool: number;
  /** Time on a shard. */
  shard: number;
  /** Time in async workers (tasks handed off, each runs `async.steps`). */
  workers: number;
  /** Time in each named service. */
  services: Map<string, number>;
  /** CPU time on the instances' machine (`cpu` steps), and on the shards' (split queries). */
  appCpu: number;
  dbCpu: number;
  /** Engine events of the request. */
  events: number;
}

function walk(steps: readonly Step[], s: Scenario, d: Demand, weight: number, sync: boolean): void {
  // a statement's round trip and its pass through a pooler (whose CPU runs on the shard's host)
  const pooler = s.db?.pooler ? distMean(s.db.pooler.cpu) : 0;
  const db = (s.db?.rtt_ms ?? 0) + pooler;
  for (const st of steps) {
    if ('cpu' in st) {
      const t = distMean(st.cpu);
      if (sync) d.handler += weight * t;
      else d.workers += weight * t;
      d.appCpu += weight * t;
      d.events += weight;
    } else if ('cache' in st) {
      const miss = (1 - st.cache.hit_ratio) * (queryMean(st.cache.miss_query) + db);
      const t = distMean(st.cache.lookup) + miss;
      if (sync) d.handler += weight * t;
      else d.workers += weight * t;
      d.pool += weight * miss;
      d.shard += weight * miss;
      d.dbCpu += weight * (1 - st.cache.hit_ratio) * (queryCpu(st.cache.miss_query) + pooler);
      d.events += weight * (2 - st.cache.hit_ratio);
    } else if ('db' in st) {
      const t = queryMean(st.db.query) + db;
      if (sync) d.handler += weight * t;
      else d.workers += weight * t;
      d.pool += weight * t;
      d.shard += weight * t;
      d.dbCpu += weight * (queryCpu(st.db.query) + pooler);
      d.events += weight;
    } else if ('call' in st) {
      const t = distMean(st.call.time);
      if (sync) d.handler += weight * t;
      else d.workers += weight * t;
      d.services.set(st.call.service, (d.services.get(st.call.service) ?? 0) + weight * t);
      d.events += weight;
    } else if ('lock' in st) {
      const t = st.lock.overhead ? distMean(st.lock.overhead) : 0;
      if (sync) d.handler += weight * t;
      else d.workers += weight * t;
      d.events += weight * (st.lock.overhead ? 1 : 0);
      walk(st.lock.steps, s, d, weight, sync);
    } else if ('transaction' in st) {
      // BEGIN and COMMIT round trips and the commit flush (its mean, not its queue); the
      // connection is held across the steps
      const before = sync ? d.handler : d.workers;
      const poolBefore = d.pool;
      const flush = s.db?.commit_flush;
      const stalls = flush ? s.db?.commit_stalls : undefined;
      const begin =
        2 * db +
        (flush ? queryMean(flush) : 0) +
        (stalls ? stalls.per_flush * distMean(stalls.length) : 0);
      if (sync) d.handler += weight * begin;
      else d.workers += weight * begin;
      d.events += weight * ((db > 0 ? 2 : 0) + (flush ? 1 : 0));
      d.dbCpu += weight * (2 * pooler + (flush ? queryCpu(flush) : 0));
      walk(st.transaction.steps, s, d, weight, sync);
      const held = (sync ? d.handler : d.workers) - before;
      d.pool = poolBefore + held;
    } else if ('enqueue' in st && s.async) {
      walk(s.async.steps, s, d, weight, false);
    }
  }
}

/** The mean of an open workload's rate over [0, total_s] (a number, or a piecewise-linear curve). */
export function meanRate(rate: number | [number, number][], totalS: number): number {
  if (typeof rate === 'number') return rate;
  if (totalS <= 0) return rate[0][1];
  const pts = rate[0][0] > 0 ? [[0, rate[0][1]] as [number, number], ...rate] : rate;
  let area = 0;
  for (let i = 0; i < pts.length; i++) {
    const [t0, r0] = pts[i];
    if (t0 >= totalS) break;
    if (i + 1 < pts.length) {
      const [t1, r1] = pts[i + 1];
      const end = Math.min(t1, totalS);
      const rEnd = r0 + ((r1 - r0) * (end - t0)) / (t1 - t0);
      area += ((r0 + rEnd) / 2) * (end - t0);
    } else area += r0 * (totalS - t0);
  }
  return area / totalS;
}

/** Estimates a validated scenario's run (see the module comment). */
export function estimateCost(s: Scenario): RunCost {
  const simulated = s.warmup_s + s.duration_s;
  const d: Demand = {
    handler: 0,
    pool: 0,
    shard: 0,
    workers: 0,
    services: new Map(),
    appCpu: 0,
    dbCpu: 0,
    events: 0,
  };
  walk(s.handler, s, d, 1, true);
  // work on a host shares its cores: the engine takes an event at every change of the sharing
  const hosted = s.hosts !== undefined && Object.keys(s.hosts).length > 0;
  let perRequest = d.events * (hosted ? 2 : 1);
  let rate: number;
  const w = s.workload;
  if (w.type === 'open') {
    rate = meanRate(w.rate_rps, simulated);
    perRequest += 1; // the arrival
  } else if (w.type === 'trace') {
    rate = traceMeanRate(w, simulated);
    perRequest += 1;
  } else {
    const think = w.think ? distMean(w.think) : w.think_ms;
    const cycle = d.handler + think;
    const I = s.server.instances;
    // a resource of c servers busy D ms a request serves at most c / D requests a ms
    const caps: number[] = [(I * s.server.concurrency) / d.handler];
    if (s.db && d.pool > 0) caps.push((I * s.db.pool_size) / d.pool);
    if (s.db && d.shard > 0) caps.push((s.db.shards * s.db.shard_concurrency) / d.shard);
    if (s.async && d.workers > 0 && s.async.when_full === 'block')
      caps.push((I * s.async.workers) / d.workers);
    // a machine of `cores` (less its background load) runs at most that much CPU at once
    const free = (name: string | undefined) => {
      const h = name !== undefined ? s.hosts?.[name] : undefined;
      return h ? Math.max(h.cores - (h.background ?? 0), 0.1) : 0;
    };
    const clientCpu = (name: string | undefined) => {
      const c = name !== undefined ? s.hosts?.[name]?.client : undefined;
      return c ? distMean(c.cpu) : 0;
    };
    const appCpu = d.appCpu + clientCpu(s.server.host);
    if (s.server.host && appCpu > 0) caps.push((I * free(s.server.host)) / appCpu);
    const dbCpu = d.dbCpu + clientCpu(s.db?.host);
    if (s.db?.host && dbCpu > 0) caps.push((s.db.shards * free(s.db.host)) / dbCpu);
    for (const [name, t] of d.services) {
      const svc = s.services[name];
      if (svc && t > 0) caps.push(svc.concurrency / t);
    }
    const perMs = Math.min(cycle > 0 ? w.connections / cycle : Infinity, ...caps);
    rate = Number.isFinite(perMs) ? perMs * 1000 : 0;
  }
  const requests = rate * simulated;
  return {
    rate_rps: rate,
    simulated_s: simulated,
    requests,
    events_per_request: perRequest,
    events: requests * perRequest,
  };
}
