// The live-monitoring part of the API contract: `live:*` requests, their replies and the pushed
// `live:sample` / `live:status` events, as zod schemas in the same table shape as
// `electron/api/contract.ts` ({ method, request, reply } and { method, payload }).
//
// Pure zod (plus the scenario schema): no Node or Electron imports, because the renderer's type
// check reads this module through the API contract. Secrets travel only UI → Node in
// `live:connect`; nothing the Node side sends back ever carries a password.
import { z } from 'zod';
import { ScenarioSchema } from '../../sim-core/schema';

// ---------------------------------------------------------------------------------------------
// Source configuration (what `live:connect` takes)

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
  tls: RedisTlsSchema.optional(),
  /** Treat the URL as a seed of a Redis Cluster: every master and replica is watched. */
  cluster: z.boolean().default(false),
  /** Keys whose depth is sampled (TYPE, then LLEN / XLEN / ZCARD / SCARD / HLEN). */
  queue_keys: z
    .array(z.string().min(1, { error: 'a queue key must not be empty' }))
    .max(50, { error: 'at most 50 queue keys' })
    .default([]),
  interval_s: IntervalSchema,
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
  interval_s: IntervalSchema,
});
export type MetricsSourceConfig = z.output<typeof MetricsSourceConfigSchema>;

export const HostSourceConfigSchema = z.strictObject({
  kind: z.literal('host'),
  interval_s: IntervalSchema,
});
export type HostSourceConfig = z.output<typeof HostSourceConfigSchema>;

/** What `live:connect` takes: one source. */
export const SourceConfigSchema = z.discriminatedUnion('kind', [
  RedisSourceConfigSchema,
  MetricsSourceConfigSchema,
  HostSourceConfigSchema,
]);
export type SourceConfigInput = z.input<typeof SourceConfigSchema>;
export type SourceConfig = z.output<typeof SourceConfigSchema>;

// ---------------------------------------------------------------------------------------------
// What the Node side reports

export const SourceStateSchema = z.enum(['connecting', 'up', 'down']);
export type SourceState = z.infer<typeof SourceStateSchema>;

export const SourceKindSchema = z.enum(['redis', 'metrics', 'host', 'replay']);
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

/** One Redis node of a source (a standalone server is one node). */
export const NodeSampleSchema = z.object({
  address: z.string(),
  /** Cluster node id, when known. */
  node_id: z.string().nullable(),
  role: z.enum(['master', 'replica', 'unknown']),
  /** Address of its master (replicas). */
  master: z.string().nullable(),
  status: SourceStateSchema,
  error: z.string().nullable(),
  /** Slot ranges served (cluster masters), e.g. ["0-5460"]. */
  slots: z.array(z.string()),
  ops_per_sec: z.number().nullable(),
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
 * redis: ops_per_sec, hit_ratio, connected_clients, blocked_clients, used_memory_bytes,
 *   evicted_keys_per_sec, expired_keys_per_sec, queue_depth_total, nodes_up, nodes_total;
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
});
export type TwinFit = z.infer<typeof TwinFitSchema>;

// ---------------------------------------------------------------------------------------------
// The tables

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

/** The `live:*` requests: channel → { method on the API object, request, reply }. */
export const liveRequests = {
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
  'live:model': {
    method: 'liveModel',
    request: ModelRequestSchema,
    reply: z.object({ scenario: ScenarioSchema, fit: TwinFitSchema }),
  },
} as const;

/** The `live:*` events: channel → { subscribe method on the API object, payload }. */
export const liveEvents = {
  'live:sample': { method: 'onLiveSample', payload: SampleSchema },
  'live:status': { method: 'onLiveStatus', payload: SourceInfoSchema },
} as const;

export type LiveRequestChannel = keyof typeof liveRequests;
export type LiveEventChannel = keyof typeof liveEvents;
/** What a caller passes for a live request (defaults not yet applied). */
export type LiveRequestOf<C extends LiveRequestChannel> = z.input<
  (typeof liveRequests)[C]['request']
>;
/** A live request after validation (defaults applied). */
export type LiveParsedRequestOf<C extends LiveRequestChannel> = z.output<
  (typeof liveRequests)[C]['request']
>;
/** What a live request resolves to. */
export type LiveReplyOf<C extends LiveRequestChannel> = z.output<(typeof liveRequests)[C]['reply']>;
/** What a live event delivers. */
export type LiveEventOf<E extends LiveEventChannel> = z.output<(typeof liveEvents)[E]['payload']>;

/** The source name for a URL: scheme, host, port, path — never user or password. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    u.search = '';
    u.hash = '';
    let s = u.toString();
    if (s.endsWith('/') && u.pathname === '/') s = s.slice(0, -1);
    return s;
  } catch {
    return '(invalid url)';
  }
}
