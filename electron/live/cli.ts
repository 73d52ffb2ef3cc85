// The `watch` and `demo` commands (dispatched here by electron/cli/main.ts).
// `watch` prints live samples of Redis servers/clusters, metrics endpoints and the host — a
// compact table, or one JSON object per source per sample with --json — and keeps going through
// outages, reporting them. It never prints a password: sources are named by their URL without
// credentials and error texts are scrubbed. `demo` runs a real order pipeline on Redis.
import { parseArgs } from 'node:util';
import { SourceConfigSchema, type Sample, type SourceConfigInput } from '../api/contract';
import { DEMO_DEFAULTS, startDemo } from './demo';
import { LiveService } from './service';
import { redactUrl } from './source';

const WATCH_USAGE = `usage: peakline watch [--redis URL ...] [--metrics URL ...] [--host]
                     [--interval S] [--count N] [--json] [--cluster] [--queue KEY ...]
                     [--user NAME] [--tls-ca FILE] [--tls-skip-verify] [--record FILE]
                     [--replay FILE]
  --redis URL       redis://[user:password@]host:port or rediss:// (TLS); repeatable
                    (the password may also come from PEAKLINE_REDIS_PASSWORD)
  --cluster         treat every --redis URL as a cluster seed (also detected from INFO)
  --queue KEY       a queue key whose depth to sample (LLEN/XLEN/ZCARD); repeatable
  --metrics URL     a Prometheus text endpoint; repeatable
  --host            CPU, memory and network of this machine
  --interval S      seconds between samples (default 1, minimum 0.25)
  --count N         stop after N samples of each source
  --json            one JSON object per line: {t, source, status, error, metrics, nodes}
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

/** A bad command line: the message names the option. */
class UsageError extends Error {}

function numberOpt(
  value: string | undefined,
  name: string,
  min: number,
  integer = false,
): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < min || (integer && !Number.isInteger(n)))
    throw new UsageError(
      `--${name} must be ${integer ? 'a whole number' : 'a number'} >= ${min}, got "${value}"`,
    );
  return n;
}

const fmt = {
  num(v: number | null | undefined, digits = 0): string {
    if (v === null || v === undefined) return '-';
    if (Math.abs(v) >= 1e6) return `${(v / 1e6).toFixed(1)}M`;
    if (Math.abs(v) >= 1e4) return `${(v / 1e3).toFixed(1)}k`;
    return v.toFixed(digits);
  },
  bytes(v: number | null | undefined): string {
    if (v === null || v === undefined) return '-';
    const units = ['B', 'KB', 'MB', 'GB', 'TB'];
    let x = v;
    let i = 0;
    while (x >= 1024 && i < units.length - 1) {
      x /= 1024;
      i++;
    }
    return `${x.toFixed(i ? 1 : 0)}${units[i]}`;
  },
  pct(v: number | null | undefined): string {
    return v === null || v === undefined ? '-' : `${(v * 100).toFixed(1)}%`;
  },
  time(t: number): string {
    return new Date(t).toISOString().slice(11, 19);
  },
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
    if (s.nodes && s.nodes.length > 1) body += `  nodes ${m.nodes_up}/${m.nodes_total}`;
  } else if (s.kind === 'metrics' || (s.kind === 'replay' && 'request_rate' in m)) {
    body =
      `req/s ${fmt.num(m.request_rate, 1).padStart(7)}  p50 ${fmt.num(m.latency_p50_ms, 1)}ms  ` +
      `p99 ${fmt.num(m.latency_p99_ms, 1)}ms  in-flight ${fmt.num(m.in_flight)}  queue ${fmt.num(m.queue_depth)}`;
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
        `\n    ${n.address.padEnd(22)} ${role.padEnd(30)} ${n.status.padEnd(10)}` +
        (n.status === 'up'
          ? ` ops/s ${fmt.num(n.ops_per_sec).padStart(7)}  mem ${fmt.bytes(n.used_memory_bytes).padStart(7)}  ` +
            `hit ${fmt.pct(n.hit_ratio).padStart(6)}` +
            (n.slots.length ? `  slots ${n.slots.join(' ')}` : '') +
            (n.role === 'replica'
              ? `  lag ${fmt.num(n.replication_lag_s)}s/${fmt.bytes(n.replication_lag_bytes)}`
              : '')
          : ` ${n.error ?? ''}`);
    }
  return out;
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
  return JSON.stringify(out);
}

/**
 * Parses a subcommand's options: its values, or — after printing the usage — the exit code
 * (2 for a bad option, 0 for --help).
 */
function parseOr<T extends { help?: boolean }>(
  cmd: string,
  usage: string,
  parse: () => { values: T },
): T | number {
  let values: T;
  try {
    ({ values } = parse());
  } catch (e) {
    process.stderr.write(
      `peakline ${cmd}: ${e instanceof Error ? e.message : String(e)}\n${usage}\n`,
    );
    return 2;
  }
  if (values.help) {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  return values;
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

/** `peakline watch …`: returns the exit code. */
export async function watchCommand(argv: string[]): Promise<number> {
  const values = parseOr('watch', WATCH_USAGE, () =>
    parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
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
        help: { type: 'boolean', short: 'h' },
      },
    }),
  );
  if (typeof values === 'number') return values;
  const print = (s: Sample) =>
    process.stdout.write(`${values.json ? jsonLine(s) : tableLine(s)}\n`);
  let interval: number | undefined;
  let count: number | undefined;
  try {
    interval = numberOpt(values.interval, 'interval', 0.25);
    count = numberOpt(values.count, 'count', 1, true);
    if (!values.redis?.length && !values.metrics?.length && !values.host && !values.replay)
      throw new UsageError(
        'give at least one of --redis URL, --metrics URL, --host or --replay FILE',
      );
  } catch (e) {
    process.stderr.write(`peakline watch: ${(e as Error).message}\n${WATCH_USAGE}\n`);
    return 2;
  }

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
  for (const url of values.redis ?? [])
    configs.push({
      kind: 'redis',
      url,
      cluster: values.cluster ?? false,
      queue_keys: values.queue ?? [],
      ...(values.user ? { username: values.user } : {}),
      ...(envPassword && !new URL(url.startsWith('redis') ? url : 'redis://x').password
        ? { password: envPassword }
        : {}),
      ...(values['tls-ca'] || values['tls-skip-verify']
        ? {
            tls: {
              ca_file: values['tls-ca'],
              insecure_skip_verify: values['tls-skip-verify'] ?? false,
            },
          }
        : {}),
      ...(interval ? { interval_s: interval } : {}),
    });
  for (const url of values.metrics ?? [])
    configs.push({ kind: 'metrics', url, ...(interval ? { interval_s: interval } : {}) });
  if (values.host) configs.push({ kind: 'host', ...(interval ? { interval_s: interval } : {}) });

  const svc = new LiveService({ allowAnyReplayPath: true });
  const counts = new Map<string, number>();
  let finishCount: () => void = () => undefined;
  const allCounted = new Promise<void>((resolve) => (finishCount = resolve));
  const ids: string[] = [];
  svc.on('sample', (s) => {
    if (count !== undefined && (counts.get(s.id) ?? 0) >= count) return;
    counts.set(s.id, (counts.get(s.id) ?? 0) + 1);
    print(s);
    if (count !== undefined && ids.length && ids.every((id) => (counts.get(id) ?? 0) >= count))
      finishCount();
  });
  for (const c of configs) {
    try {
      const parsed = SourceConfigSchema.safeParse(c);
      if (!parsed.success)
        throw new Error(
          parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
        );
      ids.push(svc.connect(parsed.data).id);
    } catch (e) {
      await svc.close();
      const msg = (e instanceof Error ? e.message : String(e)).replace(/^live:connect: /, '');
      const flag = c.kind === 'host' ? '--host' : `--${c.kind} ${redactUrl(c.url)}`;
      // The message names the option; it must not echo a URL with its password.
      process.stderr.write(`peakline watch: ${flag}: ${scrubUrls(msg, values.redis ?? [])}\n`);
      return 2;
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
      `watching ${configs.length} source(s): ${[...svc.list().sources].map((s) => s.name).join(', ')}\n`,
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

/** `peakline demo …`: returns the exit code. */
export async function demoCommand(argv: string[]): Promise<number> {
  const values = parseOr('demo', DEMO_USAGE, () =>
    parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        redis: { type: 'string' },
        rate: { type: 'string' },
        workers: { type: 'string' },
        'metrics-port': { type: 'string' },
        'work-ms': { type: 'string' },
        items: { type: 'string' },
        prefix: { type: 'string' },
        duration: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }),
  );
  if (typeof values === 'number') return values;
  const redis = values.redis ?? 'redis://127.0.0.1:6379';
  let opts;
  let duration: number | undefined;
  try {
    if (!/^rediss?:\/\//.test(redis))
      throw new UsageError(`--redis must be a redis:// or rediss:// URL`);
    opts = {
      ...DEMO_DEFAULTS,
      redis,
      rate: numberOpt(values.rate, 'rate', 0) ?? DEMO_DEFAULTS.rate,
      workers: numberOpt(values.workers, 'workers', 1, true) ?? DEMO_DEFAULTS.workers,
      metricsPort:
        numberOpt(values['metrics-port'], 'metrics-port', 0, true) ?? DEMO_DEFAULTS.metricsPort,
      workMs: numberOpt(values['work-ms'], 'work-ms', 0.1) ?? DEMO_DEFAULTS.workMs,
      items: numberOpt(values.items, 'items', 1, true) ?? DEMO_DEFAULTS.items,
      prefix: values.prefix ?? DEMO_DEFAULTS.prefix,
    };
    duration = numberOpt(values.duration, 'duration', 0.1);
    if (opts.metricsPort > 65535) throw new UsageError('--metrics-port must be <= 65535');
    if (opts.workers > 1000) throw new UsageError('--workers must be <= 1000');
  } catch (e) {
    process.stderr.write(`peakline demo: ${(e as Error).message}\n${DEMO_USAGE}\n`);
    return 2;
  }
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
