// The one typed API between the UI and the Node side. Every request (`domain:verb[:noun]`) has a
// zod schema for its payload and its reply; every pushed event has a schema for its payload. The
// Electron preload exposes it as `window.peakline` over IPC, the web shell carries it over a
// WebSocket; both validate every payload against these schemas on the Node side. The renderer
// imports only the *types* of this module (`PeaklineApi` and friends).
//
// Live monitoring (`live:*`) is part of it like everything else: secrets travel only UI → Node
// (`live:connect`, `live:secret:save`); nothing the Node side sends back ever carries a password.
//
// This module must stay free of Node and Electron imports: the renderer's type check reads it.
import { z } from 'zod';
import { ScenarioSchema, type ScenarioInput } from '../../sim-core/schema';

// ---------------------------------------------------------------------------------------------
// Shared pieces

/** A request that carries nothing. */
export const EmptySchema = z.strictObject({}).optional();

/** A scenario as the user wrote it (validated in full by the handler, which names bad fields). */
export const ScenarioPayloadSchema = z.custom<ScenarioInput>(
  (v) => typeof v === 'object' && v !== null && !Array.isArray(v),
  { error: 'scenario must be a JSON object' },
);

/** A profile name: what the user typed; the store turns it into a safe file name. */
export const ProfileNameSchema = z
  .string({ error: 'name must be a string' })
  .trim()
  .min(1, { error: 'name must not be empty' })
  .max(120, { error: 'name must be at most 120 characters' });

export const ProfileSourceSchema = z.enum(['user', 'shipped']);
export type ProfileSource = z.infer<typeof ProfileSourceSchema>;

/** One entry of a profile listing. A file that does not validate is listed with its error. */
export const ProfileEntrySchema = z.object({
  /** The name to pass to `profiles:load` / `profiles:delete`. */
  name: z.string(),
  source: ProfileSourceSchema,
  /** File name inside the profiles folder (no directory). */
  file: z.string(),
  /** The scenario's own `name` field, when the file is valid. */
  title: z.string().nullable(),
  /** The scenario's `notes`, when the file is valid. */
  notes: z.string().nullable(),
  /** Last modification, epoch ms. */
  modified_ms: z.number(),
  /** The validator's message when the file does not validate, else null. */
  error: z.string().nullable(),
});
export type ProfileEntry = z.infer<typeof ProfileEntrySchema>;

export const LoadedProfileSchema = z.object({
  name: z.string(),
  source: ProfileSourceSchema,
  file: z.string(),
  /** The scenario as written in the file (defaults not filled in). */
  scenario: ScenarioPayloadSchema,
});
export type LoadedProfile = z.infer<typeof LoadedProfileSchema>;

/** One swept dimension: a dotted scenario path (`async.workers`) and a..b by step, or a list. */
export const SweepVarySchema = z.union([
  z
    .strictObject({
      path: z.string().min(1, { error: 'path must not be empty' }),
      from: z.number(),
      to: z.number(),
      /** Defaults to 1. */
      step: z.number().gt(0, { error: 'step must be > 0' }).optional(),
    })
    .refine((v) => v.to >= v.from, { error: 'to must be >= from', path: ['to'] }),
  z.strictObject({
    path: z.string().min(1, { error: 'path must not be empty' }),
    values: z.array(z.number()).min(1, { error: 'values needs at least one number' }),
  }),
]);
export type SweepVary = z.infer<typeof SweepVarySchema>;

/** One configuration of a sweep and what it gave. */
export const SweepPointSchema = z.object({
  /** Position in the grid (first dimension outermost). */
  index: z.number(),
  /** The swept values, by path. */
  values: z.record(z.string(), z.number()),
  throughput_rps: z.number(),
  p50_ms: z.number(),
  p90_ms: z.number(),
  p99_ms: z.number(),
  p999_ms: z.number(),
  mean_ms: z.number(),
  error_rate: z.number(),
  /** Async task delay P99 (ms), or null without an async section. */
  task_delay_p99_ms: z.number().nullable(),
  /** Station that saturates first, or null. */
  saturated: z.string().nullable(),
  /** Whether this point meets the SLO (null when no SLO was given). */
  meets_slo: z.boolean().nullable(),
  /** Sum of the varied values (what "cheapest" minimises). */
  cost: z.number(),
  /** Set when this configuration could not be simulated. */
  error: z.string().optional(),
  /** Each SLO clause at this point: its value, margin (share of the threshold) and whether met. */
  slo_clauses: z
    .array(
      z.object({
        clause: z.string(),
        value: z.number().nullable(),
        margin: z.number().nullable(),
        met: z.boolean(),
      }),
    )
    .optional(),
  /** Half width of the P99's 95 % interval (batch means), ms. */
  p99_ci95: z.number().optional(),
});
export type SweepPoint = z.infer<typeof SweepPointSchema>;

export const SweepResultSchema = z.object({
  id: z.string(),
  /** The swept dimensions, each as the list of values it took. */
  vary: z.array(z.object({ path: z.string(), values: z.array(z.number()) })),
  slo: z.string().nullable(),
  points: z.array(SweepPointSchema),
  /** The cheapest point meeting the SLO, or null (no SLO, or none meets it). */
  best: SweepPointSchema.nullable(),
  cancelled: z.boolean(),
  /** Worker threads used. */
  threads: z.number(),
  wall_ms: z.number(),
});
export type SweepResult = z.infer<typeof SweepResultSchema>;

/** A scenario file opened from the OS (argv, double click, File ▸ Open). */
export const OpenFileSchema = z.object({
  path: z.string(),
  /** The scenario as written in the file, or null when it could not be read or validated. */
  scenario: ScenarioPayloadSchema.nullable(),
  /** The validator's (or the reader's) message, or null. */
  error: z.string().nullable(),
});
export type OpenFile = z.infer<typeof OpenFileSchema>;

export const ExportKindSchema = z.enum(['png', 'csv', 'json', 'scenario']);

/** Commands the desktop menu sends to the UI (the web UI offers them in its own toolbar). */
export const MenuCommandSchema = z.discriminatedUnion('command', [
  z.object({ command: z.literal('file:new') }),
  z.object({ command: z.literal('file:save') }),
  z.object({ command: z.literal('file:save-as') }),
  z.object({ command: z.literal('file:export'), kind: ExportKindSchema }),
  /** Open a saved profile (File ▸ Recent profiles). */
  z.object({
    command: z.literal('file:open-profile'),
    name: z.string(),
    source: ProfileSourceSchema,
  }),
  z.object({ command: z.literal('view:presentation') }),
  z.object({ command: z.literal('view:theme'), theme: z.enum(['light', 'dark', 'system']) }),
  z.object({ command: z.literal('view:language'), language: z.enum(['en', 'zh-CN']) }),
  z.object({ command: z.literal('help:about') }),
]);
export type MenuCommand = z.infer<typeof MenuCommandSchema>;

// ---------------------------------------------------------------------------------------------
// Live monitoring: source configuration (what `live:connect` takes)

/** Seconds between samples: default 1, floor 0.25. */
export const IntervalSchema = z
  .number({ error: 'interval_s must be a number of seconds' })
  .gte(0.25, { error: 'interval_s must be >= 0.25 (seconds)' })
  .lte(3600, { error: 'interval_s must be <= 3600 (seconds)' })
  .default(1);

const urlWithScheme = (schemes: string[], what: string) =>
  z
    .string({ error: `${what} must be a string` })
    .trim()
    .min(1, { error: `${what} must not be empty` })
    .refine(
      (u) => {
        try {
          const p = new URL(u);
          return schemes.includes(p.protocol) && p.hostname.length > 0;
        } catch {
          return false;
        }
      },
      { error: `${what} must be a URL starting with ${schemes.map((s) => `${s}//`).join(' or ')}` },
    );

/**
 * Fields every source takes. A source lives as long as the session that connected it (a web
 * console tab, a desktop window) unless it comes from a saved connection: then it outlives the
 * session (a reload finds it running, with its history) until it is disconnected.
 */
const sourceFields = {
  interval_s: IntervalSchema,
  saved: z.boolean().default(false),
};

/** A saved connection's id (generated by the UI), the key of its remembered password. */
export const SavedConnectionIdSchema = z
  .string({ error: 'id must be a string' })
  .regex(/^[A-Za-z0-9_-]{1,64}$/, { error: 'id must be 1–64 letters, digits, _ or -' });

export const RedisTlsSchema = z.strictObject({
  /** PEM file of the CA that signed the server certificate (read on the Node side). */
  ca_file: z.string().min(1).optional(),
  /** Skip certificate verification — only when the user asks for it. */
  insecure_skip_verify: z.boolean().default(false),
});

export const RedisSourceConfigSchema = z.strictObject({
  kind: z.literal('redis'),
  /** `redis://[user:password@]host:port[/db]` or `rediss://…` (TLS). Credentials are stripped. */
  url: urlWithScheme(['redis:', 'rediss:'], 'url'),
  /** ACL user (Redis 6+). Overrides a user in the URL. */
  username: z.string().optional(),
  /** Kept in memory on the Node side only; never sent back, recorded or logged. */
  password: z.string().optional(),
  /**
   * Without `password`: use the password remembered (desktop only, encrypted by the OS key
   * store) for this saved connection — see `live:secret:save`.
   */
  secret_id: SavedConnectionIdSchema.optional(),
  tls: RedisTlsSchema.optional(),
  /** Treat the URL as a seed of a Redis Cluster: every master and replica is watched. */
  cluster: z.boolean().default(false),
  /** Keys whose depth is sampled (TYPE, then LLEN / XLEN / ZCARD / SCARD / HLEN). */
  queue_keys: z
    .array(z.string().min(1, { error: 'a queue key must not be empty' }))
    .max(50, { error: 'at most 50 queue keys' })
    .default([]),
  ...sourceFields,
});
export type RedisSourceConfig = z.output<typeof RedisSourceConfigSchema>;

/** Default metric names: the ones `peakline demo` publishes. */
export const DEFAULT_METRIC_NAMES = {
  request_rate: 'peakline_orders_total',
  latency_histogram: 'peakline_order_duration_seconds',
  service_histogram: 'peakline_order_service_seconds',
  in_flight: 'peakline_orders_in_flight',
  queue_depth: 'peakline_queue_depth',
  workers: 'peakline_workers',
} as const;

const metricName = z
  .string()
  .regex(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/, { error: 'must be a Prometheus metric name' });

export const MetricNamesSchema = z.strictObject({
  /** Counter of requests (`_total` optional); its rate is the request rate. */
  request_rate: metricName.default(DEFAULT_METRIC_NAMES.request_rate),
  /** Histogram of end-to-end latency (seconds if the name ends in `_seconds`). */
  latency_histogram: metricName.default(DEFAULT_METRIC_NAMES.latency_histogram),
  /** Histogram of service time (the worker's own time); the twin fits it. */
  service_histogram: metricName.default(DEFAULT_METRIC_NAMES.service_histogram),
  /** Gauge of requests in progress. */
  in_flight: metricName.default(DEFAULT_METRIC_NAMES.in_flight),
  /** Gauge of waiting work. */
  queue_depth: metricName.default(DEFAULT_METRIC_NAMES.queue_depth),
  /** Gauge of the worker count (used as the twin's concurrency when present). */
  workers: metricName.default(DEFAULT_METRIC_NAMES.workers),
});
export type MetricNames = z.output<typeof MetricNamesSchema>;

export const MetricsSourceConfigSchema = z.strictObject({
  kind: z.literal('metrics'),
  /** Prometheus text exposition endpoint, e.g. `http://127.0.0.1:9464/metrics`. */
  url: urlWithScheme(['http:', 'https:'], 'url'),
  names: MetricNamesSchema.default(MetricNamesSchema.parse({})),
  /** A scrape slower than this marks the source down. */
  timeout_ms: z.number().int().gte(100).lte(60_000).default(2000),
  /** Skip TLS certificate verification (https) — only when asked. */
  insecure_skip_verify: z.boolean().default(false),
  ...sourceFields,
});
export type MetricsSourceConfig = z.output<typeof MetricsSourceConfigSchema>;

/** PromQL the source runs, by the metric it fills (an empty string leaves that metric out). */
export const PromQueriesSchema = z.strictObject({
  request_rate: z.string().optional(),
  latency_mean_ms: z.string().optional(),
  latency_p50_ms: z.string().optional(),
  latency_p90_ms: z.string().optional(),
  latency_p99_ms: z.string().optional(),
  service_mean_ms: z.string().optional(),
  service_p99_ms: z.string().optional(),
  in_flight: z.string().optional(),
  queue_depth: z.string().optional(),
  workers: z.string().optional(),
});
export type PromQueries = z.output<typeof PromQueriesSchema>;

/**
 * A Prometheus server, read over its HTTP API (`/api/v1/query` each interval, `/api/v1/query_range`
 * for history). The figures come from PromQL built from `job` and `names` (rates over `[1m]`,
 * quantiles with `histogram_quantile`), each replaceable in `queries`; `query` adds one PromQL of
 * the user's own, shown as the metric `query`. Credentials (a bearer token, or basic user and
 * password) stay in the Node side's memory: never sent back, recorded, saved or printed.
 */
export const PrometheusSourceConfigSchema = z.strictObject({
  kind: z.literal('prometheus'),
  /** The server's base URL, e.g. `http://127.0.0.1:9090` (a path prefix is kept). */
  url: urlWithScheme(['http:', 'https:'], 'url'),
  /** Only series of this job (the `job` label); empty: every job. */
  job: z
    .string()
    .regex(/^[^"\\\n]*$/, { error: 'job must not hold quotes, backslashes or newlines' })
    .default(''),
  names: MetricNamesSchema.default(MetricNamesSchema.parse({})),
  queries: PromQueriesSchema.default({}),
  /** A PromQL expression of the user's own (its value is the metric `query`). */
  query: z.string().trim().max(4000, { error: 'query must be at most 4000 characters' }).optional(),
  bearer_token: z.string().min(1, { error: 'bearer_token must not be empty' }).optional(),
  username: z.string().min(1, { error: 'username must not be empty' }).optional(),
  password: z.string().optional(),
  /** Load this much history (seconds) from `query_range` when connecting; 0: none. */
  history_s: z
    .number()
    .gte(0, { error: 'history_s must be >= 0' })
    .lte(7 * 86400, { error: 'history_s must be at most 7 days (604800)' })
    .default(3600),
  /** A query slower than this marks the source down. */
  timeout_ms: z.number().int().gte(100).lte(60_000).default(5000),
  insecure_skip_verify: z.boolean().default(false),
  ...sourceFields,
});
export type PrometheusSourceConfig = z.output<typeof PrometheusSourceConfigSchema>;

export const HostSourceConfigSchema = z.strictObject({
  kind: z.literal('host'),
  ...sourceFields,
});
export type HostSourceConfig = z.output<typeof HostSourceConfigSchema>;

/** What `live:connect` takes: one source. */
export const SourceConfigSchema = z.discriminatedUnion('kind', [
  RedisSourceConfigSchema,
  MetricsSourceConfigSchema,
  HostSourceConfigSchema,
  PrometheusSourceConfigSchema,
]);
export type SourceConfigInput = z.input<typeof SourceConfigSchema>;
export type SourceConfig = z.output<typeof SourceConfigSchema>;

// ---------------------------------------------------------------------------------------------
// Live monitoring: what the Node side reports

export const SourceStateSchema = z.enum(['connecting', 'up', 'down']);
export type SourceState = z.infer<typeof SourceStateSchema>;

export const SourceKindSchema = z.enum(['redis', 'metrics', 'host', 'replay', 'prometheus']);
export type SourceKind = z.infer<typeof SourceKindSchema>;

/** A source as the UI sees it: no secrets (`has_password` says whether one is held). */
export const SourceInfoSchema = z.object({
  id: z.string(),
  kind: SourceKindSchema,
  /** The URL without credentials, `host`, or `replay:<file>`. */
  name: z.string(),
  state: SourceStateSchema,
  /** Why it is down (or what is degraded while up), else null. */
  reason: z.string().nullable(),
  /** When the state last changed, epoch ms. */
  since: z.number(),
  interval_s: z.number(),
  cluster: z.boolean(),
  queue_keys: z.array(z.string()),
  has_password: z.boolean(),
  /** Consecutive failed attempts (0 when up). */
  attempts: z.number(),
  /** Next reconnect attempt, epoch ms, while down; else null. */
  next_retry: z.number().nullable(),
});
export type SourceInfo = z.infer<typeof SourceInfoSchema>;

/**
 * A node's state in one sample: a source's states, plus `not_answering` — connected, asked, and no
 * reply by the interval's deadline (a hung or overloaded server); its figures are null then.
 */
export const NodeStateSchema = z.enum(['connecting', 'up', 'down', 'not_answering']);
export type NodeState = z.infer<typeof NodeStateSchema>;

/** One Redis node of a source (a standalone server is one node). */
export const NodeSampleSchema = z.object({
  address: z.string(),
  /** Cluster node id, when known. */
  node_id: z.string().nullable(),
  role: z.enum(['master', 'replica', 'unknown']),
  /** Address of its master (replicas). */
  master: z.string().nullable(),
  status: NodeStateSchema,
  error: z.string().nullable(),
  /** Slot ranges served (cluster masters), e.g. ["0-5460"]. */
  slots: z.array(z.string()),
  /**
   * Commands clients asked of this node per second: its commands minus those that came over
   * replication (see `replication_ops_per_sec`) and minus Peakline's own polling.
   */
  ops_per_sec: z.number().nullable(),
  /**
   * Commands per second that were replication, not client load: on a replica, what it applied
   * from its master's stream (write commands, MULTI/EXEC, SELECT); on a master, its replicas'
   * REPLCONF acknowledgements. Null when it cannot be told (older recordings, Redis < 6).
   */
  replication_ops_per_sec: z.number().nullable().default(null),
  /**
   * Seconds the rates cover: since this node's previous reading that was shown — one interval,
   * more after it did not answer for a while (rate × window is what happened in between).
   */
  window_s: z.number().nullable().default(null),
  hit_ratio: z.number().nullable(),
  connected_clients: z.number().nullable(),
  blocked_clients: z.number().nullable(),
  used_memory_bytes: z.number().nullable(),
  evicted_keys_per_sec: z.number().nullable(),
  expired_keys_per_sec: z.number().nullable(),
  /** Replicas: seconds since the master last talked to it (master's view), else null. */
  replication_lag_s: z.number().nullable(),
  /** Replicas: master replication offset minus this replica's, in bytes. */
  replication_lag_bytes: z.number().nullable(),
});
export type NodeSample = z.infer<typeof NodeSampleSchema>;

/**
 * Something that happened to a node between two samples of a cluster: a replica promoted to
 * master (a failover; `was_replica_of` is the master it replaced), a master turned replica (an old
 * master rejoining), a node gone down, one that stopped answering, one back up.
 */
export const NodeEventSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('promoted'),
    node: z.string(),
    was_replica_of: z.string().nullable(),
  }),
  z.object({ kind: z.literal('demoted'), node: z.string(), replica_of: z.string().nullable() }),
  z.object({ kind: z.literal('down'), node: z.string(), error: z.string().nullable() }),
  z.object({ kind: z.literal('not_answering'), node: z.string() }),
  z.object({ kind: z.literal('up'), node: z.string() }),
]);
export type NodeEvent = z.infer<typeof NodeEventSchema>;

export const QueueDepthSchema = z.object({
  key: z.string(),
  /** Redis TYPE of the key (`none` when it does not exist). */
  type: z.string(),
  depth: z.number().nullable(),
  error: z.string().nullable(),
});
export type QueueDepth = z.infer<typeof QueueDepthSchema>;

/** Histogram counts observed during one sample interval (bucket deltas, reset aware). */
export const HistogramDeltaSchema = z.object({
  /** Upper bounds in milliseconds, ascending; the last is Infinity (serialised as null). */
  bounds_ms: z.array(z.number().nullable()),
  /** Cumulative counts per bound within the interval. */
  counts: z.array(z.number()),
  sum_ms: z.number(),
  count: z.number(),
});
export type HistogramDelta = z.infer<typeof HistogramDeltaSchema>;

/**
 * One sample of one source: the `watch --json` line. `metrics` keys by kind —
 * redis: ops_per_sec (client commands only: replication is not counted), replication_ops_per_sec,
 *   hit_ratio, connected_clients, blocked_clients, used_memory_bytes, evicted_keys_per_sec,
 *   expired_keys_per_sec, queue_depth_total, nodes_up, nodes_total;
 * metrics: request_rate, latency_mean_ms, latency_p50_ms, latency_p90_ms, latency_p99_ms,
 *   service_mean_ms, service_p99_ms, in_flight, queue_depth, workers, scrape_ms;
 * host: cpu_load_pct, mem_used_bytes, mem_total_bytes, net_rx_bytes_per_sec, net_tx_bytes_per_sec.
 * A value is null when it cannot be known yet (a rate needs two samples).
 */
export const SampleSchema = z.object({
  /** Epoch ms. */
  t: z.number(),
  /** Source id (from `live:connect`). */
  id: z.string(),
  kind: SourceKindSchema,
  /** Source name: the URL without credentials. */
  source: z.string(),
  status: SourceStateSchema,
  error: z.string().nullable(),
  metrics: z.record(z.string(), z.number().nullable()),
  nodes: z.array(NodeSampleSchema).optional(),
  queues: z.array(QueueDepthSchema).optional(),
  /** Metrics sources: histogram deltas of this interval (the twin fits them). */
  hist: z
    .object({
      latency: HistogramDeltaSchema.optional(),
      service: HistogramDeltaSchema.optional(),
    })
    .optional(),
  /** Non-fatal notes (a configured metric not found, …). */
  warnings: z.array(z.string()).optional(),
  /** Cluster nodes: what changed since the previous sample (failover, a node down or back). */
  events: z.array(NodeEventSchema).optional(),
});
export type Sample = z.infer<typeof SampleSchema>;

export const SlowlogEntrySchema = z.object({
  node: z.string(),
  id: z.number(),
  /** Epoch ms. */
  t: z.number(),
  duration_us: z.number(),
  /** The command and its first arguments (Redis truncates long ones). */
  command: z.array(z.string()),
  client: z.string().nullable(),
});
export type SlowlogEntry = z.infer<typeof SlowlogEntrySchema>;

export const RecordingInfoSchema = z.object({
  path: z.string(),
  name: z.string(),
  bytes: z.number(),
  modified_ms: z.number(),
});
export type RecordingInfo = z.infer<typeof RecordingInfoSchema>;

/** What the twin measured in the window and how it turned it into a scenario. */
export const TwinFitSchema = z.object({
  source: z.string(),
  from: z.number(),
  to: z.number(),
  samples: z.number(),
  arrival_rps: z.number(),
  service_mean_ms: z.number(),
  service_p99_ms: z.number(),
  /** Log-space sigma of the fitted lognormal. */
  sigma: z.number(),
  workers: z.number(),
  /** Where the worker count came from. */
  workers_from: z.enum(['request', 'metric', 'default']),
  observed: z.object({
    latency_p50_ms: z.number().nullable(),
    latency_p99_ms: z.number().nullable(),
    throughput_rps: z.number(),
  }),
  /**
   * When the window spans 3 or more load levels: the Universal Scalability Law fitted to them (as
   * `peakline calibrate` fits measured points), with its quality; null with a single level.
   */
  usl: z
    .object({
      x1_rps: z.number(),
      demand_ms: z.number(),
      sigma: z.number(),
      kappa: z.number(),
      /** N* (null when throughput never peaks). */
      peak_concurrency: z.number().nullable(),
      r2: z.number(),
      levels: z.array(
        z.object({
          /** Jobs in service (Little: rate × service mean). */
          concurrency: z.number(),
          samples: z.number(),
          throughput_rps: z.number(),
          fitted_rps: z.number(),
          /** (measured − fitted) / measured. */
          residual: z.number(),
        }),
      ),
    })
    .nullable()
    .default(null),
  /** Why no USL was fitted (fewer than 3 levels, or the fit failed), when it was not. */
  usl_note: z.string().nullable().default(null),
  /** Leading samples left out as a start-up spike, and until when (epoch ms). */
  excluded: z
    .object({ samples: z.number(), until: z.number(), reason: z.string() })
    .nullable()
    .default(null),
});
export type TwinFit = z.infer<typeof TwinFitSchema>;

/** A source is gone: disconnected (by any window), or its session ended and it was not saved. */
export const SourceRemovedSchema = z.object({
  id: z.string(),
  why: z.enum(['disconnected', 'session ended']),
});
export type SourceRemoved = z.infer<typeof SourceRemovedSchema>;

// ---------------------------------------------------------------------------------------------
// Live monitoring: requests

const sourceId = z
  .string({ error: 'id must be a string' })
  .min(1, { error: 'id must not be empty' });

export const ConnectRequestSchema = SourceConfigSchema;
export const HistoryRequestSchema = z
  .strictObject({
    /** One source, or all when omitted. */
    id: sourceId.optional(),
    /** Last this many seconds (default: everything held). */
    window_s: z.number().gt(0, { error: 'window_s must be > 0' }).optional(),
  })
  .optional();
export const SlowlogRequestSchema = z.strictObject({
  id: sourceId,
  count: z.number().int().gte(1).lte(128).default(10),
});
export const RecordStartRequestSchema = z
  .strictObject({
    /** File name inside the recordings folder (no directories); default by date. */
    name: z
      .string()
      .regex(/^[\w.-]{1,120}$/, { error: 'name may use letters, digits, _ . - only' })
      .optional(),
  })
  .optional();
export const ReplayRequestSchema = z.strictObject({
  /** A recording's path as listed by `live:recordings` (or given to the CLI). */
  path: z.string().min(1, { error: 'path must not be empty' }),
  /** 0: load every sample at once; 1: real time; 10: ten times faster. */
  speed: z.number().gte(0).lte(1000).default(0),
  /** Speed 0 only: keep the recorded times instead of shifting them to end now. */
  keep_times: z.boolean().default(false),
});
export const ModelRequestSchema = z.strictObject({
  /** A metrics source (live or replayed). */
  id: sourceId,
  /** Window, epoch ms; default the last 60 s held. */
  from: z.number().optional(),
  to: z.number().optional(),
  /** Worker count; default the `workers` gauge, else 1. */
  workers: z.number().int().gte(1).lte(100_000).optional(),
  /** Simulated seconds of the scenario (default 60). */
  duration_s: z.number().gt(0).lte(3600).default(60),
});

/** A rate history from a connected Prometheus source (the forecast's input). */
export const PromRangeRequestSchema = z.strictObject({
  /** A connected `prometheus` source (its URL and credentials are used). */
  id: sourceId,
  /** PromQL giving one series (e.g. `sum(rate(peakline_orders_total[5m]))`). */
  query: z
    .string({ error: 'query must be a string' })
    .trim()
    .min(1, { error: 'query must not be empty' })
    .max(4000, { error: 'query must be at most 4000 characters' }),
  /** How far back, seconds (up to 35 days). */
  range_s: z
    .number({ error: 'range_s must be a number of seconds' })
    .gte(60, { error: 'range_s must be at least 60 (seconds)' })
    .lte(35 * 86400, { error: 'range_s must be at most 35 days' }),
  /** Seconds between points (default 60). */
  step_s: z.number().gte(1, { error: 'step_s must be >= 1' }).lte(86400).default(60),
});
export const PromRangeReplySchema = z.object({
  /** Unix seconds and the value. */
  points: z.array(z.object({ t: z.number(), rate: z.number() })),
  step_s: z.number(),
  /** The source name (no credentials) and the query, for the report. */
  source: z.string(),
  query: z.string(),
});
export type PromRangeReply = z.infer<typeof PromRangeReplySchema>;

/** A rate history (the forecast's input) from a recording in the recordings folder. */
export const RecordingHistoryRequestSchema = z.strictObject({
  /** A recording's path as listed by `live:recordings`. */
  path: z.string().min(1, { error: 'path must not be empty' }),
});
export const RecordingHistoryReplySchema = z.object({
  points: z.array(z.object({ t: z.number(), rate: z.number() })),
  /** The recording's file name and which of its sources was taken. */
  name: z.string(),
  note: z.string().nullable(),
});

// ---------------------------------------------------------------------------------------------
// Capacity plans (`plan:*`): the CLI's `peakline plan` run by the Node side for the console

/** A number that may be missing: an infinite or undefined figure travels as null. */
const figure = z.number().nullable();

export const PlanCiSchema = z.object({
  mean: figure,
  half_width: figure,
  low: figure,
  high: figure,
});
export type PlanCi = z.infer<typeof PlanCiSchema>;

export const PlanConfigSchema = z.object({
  params: z.record(z.string(), z.number()),
  cost: z.number(),
  cost_items: z.array(
    z.object({
      path: z.string(),
      value: z.number(),
      price: z.number(),
      multiplier: z.number(),
      per: z.string().nullable(),
      cost: z.number(),
    }),
  ),
  meets_slo: z.boolean(),
  replications: z.number(),
  metrics: z.record(z.string(), figure),
  ci95: z.record(z.string(), PlanCiSchema),
  clauses: z.array(
    z.object({
      clause: z.string(),
      metric: z.string(),
      outcome: z.enum(['pass', 'fail', 'unsure']),
      threshold: z.number(),
      ci95: PlanCiSchema,
    }),
  ),
  failed: z.array(z.string()),
  saturated: z.string().nullable(),
});
export type PlanConfig = z.infer<typeof PlanConfigSchema>;

export const PlanReportSchema = z.object({
  id: z.string(),
  scenario: z.string(),
  vary: z.array(z.object({ path: z.string(), values: z.array(z.number()) })),
  slo: z.string(),
  confidence: z.number(),
  currency: z.string(),
  period: z.string(),
  prices: z.array(z.object({ path: z.string(), price: z.number(), per: z.string().nullable() })),
  grid_size: z.number(),
  evaluated: z.number(),
  replications: z.object({
    initial: z.number(),
    max: z.number(),
    confirm: z.number(),
    adaptive: z.number(),
    total: z.number(),
  }),
  feasible: z.boolean(),
  /** Cancelled before the search finished: `best` is the best found so far. */
  partial: z.boolean(),
  best: PlanConfigSchema.nullable(),
  neighbours: z.array(PlanConfigSchema),
  pareto: z.array(
    z.object({
      params: z.record(z.string(), z.number()),
      cost: z.number(),
      p99: figure,
      ci95: PlanCiSchema,
    }),
  ),
  monotonicity: z.array(z.object({ clause: z.string(), path: z.string(), message: z.string() })),
  largest: PlanConfigSchema.nullable(),
  configurations: z.array(PlanConfigSchema),
  /** Where the simulations ran: worker threads here, or BullMQ workers on Redis. */
  executor: z.enum(['local', 'workers']),
  threads: z.number(),
  wall_ms: z.number(),
});
export type PlanReportReply = z.infer<typeof PlanReportSchema>;

/** What `plan:run` takes. */
export const PlanRequestSchema = z.strictObject({
  /** Chosen by the caller, so it can cancel while the plan runs. */
  id: z.string().min(1).max(100),
  scenario: ScenarioPayloadSchema,
  /** The varied fields (any number; each a range or a list). */
  vary: z
    .array(SweepVarySchema)
    .min(1, { error: 'vary needs at least one field' })
    .max(12, { error: 'vary takes at most 12 fields' }),
  /** E.g. `p99<=150,error_rate<=0.001,backlog_max<=900`. */
  slo: z.string().min(1, { error: 'slo must not be empty' }),
  /** Price per unit of fields (`server.instances` → 0.34); none: each varied field costs 1. */
  prices: z.record(z.string(), z.number().gte(0, { error: 'a price must be >= 0' })).default({}),
  currency: z.string().max(12, { error: 'currency must be at most 12 characters' }).optional(),
  period: z.string().max(24, { error: 'period must be at most 24 characters' }).optional(),
  confidence: z
    .number()
    .gte(0.5, { error: 'confidence must be at least 0.5' })
    .lt(1, { error: 'confidence must be below 1' })
    .default(0.95),
  replications: z
    .number()
    .int({ error: 'replications must be a whole number' })
    .gte(2, { error: 'replications must be at least 2' })
    .lte(50, { error: 'replications must be at most 50' })
    .default(5),
  /**
   * Run the simulations on BullMQ workers on this Redis (`peakline worker --redis URL`) instead
   * of worker threads here. Refused as unavailable while this shell has no workers executor
   * (`plan:executors` says whether it has one).
   */
  redis: urlWithScheme(['redis:', 'rediss:'], 'redis').optional(),
});

// ---------------------------------------------------------------------------------------------
// Requests: channel → { method on window.peakline, request schema, reply schema }

/** Every request of the contract. */
export const requests = {
  'profiles:list': {
    method: 'listProfiles',
    request: EmptySchema,
    reply: z.array(ProfileEntrySchema),
  },
  'profiles:shipped': {
    method: 'listShippedProfiles',
    request: EmptySchema,
    reply: z.array(ProfileEntrySchema),
  },
  'profiles:load': {
    method: 'loadProfile',
    request: z.strictObject({
      name: ProfileNameSchema,
      /** Defaults to 'user'. */
      source: ProfileSourceSchema.optional(),
    }),
    reply: LoadedProfileSchema,
  },
  'profiles:save': {
    method: 'saveProfile',
    request: z.strictObject({
      name: ProfileNameSchema,
      scenario: ScenarioPayloadSchema,
      /** Refuse to replace an existing profile of that name (Save As). Default false. */
      noOverwrite: z.boolean().optional(),
    }),
    reply: ProfileEntrySchema,
  },
  'profiles:delete': {
    method: 'deleteProfile',
    request: z.strictObject({ name: ProfileNameSchema }),
    reply: z.object({ deleted: z.boolean() }),
  },
  'sweep:run': {
    method: 'runSweep',
    request: z.strictObject({
      /** Chosen by the caller, so it can cancel while the sweep runs. */
      id: z.string().min(1).max(100),
      scenario: ScenarioPayloadSchema,
      vary: z
        .array(SweepVarySchema)
        .min(1, { error: 'vary needs one or two dimensions' })
        .max(2, { error: 'vary needs one or two dimensions' }),
      /** E.g. `p99<=200`. */
      slo: z.string().optional(),
    }),
    reply: SweepResultSchema,
  },
  'sweep:cancel': {
    method: 'cancelSweep',
    request: z.strictObject({ id: z.string().min(1) }),
    reply: z.object({ cancelled: z.boolean() }),
  },
  /** A capacity plan (as `peakline plan`); progress comes as `plan:progress` events. */
  'plan:run': {
    method: 'runPlan',
    request: PlanRequestSchema,
    reply: PlanReportSchema,
  },
  /** Stops a plan: its reply then carries the best found so far, marked partial. */
  'plan:cancel': {
    method: 'cancelPlan',
    request: z.strictObject({ id: z.string().min(1) }),
    reply: z.object({ cancelled: z.boolean() }),
  },
  /** Where plans can run: worker threads here, and whether a BullMQ workers executor exists. */
  'plan:executors': {
    method: 'planExecutors',
    request: EmptySchema,
    reply: z.object({ threads: z.number(), workers: z.boolean() }),
  },
  /** How many BullMQ workers are connected to the plan queue on `redis` (needs the executor). */
  'plan:workers': {
    method: 'planWorkers',
    request: z.strictObject({ redis: urlWithScheme(['redis:', 'rediss:'], 'redis') }),
    reply: z.object({ connected: z.number() }),
  },
  'export:save': {
    method: 'saveExport',
    request: z.strictObject({
      kind: ExportKindSchema,
      /** File name offered in the save dialog. */
      suggestedName: z.string().min(1).max(200),
      /** Text (csv/json/scenario) or base64 (png). */
      data: z.string(),
      encoding: z.enum(['utf8', 'base64']),
    }),
    /**
     * Desktop: `saved` true with the path, or false if the user cancelled the dialog.
     * Web: `saved` false and `download` true — the UI downloads the data itself.
     */
    reply: z.object({
      saved: z.boolean(),
      path: z.string().nullable(),
      download: z.boolean(),
    }),
  },
  'app:info': {
    method: 'appInfo',
    request: EmptySchema,
    reply: z.object({
      shell: z.enum(['electron', 'web']),
      version: z.string(),
      platform: z.string(),
      /** Where user profiles are kept. */
      profilesDir: z.string(),
    }),
  },
  /**
   * Scenario files the OS asked the app to open before the UI was listening (the desktop app was
   * launched by a double click); each is handed out once. Call it after subscribing `onOpenFile`.
   * The web shell always answers [].
   */
  'app:pending-files': {
    method: 'takePendingFiles',
    request: EmptySchema,
    reply: z.array(OpenFileSchema),
  },

  'live:secrets': {
    method: 'liveSecrets',
    request: z.strictObject({}).optional(),
    /** Whether this shell can remember passwords (desktop with an OS key store; never the web). */
    reply: z.object({ can_remember: z.boolean() }),
  },
  'live:secret:save': {
    method: 'liveSecretSave',
    /** The only request besides `live:connect` that carries a password (UI → Node). */
    request: z.strictObject({
      id: SavedConnectionIdSchema,
      password: z.string().min(1, { error: 'password must not be empty' }),
    }),
    reply: z.object({ saved: z.literal(true) }),
  },
  'live:secret:forget': {
    method: 'liveSecretForget',
    request: z.strictObject({ id: SavedConnectionIdSchema }),
    reply: z.object({ forgotten: z.boolean() }),
  },
  'live:connect': {
    method: 'liveConnect',
    request: ConnectRequestSchema,
    reply: z.object({ id: z.string() }),
  },
  'live:disconnect': {
    method: 'liveDisconnect',
    request: z.strictObject({ id: sourceId }),
    reply: z.object({ disconnected: z.boolean() }),
  },
  'live:list': {
    method: 'liveList',
    request: z.strictObject({}).optional(),
    reply: z.object({ sources: z.array(SourceInfoSchema) }),
  },
  'live:history': {
    method: 'liveHistory',
    request: HistoryRequestSchema,
    reply: z.object({ samples: z.array(SampleSchema) }),
  },
  'live:slowlog': {
    method: 'liveSlowlog',
    request: SlowlogRequestSchema,
    reply: z.object({ entries: z.array(SlowlogEntrySchema) }),
  },
  'live:record:start': {
    method: 'liveRecordStart',
    request: RecordStartRequestSchema,
    reply: z.object({ path: z.string() }),
  },
  'live:record:stop': {
    method: 'liveRecordStop',
    request: z.strictObject({}).optional(),
    reply: z.object({ path: z.string().nullable(), samples: z.number() }),
  },
  'live:recordings': {
    method: 'liveRecordings',
    request: z.strictObject({}).optional(),
    reply: z.object({ recordings: z.array(RecordingInfoSchema) }),
  },
  'live:replay': {
    method: 'liveReplay',
    request: ReplayRequestSchema,
    reply: z.object({ ids: z.array(z.string()), samples: z.number() }),
  },
  'live:recording:history': {
    method: 'liveRecordingHistory',
    request: RecordingHistoryRequestSchema,
    reply: RecordingHistoryReplySchema,
  },
  'live:prom:range': {
    method: 'livePromRange',
    request: PromRangeRequestSchema,
    reply: PromRangeReplySchema,
  },
  'live:model': {
    method: 'liveModel',
    request: ModelRequestSchema,
    reply: z.object({ scenario: ScenarioSchema, fit: TwinFitSchema }),
  },
} as const;

// ---------------------------------------------------------------------------------------------
// Events pushed by the Node side: channel → { subscribe method on window.peakline, payload }

/** Every pushed event of the contract. */
export const events = {
  'sweep:progress': {
    method: 'onSweepProgress',
    payload: z.object({ id: z.string(), done: z.number(), total: z.number() }),
  },
  'plan:progress': {
    method: 'onPlanProgress',
    payload: z.object({
      id: z.string(),
      /** Configurations run so far, of the grid's. */
      evaluated: z.number(),
      grid_size: z.number(),
      simulations: z.number(),
      best: z.object({ params: z.record(z.string(), z.number()), cost: z.number() }).nullable(),
    }),
  },
  /** A scenario file was opened from the OS (argv, double click, File ▸ Open). */
  'app:open-file': {
    method: 'onOpenFile',
    payload: OpenFileSchema,
  },
  'app:menu': {
    method: 'onMenu',
    payload: MenuCommandSchema,
  },
  'live:sample': { method: 'onLiveSample', payload: SampleSchema },
  'live:status': { method: 'onLiveStatus', payload: SourceInfoSchema },
  'live:removed': { method: 'onLiveRemoved', payload: SourceRemovedSchema },
} as const;

// ---------------------------------------------------------------------------------------------
// Types derived from the tables

export type RequestChannel = keyof typeof requests;
export type EventChannel = keyof typeof events;
/** The live-monitoring requests and events. */
export type LiveRequestChannel = Extract<RequestChannel, `live:${string}`>;
export type LiveEventChannel = Extract<EventChannel, `live:${string}`>;

/** What a caller passes for a request (defaults not yet applied). */
export type RequestOf<C extends RequestChannel> = z.input<(typeof requests)[C]['request']>;
/** A request after validation (defaults applied): what the Node side carries out. */
export type ParsedRequestOf<C extends RequestChannel> = z.output<(typeof requests)[C]['request']>;
/** What a request resolves to. */
export type ReplyOf<C extends RequestChannel> = z.output<(typeof requests)[C]['reply']>;
/** What an event delivers. */
export type EventOf<E extends EventChannel> = z.output<(typeof events)[E]['payload']>;

/** The method name of a request channel on `window.peakline`. */
export type MethodOf<C extends RequestChannel> = (typeof requests)[C]['method'];
/** The subscribe method name of an event channel on `window.peakline`. */
export type SubscribeOf<E extends EventChannel> = (typeof events)[E]['method'];

type RequestFn<C extends RequestChannel> =
  undefined extends RequestOf<C>
    ? (request?: RequestOf<C>) => Promise<ReplyOf<C>>
    : (request: RequestOf<C>) => Promise<ReplyOf<C>>;

/** Removes the subscription it came from. */
export type Unsubscribe = () => void;

/**
 * The object the UI talks to (`window.peakline` in Electron, a WebSocket client in the web
 * console): one named async function per request, one `on…(cb)` per event returning its
 * unsubscribe. A rejected promise carries an Error whose message says what is wrong and where.
 */
export type PeaklineApi = {
  [C in RequestChannel as MethodOf<C>]: RequestFn<C>;
} & {
  [E in EventChannel as SubscribeOf<E>]: (listener: (payload: EventOf<E>) => void) => Unsubscribe;
};

// ---------------------------------------------------------------------------------------------
// Envelopes: how requests, replies and events travel (WebSocket frames; IPC replies)

/** Why a request failed. */
export const ApiErrorCodeSchema = z.enum([
  'invalid_request',
  'invalid_scenario',
  'not_found',
  'exists',
  'cancelled',
  'unavailable',
  'internal',
  /** Too many requests waiting on one connection (the web console's flow control). */
  'busy',
]);
export type ApiErrorCode = z.infer<typeof ApiErrorCodeSchema>;

export const ApiErrorSchema = z.object({ code: ApiErrorCodeSchema, message: z.string() });
export type ApiErrorInfo = z.infer<typeof ApiErrorSchema>;

/** A reply as it travels: the result, or the error with a clear message. */
export type ReplyEnvelope<T = unknown> =
  { ok: true; result: T } | { ok: false; error: ApiErrorInfo };

/** WebSocket frame from the UI: one request. */
export const WsRequestFrameSchema = z.strictObject({
  type: z.literal('request'),
  id: z.number().int().nonnegative(),
  channel: z.string(),
  payload: z.unknown().optional(),
});
export type WsRequestFrame = z.infer<typeof WsRequestFrameSchema>;

/** WebSocket frames from the server: a reply to request `id`, or a pushed event. */
export type WsServerFrame =
  | ({ type: 'reply'; id: number } & ReplyEnvelope)
  | { type: 'event'; channel: EventChannel; payload: unknown };

/** Whether `channel` names a request of the contract. */
export function isRequestChannel(channel: string): channel is RequestChannel {
  return Object.prototype.hasOwnProperty.call(requests, channel);
}

/** Whether `channel` names an event of the contract. */
export function isEventChannel(channel: string): channel is EventChannel {
  return Object.prototype.hasOwnProperty.call(events, channel);
}
