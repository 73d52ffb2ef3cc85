// A Prometheus server as a live source, over its HTTP API: each interval one `/api/v1/query` per
// figure (request rate from `rate(…[1m])`, latency quantiles from `histogram_quantile`, means from
// `_sum`/`_count`, the in-flight, queue and worker gauges, bucket increases for the twin, and a
// PromQL of the user's own), and on connect the last `history_s` from `/api/v1/query_range` as
// samples, so the charts and the twin have history at once. `PromClient` is also what
// `peakline forecast --prometheus` and `live:prom:range` read a rate history with.
//
// What goes wrong stays on this source: an unreachable server, a timeout or an HTTP error on
// every query marks it down with the reason; a query Prometheus rejects (bad PromQL) or one that
// matches nothing leaves it up with that said (degraded, and in the sample's warnings).
// Credentials (a bearer token, basic user and password, or a user in the URL) live in memory only
// and are masked in every message this module produces.
import http from 'node:http';
import https from 'node:https';
import type { HistogramDelta, PrometheusSourceConfig, Sample } from '../api/contract';
import { unitToMs } from './metrics-source';
import { redactUrl, Source, type Reading, type SourceSink } from './source';

/** Largest response body accepted (bytes). */
const MAX_BODY = 32 * 1024 * 1024;
/** Prometheus refuses ranges of more than 11,000 points; ranges are fetched in pieces of this. */
export const MAX_POINTS_PER_QUERY = 10_000;

/** How the client authenticates (never written anywhere). */
export interface PromAuth {
  bearer_token?: string;
  username?: string;
  password?: string;
}

export interface PromClientOptions extends PromAuth {
  timeout_ms?: number;
  insecure_skip_verify?: boolean;
}

/** One series of an instant query. */
export interface PromInstant {
  metric: Record<string, string>;
  /** Unix seconds and the value (NaN when Prometheus says NaN or ±Inf). */
  t: number;
  value: number;
}

/** One series of a range query. */
export interface PromSeries {
  metric: Record<string, string>;
  values: [number, number][];
}

/** A failure talking to Prometheus; `kind` tells a dead server from a rejected query. */
export class PromError extends Error {
  constructor(
    message: string,
    /** `unreachable` (connection, timeout, HTTP without an API answer) or `query` (API error). */
    readonly kind: 'unreachable' | 'query',
  ) {
    super(message);
  }
}

const num = (v: unknown): number => {
  const x = Number(v);
  return Number.isFinite(x) ? x : NaN;
};

/** A client of one Prometheus server's HTTP API. */
export class PromClient {
  private readonly base: URL;
  private readonly authHeader: string | null;
  private readonly secrets: string[];
  readonly name: string;

  constructor(
    url: string,
    private readonly opts: PromClientOptions = {},
  ) {
    const u = new URL(url);
    const urlUser = u.username ? decodeURIComponent(u.username) : '';
    const urlPass = u.password ? decodeURIComponent(u.password) : '';
    u.username = '';
    u.password = '';
    u.search = '';
    u.hash = '';
    if (!u.pathname.endsWith('/')) u.pathname += '/';
    this.base = u;
    this.name = redactUrl(url);
    const user = opts.username ?? urlUser;
    const pass = opts.password ?? urlPass;
    if (opts.bearer_token) this.authHeader = `Bearer ${opts.bearer_token}`;
    else if (user || pass)
      this.authHeader = `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
    else this.authHeader = null;
    this.secrets = [opts.bearer_token, pass, this.authHeader?.split(' ')[1]].filter(
      (s): s is string => !!s && s.length >= 1,
    );
  }

  /** Whether a credential is held. */
  get hasCredentials(): boolean {
    return this.authHeader !== null;
  }

  /** `message` with every credential masked. */
  scrub(message: string): string {
    let m = message;
    for (const s of this.secrets) m = m.split(s).join('***');
    return m;
  }

  /** GET `api/v1/<path>` and return `data`, or throw a PromError saying what went wrong. */
  private get(path: string, params: Record<string, string>): Promise<unknown> {
    const u = new URL(`api/v1/${path}`, this.base);
    for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
    const timeoutMs = this.opts.timeout_ms ?? 5000;
    const lib = u.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      let settled = false;
      const done = (err: Error | null, data?: unknown) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (err) reject(err);
        else resolve(data);
      };
      const req = lib.get(
        u,
        {
          headers: {
            accept: 'application/json',
            'user-agent': 'peakline',
            ...(this.authHeader ? { authorization: this.authHeader } : {}),
          },
          ...(u.protocol === 'https:'
            ? { rejectUnauthorized: !this.opts.insecure_skip_verify }
            : {}),
        },
        (res) => {
          const status = res.statusCode ?? 0;
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (c: Buffer) => {
            size += c.length;
            if (size > MAX_BODY) {
              done(new PromError(`answer larger than ${MAX_BODY} bytes`, 'query'));
              req.destroy();
              return;
            }
            chunks.push(c);
          });
          res.on('error', (e) => done(new PromError(this.scrub(e.message), 'unreachable')));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let body: { status?: string; data?: unknown; errorType?: string; error?: string };
            try {
              body = JSON.parse(text);
            } catch {
              body = {};
            }
            if (body.status === 'success') return done(null, body.data);
            if (body.status === 'error')
              return done(
                new PromError(
                  this.scrub(`Prometheus rejected the query (${body.errorType}): ${body.error}`),
                  status === 503 ? 'unreachable' : 'query',
                ),
              );
            const why =
              status === 401 || status === 403
                ? ' (check the bearer token or user and password)'
                : status >= 200 && status < 300
                  ? ' (not a Prometheus API answer)'
                  : '';
            done(
              new PromError(
                `HTTP ${status}${res.statusMessage ? ` ${res.statusMessage}` : ''} from ${this.name}${why}`,
                'unreachable',
              ),
            );
          });
        },
      );
      const timer = setTimeout(() => {
        done(new PromError(`no answer from ${this.name} within ${timeoutMs} ms`, 'unreachable'));
        req.destroy();
      }, timeoutMs);
      req.on('error', (e) =>
        done(new PromError(this.scrub(`cannot reach ${this.name}: ${e.message}`), 'unreachable')),
      );
    });
  }

  /** An instant query: every series with its value (a scalar answer is one series). */
  async query(expr: string, timeS?: number): Promise<PromInstant[]> {
    const data = (await this.get('query', {
      query: expr,
      ...(timeS !== undefined ? { time: String(timeS) } : {}),
    })) as { resultType?: string; result?: unknown };
    if (data.resultType === 'scalar') {
      const [t, v] = data.result as [number, string];
      return [{ metric: {}, t, value: num(v) }];
    }
    if (data.resultType !== 'vector' || !Array.isArray(data.result))
      throw new PromError(
        `the query gives a ${data.resultType ?? 'strange'} result, not an instant vector`,
        'query',
      );
    return (data.result as { metric: Record<string, string>; value: [number, string] }[]).map(
      (r) => ({ metric: r.metric, t: r.value[0], value: num(r.value[1]) }),
    );
  }

  /**
   * A range query from `startS` to `endS` every `stepS` seconds, fetched in pieces of at most
   * MAX_POINTS_PER_QUERY points and joined (series by their labels).
   */
  async queryRange(
    expr: string,
    startS: number,
    endS: number,
    stepS: number,
  ): Promise<PromSeries[]> {
    const bySeries = new Map<string, PromSeries>();
    const span = stepS * (MAX_POINTS_PER_QUERY - 1);
    for (let from = startS; from <= endS; from += span + stepS) {
      const to = Math.min(endS, from + span);
      const data = (await this.get('query_range', {
        query: expr,
        start: String(from),
        end: String(to),
        step: String(stepS),
      })) as { resultType?: string; result?: unknown };
      if (data.resultType !== 'matrix' || !Array.isArray(data.result))
        throw new PromError(
          `the query gives a ${data.resultType ?? 'strange'} result, not a range`,
          'query',
        );
      for (const r of data.result as {
        metric: Record<string, string>;
        values: [number, string][];
      }[]) {
        const key = JSON.stringify(Object.entries(r.metric).sort());
        let s = bySeries.get(key);
        if (!s) {
          s = { metric: r.metric, values: [] };
          bySeries.set(key, s);
        }
        for (const [t, v] of r.values) s.values.push([t, num(v)]);
      }
    }
    return [...bySeries.values()];
  }

  /**
   * A rate history for the forecast: one series (the query must aggregate to one) as (t, rate)
   * points, NaN values left out. Throws when the query matches nothing or several series.
   */
  async rateHistory(
    expr: string,
    startS: number,
    endS: number,
    stepS: number,
  ): Promise<{ t: number; rate: number }[]> {
    const series = await this.queryRange(expr, startS, endS, stepS);
    if (series.length === 0)
      throw new PromError(
        `the query matched no series between ${new Date(startS * 1000).toISOString()} and ${new Date(endS * 1000).toISOString()}: ${expr}`,
        'query',
      );
    if (series.length > 1)
      throw new PromError(
        `the query gives ${series.length} series; aggregate them to one (e.g. sum(rate(...[5m])))`,
        'query',
      );
    return series[0].values
      .filter(([, v]) => Number.isFinite(v) && v >= 0)
      .map(([t, rate]) => ({ t, rate }));
  }
}

/** The metrics a Prometheus source fills. */
export const PROM_METRICS = [
  'request_rate',
  'latency_mean_ms',
  'latency_p50_ms',
  'latency_p90_ms',
  'latency_p99_ms',
  'service_mean_ms',
  'service_p99_ms',
  'in_flight',
  'queue_depth',
  'workers',
] as const;

type Cfg = Pick<PrometheusSourceConfig, 'job' | 'names' | 'queries' | 'query'>;

/** `{job="x"}`-style matchers (without braces) for the configured job. */
function jobMatcher(job: string): string {
  return job ? `job="${job}"` : '';
}

/** A selector for a metric name (`name` or `name_total` for a counter). */
function sel(name: string, job: string, suffix = ''): string {
  const m = jobMatcher(job);
  return `${name}${suffix}${m ? `{${m}}` : ''}`;
}

function counterSel(name: string, job: string): string {
  const base = name.replace(/_total$/, '');
  const m = jobMatcher(job);
  return `{__name__=~"${base}(_total)?"${m ? `,${m}` : ''}}`;
}

/** The PromQL of each figure (the user's `queries` override the built ones; '' drops one). */
export function buildQueries(c: Cfg, window = '1m'): Record<string, string> {
  const n = c.names;
  const j = c.job;
  const ms = (name: string) => {
    const f = unitToMs(name);
    return f === 1 ? '' : ` * ${f}`;
  };
  const q = (p: number, h: string) =>
    `histogram_quantile(${p}, sum by (le) (rate(${sel(h, j, '_bucket')}[${window}])))${ms(h)}`;
  const mean = (h: string) =>
    `sum(rate(${sel(h, j, '_sum')}[${window}])) / sum(rate(${sel(h, j, '_count')}[${window}]))${ms(h)}`;
  const built: Record<string, string> = {
    request_rate: `sum(rate(${counterSel(n.request_rate, j)}[${window}]))`,
    latency_mean_ms: mean(n.latency_histogram),
    latency_p50_ms: q(0.5, n.latency_histogram),
    latency_p90_ms: q(0.9, n.latency_histogram),
    latency_p99_ms: q(0.99, n.latency_histogram),
    service_mean_ms: mean(n.service_histogram),
    service_p99_ms: q(0.99, n.service_histogram),
    in_flight: `sum(${sel(n.in_flight, j)})`,
    queue_depth: `sum(${sel(n.queue_depth, j)})`,
    workers: `sum(${sel(n.workers, j)})`,
  };
  const out: Record<string, string> = {};
  for (const k of PROM_METRICS) {
    const v = (c.queries as Record<string, string | undefined>)[k] ?? built[k];
    if (v.trim()) out[k] = v;
  }
  if (c.query) out.query = c.query;
  return out;
}

/** Bucket, sum and count increases of a histogram over `window` (what the twin merges). */
function histQueries(name: string, job: string, window: string) {
  return {
    buckets: `sum by (le) (increase(${sel(name, job, '_bucket')}[${window}]))`,
    sum: `sum(increase(${sel(name, job, '_sum')}[${window}]))`,
    count: `sum(increase(${sel(name, job, '_count')}[${window}]))`,
  };
}

/** A HistogramDelta (ms) from bucket increases by `le`, or null without buckets. */
function toDelta(
  buckets: { le: string; v: number }[],
  sum: number,
  count: number,
  scale: number,
): HistogramDelta | null {
  const rows = buckets
    .map((b) => ({ le: b.le === '+Inf' ? Infinity : Number(b.le), v: b.v }))
    .filter((b) => !Number.isNaN(b.le) && Number.isFinite(b.v))
    .sort((a, b) => a.le - b.le);
  if (rows.length === 0 || !Number.isFinite(count) || count <= 0) return null;
  return {
    bounds_ms: rows.map((r) => (Number.isFinite(r.le) ? r.le * scale : null)),
    counts: rows.map((r) => Math.max(0, r.v)),
    sum_ms: Number.isFinite(sum) ? sum * scale : 0,
    count,
  };
}

/** Sum of a vector's values (NaN-free), or null when it has none. */
function total(v: PromInstant[]): number | null {
  const xs = v.map((s) => s.value).filter((x) => Number.isFinite(x));
  return xs.length ? xs.reduce((a, b) => a + b, 0) : null;
}

/** A Prometheus server, read on the source's interval. */
export class PrometheusSource extends Source {
  readonly client: PromClient;
  private readonly queries: Record<string, string>;
  private historyDone = false;

  constructor(
    id: string,
    private readonly config: PrometheusSourceConfig,
    sink: SourceSink,
  ) {
    super(id, 'prometheus', redactUrl(config.url), config.interval_s, sink);
    this.client = new PromClient(config.url, config);
    this.queries = buildQueries(config);
  }

  protected override describe() {
    return { cluster: false, queue_keys: [], has_password: this.client.hasCredentials };
  }

  protected override scrub(message: string): string {
    return this.client.scrub(message);
  }

  protected async reset(): Promise<void> {}

  protected async dispose(): Promise<void> {}

  /** Every query at once; all failing (server unreachable) throws, some failing is said. */
  private async runAll(
    entries: [string, string][],
    run: (expr: string) => Promise<unknown>,
  ): Promise<{ ok: Map<string, unknown>; failed: string[] }> {
    const settled = await Promise.allSettled(entries.map(([, expr]) => run(expr)));
    const ok = new Map<string, unknown>();
    const failed: string[] = [];
    let unreachable: PromError | null = null;
    settled.forEach((r, i) => {
      const [key] = entries[i];
      if (r.status === 'fulfilled') ok.set(key, r.value);
      else {
        const e = r.reason as Error;
        if (e instanceof PromError && e.kind === 'unreachable') unreachable ??= e;
        failed.push(`${key}: ${this.scrub(e.message)}`);
      }
    });
    if (ok.size === 0 && entries.length > 0) throw unreachable ?? new Error(failed[0]);
    if (unreachable) throw unreachable;
    return { ok, failed };
  }

  protected async read(): Promise<Reading> {
    const started = Date.now();
    const n = this.config.names;
    const lat = histQueries(n.latency_histogram, this.config.job, '1m');
    const svc = histQueries(n.service_histogram, this.config.job, '1m');
    const entries: [string, string][] = [
      ...Object.entries(this.queries),
      ['hist:latency:buckets', lat.buckets],
      ['hist:latency:sum', lat.sum],
      ['hist:latency:count', lat.count],
      ['hist:service:buckets', svc.buckets],
      ['hist:service:sum', svc.sum],
      ['hist:service:count', svc.count],
    ];
    const { ok, failed } = await this.runAll(entries, (e) => this.client.query(e));
    const warnings = [...failed];
    const metrics: Record<string, number | null> = {};
    let degraded: string | null = failed.length ? failed[0] : null;
    const unmatched: string[] = [];
    for (const key of Object.keys(this.queries)) {
      const v = ok.get(key) as PromInstant[] | undefined;
      if (!v) {
        metrics[key] = null;
        continue;
      }
      if (v.length === 0) {
        // the user's query and the request rate in full; the other figures in one line
        if (key === 'query' || key === 'request_rate') {
          warnings.push(`${key}: the query matched no series: ${this.queries[key]}`);
          degraded ??= `${key === 'query' ? 'the query' : 'request_rate'} matched no series`;
        } else unmatched.push(key);
      } else if (key === 'query' && v.length > 1)
        warnings.push(`query: ${v.length} series, summed (aggregate in the query to choose)`);
      metrics[key] = total(v);
    }
    if (unmatched.length)
      warnings.push(
        `no series for ${unmatched.join(', ')}${this.config.job ? ` in job "${this.config.job}"` : ''} (check the metric names)`,
      );
    const hist: NonNullable<Reading['hist']> = {};
    for (const [h, name] of [
      ['latency', n.latency_histogram],
      ['service', n.service_histogram],
    ] as const) {
      const b = ok.get(`hist:${h}:buckets`) as PromInstant[] | undefined;
      const d = toDelta(
        (b ?? []).map((s) => ({ le: s.metric.le ?? '', v: s.value })),
        total((ok.get(`hist:${h}:sum`) as PromInstant[]) ?? []) ?? NaN,
        total((ok.get(`hist:${h}:count`) as PromInstant[]) ?? []) ?? NaN,
        unitToMs(name),
      );
      if (d) hist[h] = d;
    }
    metrics.scrape_ms = Date.now() - started;
    if (!this.historyDone && this.config.history_s > 0) {
      this.historyDone = true;
      try {
        this.emitHistory(await this.history(started / 1000));
      } catch (e) {
        warnings.push(`history: ${this.scrub(e instanceof Error ? e.message : String(e))}`);
      }
    }
    return {
      metrics,
      ...(hist.latency || hist.service ? { hist } : {}),
      ...(warnings.length ? { warnings } : {}),
      degraded,
    };
  }

  /** Past samples from `query_range` over the configured history, oldest first. */
  async history(endS: number): Promise<Sample[]> {
    const span = this.config.history_s;
    const step = Math.max(this.config.interval_s, Math.ceil(span / 1000));
    const startS = Math.floor(endS - span);
    const window = `${Math.max(60, step)}s`;
    const n = this.config.names;
    const lat = histQueries(n.latency_histogram, this.config.job, window);
    const svc = histQueries(n.service_histogram, this.config.job, window);
    const entries: [string, string][] = [
      ...Object.entries(buildQueries(this.config)),
      ['hist:latency:buckets', lat.buckets],
      ['hist:latency:sum', lat.sum],
      ['hist:latency:count', lat.count],
      ['hist:service:buckets', svc.buckets],
      ['hist:service:sum', svc.sum],
      ['hist:service:count', svc.count],
    ];
    const { ok } = await this.runAll(entries, (e) =>
      this.client.queryRange(e, startS, Math.floor(endS) - 1, step),
    );
    // value of each key (summed over series) and each histogram's buckets, by time
    const at = new Map<number, Map<string, number>>();
    const buckets = new Map<string, Map<number, { le: string; v: number }[]>>();
    for (const [key, res] of ok) {
      for (const s of res as PromSeries[]) {
        for (const [t, v] of s.values) {
          if (key.endsWith(':buckets')) {
            const byT = buckets.get(key) ?? new Map<number, { le: string; v: number }[]>();
            buckets.set(key, byT);
            const l = byT.get(t) ?? [];
            l.push({ le: s.metric.le ?? '', v });
            byT.set(t, l);
            if (!at.has(t)) at.set(t, new Map());
            continue;
          }
          const m = at.get(t) ?? new Map<string, number>();
          at.set(t, m);
          if (Number.isFinite(v)) m.set(key, (m.get(key) ?? 0) + v);
        }
      }
    }
    const times = [...at.keys()].sort((a, b) => a - b);
    return times.map((t) => {
      const m = at.get(t)!;
      const metrics: Record<string, number | null> = {};
      for (const key of Object.keys(this.queries)) metrics[key] = m.get(key) ?? null;
      const hist: NonNullable<Sample['hist']> = {};
      for (const [h, name] of [
        ['latency', n.latency_histogram],
        ['service', n.service_histogram],
      ] as const) {
        const d = toDelta(
          buckets.get(`hist:${h}:buckets`)?.get(t) ?? [],
          m.get(`hist:${h}:sum`) ?? NaN,
          m.get(`hist:${h}:count`) ?? NaN,
          unitToMs(name),
        );
        if (d) hist[h] = d;
      }
      return {
        t: t * 1000,
        id: this.id,
        kind: 'prometheus' as const,
        source: this.name,
        status: 'up' as const,
        error: null,
        metrics,
        ...(hist.latency || hist.service ? { hist } : {}),
      };
    });
  }

  private emitHistory(samples: Sample[]): void {
    for (const s of samples) this.sink.sample(s);
  }
}
