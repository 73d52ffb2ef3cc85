// The scenario file schema (peakline.scenario/v1): the single source of truth for what a scenario
// may say. The CLI's `validate` and `schema`, the UI's advanced editor and the simulator all read
// it. Times are milliseconds unless a name says `_s`. Unknown fields are errors.
import { z } from 'zod';

const positive = (what: string) =>
  z.number({ error: `${what} must be a number` }).gt(0, { error: 'must be > 0' });
const nonNegative = () => z.number().gte(0, { error: 'must be >= 0' });
const count = (min = 1) =>
  z
    .number()
    .int({ error: 'must be a whole number' })
    .gte(min, { error: `must be >= ${min}` });
const ratio = () => z.number().gte(0, { error: 'must be >= 0' }).lte(1, { error: 'must be <= 1' });

/** Largest P99 / mean of a lognormal (e^(z²/2), z = Φ⁻¹(0.99)); dist.ts solves sigma below it. */
const LOGNORMAL_MAX_P99_RATIO = Math.exp(2.3263478740408408 ** 2 / 2);

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

/** A step of a request's program. Exactly one key per step object. */
export type Step =
  | { cpu: Dist }
  | { cache: CacheStep }
  | { db: DbStep }
  | { call: CallStep }
  | { lock: LockStep }
  | { enqueue: EnqueueStep };

export interface CacheStep {
  /** Probability the key is found in the cache. */
  hit_ratio: number;
  /** Time of the cache lookup (e.g. a Redis GET). */
  lookup: Dist;
  /** On a miss: the DB read (cache-aside) on the key's shard. */
  miss_query: Dist;
  key: 'user' | 'item';
}
export interface DbStep {
  /** Time the query holds the shard (and the pooled connection). */
  query: Dist;
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
  steps: Step[];
}
export interface EnqueueStep {
  /** Optional note; the task runs `async.steps`. */
  note?: string;
}

const CacheStepSchema = z.strictObject({
  hit_ratio: ratio(),
  lookup: DistSchema,
  miss_query: DistSchema,
  key: KeySchema.default('item'),
});
const DbStepSchema = z.strictObject({ query: DistSchema, key: KeySchema.default('user') });
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
        steps: z.array(StepSchema),
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
export const WorkloadSchema = z.discriminatedUnion('type', [
  OpenWorkloadSchema,
  ClosedWorkloadSchema,
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

export const ServerSchema = z.strictObject({
  instances: count(1).default(1),
  /** Handler concurrency per instance (threads / goroutines). */
  concurrency: count(1),
  /** Accept backlog per instance: requests waiting for a handler; full ⇒ rejected (503). */
  backlog: count(0).default(100_000),
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
});

export const ServiceSchema = z.strictObject({
  concurrency: count(1),
  /** Waiting room; full ⇒ the call fails. */
  queue: count(0).default(100_000),
});

export const StatsSchema = z.strictObject({
  /** Width of a time-series window, seconds (0 = automatic). */
  window_s: nonNegative().default(0),
  /** Batches for the batch-means confidence intervals. */
  batches: count(2).default(20),
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
    keyspace: KeyspaceSchema.default(KeyspaceSchema.parse({})),
    gateway: GatewaySchema.default(GatewaySchema.parse({})),
    server: ServerSchema,
    handler: z.array(StepSchema).min(1, { error: 'needs at least one step' }),
    async: AsyncSchema.optional(),
    db: DbSchema.optional(),
    services: z.record(z.string(), ServiceSchema).default({}),
    stats: StatsSchema.default(StatsSchema.parse({})),
  })
  .superRefine((s, ctx) => {
    const walk = (steps: Step[], path: (string | number)[]) => {
      steps.forEach((step, i) => {
        const p = [...path, i];
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
        if ('lock' in step) walk(step.lock.steps, [...p, 'lock', 'steps']);
      });
    };
    walk(s.handler, ['handler']);
    if (s.async) walk(s.async.steps, ['async', 'steps']);
    for (const [i, f] of s.gateway.faults.entries()) {
      if (f.instance >= s.server.instances)
        ctx.addIssue({
          code: 'custom',
          path: ['gateway', 'faults', i, 'instance'],
          message: `must be < server.instances (${s.server.instances})`,
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
