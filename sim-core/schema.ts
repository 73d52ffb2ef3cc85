// The scenario file schema (peakline.scenario/v1): the single source of truth for what a scenario
// may say. The CLI's `validate` and `schema`, the UI's advanced editor and the simulator all read
// it. Times are milliseconds unless a name says `_s`. Unknown fields are errors.
import { z } from 'zod';
import { LOGNORMAL_MAX_P99_RATIO } from './lognormal';

const positive = (what: string) =>
  z.number({ error: `${what} must be a number` }).gt(0, { error: 'must be > 0' });
const nonNegative = () => z.number().gte(0, { error: 'must be >= 0' });
const count = (min = 1) =>
  z
    .number()
    .int({ error: 'must be a whole number' })
    .gte(min, { error: `must be >= ${min}` });
const ratio = () => z.number().gte(0, { error: 'must be >= 0' }).lte(1, { error: 'must be <= 1' });

/** A service-time (or think-time) distribution, in milliseconds. */
export const DistSchema = z.discriminatedUnion('dist', [
  z.strictObject({ dist: z.literal('exp'), mean_ms: positive('mean_ms') }),
  z.strictObject({ dist: z.literal('const'), ms: nonNegative() }),
  z
    .strictObject({ dist: z.literal('uniform'), min_ms: nonNegative(), max_ms: nonNegative() })
    .refine((d) => d.max_ms >= d.min_ms, { error: 'max_ms must be >= min_ms', path: ['max_ms'] }),
  z
    .strictObject({
      dist: z.literal('lognormal'),
      mean_ms: positive('mean_ms'),
      /** Standard deviation of the underlying normal (log-space). */
      sigma: nonNegative().optional(),
      /** Alternatively the 99th percentile; sigma is then solved for. */
      p99_ms: positive('p99_ms').optional(),
    })
    .refine((d) => (d.sigma === undefined) !== (d.p99_ms === undefined), {
      error: 'give exactly one of sigma or p99_ms',
      path: ['sigma'],
    })
    .refine((d) => d.p99_ms === undefined || d.p99_ms > d.mean_ms, {
      error: 'p99_ms must be > mean_ms',
      path: ['p99_ms'],
    })
    // with the mean fixed, a lognormal's P99 is at most e^(z99²/2) ≈ 14.97 × the mean
    .refine((d) => d.p99_ms === undefined || d.p99_ms <= LOGNORMAL_MAX_P99_RATIO * d.mean_ms, {
      error: `p99_ms must be <= ${LOGNORMAL_MAX_P99_RATIO.toFixed(2)} × mean_ms (no lognormal with that mean reaches a higher P99)`,
      path: ['p99_ms'],
    }),
  z.strictObject({ dist: z.literal('erlang'), mean_ms: positive('mean_ms'), k: count(1) }),
  z.strictObject({
    dist: z.literal('gamma'),
    mean_ms: positive('mean_ms'),
    /** Coefficient of variation (stddev / mean). */
    cv: positive('cv'),
  }),
  z.strictObject({
    dist: z.literal('empirical'),
    samples_ms: z.array(nonNegative()).min(1, { error: 'needs at least one sample' }),
  }),
]);
export type Dist = z.infer<typeof DistSchema>;

/** Which key of the request a keyed step uses (shard choice, lock, hashing). */
export const KeySchema = z.enum(['user', 'item']);

/**
 * A DB query's time split into CPU on the shard's host (shared with everything else running there
 * by processor sharing) and waiting that uses no CPU there (I/O). Without `db.host`
 * the two are simply added.
 */
export const QuerySplitSchema = z.strictObject({
  cpu: DistSchema,
  wait: DistSchema.default({ dist: 'const', ms: 0 }),
});
export type QuerySplit = z.output<typeof QuerySplitSchema>;
/** A query's time: one distribution (as before: it holds the shard), or split into cpu + wait. */
export const QuerySchema = z.union([DistSchema, QuerySplitSchema]);
export type Query = Dist | QuerySplit;

/** A step of a request's program. Exactly one key per step object. */
export type Step =
  | { cpu: Dist }
  | { cache: CacheStep }
  | { db: DbStep }
  | { call: CallStep }
  | { lock: LockStep }
  | { transaction: TransactionStep }
  | { enqueue: EnqueueStep };

export interface CacheStep {
  /** Probability the key is found in the cache. */
  hit_ratio: number;
  /** Time of the cache lookup (e.g. a Redis GET). */
  lookup: Dist;
  /** On a miss: the DB read (cache-aside) on the key's shard. */
  miss_query: Query;
  key: 'user' | 'item';
}
export interface DbStep {
  /** Time the query holds the shard (and the pooled connection); or `{cpu, wait}`. */
  query: Query;
  /** Key whose hash picks the shard. */
  key: 'user' | 'item';
}
export interface CallStep {
  /** Name of a station in `services`. */
  service: string;
  time: Dist;
}
export interface LockStep {
  /** Per-key distributed lock (e.g. per item for stock deduction). */
  key: 'user' | 'item';
  /** Time to acquire/release the lock itself (round trips to Redis). */
  overhead?: Dist;
  /** Give up waiting after this long (0 = wait forever); a give-up is an error. */
  timeout_ms?: number;
  /**
   * Which waiter a release hands the lock to: `fifo` (default) the longest waiting; `random` any
   * of them alike — waiters that are woken and race for it again, as PostgreSQL's row-lock
   * waiters do (same mean wait, a much longer tail when the lock is busy).
   */
  order?: 'fifo' | 'random';
  steps: Step[];
}
export interface TransactionStep {
  /** Key whose hash picks the shard every query of the transaction runs on. */
  key: 'user' | 'item';
  /** Queries (`db`, no second connection), `lock`, `cpu`, `call` and `cache` steps, run holding it. */
  steps: Step[];
}
export interface EnqueueStep {
  /** Optional note; the task runs `async.steps`. */
  note?: string;
}

const CacheStepSchema = z.strictObject({
  hit_ratio: ratio(),
  lookup: DistSchema,
  miss_query: QuerySchema,
  key: KeySchema.default('item'),
});
const DbStepSchema = z.strictObject({ query: QuerySchema, key: KeySchema.default('user') });
const CallStepSchema = z.strictObject({ service: z.string().min(1), time: DistSchema });
const EnqueueStepSchema = z.strictObject({ note: z.string().optional() });

export const StepSchema: z.ZodType<Step> = z.lazy(() =>
  z.union([
    z.strictObject({ cpu: DistSchema }),
    z.strictObject({ cache: CacheStepSchema }),
    z.strictObject({ db: DbStepSchema }),
    z.strictObject({ call: CallStepSchema }),
    z.strictObject({
      lock: z.strictObject({
        key: KeySchema.default('item'),
        overhead: DistSchema.optional(),
        timeout_ms: nonNegative().optional(),
        order: z.enum(['fifo', 'random']).optional(),
        steps: z.array(StepSchema),
      }),
    }),
    z.strictObject({
      transaction: z.strictObject({
        key: KeySchema.default('user'),
        steps: z.array(StepSchema).min(1, { error: 'needs at least one step' }),
      }),
    }),
    z.strictObject({ enqueue: EnqueueStepSchema }),
  ]),
) as z.ZodType<Step>;

/** A rate that is constant, or piecewise-linear over time as `[[t_s, rps], ...]`. */
export const RateSchema = z.union([
  positive('rate_rps'),
  z
    .array(z.tuple([nonNegative(), nonNegative()]))
    .min(1, { error: 'needs at least one [t_s, rps] point' })
    .refine((pts) => pts.every((p, i) => i === 0 || p[0] > pts[i - 1][0]), {
      error: 'times must increase',
    })
    .refine((pts) => pts.some((p) => p[1] > 0), { error: 'some rate must be > 0' }),
]);

export const OpenWorkloadSchema = z.strictObject({
  type: z.literal('open'),
  rate_rps: RateSchema,
  arrivals: z.enum(['poisson', 'uniform']).default('poisson'),
  timeout_ms: nonNegative().default(0),
});
export const ClosedWorkloadSchema = z.strictObject({
  type: z.literal('closed'),
  connections: count(1),
  think_ms: nonNegative().default(0),
  /** Optional think-time distribution; overrides think_ms when given. */
  think: DistSchema.optional(),
  timeout_ms: nonNegative().default(0),
});
/**
 * Arrivals replayed from a recording (trace.ts parses it): an nginx access log, a CSV of
 * timestamps or a Peakline recording (rates). `file` is read relative to the scenario file by the
 * CLI and the Node side; the browser console hands over the file's content. The parsed arrivals
 * travel in `times_s` (seconds from the trace's start) or `rates` (a recording's [t_s, rps]), so a
 * scenario carrying them is self-contained.
 */
export const TraceWorkloadSchema = z.strictObject({
  type: z.literal('trace'),
  /** The recording, relative to the scenario file. */
  file: z.string().min(1).optional(),
  /** How to read it: by its content by default. */
  format: z.enum(['auto', 'nginx', 'csv', 'recording']).default('auto'),
  /** Replay speed: 2 replays an hour of traffic in 30 minutes (at twice the rate). */
  speed: positive('speed').default(1),
  /** Rate multiplier at the same pace: 3 is "this traffic at 3×" (each arrival becomes 3). */
  rate_multiplier: positive('rate_multiplier').default(1),
  /** Start this many seconds into the recording (recorded time, before `speed`). */
  start_s: nonNegative().default(0),
  /** nginx logs: the handler's time is the recorded $request_time (its empirical distribution). */
  service_times: z.boolean().default(false),
  timeout_ms: nonNegative().default(0),
  /** Parsed arrivals, seconds from the trace's start (filled from `file` when absent). */
  times_s: z.array(nonNegative()).optional(),
  /** Parsed recording: [t_s, rps] points (filled from `file` when absent). */
  rates: z.array(z.tuple([nonNegative(), nonNegative()])).optional(),
});
export const WorkloadSchema = z.discriminatedUnion('type', [
  OpenWorkloadSchema,
  ClosedWorkloadSchema,
  TraceWorkloadSchema,
]);

/** User and item keyspaces; `zipf_s` 0 is uniform, ~1 is heavily skewed. */
export const KeyspaceSchema = z.strictObject({
  users: count(1).default(1_000_000),
  items: count(1).default(10_000),
  user_zipf_s: nonNegative().default(0),
  item_zipf_s: nonNegative().default(0),
});

export const FaultSchema = z.strictObject({
  instance: count(0),
  down_s: nonNegative(),
  up_s: nonNegative(),
});

export const GatewaySchema = z.strictObject({
  balancer: z.enum(['round_robin', 'least_conn', 'random', 'hash']).default('round_robin'),
  /** Key hashed by the `hash` balancer. */
  hash_key: KeySchema.default('user'),
  /** nginx max_fails: consecutive failures that eject an instance (0 = never eject). */
  max_fails: count(0).default(0),
  /** nginx fail_timeout: how long an ejected instance is left out. */
  fail_timeout_s: nonNegative().default(10),
  /** Instance outages: instance index down from down_s to up_s (simulated seconds). */
  faults: z.array(FaultSchema).default([]),
});

/** Name of an entry of `hosts`. */
const hostName = () => z.string().min(1, { error: 'must name a host in "hosts"' });

/**
 * Contention and coherency (the Universal Scalability Law): with n jobs running on one machine,
 * each progresses at 1 / (1 + sigma·(n−1) + kappa·n·(n−1)) of its single-job rate.
 */
export const UslSchema = z.strictObject({
  sigma: nonNegative(),
  kappa: nonNegative(),
  /**
   * What n counts: `running` (default) the jobs running on the machine's cores; `connections` the
   * database connections open on it (a shard of `db.host`: queries and transactions that hold it,
   * including those waiting inside for a lock, a round trip or I/O) — contention that grows with
   * sessions, such as a database's snapshots and lock manager, not only with runnable work;
   * `clients` the clients of a closed workload — contention that grows with the load
   * generator's sockets and sessions even where a pool lets fewer reach the database (pgbench
   * polling 64 sockets, a pooler holding 64 client connections).
   */
  n: z.enum(['running', 'connections', 'clients']).optional(),
});

/** A kind of machine. Each instance, shard or service that names it is a machine of its own. */
export const HostSchema = z
  .strictObject({
    /** CPU cores: running `cpu` work shares them by processor sharing. */
    cores: count(1),
    /** Load-dependent slowdown of the jobs running on it (optional). */
    usl: UslSchema.optional(),
    /** Threads of other work that always want a core (a fixed background load). */
    background: nonNegative().optional(),
    /**
     * How much more work all its cores do together than one core alone (1 … cores; default: cores,
     * cores that do not slow each other). With k of its cores busy each runs at
     * 1 / (1 + h·(k − 1)) of a lone core's speed, h = (cores / core_speedup − 1) / (cores − 1):
     * shared caches and memory, hyper-threads, cache lines that move between cores, the vCPUs of a
     * virtual machine sharing the host. Measure it as the throughput of `cores` CPU-bound copies of
     * the work over that of one, or let `peakline calibrate --fit-speedup` fit it.
     */
    core_speedup: z.number().min(1).optional(),
    /**
     * Waking an idle core takes time (a virtual machine's vCPUs halt when idle, and the hypervisor
     * has to run one again): a `cpu` stint that starts while others run and a core is free that
     * has been idle longer than `after_idle_ms` waits `ms` before it runs. A stint that starts on
     * an idle machine runs at once, on the core of what woke it. So a machine loses the most at
     * light load, where work spreads over cores that had time to fall asleep. Measure it:
     * `npm run fidelity` times a ping-pong between two processes on the same core and on two
     * (machine.wake in its raw.json); leave it out on bare metal.
     */
    wake: z
      .strictObject({
        /** How long a sleeping core takes to run a job woken onto it, ms. */
        ms: z.number().positive(),
        /** A core idle this long has fallen asleep, ms (default 0: at once). */
        after_idle_ms: nonNegative().optional(),
      })
      .optional(),
    /**
     * Extra CPU a `cpu` stint spends when it starts on a machine that sat idle — none of the
     * model's jobs running or waiting for a core since the last one ended (a stint woken straight
     * by the one before it starts warm), ms. A virtual machine that idles between requests runs
     * the next one slower (its vCPUs halted, their caches gone cold), so one lone client pays on
     * nearly every stint and a busy machine almost never. Measure it as the CPU a request at the
     * lowest load over the least measured, or let `peakline calibrate --fit-cold` fit it.
     */
    cold_start_ms: nonNegative().optional(),
    /**
     * A load generator on the same machine (the first machine of this kind): CPU it spends for each
     * request before sending it, shared with the rest by processor sharing. Not in the latency,
     * unless `in_latency` (a closed workload only): the generator times a request from before its
     * own work, as pgbench does (its latency is the whole cycle).
     */
    client: z.strictObject({ cpu: DistSchema, in_latency: z.boolean().optional() }).optional(),
  })
  .refine((h) => h.core_speedup === undefined || h.core_speedup <= h.cores, {
    error: 'must be <= cores (all cores together do at most cores times the work of one)',
    path: ['core_speedup'],
  });
export type Host = z.output<typeof HostSchema>;

/**
 * An HPA-like autoscaler (model/scaler.ts): every `interval_s` it samples `metric` over the last
 * interval and asks for ceil(serving × metric / target) instances, clamped to min..max (and to
 * `step` more or fewer at a time); new instances serve after `provision_s`; a scale-down takes the
 * highest recommendation of the last `cooldown_s` (Kubernetes' stabilisation window) and drains
 * the instances it removes. `forecast` scales for the rate predicted `provision_s + interval_s`
 * ahead; `static` keeps `max` instances all the time (peak provisioning, for comparison).
 */
export const AutoscaleSchema = z
  .strictObject({
    mode: z.enum(['reactive', 'forecast', 'static']).default('reactive'),
    min: count(1),
    max: count(1),
    /**
     * cpu: busy cores / cores of the instances' host; utilization: busy handlers / handlers;
     * inflight: requests in handlers and backlog per instance (target is then a count).
     */
    metric: z.enum(['cpu', 'utilization', 'inflight']).default('utilization'),
    target: positive('target'),
    interval_s: positive('interval_s').default(15),
    provision_s: nonNegative().default(45),
    cooldown_s: nonNegative().default(120),
    /** Most instances added or removed by one decision (none: no limit). */
    step: count(1).optional(),
    /** No change while |metric / target − 1| is within this (Kubernetes: 0.1). */
    tolerance: ratio().default(0.1),
    /** forecast mode: the predicted rate [[t_s, rps], …] (default: the workload's own rate curve). */
    forecast_rps: RateSchema.optional(),
  })
  .refine((a) => a.min <= a.max, { error: 'must be <= max', path: ['min'] })
  .refine((a) => a.metric === 'inflight' || a.target <= 1, {
    error: 'must be <= 1 for metric cpu or utilization (a fraction)',
    path: ['target'],
  });
export type Autoscale = z.output<typeof AutoscaleSchema>;

/** A latency objective, checked window by window (results: `slo`). */
export const SloSchema = z.strictObject({
  /** P99 of ok responses a window may have. */
  p99_ms: positive('p99_ms'),
  /** Width of the windows checked, seconds. */
  window_s: positive('window_s').default(10),
  /** Errors / (ok + errors) a window may have. */
  max_error_rate: ratio().default(0.01),
});

export const ServerSchema = z.strictObject({
  /** Instances (with `autoscale`: how many serve at the start, within min..max). */
  instances: count(1).default(1),
  /** Handler concurrency per instance (threads / goroutines). */
  concurrency: count(1),
  /** Accept backlog per instance: requests waiting for a handler; full ⇒ rejected (503). */
  backlog: count(0).default(100_000),
  /** Kind of machine (in `hosts`) each instance runs on; its `cpu` steps share that host's cores. */
  host: hostName().optional(),
  autoscale: AutoscaleSchema.optional(),
});

export const AsyncSchema = z.strictObject({
  queue_capacity: count(0),
  when_full: z.enum(['block', 'reject']).default('block'),
  workers: count(1),
  steps: z.array(StepSchema).default([]),
});

export const DbSchema = z.strictObject({
  pool_size: count(1),
  /** 0 = wait for a connection forever. */
  acquire_timeout_ms: nonNegative().default(1000),
  shards: count(1).default(1),
  /** Queries one shard runs at once (its capacity). */
  shard_concurrency: count(1).default(8),
  /** Kind of machine (in `hosts`) each shard runs on: the CPU part of its queries shares its cores. */
  host: hostName().optional(),
  /** Network round trip per statement (each query, and BEGIN and COMMIT of a transaction). */
  rtt_ms: nonNegative().optional(),
  /**
   * A connection pooler in the path of every statement (pgbouncer-like), beside each shard on its
   * host: each statement (each query, and BEGIN and COMMIT of a transaction) first waits FIFO for
   * one of the pooler's `threads` (pgbouncer: 1) and spends `cpu` there — its work for the
   * statement both ways — sharing the shard host's cores with the queries. Needs `host`.
   */
  pooler: z
    .strictObject({
      cpu: DistSchema,
      threads: count(1).default(1),
    })
    .optional(),
  /**
   * The flush of a transaction's commit record (PostgreSQL's WAL flush with synchronous_commit
   * on): how long one flush takes — one distribution, or `{ "wait": Dist, "cpu": Dist }`: the
   * disk's part, then CPU on the shard's host by processor sharing (the flushing process must run
   * again before it hands the flush on, so a busy machine stretches it). At COMMIT, after its
   * round trip, a transaction waits for a flush on its shard; a shard flushes one batch at a time
   * (group commit): a commit that arrives while a flush is in progress waits for it to end, and
   * the next flush covers every commit that waited. Locks taken inside a transaction are then
   * held until its flush ends. Only transactions flush (a lone db step is an autocommitted read).
   */
  commit_flush: QuerySchema.optional(),
  /**
   * Now and then the disk stalls a flush (a virtual disk's host, the page cache writing back):
   * with probability `per_flush` a flush of db.commit_flush takes `length` longer, and every
   * commit waiting for it waits that long too — rare, but what a P99 is made of. Measure it (the
   * fidelity suite counts the gaps in which no client committed); calibrate's --fit-demand leaves
   * it as written, since it is the disk's, not the demand's.
   */
  commit_stalls: z
    .strictObject({
      per_flush: z
        .number({ error: 'per_flush must be a number' })
        .gt(0, { error: 'per_flush must be > 0' })
        .lt(1, { error: 'per_flush must be < 1' }),
      length: DistSchema,
    })
    .optional(),
});

export const ServiceSchema = z.strictObject({
  concurrency: count(1),
  /** Waiting room; full ⇒ the call fails. */
  queue: count(0).default(100_000),
  /** Kind of machine (in `hosts`) it runs on: a call's time is then CPU on it. */
  host: hostName().optional(),
});

export const StatsSchema = z.strictObject({
  /** Width of a time-series window, seconds (0 = automatic). */
  window_s: nonNegative().default(0),
  /** Batches for the batch-means confidence intervals. */
  batches: count(2).default(20),
});

/**
 * Prices for `peakline plan`: the cost of one unit of a scenario field (`"server.instances": 250`),
 * in a currency and per period of the user's choosing. Only the plan reads them.
 */
export const CostsSchema = z.strictObject({
  currency: z.string().min(1).optional(),
  period: z.string().min(1).optional(),
  prices: z.record(z.string(), nonNegative()),
});

export const ScenarioSchema = z
  .strictObject({
    schema: z.literal('peakline.scenario/v1'),
    name: z.string().min(1),
    notes: z.string().default(''),
    seed: count(0).default(1),
    duration_s: positive('duration_s'),
    warmup_s: nonNegative().default(0),
    workload: WorkloadSchema,
    /** Kinds of machine (see HostSchema); none = the model has no machine (as before). */
    hosts: z.record(z.string(), HostSchema).optional(),
    keyspace: KeyspaceSchema.default(KeyspaceSchema.parse({})),
    gateway: GatewaySchema.default(GatewaySchema.parse({})),
    server: ServerSchema,
    handler: z.array(StepSchema).min(1, { error: 'needs at least one step' }),
    async: AsyncSchema.optional(),
    db: DbSchema.optional(),
    services: z.record(z.string(), ServiceSchema).default({}),
    stats: StatsSchema.default(StatsSchema.parse({})),
    costs: CostsSchema.optional(),
    slo: SloSchema.optional(),
  })
  .superRefine((s, ctx) => {
    let transactions = 0;
    const walk = (steps: Step[], path: (string | number)[], inTx = false) => {
      steps.forEach((step, i) => {
        const p = [...path, i];
        if ('transaction' in step) {
          transactions++;
          if (inTx)
            ctx.addIssue({
              code: 'custom',
              path: [...p, 'transaction'],
              message: 'a transaction cannot be inside another transaction',
            });
          if (!s.db)
            ctx.addIssue({
              code: 'custom',
              path: [...p, 'transaction'],
              message: 'a transaction step needs a "db" section',
            });
          walk(step.transaction.steps, [...p, 'transaction', 'steps'], true);
        }
        if ('db' in step && !s.db)
          ctx.addIssue({
            code: 'custom',
            path: [...p, 'db'],
            message: 'a db step needs a "db" section',
          });
        if ('cache' in step && !s.db)
          ctx.addIssue({
            code: 'custom',
            path: [...p, 'cache'],
            message: 'a cache step needs a "db" section for its misses',
          });
        if ('call' in step && !(step.call.service in s.services))
          ctx.addIssue({
            code: 'custom',
            path: [...p, 'call', 'service'],
            message: `no service named "${step.call.service}" in "services"`,
          });
        if ('enqueue' in step && !s.async)
          ctx.addIssue({
            code: 'custom',
            path: [...p, 'enqueue'],
            message: 'an enqueue step needs an "async" section',
          });
        if ('lock' in step) walk(step.lock.steps, [...p, 'lock', 'steps'], inTx);
      });
    };
    const hostRef = (name: string | undefined, path: (string | number)[]) => {
      if (name !== undefined && !(s.hosts && name in s.hosts))
        ctx.addIssue({
          code: 'custom',
          path,
          message: `no host named "${name}" in "hosts"${s.hosts ? ` (hosts: ${Object.keys(s.hosts).join(', ')})` : ''}`,
        });
    };
    const as = s.server.autoscale;
    hostRef(s.server.host, ['server', 'host']);
    hostRef(s.db?.host, ['db', 'host']);
    for (const [name, svc] of Object.entries(s.services))
      hostRef(svc.host, ['services', name, 'host']);
    if (s.db?.pooler && s.db.host === undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['db', 'pooler'],
        message: "a pooler's CPU runs on the shards' machines: it needs db.host (a kind in hosts)",
      });
    for (const [name, h] of Object.entries(s.hosts ?? {})) {
      if (h.client?.in_latency && s.workload.type !== 'closed')
        ctx.addIssue({
          code: 'custom',
          path: ['hosts', name, 'client', 'in_latency'],
          message:
            'the load generator times its own work only in a closed workload (an open one sends at each arrival, its CPU beside the request)',
        });
      if (h.usl?.n === 'clients' && s.workload.type !== 'closed')
        ctx.addIssue({
          code: 'custom',
          path: ['hosts', name, 'usl', 'n'],
          message: '"clients" counts the clients of a closed workload: this workload is open',
        });
      if (h.usl?.n === 'connections' && s.db?.host !== name)
        ctx.addIssue({
          code: 'custom',
          path: ['hosts', name, 'usl', 'n'],
          message: `"connections" counts the DB connections open on a shard: it needs db.host = "${name}"`,
        });
    }
    if (as) {
      if (as.metric === 'cpu' && s.server.host === undefined)
        ctx.addIssue({
          code: 'custom',
          path: ['server', 'autoscale', 'metric'],
          message: 'metric "cpu" needs server.host (the machine whose cores it measures)',
        });
      if (as.mode === 'forecast' && as.forecast_rps === undefined && s.workload.type === 'closed')
        ctx.addIssue({
          code: 'custom',
          path: ['server', 'autoscale', 'forecast_rps'],
          message: 'forecast mode with a closed workload needs forecast_rps (a predicted rate)',
        });
    }
    if (s.workload.type === 'trace' && s.workload.service_times && s.workload.format === 'csv')
      ctx.addIssue({
        code: 'custom',
        path: ['workload', 'service_times'],
        message: 'service times come from an nginx log ($request_time), not a CSV of timestamps',
      });
    walk(s.handler, ['handler']);
    if (s.async) walk(s.async.steps, ['async', 'steps']);
    if (s.db?.commit_flush && transactions === 0)
      ctx.addIssue({
        code: 'custom',
        path: ['db', 'commit_flush'],
        message: 'only a transaction commits: commit_flush needs a transaction step',
      });
    if (s.db?.commit_stalls && !s.db.commit_flush)
      ctx.addIssue({
        code: 'custom',
        path: ['db', 'commit_stalls'],
        message: 'a stall lengthens a commit flush: commit_stalls needs db.commit_flush',
      });
    const slots = as ? as.max : s.server.instances;
    for (const [i, f] of s.gateway.faults.entries()) {
      if (f.instance >= slots)
        ctx.addIssue({
          code: 'custom',
          path: ['gateway', 'faults', i, 'instance'],
          message: as
            ? `must be < server.autoscale.max (${slots})`
            : `must be < server.instances (${slots})`,
        });
      if (f.up_s <= f.down_s)
        ctx.addIssue({
          code: 'custom',
          path: ['gateway', 'faults', i, 'up_s'],
          message: 'must be > down_s',
        });
    }
  });

/** A scenario as written in a file (defaults not yet applied). */
export type ScenarioInput = z.input<typeof ScenarioSchema>;
/** A validated scenario with every default filled in. */
export type Scenario = z.output<typeof ScenarioSchema>;
export type Workload = Scenario['workload'];
