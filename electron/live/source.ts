// The life of one live source: a poll loop on its own interval, a state (`connecting`, `up`,
// `down` with the reason), reconnection with exponential back-off and no retry cap, and one
// sample emitted per interval whatever the state — so a watcher sees an outage as it happens.
// Concrete sources (Redis, metrics endpoint, host) only say how to take one reading.
import type { Sample, SourceInfo, SourceKind, SourceState } from '../api/contract';

/** What one successful reading yields (the source fills in time, id, name and status). */
export type Reading = Pick<Sample, 'metrics'> &
  Partial<Pick<Sample, 'nodes' | 'queues' | 'hist' | 'warnings'>> & {
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
      next_retry: this.state === 'down' ? this.nextRetry : null,
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
        this.schedule(Math.max(0, this.intervalS * 1000 - (Date.now() - started)));
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
    if (this.state === 'down' && this.nextRetry !== null && now < this.nextRetry) {
      this.emitDown(now);
      return;
    }
    try {
      const r = await this.readWithin(Math.max(READ_TIMEOUT_MS, this.intervalS * 3000));
      if (this.stopped) return;
      this.failures = 0;
      this.nextRetry = null;
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
      this.failures += 1;
      this.nextRetry = Date.now() + backoffMs(this.failures);
      const message = this.scrub(e instanceof Error ? e.message : String(e)) || 'unknown error';
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
