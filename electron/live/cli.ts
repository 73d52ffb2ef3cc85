// The `watch` and `demo` commands (dispatched here by electron/cli/main.ts), with the CLI's one
// option parser and number formats (electron/cli/util.ts).
// `watch` prints live samples of Redis servers/clusters, metrics endpoints, Prometheus servers and the host — a
// compact table, or one JSON object per source per sample with --json — and keeps going through
// outages, reporting them. It never prints a password: sources are named by their URL without
// credentials and error texts are scrubbed. `demo` runs a real order pipeline on Redis.
import { z } from 'zod';
import {
  SourceConfigSchema,
  type NodeEvent,
  type Sample,
  type SourceConfig,
  type SourceConfigInput,
} from '../api/contract';
import { describeIssues } from '../api/errors';
import { bytes, CliError, compact, numberText, parseCommand, pct } from '../cli/util';
import { DEMO_DEFAULTS, startDemo } from './demo';
import { LiveService } from './service';
import { redactUrl } from './source';

const WATCH_USAGE = `usage: peakline watch [--redis URL ...] [--metrics URL ...] [--host]
                     [--interval S] [--count N] [--json] [--cluster] [--queue KEY ...]
                     [--user NAME] [--tls-ca FILE] [--tls-skip-verify] [--record FILE]
                     [--replay FILE] [--prometheus URL ... [--job NAME] [--query PROMQL]]
  --redis URL       redis://[user:password@]host:port or rediss:// (TLS); repeatable
                    (the password may also come from PEAKLINE_REDIS_PASSWORD)
  --cluster         treat every --redis URL as a cluster seed (also detected from INFO)
  --queue KEY       a queue key whose depth to sample (LLEN/XLEN/ZCARD); repeatable
  --metrics URL     a Prometheus text endpoint; repeatable
  --host            CPU, memory and network of this machine
  --prometheus URL  a Prometheus server (http://host:9090): request rate, latency quantiles,
                    in-flight, queue and workers by PromQL over its HTTP API; repeatable
  --job NAME        only that Prometheus job's series (default: every job)
  --query PROMQL    also show this PromQL's value (the metric "query") of each --prometheus
  --history S       first print the last S seconds from Prometheus (query_range)
                    (credentials: PEAKLINE_PROMETHEUS_TOKEN (bearer) or --prometheus-user NAME
                    with PEAKLINE_PROMETHEUS_PASSWORD, or user:password in the URL)
  --interval S      seconds between samples (default 1, minimum 0.25)
  --count N         stop after N samples of each source
  --json            one JSON object per line: {t, source, status, error, metrics, nodes,
                    events} (events: a cluster node promoted, down, not answering, back)
  --record FILE     also write every sample to FILE (NDJSON) for replay
  --replay FILE     print a recording instead of watching live`;

const DEMO_USAGE = `usage: peakline demo [--redis URL] [--rate N] [--workers N] [--metrics-port P]
                    [--work-ms MS] [--items N] [--prefix P] [--duration S]
  --redis URL         Redis to run on (default redis://127.0.0.1:6379)
  --rate N            orders per second produced (default ${DEMO_DEFAULTS.rate})
  --workers N         workers taking orders (default ${DEMO_DEFAULTS.workers})
  --metrics-port P    port of the /metrics endpoint (default ${DEMO_DEFAULTS.metricsPort}; 0 = any free)
  --work-ms MS        mean simulated work per order (default ${DEMO_DEFAULTS.workMs})
  --items N           distinct items, hot ones skewed (default ${DEMO_DEFAULTS.items})
  --prefix P          key prefix (default ${DEMO_DEFAULTS.prefix})
  --duration S        stop after S seconds (default: until Ctrl-C)`;

const watchOptions = {
  redis: { type: 'string', multiple: true },
  metrics: { type: 'string', multiple: true },
  host: { type: 'boolean' },
  interval: { type: 'string' },
  count: { type: 'string' },
  json: { type: 'boolean' },
  cluster: { type: 'boolean' },
  queue: { type: 'string', multiple: true },
  user: { type: 'string' },
  'tls-ca': { type: 'string' },
  'tls-skip-verify': { type: 'boolean' },
  record: { type: 'string' },
  replay: { type: 'string' },
  prometheus: { type: 'string', multiple: true },
  job: { type: 'string' },
  query: { type: 'string' },
  history: { type: 'string' },
  'prometheus-user': { type: 'string' },
} as const;

const WatchArgs = z
  .object({
    _: z.array(z.string()).max(0, { error: 'watch takes options only' }),
    redis: z.array(z.string()).default([]),
    metrics: z.array(z.string()).default([]),
    host: z.boolean().default(false),
    interval: numberText('interval', 0.25).optional(),
    count: numberText('count', 1, { integer: true }).optional(),
    json: z.boolean().default(false),
    cluster: z.boolean().default(false),
    queue: z.array(z.string()).default([]),
    user: z.string().optional(),
    'tls-ca': z.string().optional(),
    'tls-skip-verify': z.boolean().default(false),
    record: z.string().optional(),
    replay: z.string().optional(),
    prometheus: z.array(z.string()).default([]),
    job: z.string().optional(),
    query: z.string().min(1, { error: 'must not be empty' }).optional(),
    history: numberText('history', 0).optional(),
    'prometheus-user': z.string().optional(),
  })
  .refine((v) => v.redis.length || v.metrics.length || v.host || v.replay || v.prometheus.length, {
    error:
      'give at least one of --redis URL, --metrics URL, --prometheus URL, --host or --replay FILE',
  })
  .refine(
    (v) =>
      v.prometheus.length ||
      (v.job === undefined && v.query === undefined && v.history === undefined),
    { error: '--job, --query and --history go with --prometheus URL', path: ['prometheus'] },
  );

const demoOptions = {
  redis: { type: 'string' },
  rate: { type: 'string' },
  workers: { type: 'string' },
  'metrics-port': { type: 'string' },
  'work-ms': { type: 'string' },
  items: { type: 'string' },
  prefix: { type: 'string' },
  duration: { type: 'string' },
} as const;

const DemoArgs = z.object({
  _: z.array(z.string()).max(0, { error: 'demo takes options only' }),
  redis: z
    .string()
    .regex(/^rediss?:\/\//, { error: '--redis must be a redis:// or rediss:// URL' })
    .default('redis://127.0.0.1:6379'),
  rate: numberText('rate', 0).default(DEMO_DEFAULTS.rate),
  workers: numberText('workers', 1, { integer: true, max: 1000 }).default(DEMO_DEFAULTS.workers),
  'metrics-port': numberText('metrics-port', 0, { integer: true, max: 65535 }).default(
    DEMO_DEFAULTS.metricsPort,
  ),
  'work-ms': numberText('work-ms', 0.1).default(DEMO_DEFAULTS.workMs),
  items: numberText('items', 1, { integer: true }).default(DEMO_DEFAULTS.items),
  prefix: z.string().default(DEMO_DEFAULTS.prefix),
  duration: numberText('duration', 0.1).optional(),
});

/** A number, or `-` where it is not known (yet). */
const shown =
  <A extends unknown[]>(f: (x: number, ...rest: A) => string) =>
  (x: number | null | undefined, ...rest: A): string =>
    x === null || x === undefined ? '-' : f(x, ...rest);
const fmt = {
  num: shown(compact),
  bytes: shown(bytes),
  pct: shown(pct),
  time: (t: number) => new Date(t).toISOString().slice(11, 19),
};

/** One compact table line for a sample (plus one indented line per node of a cluster). */
export function tableLine(s: Sample): string {
  const head = `${fmt.time(s.t)}  ${s.source.padEnd(34)} ${s.status.padEnd(10)}`;
  if (s.status !== 'up') return `${head} ${s.error ?? ''}`;
  const m = s.metrics;
  let body: string;
  if (s.kind === 'redis' || (s.kind === 'replay' && 'ops_per_sec' in m)) {
    body =
      `ops/s ${fmt.num(m.ops_per_sec).padStart(7)}  hit ${fmt.pct(m.hit_ratio).padStart(6)}  ` +
      `clients ${fmt.num(m.connected_clients).padStart(4)}  blocked ${fmt.num(m.blocked_clients).padStart(3)}  ` +
      `mem ${fmt.bytes(m.used_memory_bytes).padStart(7)}  evict/s ${fmt.num(m.evicted_keys_per_sec)}  ` +
      `expire/s ${fmt.num(m.expired_keys_per_sec)}`;
    if (s.queues?.length)
      body += `  queue ${s.queues.map((q) => `${q.key}=${fmt.num(q.depth)}`).join(' ')}`;
    if (s.nodes && s.nodes.length > 1)
      body += `  repl/s ${fmt.num(m.replication_ops_per_sec)}  nodes ${m.nodes_up}/${m.nodes_total}`;
  } else if (
    s.kind === 'metrics' ||
    s.kind === 'prometheus' ||
    (s.kind === 'replay' && 'request_rate' in m)
  ) {
    body =
      `req/s ${fmt.num(m.request_rate, 1).padStart(7)}  p50 ${fmt.num(m.latency_p50_ms, 1)}ms  ` +
      `p99 ${fmt.num(m.latency_p99_ms, 1)}ms  in-flight ${fmt.num(m.in_flight)}  queue ${fmt.num(m.queue_depth)}` +
      ('query' in m ? `  query ${fmt.num(m.query, 3)}` : '');
  } else {
    body =
      `cpu ${fmt.num(m.cpu_load_pct, 1)}%  mem ${fmt.bytes(m.mem_used_bytes)}/${fmt.bytes(m.mem_total_bytes)}  ` +
      `net rx ${fmt.bytes(m.net_rx_bytes_per_sec)}/s tx ${fmt.bytes(m.net_tx_bytes_per_sec)}/s`;
  }
  let out = `${head} ${body}${s.error ? `  (${s.error})` : ''}`;
  if (s.nodes && s.nodes.length > 1)
    for (const n of s.nodes) {
      const role = n.role === 'replica' ? `replica of ${n.master ?? '?'}` : n.role;
      out +=
        `\n    ${n.address.padEnd(22)} ${role.padEnd(30)} ${n.status.replace('_', ' ').padEnd(13)}` +
        (n.status === 'up'
          ? ` ops/s ${fmt.num(n.ops_per_sec).padStart(7)}  repl/s ${fmt.num(n.replication_ops_per_sec).padStart(7)}  ` +
            `mem ${fmt.bytes(n.used_memory_bytes).padStart(7)}  hit ${fmt.pct(n.hit_ratio).padStart(6)}` +
            (n.slots.length ? `  slots ${n.slots.join(' ')}` : '') +
            (n.role === 'replica'
              ? `  lag ${fmt.num(n.replication_lag_s)}s/${fmt.bytes(n.replication_lag_bytes)}`
              : '')
          : ` ${n.error ?? ''}`);
    }
  for (const e of s.events ?? []) out += `\n    event: ${eventText(e)}`;
  return out;
}

/** A node event in words (the watch table; the console says the same in its language). */
export function eventText(e: NodeEvent): string {
  switch (e.kind) {
    case 'promoted':
      return `${e.node} promoted to master${e.was_replica_of ? ` (was replica of ${e.was_replica_of})` : ''}`;
    case 'demoted':
      return `${e.node} now a replica${e.replica_of ? ` of ${e.replica_of}` : ''}`;
    case 'down':
      return `${e.node} down${e.error ? `: ${e.error}` : ''}`;
    case 'not_answering':
      return `${e.node} not answering`;
    case 'up':
      return `${e.node} back up`;
  }
}

/** The `watch --json` object for a sample. */
export function jsonLine(s: Sample): string {
  const out: Record<string, unknown> = {
    t: s.t,
    source: s.source,
    kind: s.kind,
    status: s.status,
    error: s.error,
    metrics: s.metrics,
  };
  if (s.nodes) out.nodes = s.nodes;
  if (s.queues) out.queues = s.queues;
  if (s.warnings) out.warnings = s.warnings;
  if (s.events) out.events = s.events;
  return JSON.stringify(out);
}

/** Wait for Ctrl-C / SIGTERM (or `until`), then run `cleanup`. */
function untilSignal(until: Promise<void>): Promise<void> {
  return new Promise((resolve) => {
    const finish = () => {
      process.off('SIGINT', finish);
      process.off('SIGTERM', finish);
      resolve();
    };
    process.on('SIGINT', finish);
    process.on('SIGTERM', finish);
    void until.then(finish);
  });
}

/** Prints the usage when asked for it (`--help`, `-h`). */
function helpAsked(argv: string[], usage: string): boolean {
  if (!argv.includes('--help') && !argv.includes('-h')) return false;
  process.stdout.write(`${usage}\n`);
  return true;
}

/** `peakline watch …`: returns the exit code (a bad command line throws a CliError). */
export async function watchCommand(argv: string[]): Promise<number> {
  if (helpAsked(argv, WATCH_USAGE)) return 0;
  const values = parseCommand('watch', argv, watchOptions, WatchArgs, 'peakline watch --help');
  const { interval, count } = values;
  const print = (s: Sample) =>
    process.stdout.write(`${values.json ? jsonLine(s) : tableLine(s)}\n`);

  if (values.replay) {
    const svc = new LiveService({ allowAnyReplayPath: true });
    try {
      const unsub = svc.on('sample', print);
      await svc.replay({ path: values.replay, speed: 0, keep_times: true });
      unsub();
      await svc.close();
      return 0;
    } catch (e) {
      process.stderr.write(`peakline watch: ${(e as Error).message}\n`);
      return 1;
    }
  }

  const configs: SourceConfigInput[] = [];
  const envPassword = process.env.PEAKLINE_REDIS_PASSWORD || undefined;
  for (const url of values.redis)
    configs.push({
      kind: 'redis',
      url,
      cluster: values.cluster,
      queue_keys: values.queue,
      ...(values.user ? { username: values.user } : {}),
      ...(envPassword && !new URL(url.startsWith('redis') ? url : 'redis://x').password
        ? { password: envPassword }
        : {}),
      ...(values['tls-ca'] || values['tls-skip-verify']
        ? {
            tls: {
              ca_file: values['tls-ca'],
              insecure_skip_verify: values['tls-skip-verify'],
            },
          }
        : {}),
      ...(interval ? { interval_s: interval } : {}),
    });
  for (const url of values.metrics)
    configs.push({ kind: 'metrics', url, ...(interval ? { interval_s: interval } : {}) });
  if (values.host) configs.push({ kind: 'host', ...(interval ? { interval_s: interval } : {}) });
  const promToken = process.env.PEAKLINE_PROMETHEUS_TOKEN || undefined;
  const promPassword = process.env.PEAKLINE_PROMETHEUS_PASSWORD || undefined;
  for (const url of values.prometheus)
    configs.push({
      kind: 'prometheus',
      url,
      history_s: values.history ?? 0,
      ...(values.job !== undefined ? { job: values.job } : {}),
      ...(values.query !== undefined ? { query: values.query } : {}),
      ...(promToken ? { bearer_token: promToken } : {}),
      ...(values['prometheus-user'] ? { username: values['prometheus-user'] } : {}),
      ...(promPassword ? { password: promPassword } : {}),
      ...(interval ? { interval_s: interval } : {}),
    });

  // Each source as `live:connect` would take it: validated here, once; a bad one names its option.
  const flagOf = (c: SourceConfigInput) =>
    c.kind === 'host' ? '--host' : `--${c.kind} ${redactUrl(c.url)}`;
  const parsed: SourceConfig[] = [];
  for (const c of configs) {
    const r = SourceConfigSchema.safeParse(c);
    if (!r.success)
      throw new CliError(
        `peakline watch: ${scrubUrls(describeIssues(flagOf(c), r.error.issues), [...values.redis, ...values.prometheus])}`,
        2,
      );
    parsed.push(r.data);
  }
  const svc = new LiveService({ allowAnyReplayPath: true });
  const counts = new Map<string, number>();
  let finishCount: () => void = () => undefined;
  const allCounted = new Promise<void>((resolve) => (finishCount = resolve));
  const ids: string[] = [];
  const startedAt = Date.now();
  svc.on('sample', (s) => {
    // history a Prometheus source loads first (--history) is printed, not counted
    if (s.t < startedAt && s.kind === 'prometheus') return print(s);
    if (count !== undefined && (counts.get(s.id) ?? 0) >= count) return;
    counts.set(s.id, (counts.get(s.id) ?? 0) + 1);
    print(s);
    if (count !== undefined && ids.length && ids.every((id) => (counts.get(id) ?? 0) >= count))
      finishCount();
  });
  for (const [i, c] of parsed.entries()) {
    try {
      ids.push(svc.connect(c).id);
    } catch (e) {
      await svc.close();
      const msg = (e instanceof Error ? e.message : String(e)).replace(/^live:connect: /, '');
      // The message names the option; it must not echo a URL with its password.
      throw new CliError(
        `peakline watch: ${flagOf(configs[i])}: ${scrubUrls(msg, [...values.redis, ...values.prometheus])}`,
        2,
      );
    }
  }
  if (values.record) {
    try {
      process.stderr.write(`recording to ${svc.recordTo(values.record)}\n`);
    } catch (e) {
      await svc.close();
      process.stderr.write(`peakline watch: cannot record: ${(e as Error).message}\n`);
      return 1;
    }
  }
  if (!values.json)
    process.stderr.write(
      `watching ${parsed.length} source(s): ${[...svc.list().sources].map((s) => s.name).join(', ')}\n`,
    );
  await untilSignal(allCounted);
  const rec = await svc.recordStop();
  await svc.close();
  if (rec.path && !values.json)
    process.stderr.write(`recorded ${rec.samples} samples to ${rec.path}\n`);
  return 0;
}

function scrubUrls(message: string, urls: string[]): string {
  let out = message;
  for (const u of urls) {
    try {
      const p = new URL(u).password;
      if (p) out = out.split(decodeURIComponent(p)).join('***').split(p).join('***');
    } catch {
      // not a URL: nothing to hide
    }
    out = out.split(u).join(redactUrl(u));
  }
  return out;
}

/** `peakline demo …`: returns the exit code (a bad command line throws a CliError). */
export async function demoCommand(argv: string[]): Promise<number> {
  if (helpAsked(argv, DEMO_USAGE)) return 0;
  const values = parseCommand('demo', argv, demoOptions, DemoArgs, 'peakline demo --help');
  const { redis, duration } = values;
  const opts = {
    ...DEMO_DEFAULTS,
    redis,
    rate: values.rate,
    workers: values.workers,
    metricsPort: values['metrics-port'],
    workMs: values['work-ms'],
    items: values.items,
    prefix: values.prefix,
  };
  let demo;
  try {
    demo = await startDemo(opts);
  } catch (e) {
    process.stderr.write(
      `peakline demo: cannot start (Redis ${redactUrl(redis)}): ${scrubUrls((e as Error).message, [redis])}\n`,
    );
    return 1;
  }
  process.stdout.write(
    `peakline demo: ${opts.rate} orders/s, ${opts.workers} workers on ${redactUrl(redis)} (keys ${opts.prefix}*)\n` +
      `metrics: ${demo.metricsUrl}\n` +
      `watch it: npx peakline watch --redis ${redactUrl(redis)} --queue ${opts.prefix}orders --metrics ${demo.metricsUrl}\n` +
      `Ctrl-C stops it.\n`,
  );
  const timed =
    duration !== undefined
      ? new Promise<void>((r) => setTimeout(r, duration * 1000))
      : new Promise<void>(() => undefined);
  await untilSignal(timed);
  await demo.stop();
  process.stdout.write(`peakline demo: stopped after ${demo.completed()} orders\n`);
  return 0;
}
