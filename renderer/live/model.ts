// Pure helpers of the Live view: the connection form turned into a `live:connect` request,
// saved connections (never with a password — at most the id of one the desktop remembers,
// encrypted, on the Node side) in localStorage, per-source series cut to a window
// and downsampled for charts, the "P99 above the SLO for N seconds" threshold, the simulated
// band of the twin drawn over the live series, and what kind of figures a source shows.
import type { SimResult } from '../../sim-core/result';
import type { LiveSample, LiveSourceInfo, RequestOf } from '../api/types';

export type ConnectRequest = RequestOf<'live:connect'>;

/** What the connection dialog holds. */
export interface ConnectionForm {
  kind: 'redis' | 'metrics' | 'host' | 'prometheus';
  /** A name for the saved connection (defaults to the URL). */
  label: string;
  url: string;
  username: string;
  password: string;
  cluster: boolean;
  tlsCaFile: string;
  tlsSkipVerify: boolean;
  /** Comma- or newline-separated. */
  queueKeys: string;
  /** Newline-separated metrics endpoints (kind `metrics`). */
  metricsUrls: string;
  intervalS: number;
  /** Remember the password on this computer (desktop only: encrypted by the Node side). */
  remember: boolean;
  /** The saved connection whose remembered password is used when `password` is empty. */
  secretId: string;
  /** Prometheus server (kind `prometheus`): its URL, job, a PromQL of one's own, a bearer token
   * (never saved; basic auth uses `username` and `password`). */
  promUrl?: string;
  promJob?: string;
  promQuery?: string;
  promToken?: string;
}

/** The Prometheus URL the form starts with. */
export const PROM_URL = 'http://127.0.0.1:9090';

export const EMPTY_FORM: ConnectionForm = {
  kind: 'redis',
  label: '',
  url: 'redis://127.0.0.1:6379',
  username: '',
  password: '',
  cluster: false,
  tlsCaFile: '',
  tlsSkipVerify: false,
  queueKeys: 'peakline:demo:orders',
  metricsUrls: 'http://127.0.0.1:9464/metrics',
  intervalS: 1,
  remember: false,
  secretId: '',
};

const SECRET_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** A fresh id for a saved connection's remembered password (random, not guessable from the name). */
export function newSecretId(): string {
  const bytes = new Uint8Array(12);
  globalThis.crypto.getRandomValues(bytes);
  return `c-${[...bytes].map((b) => b.toString(16).padStart(2, '0')).join('')}`;
}

const splitList = (s: string) =>
  s
    .split(/[\n,]/)
    .map((x) => x.trim())
    .filter(Boolean);

/** The `live:connect` requests a form asks for (one per metrics URL). */
export function requestsFromForm(f: ConnectionForm): ConnectRequest[] {
  const interval_s = Math.max(0.25, Number.isFinite(f.intervalS) ? f.intervalS : 1);
  if (f.kind === 'host') return [{ kind: 'host', interval_s }];
  if (f.kind === 'prometheus')
    return [
      {
        kind: 'prometheus',
        url: (f.promUrl ?? PROM_URL).trim(),
        job: (f.promJob ?? '').trim(),
        ...(f.promQuery?.trim() ? { query: f.promQuery.trim() } : {}),
        ...(f.promToken ? { bearer_token: f.promToken } : {}),
        ...(!f.promToken && f.username.trim() ? { username: f.username.trim() } : {}),
        ...(!f.promToken && f.password ? { password: f.password } : {}),
        interval_s,
      },
    ];
  if (f.kind === 'metrics')
    return splitList(f.metricsUrls).map((url) => ({ kind: 'metrics', url, interval_s }));
  const tls =
    f.url.trim().startsWith('rediss://') && (f.tlsCaFile.trim() || f.tlsSkipVerify)
      ? {
          ...(f.tlsCaFile.trim() ? { ca_file: f.tlsCaFile.trim() } : {}),
          insecure_skip_verify: f.tlsSkipVerify,
        }
      : undefined;
  return [
    {
      kind: 'redis',
      url: f.url.trim(),
      ...(f.username.trim() ? { username: f.username.trim() } : {}),
      ...(f.password ? { password: f.password } : {}),
      ...(!f.password && f.remember && SECRET_ID.test(f.secretId) ? { secret_id: f.secretId } : {}),
      ...(tls ? { tls } : {}),
      cluster: f.cluster,
      queue_keys: splitList(f.queueKeys),
      interval_s,
    },
  ];
}

/** A URL with any user:password removed (what a saved connection keeps). */
export function stripCredentials(url: string): string {
  try {
    const u = new URL(url);
    if (!u.username && !u.password) return url;
    u.username = '';
    u.password = '';
    return u.toString();
  } catch {
    return url;
  }
}

/** A saved connection: the form without its password (and without credentials in URLs). */
export type SavedConnection = Omit<ConnectionForm, 'password' | 'promToken'>;

export const SAVED_KEY = 'peakline.live.connections.v1';

/** What to store for a form: never the password (only the id its remembered one is kept under). */
export function toSaved(f: ConnectionForm): SavedConnection {
  const { password: _drop, promToken: _token, ...rest } = f;
  const remembered =
    rest.kind === 'redis' && rest.remember === true && SECRET_ID.test(rest.secretId);
  return {
    ...rest,
    remember: remembered,
    secretId: remembered ? rest.secretId : '',
    url: stripCredentials(rest.url),
    ...(rest.promUrl !== undefined ? { promUrl: stripCredentials(rest.promUrl) } : {}),
    metricsUrls: rest.metricsUrls
      .split('\n')
      .map((u) => stripCredentials(u.trim()))
      .join('\n'),
    label:
      rest.label.trim() ||
      (rest.kind === 'host'
        ? 'host'
        : rest.kind === 'redis'
          ? stripCredentials(rest.url)
          : rest.kind === 'prometheus'
            ? stripCredentials(rest.promUrl ?? 'prometheus')
            : 'metrics'),
  };
}

/** Whether the form is exactly one of the saved connections (its sources are then kept). */
export function isSavedForm(f: ConnectionForm, saved: SavedConnection[]): boolean {
  const mine = JSON.stringify(toSaved(f));
  return saved.some((s) => JSON.stringify(toSaved({ ...s, password: '' })) === mine);
}

/** Saved connections from storage (bad entries are skipped). */
export function loadSaved(storage: Pick<Storage, 'getItem'> | null): SavedConnection[] {
  try {
    const raw = storage?.getItem(SAVED_KEY);
    const list = raw ? (JSON.parse(raw) as unknown) : [];
    if (!Array.isArray(list)) return [];
    return list
      .filter(
        (x): x is SavedConnection =>
          typeof x === 'object' && x !== null && typeof (x as SavedConnection).kind === 'string',
      )
      .map((x) => toSaved({ ...EMPTY_FORM, ...x, password: '' }));
  } catch {
    return [];
  }
}

/** Store saved connections (passwords never included). */
export function storeSaved(
  storage: Pick<Storage, 'setItem'> | null,
  list: SavedConnection[],
): void {
  try {
    storage?.setItem(SAVED_KEY, JSON.stringify(list.map((s) => toSaved({ ...s, password: '' }))));
  } catch {
    // storage full or unavailable: saving is a convenience
  }
}

/** One chart point: time (ms) and named values. */
export type ChartPoint = { t: number } & Record<string, number | null>;

/**
 * The samples of a window as chart points, averaged into at most `maxPoints` time buckets (so a
 * 60-minute window at 4 samples a second stays light to draw). Down samples become gaps.
 */
export function chartPoints(
  samples: LiveSample[],
  keys: string[],
  now: number,
  windowMs: number,
  maxPoints = 300,
): ChartPoint[] {
  const from = now - windowMs;
  const inWindow = samples.filter((s) => s.t >= from && s.t <= now);
  if (inWindow.length <= maxPoints) {
    return inWindow.map((s) => {
      const p: ChartPoint = { t: s.t };
      for (const k of keys) p[k] = s.status === 'up' ? (s.metrics[k] ?? null) : null;
      return p;
    });
  }
  const width = windowMs / maxPoints;
  const buckets = new Map<number, { t: number; sums: number[]; ns: number[] }>();
  for (const s of inWindow) {
    const b = Math.floor((s.t - from) / width);
    let e = buckets.get(b);
    if (!e) {
      e = { t: s.t, sums: keys.map(() => 0), ns: keys.map(() => 0) };
      buckets.set(b, e);
    }
    if (s.status !== 'up') continue;
    keys.forEach((k, i) => {
      const v = s.metrics[k];
      if (typeof v === 'number' && Number.isFinite(v)) {
        e.sums[i] += v;
        e.ns[i] += 1;
      }
    });
  }
  return [...buckets.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([, e]) => {
      const p: ChartPoint = { t: e.t };
      keys.forEach((k, i) => (p[k] = e.ns[i] ? e.sums[i] / e.ns[i] : null));
      return p;
    });
}

/**
 * Whether a value has stayed above a limit for at least `holdS` seconds up to the latest sample
 * (e.g. P99 above the SLO for 30 s). `since` is when the current run above the limit began.
 */
export function breach(
  samples: LiveSample[],
  key: string,
  limit: number,
  holdS: number,
): { breached: boolean; since: number | null } {
  let since: number | null = null;
  for (let i = samples.length - 1; i >= 0; i--) {
    const s = samples[i];
    const v = s.metrics[key];
    if (s.status !== 'up' || typeof v !== 'number') {
      if (v === null && s.status === 'up') continue; // no observations in that interval
      break;
    }
    if (v <= limit) break;
    since = s.t;
  }
  if (since === null) return { breached: false, since: null };
  const last = samples[samples.length - 1].t;
  return { breached: last - since >= holdS * 1000, since };
}

/** The band the twin's simulation draws over the live series. */
export interface TwinBand {
  p99Low: number;
  p99High: number;
  p50: number;
  rpsLow: number;
  rpsHigh: number;
}

/** The simulated band: the spread of windowed P99 and throughput after warm-up, widened by the CI. */
export function bandFromResult(r: SimResult): TwinBand {
  const pts = (r.series ?? []).filter((p) => p.t_s >= r.warmup_s && p.ok_rps > 0);
  const p99s = pts.map((p) => p.p99_ms).filter(Number.isFinite);
  const rps = pts.map((p) => p.ok_rps).filter(Number.isFinite);
  const ci = r.ci95.latency_p99_ms;
  const quant = (xs: number[], q: number) => {
    const s = [...xs].sort((a, b) => a - b);
    return s[Math.min(s.length - 1, Math.max(0, Math.round(q * (s.length - 1))))];
  };
  return {
    p99Low: p99s.length ? Math.min(quant(p99s, 0.1), ci.low) : ci.low,
    p99High: p99s.length ? Math.max(quant(p99s, 0.9), ci.high) : ci.high,
    p50: r.latency_ms.p50,
    rpsLow: rps.length ? quant(rps, 0.1) : r.ci95.throughput_rps.low,
    rpsHigh: rps.length ? quant(rps, 0.9) : r.ci95.throughput_rps.high,
  };
}

/** A time of day as `15:04:05` (the same in both languages), for axes and tables. */
export function clockTime(t: number): string {
  return new Date(t).toTimeString().slice(0, 8);
}

/** What kind of figures a source shows (a replay shows the kind of what was recorded). */
export type Flavour = 'redis' | 'metrics' | 'host';

export function flavour(info: LiveSourceInfo, sample: LiveSample | undefined): Flavour {
  // a Prometheus server's figures are a metrics endpoint's (rates, quantiles, gauges)
  if (info.kind === 'prometheus') return 'metrics';
  if (info.kind !== 'replay') return info.kind;
  const m = sample?.metrics ?? {};
  if ('ops_per_sec' in m) return 'redis';
  if ('request_rate' in m) return 'metrics';
  return 'host';
}

/** The dictionary key of a source or node state. */
export const STATE_KEY = {
  connecting: 'liveStateConnecting',
  up: 'liveStateUp',
  down: 'liveStateDown',
  not_answering: 'liveStateNotAnswering',
} as const;

/** A cluster node's event as it happened, newest last. */
export interface TimedEvent {
  t: number;
  event: NonNullable<LiveSample['events']>[number];
  /** The replaced master was down in that sample (a failover: "X promoted, Y down"). */
  oldDown: boolean;
}

/** The last `max` node events of a source's samples, oldest first. */
export function nodeEvents(samples: LiveSample[], max = 8): TimedEvent[] {
  const out: TimedEvent[] = [];
  for (const s of samples)
    for (const e of s.events ?? []) {
      const old = e.kind === 'promoted' ? e.was_replica_of : null;
      const oldDown = !!old && !!s.nodes?.some((n) => n.address === old && n.status === 'down');
      out.push({ t: s.t, event: e, oldDown });
    }
  return out.slice(-max);
}
