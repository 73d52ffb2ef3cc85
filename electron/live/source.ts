// The life of one live source: a poll loop on its own interval, a state (`connecting`, `up`,
// `down` with the reason), reconnection with exponential back-off (with jitter) and no retry cap,
// and one sample emitted per interval whatever the state — so a watcher sees an outage as it
// happens. While it backs off, a source that can be probed is probed cheaply each interval (a TCP
// connect): a server that refused connections and accepts them again is read at once, so
// recovery shows within an interval or two however long the outage was. Ticks keep to the
// interval's grid: a reading that overran its interval skips the ticks it covered instead of
// emitting a second sample at once. Concrete sources (Redis, metrics endpoint, host) only say how
// to take one reading (a Redis source also paces its nodes itself: see `pacesItself`).
import net from 'node:net';
import type { Sample, SourceInfo, SourceKind, SourceState } from '../api/contract';

/** What one successful reading yields (the source fills in time, id, name and status). */
export type Reading = Pick<Sample, 'metrics'> &
  Partial<Pick<Sample, 'nodes' | 'queues' | 'hist' | 'warnings' | 'events'>> & {
    /** Something degraded but not down (e.g. one cluster node unreachable). */
    degraded?: string | null;
  };

/** Where a source sends what it sees. */
export interface SourceSink {
  sample(s: Sample): void;
  status(info: SourceInfo): void;
}

/** First back-off delay and its ceiling; attempts themselves are never capped. */
export const BACKOFF_FIRST_MS = 500;
export const BACKOFF_MAX_MS = 30_000;
/** Longest a single reading may take (at least; three intervals when those are longer). */
export const READ_TIMEOUT_MS = 10_000;

/** Back-off before attempt `n` (1-based count of consecutive failures). */
export function backoffMs(failures: number): number {
  if (failures <= 0) return 0;
  return Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** Math.min(failures - 1, 20));
}

/** `backoffMs` spread by ±20 % so that many watchers of one server do not retry in step. */
export function jitteredBackoffMs(failures: number, random: () => number = Math.random): number {
  return Math.round(backoffMs(failures) * (0.8 + 0.4 * random()));
}

/** Whether an error says the server could not be reached at all (nothing listening, no route). */
export function unreachable(message: string): boolean {
  return /ECONNREFUSED|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN/.test(message);
}

/** Whether `host:port` accepts a TCP connection within `timeoutMs` (closed again at once). */
export function tcpReachable(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** Thrown by `read` when nothing can be said yet (still connecting): a `connecting` sample. */
export class NotYet extends Error {}

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

/** Base class of a polled source. */
export abstract class Source {
  state: SourceState = 'connecting';
  reason: string | null = null;
  since = Date.now();
  failures = 0;
  nextRetry: number | null = null;
  /**
   * While backing off: whether the last probe reached the server (null: not known). A probe that
   * succeeds after one that failed — the server is back — triggers a reading at once.
   */
  private reachable: boolean | null = null;
  /**
   * The source backs off per part itself (a Redis cluster's nodes): every tick reads, and the
   * reading decides quickly what to ask; the source only counts failures.
   */
  protected readonly pacesItself: boolean = false;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private running: Promise<void> | null = null;

  constructor(
    readonly id: string,
    readonly kind: SourceKind,
    readonly name: string,
    readonly intervalS: number,
    protected readonly sink: SourceSink,
  ) {}

  /** Take one reading; throw (with a message a user can act on) when the source is unreachable. */
  protected abstract read(): Promise<Reading>;

  /** Drop connections after a failure so the next `read` starts afresh. */
  protected abstract reset(): Promise<void>;

  /** Release everything for good. */
  protected abstract dispose(): Promise<void>;

  /** Extra facts for `info()` (cluster flag, queue keys, whether a password is held). */
  protected describe(): Pick<SourceInfo, 'cluster' | 'queue_keys' | 'has_password'> {
    return { cluster: false, queue_keys: [], has_password: false };
  }

  /** Where a cheap reachability probe connects while the source backs off (null: none). */
  protected probeTarget(): { host: string; port: number } | null {
    return null;
  }

  /** When the next full attempt is due while down (a source pacing itself says). */
  protected retryAt(): number | null {
    return this.nextRetry;
  }

  /** Mask anything secret that might appear in an error message. */
  protected scrub(message: string): string {
    return message;
  }

  /** The source as the UI sees it. */
  info(): SourceInfo {
    return {
      id: this.id,
      kind: this.kind,
      name: this.name,
      state: this.state,
      reason: this.reason,
      since: this.since,
      interval_s: this.intervalS,
      attempts: this.failures,
      next_retry: this.state === 'down' ? this.retryAt() : null,
      ...this.describe(),
    };
  }

  /** Start polling (the first reading is taken at once). */
  start(): void {
    this.sink.status(this.info());
    this.schedule(0);
  }

  /** Stop polling and close connections. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running?.catch(() => undefined);
    await this.dispose().catch(() => undefined);
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      const started = Date.now();
      this.running = this.tick().finally(() => {
        this.running = null;
        // The next tick on the interval's grid. A tick that overran its interval skips the
        // ticks it covered and leaves at least half an interval before the next (one sample
        // per interval, never a second one at once).
        const interval = this.intervalS * 1000;
        const elapsed = Date.now() - started;
        let next = interval - (elapsed % interval);
        if (elapsed >= interval && next <= interval / 2) next += interval;
        this.schedule(elapsed < interval ? interval - elapsed : next);
      });
    }, delayMs);
  }

  private setState(state: SourceState, reason: string | null): void {
    if (state === this.state && reason === this.reason) return;
    const changed = state !== this.state;
    this.state = state;
    this.reason = reason;
    if (changed) this.since = Date.now();
    this.sink.status(this.info());
  }

  private async tick(): Promise<void> {
    const now = Date.now();
    if (
      !this.pacesItself &&
      this.state === 'down' &&
      this.nextRetry !== null &&
      now < this.nextRetry
    ) {
      // Backing off: a TCP connect instead of a reading; a server that comes back is read at once.
      const target = this.probeTarget();
      let back = false;
      if (target) {
        const ok = await tcpReachable(
          target.host,
          target.port,
          Math.min(1000, this.intervalS * 800),
        );
        if (this.stopped) return;
        back = ok && this.reachable === false;
        this.reachable = ok;
      }
      if (!back) {
        this.emitDown(Date.now());
        return;
      }
    }
    try {
      const r = await this.readWithin(Math.max(READ_TIMEOUT_MS, this.intervalS * 3000));
      if (this.stopped) return;
      this.failures = 0;
      this.nextRetry = null;
      this.reachable = null;
      this.setState('up', r.degraded ?? null);
      const { degraded: _d, ...rest } = r;
      this.sink.sample({
        t: Date.now(),
        id: this.id,
        kind: this.kind,
        source: this.name,
        status: 'up',
        error: r.degraded ?? null,
        ...rest,
      });
    } catch (e) {
      if (this.stopped) return;
      const message = this.scrub(e instanceof Error ? e.message : String(e)) || 'unknown error';
      if (e instanceof NotYet && this.state === 'connecting') {
        this.emitDown(Date.now());
        return;
      }
      this.failures += 1;
      this.nextRetry = Date.now() + jitteredBackoffMs(this.failures);
      this.reachable = unreachable(message) ? false : null;
      await this.reset().catch(() => undefined);
      if (this.stopped) return;
      this.setState('down', message);
      this.emitDown(Date.now());
    }
  }

  /** A reading, or a failure if none came in time (a source never hangs its loop). */
  private readWithin(ms: number): Promise<Reading> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no reading within ${Math.round(ms / 1000)} s`)),
        ms,
      );
    });
    return Promise.race([this.read(), timeout]).finally(() => clearTimeout(timer));
  }

  private emitDown(t: number): void {
    this.sink.sample({
      t,
      id: this.id,
      kind: this.kind,
      source: this.name,
      status: this.state,
      error: this.reason,
      metrics: {},
    });
  }
}
