// The Node-side live service both shells and the `watch` CLI share: it owns the sources (Redis,
// metrics endpoints, host, replays), keeps a bounded history of samples per source, pushes
// `sample` and `status` events, records sessions to NDJSON and replays them, and builds the twin
// scenario from a recorded window. Every request is validated with the contract's zod schemas.
// Passwords live only in the sources' memory (and, on the desktop, in an injected PasswordVault
// that keeps saved connections' passwords encrypted): nothing this service returns, records or
// logs carries one.
import {
  createReadStream,
  createWriteStream,
  existsSync,
  mkdirSync,
  readdirSync,
  statSync,
  type WriteStream,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { z } from 'zod';
import {
  liveRequests,
  SampleSchema,
  SourceConfigSchema,
  type LiveParsedRequestOf,
  type LiveReplyOf,
  type LiveRequestChannel,
  type LiveRequestOf,
  type Sample,
  type SourceInfo,
} from './contract';
import { HostSource } from './host-source';
import { MetricsSource } from './metrics-source';
import { RedisSource } from './redis-source';
import { Ring } from './ring';
import type { Source, SourceSink } from './source';
import { modelFromSamples } from './twin';

/** Why a live request failed (maps onto the API's error codes). */
export class LiveError extends Error {
  constructor(
    readonly code: 'invalid_request' | 'not_found' | 'unavailable',
    message: string,
  ) {
    super(message);
    this.name = 'LiveError';
  }
}

/**
 * Where remembered passwords of saved connections are kept (the desktop's encrypted
 * `SecretStore`); without one, passwords live in memory only and none can be remembered.
 */
export interface PasswordVault {
  /** Whether a password can be remembered now (an OS key store is usable). */
  canRemember(): boolean;
  set(id: string, password: string): Promise<void>;
  /** The password remembered for `id`, or null. */
  get(id: string): Promise<string | null>;
  /** Forget `id`'s password; true when there was one. */
  delete(id: string): Promise<boolean>;
}

export interface LiveServiceOptions {
  /** Remembered passwords (desktop only); absent in the web console and the CLI. */
  passwords?: PasswordVault | null;
  /** Where recordings are written and looked for (default `~/.peakline/recordings`). */
  recordingsDir?: string;
  /** Let `live:replay` read files outside the recordings folder (the CLI; not the UI). */
  allowAnyReplayPath?: boolean;
  /** How much history to keep per source, seconds (default 65 minutes). */
  historySeconds?: number;
}

type Events = { sample: Sample; status: SourceInfo };
type Listener<E extends keyof Events> = (payload: Events[E]) => void;

/** A source that only replays a recording (no polling). */
interface ReplayEntry {
  info: SourceInfo;
  timers: NodeJS.Timeout[];
}

const zodMessage = (e: z.ZodError): string =>
  e.issues.map((i) => `${i.path.length ? i.path.join('.') : '(request)'}: ${i.message}`).join('; ');

/** Parse with a contract schema, turning failures into a LiveError naming the field. */
function parse<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const r = schema.safeParse(value);
  if (!r.success) throw new LiveError('invalid_request', `${what}: ${zodMessage(r.error)}`);
  return r.data;
}

/** The live-monitoring service. */
export class LiveService {
  private readonly sources = new Map<string, Source>();
  private readonly replays = new Map<string, ReplayEntry>();
  private readonly history = new Map<string, Ring<Sample>>();
  private readonly listeners = {
    sample: new Set<Listener<'sample'>>(),
    status: new Set<Listener<'status'>>(),
  };
  private recorder: { path: string; stream: WriteStream; samples: number } | null = null;
  private seq = 0;
  readonly recordingsDir: string;
  private readonly historySeconds: number;

  constructor(private readonly options: LiveServiceOptions = {}) {
    this.recordingsDir = path.resolve(
      options.recordingsDir ?? path.join(os.homedir(), '.peakline', 'recordings'),
    );
    this.historySeconds = options.historySeconds ?? 65 * 60;
  }

  /** Subscribe to pushed samples or status changes; returns the unsubscribe. */
  on<E extends keyof Events>(event: E, listener: Listener<E>): () => void {
    const set = this.listeners[event] as Set<Listener<E>>;
    set.add(listener);
    return () => set.delete(listener);
  }

  private emit<E extends keyof Events>(event: E, payload: Events[E]): void {
    for (const l of this.listeners[event] as Set<Listener<E>>) {
      try {
        l(payload);
      } catch {
        // a listener's failure must not stop the others or the source
      }
    }
  }

  private ring(id: string, intervalS: number): Ring<Sample> {
    let r = this.history.get(id);
    if (!r) {
      r = new Ring<Sample>(
        Math.min(20_000, Math.max(100, Math.ceil(this.historySeconds / intervalS))),
      );
      this.history.set(id, r);
    }
    return r;
  }

  private sinkFor(id: string, intervalS: number): SourceSink {
    return {
      sample: (s) => {
        if (!this.sources.has(id)) return; // a straggler from a source being disconnected
        this.ring(id, intervalS).push(s);
        if (this.recorder) {
          this.recorder.stream.write(`${JSON.stringify({ type: 'sample', ...s })}\n`);
          this.recorder.samples++;
        }
        this.emit('sample', s);
      },
      status: (info) => {
        if (this.sources.has(id)) this.emit('status', info);
      },
    };
  }

  /** Start watching a source; it begins `connecting` and reports on its own interval. */
  connect(request: LiveRequestOf<'live:connect'>): LiveReplyOf<'live:connect'> {
    const config = parse(SourceConfigSchema, request, 'live:connect');
    const id = `${config.kind}-${++this.seq}`;
    const sink = this.sinkFor(id, config.interval_s);
    let source: Source;
    try {
      if (config.kind === 'redis') source = new RedisSource(id, config, sink);
      else if (config.kind === 'metrics') source = new MetricsSource(id, config, sink);
      else source = new HostSource(id, config, sink);
    } catch (e) {
      throw new LiveError(
        'invalid_request',
        `live:connect: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
    this.sources.set(id, source);
    this.ring(id, config.interval_s);
    source.start();
    return { id };
  }

  /** Stop a source (or a replay) and forget its history. */
  async disconnect(
    request: LiveRequestOf<'live:disconnect'>,
  ): Promise<LiveReplyOf<'live:disconnect'>> {
    const { id } = parse(liveRequests['live:disconnect'].request, request, 'live:disconnect');
    const s = this.sources.get(id);
    const r = this.replays.get(id);
    if (!s && !r) return { disconnected: false };
    this.sources.delete(id);
    this.replays.delete(id);
    this.history.delete(id);
    r?.timers.forEach(clearTimeout);
    await s?.stop();
    return { disconnected: true };
  }

  /** Every source with its state. */
  list(): LiveReplyOf<'live:list'> {
    return {
      sources: [
        ...[...this.sources.values()].map((s) => s.info()),
        ...[...this.replays.values()].map((r) => r.info),
      ],
    };
  }

  /** Samples held for one source or all, optionally only the last `window_s` seconds. */
  getHistory(request?: LiveRequestOf<'live:history'>): LiveReplyOf<'live:history'> {
    const req = parse(liveRequests['live:history'].request, request, 'live:history') ?? {};
    if (req.id && !this.history.has(req.id))
      throw new LiveError('not_found', `live:history: no source with id "${req.id}"`);
    const since = req.window_s ? Date.now() - req.window_s * 1000 : -Infinity;
    const rings = req.id ? [this.history.get(req.id)!] : [...this.history.values()];
    const samples = rings.flatMap((r) => r.toArray((s) => s.t >= since));
    if (!req.id) samples.sort((a, b) => a.t - b.t);
    return { samples };
  }

  /** The slowlog of a Redis source (every reachable node of a cluster). */
  async slowlog(request: LiveRequestOf<'live:slowlog'>): Promise<LiveReplyOf<'live:slowlog'>> {
    const req = parse(liveRequests['live:slowlog'].request, request, 'live:slowlog');
    const s = this.sources.get(req.id);
    if (!s) throw new LiveError('not_found', `live:slowlog: no source with id "${req.id}"`);
    if (!(s instanceof RedisSource))
      throw new LiveError('invalid_request', `live:slowlog: source "${req.id}" is not Redis`);
    if (s.state !== 'up')
      throw new LiveError(
        'unavailable',
        `live:slowlog: ${s.name} is ${s.state}${s.reason ? ` (${s.reason})` : ''}`,
      );
    return { entries: await s.slowlog(req.count) };
  }

  /** Start writing every sample to an NDJSON file in the recordings folder. */
  recordStart(request?: LiveRequestOf<'live:record:start'>): LiveReplyOf<'live:record:start'> {
    const req =
      parse(liveRequests['live:record:start'].request, request, 'live:record:start') ?? {};
    if (this.recorder)
      throw new LiveError(
        'invalid_request',
        `live:record:start: already recording to ${this.recorder.path}`,
      );
    let name = req.name ?? `live-${new Date().toISOString().replace(/[:.]/g, '-')}.ndjson`;
    if (!name.endsWith('.ndjson')) name += '.ndjson';
    return { path: this.recordTo(path.join(this.recordingsDir, name)) };
  }

  /** Start recording to an explicit file (the CLI's --record); refuses to overwrite. */
  recordTo(file: string): string {
    if (this.recorder)
      throw new LiveError('invalid_request', `already recording to ${this.recorder.path}`);
    const abs = path.resolve(file);
    mkdirSync(path.dirname(abs), { recursive: true });
    if (existsSync(abs))
      throw new LiveError('invalid_request', `${abs} exists; choose another name`);
    const stream = createWriteStream(abs, { flags: 'wx', mode: 0o600 });
    stream.on('error', () => undefined);
    const header = {
      type: 'header',
      schema: 'peakline.live-recording/v1',
      started: Date.now(),
      sources: this.list().sources,
    };
    stream.write(`${JSON.stringify(header)}\n`);
    this.recorder = { path: abs, stream, samples: 0 };
    return abs;
  }

  /** Stop recording; resolves once the file is complete on disk. */
  async recordStop(): Promise<LiveReplyOf<'live:record:stop'>> {
    const r = this.recorder;
    if (!r) return { path: null, samples: 0 };
    this.recorder = null;
    await new Promise<void>((resolve) => r.stream.end(resolve));
    return { path: r.path, samples: r.samples };
  }

  /** Recordings in the recordings folder, newest first. */
  recordings(): LiveReplyOf<'live:recordings'> {
    let names: string[];
    try {
      names = readdirSync(this.recordingsDir).filter((n) => n.endsWith('.ndjson'));
    } catch {
      return { recordings: [] };
    }
    const recordings = names.map((name) => {
      const p = path.join(this.recordingsDir, name);
      const st = statSync(p);
      return { path: p, name, bytes: st.size, modified_ms: st.mtimeMs };
    });
    return { recordings: recordings.sort((a, b) => b.modified_ms - a.modified_ms) };
  }

  /**
   * Replay a recording: one replay source per recorded source. Speed 0 loads every sample at
   * once (times shifted so the recording ends now); speed s plays it s times faster than real
   * time, starting now.
   */
  async replay(request: LiveRequestOf<'live:replay'>): Promise<LiveReplyOf<'live:replay'>> {
    const req = parse(liveRequests['live:replay'].request, request, 'live:replay');
    const file = path.resolve(this.recordingsDir, req.path);
    if (!this.options.allowAnyReplayPath && path.dirname(file) !== this.recordingsDir)
      throw new LiveError(
        'invalid_request',
        `live:replay: path must be a recording in ${this.recordingsDir}`,
      );
    const samples = await readRecording(file);
    if (samples.length === 0)
      throw new LiveError('invalid_request', `live:replay: ${file} holds no samples`);
    const groups = new Map<string, Sample[]>();
    for (const s of samples) {
      const g = groups.get(s.id) ?? [];
      g.push(s);
      groups.set(s.id, g);
    }
    const t0 = samples[0].t;
    const tEnd = samples[samples.length - 1].t;
    const now = Date.now();
    const ids: string[] = [];
    for (const [origId, group] of groups) {
      const id = `replay-${++this.seq}`;
      ids.push(id);
      const name = `replay:${path.basename(file)}:${group[0].source}`;
      const info: SourceInfo = {
        id,
        kind: 'replay',
        name,
        state: 'up',
        reason: null,
        since: now,
        interval_s:
          group.length > 1
            ? Math.max(0.25, (group[group.length - 1].t - group[0].t) / 1000 / (group.length - 1))
            : 1,
        cluster: !!group[0].nodes && group[0].nodes.length > 1,
        queue_keys: group[0].queues?.map((q) => q.key) ?? [],
        has_password: false,
        attempts: 0,
        next_retry: null,
      };
      const entry: ReplayEntry = { info, timers: [] };
      this.replays.set(id, entry);
      const ring = this.ring(id, info.interval_s);
      this.emit('status', info);
      const shifted = (s: Sample, t: number): Sample => ({
        ...s,
        id,
        source: `replay:${s.source}`,
        kind: 'replay',
        t,
      });
      void origId;
      if (req.speed === 0) {
        for (const s of group) {
          const out = shifted(s, req.keep_times ? s.t : now - (tEnd - s.t));
          ring.push(out);
          this.emit('sample', out);
        }
      } else {
        for (const s of group) {
          const delay = (s.t - t0) / req.speed;
          const timer = setTimeout(() => {
            const out = shifted(s, Date.now());
            ring.push(out);
            this.emit('sample', out);
          }, delay);
          entry.timers.push(timer);
        }
      }
    }
    return { ids, samples: samples.length };
  }

  /** The twin: a scenario from a metrics source's recorded window. */
  model(request: LiveRequestOf<'live:model'>): LiveReplyOf<'live:model'> {
    const req = parse(liveRequests['live:model'].request, request, 'live:model');
    const ring = this.history.get(req.id);
    if (!ring) throw new LiveError('not_found', `live:model: no source with id "${req.id}"`);
    const all = ring.toArray();
    const to = req.to ?? (all.length ? all[all.length - 1].t : Date.now());
    const from = req.from ?? to - 60_000;
    const window = all.filter((s) => s.t >= from && s.t <= to);
    try {
      return modelFromSamples(window, { workers: req.workers, duration_s: req.duration_s });
    } catch (e) {
      throw new LiveError(
        'invalid_request',
        `live:model: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
  }

  /** Whether this service can remember passwords. */
  secrets(): LiveReplyOf<'live:secrets'> {
    const vault = this.options.passwords;
    try {
      return { can_remember: !!vault && vault.canRemember() };
    } catch {
      return { can_remember: false };
    }
  }

  private vault(channel: string): PasswordVault {
    const vault = this.options.passwords;
    if (!vault || !this.secrets().can_remember)
      throw new LiveError(
        'unavailable',
        `${channel}: this shell cannot remember passwords (only the desktop app with an OS key store can); passwords are kept in memory only`,
      );
    return vault;
  }

  /** Run a vault operation, reporting its failure (never the password) as `unavailable`. */
  private async guarded<T>(channel: string, op: () => Promise<T>): Promise<T> {
    try {
      return await op();
    } catch (e) {
      if (e instanceof LiveError) throw e;
      throw new LiveError(
        'unavailable',
        `${channel}: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
  }

  /** Remember a saved connection's password (encrypted by the vault). */
  async secretSave(r: LiveRequestOf<'live:secret:save'>): Promise<LiveReplyOf<'live:secret:save'>> {
    const vault = this.vault('live:secret:save');
    await this.guarded('live:secret:save', () => vault.set(r.id, r.password));
    return { saved: true };
  }

  /** Forget a saved connection's remembered password. */
  async secretForget(
    r: LiveRequestOf<'live:secret:forget'>,
  ): Promise<LiveReplyOf<'live:secret:forget'>> {
    const vault = this.options.passwords;
    if (!vault) return { forgotten: false };
    return { forgotten: await this.guarded('live:secret:forget', () => vault.delete(r.id)) };
  }

  /** A connect request with its remembered password filled in (when it names one and has none). */
  private async withRemembered(
    r: LiveRequestOf<'live:connect'>,
  ): Promise<LiveRequestOf<'live:connect'>> {
    if (r.kind !== 'redis' || r.secret_id === undefined) return r;
    const { secret_id: secretId, ...rest } = r;
    if (rest.password) return rest;
    const vault = this.vault('live:connect');
    const password = await this.guarded('live:connect', () => vault.get(secretId));
    if (password === null)
      throw new LiveError(
        'not_found',
        `live:connect: no password is remembered for saved connection ${secretId}; enter it again`,
      );
    return { ...rest, password };
  }

  /** Validate a request by channel and run it (what a shell's handler calls). */
  async handle<C extends LiveRequestChannel>(
    channel: C,
    payload: unknown,
  ): Promise<LiveReplyOf<C>> {
    const table = liveRequests[channel];
    if (!table) throw new LiveError('invalid_request', `unknown live request "${String(channel)}"`);
    const req = parse(table.request as z.ZodType, payload, channel) as LiveParsedRequestOf<C>;
    const handlers: { [K in LiveRequestChannel]: (r: never) => unknown } = {
      'live:connect': async (r: LiveRequestOf<'live:connect'>) =>
        this.connect(await this.withRemembered(r)),
      'live:secrets': () => this.secrets(),
      'live:secret:save': (r: LiveRequestOf<'live:secret:save'>) => this.secretSave(r),
      'live:secret:forget': (r: LiveRequestOf<'live:secret:forget'>) => this.secretForget(r),
      'live:disconnect': (r: LiveRequestOf<'live:disconnect'>) => this.disconnect(r),
      'live:list': () => this.list(),
      'live:history': (r: LiveRequestOf<'live:history'>) => this.getHistory(r),
      'live:slowlog': (r: LiveRequestOf<'live:slowlog'>) => this.slowlog(r),
      'live:record:start': (r: LiveRequestOf<'live:record:start'>) => this.recordStart(r),
      'live:record:stop': () => this.recordStop(),
      'live:recordings': () => this.recordings(),
      'live:replay': (r: LiveRequestOf<'live:replay'>) => this.replay(r),
      'live:model': (r: LiveRequestOf<'live:model'>) => this.model(r),
    };
    return (await (handlers[channel] as (r: unknown) => unknown)(req)) as LiveReplyOf<C>;
  }

  /** Stop every source and replay and finish any recording. */
  async close(): Promise<void> {
    await this.recordStop();
    for (const r of this.replays.values()) r.timers.forEach(clearTimeout);
    this.replays.clear();
    const all = [...this.sources.values()];
    this.sources.clear();
    await Promise.all(all.map((s) => s.stop()));
  }
}

/** Read and validate a recording's samples (the header line is checked, then skipped). */
export async function readRecording(file: string): Promise<Sample[]> {
  const out: Sample[] = [];
  let lineNo = 0;
  let stream;
  try {
    statSync(file);
    stream = createReadStream(file, { encoding: 'utf8' });
  } catch (e) {
    throw new LiveError(
      'not_found',
      `cannot read recording ${file}: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  const rl = readline.createInterface({ input: stream, crlfDelay: Infinity });
  for await (const line of rl) {
    lineNo++;
    if (!line.trim()) continue;
    let obj: unknown;
    try {
      obj = JSON.parse(line);
    } catch {
      throw new LiveError('invalid_request', `${file}:${lineNo}: not JSON`);
    }
    const rec = obj as { type?: string; schema?: string };
    if (lineNo === 1) {
      if (rec.type !== 'header' || rec.schema !== 'peakline.live-recording/v1')
        throw new LiveError(
          'invalid_request',
          `${file}:1: not a Peakline live recording (no peakline.live-recording/v1 header)`,
        );
      continue;
    }
    if (rec.type !== 'sample') continue;
    const { type: _t, ...rest } = obj as Record<string, unknown>;
    const r = SampleSchema.safeParse(rest);
    if (!r.success)
      throw new LiveError('invalid_request', `${file}:${lineNo}: ${zodMessage(r.error)}`);
    out.push(r.data);
  }
  return out;
}
