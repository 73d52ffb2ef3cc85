// A metrics-endpoint source: scrapes Prometheus text exposition over HTTP(S) on its interval and
// turns it into figures — request rate from a counter (reset aware), latency quantiles and mean
// from histogram bucket deltas, gauges as they are. A timeout, an HTTP error or a body that does
// not parse marks this source down with the reason; it never throws past its own loop.
import http from 'node:http';
import https from 'node:https';
import type { HistogramDelta, MetricsSourceConfig } from '../api/contract';
import {
  counterIncrease,
  counterSeries,
  findFamily,
  gaugeValue,
  histogramDelta,
  histogramQuantile,
  histogramState,
  parsePrometheus,
  type HistogramState,
  type PromFamily,
} from './prom';
import { redactUrl, Source, type Reading, type SourceSink } from './source';

/** Largest body accepted (bytes); a bigger one marks the source down. */
const MAX_BODY = 16 * 1024 * 1024;

/** GET a URL and resolve its body; rejects on timeout, non-2xx status or an oversized body. */
export function fetchText(url: string, timeoutMs: number, insecure = false): Promise<string> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const lib = u.protocol === 'https:' ? https : http;
    const auth = u.username
      ? `${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`
      : undefined;
    u.username = '';
    u.password = '';
    let settled = false;
    const done = (err: Error | null, body?: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (err) reject(err);
      else resolve(body!);
    };
    const req = lib.get(
      u,
      {
        auth,
        headers: {
          accept: 'text/plain;version=0.0.4;q=1,*/*;q=0.1',
          'user-agent': 'peakline-watch',
        },
        ...(u.protocol === 'https:' ? { rejectUnauthorized: !insecure } : {}),
      },
      (res) => {
        const status = res.statusCode ?? 0;
        if (status < 200 || status >= 300) {
          res.resume();
          done(new Error(`HTTP ${status}${res.statusMessage ? ` ${res.statusMessage}` : ''}`));
          req.destroy();
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > MAX_BODY) {
            done(new Error(`body larger than ${MAX_BODY} bytes`));
            req.destroy();
            return;
          }
          chunks.push(c);
        });
        res.on('end', () => done(null, Buffer.concat(chunks).toString('utf8')));
        res.on('error', (e) => done(e));
      },
    );
    const timer = setTimeout(() => {
      done(new Error(`no answer within ${timeoutMs} ms`));
      req.destroy();
    }, timeoutMs);
    req.on('error', (e) => done(e));
  });
}

/** Milliseconds per unit of a histogram, from its name (Prometheus base unit: seconds). */
export function unitToMs(name: string): number {
  if (/_(ms|milliseconds)(_|$)/.test(name)) return 1;
  if (/_(us|microseconds)(_|$)/.test(name)) return 0.001;
  return 1000;
}

interface Prev {
  t: number;
  requests: Map<string, number> | null;
  latency: HistogramState | null;
  service: HistogramState | null;
}

/** Figures of one histogram interval, in ms. */
function summarise(
  d: { bounds: number[]; counts: number[]; sum: number; count: number },
  scale: number,
): {
  mean: number | null;
  p50: number | null;
  p90: number | null;
  p99: number | null;
  wire: HistogramDelta;
} {
  const q = (p: number) => {
    const v = histogramQuantile(p, d.bounds, d.counts);
    return v === null ? null : v * scale;
  };
  return {
    mean: d.count > 0 ? (d.sum / d.count) * scale : null,
    p50: q(0.5),
    p90: q(0.9),
    p99: q(0.99),
    wire: {
      bounds_ms: d.bounds.map((b) => (Number.isFinite(b) ? b * scale : null)),
      counts: d.counts,
      sum_ms: d.sum * scale,
      count: d.count,
    },
  };
}

/** A Prometheus metrics endpoint. */
export class MetricsSource extends Source {
  private prev: Prev | null = null;

  constructor(
    id: string,
    private readonly config: MetricsSourceConfig,
    sink: SourceSink,
  ) {
    super(id, 'metrics', redactUrl(config.url), config.interval_s, sink);
  }

  protected async reset(): Promise<void> {
    this.prev = null;
  }

  protected async dispose(): Promise<void> {}

  protected override probeTarget(): { host: string; port: number } {
    const u = new URL(this.config.url);
    const port = Number(u.port) || (u.protocol === 'https:' ? 443 : 80);
    return { host: u.hostname.replace(/^\[|\]$/g, ''), port };
  }

  protected override scrub(message: string): string {
    const u = new URL(this.config.url);
    return u.password ? message.split(decodeURIComponent(u.password)).join('***') : message;
  }

  protected async read(): Promise<Reading> {
    const started = Date.now();
    const body = await fetchText(
      this.config.url,
      this.config.timeout_ms,
      this.config.insecure_skip_verify,
    );
    const scrapeMs = Date.now() - started;
    let families: PromFamily[];
    try {
      families = parsePrometheus(body);
    } catch (e) {
      throw new Error(`not Prometheus text: ${e instanceof Error ? e.message : String(e)}`, {
        cause: e,
      });
    }
    if (families.length === 0 && body.trim() !== '')
      throw new Error('not Prometheus text: no metrics');
    const names = this.config.names;
    const warnings: string[] = [];
    const now = Date.now();
    const latencyF = findFamily(families, names.latency_histogram);
    const serviceF = findFamily(families, names.service_histogram);
    const requestF = findFamily(families, names.request_rate);
    const latency = latencyF?.type === 'histogram' ? histogramState(latencyF) : null;
    const service = serviceF?.type === 'histogram' ? histogramState(serviceF) : null;
    if (!latencyF) warnings.push(`no histogram named ${names.latency_histogram}`);
    else if (!latency)
      warnings.push(`${names.latency_histogram} is a ${latencyF.type}, not a histogram`);
    let requests: Map<string, number> | null = requestF ? counterSeries(requestF) : null;
    if (!requestF) {
      if (latencyF && latency) {
        requests = counterSeries(latencyF);
        warnings.push(
          `no counter named ${names.request_rate}; request rate from ${names.latency_histogram}_count`,
        );
      } else warnings.push(`no counter named ${names.request_rate}`);
    }
    const gauge = (name: string) => {
      const f = findFamily(families, name);
      return f ? gaugeValue(f) : null;
    };
    const metrics: Record<string, number | null> = {
      request_rate: null,
      latency_mean_ms: null,
      latency_p50_ms: null,
      latency_p90_ms: null,
      latency_p99_ms: null,
      service_mean_ms: null,
      service_p99_ms: null,
      in_flight: gauge(names.in_flight),
      queue_depth: gauge(names.queue_depth),
      workers: gauge(names.workers),
      scrape_ms: scrapeMs,
    };
    const hist: NonNullable<Reading['hist']> = {};
    const prev = this.prev;
    if (prev && now > prev.t) {
      const dt = (now - prev.t) / 1000;
      if (requests && prev.requests)
        metrics.request_rate = counterIncrease(prev.requests, requests) / dt;
      if (latency && prev.latency) {
        const s = summarise(histogramDelta(prev.latency, latency), unitToMs(latencyF!.name));
        metrics.latency_mean_ms = s.mean;
        metrics.latency_p50_ms = s.p50;
        metrics.latency_p90_ms = s.p90;
        metrics.latency_p99_ms = s.p99;
        hist.latency = s.wire;
      }
      if (service && prev.service) {
        const s = summarise(histogramDelta(prev.service, service), unitToMs(serviceF!.name));
        metrics.service_mean_ms = s.mean;
        metrics.service_p99_ms = s.p99;
        hist.service = s.wire;
      }
    }
    this.prev = { t: now, requests, latency, service };
    return {
      metrics,
      ...(hist.latency || hist.service ? { hist } : {}),
      ...(warnings.length ? { warnings } : {}),
    };
  }
}
