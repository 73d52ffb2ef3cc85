// The Node-side live service both shells and the `watch` CLI share: it owns the sources (Redis,
// metrics endpoints, host, replays), keeps a bounded history of samples per source, pushes
// `sample`, `status` and `removed` events, records sessions to NDJSON and replays them, and builds
// the twin scenario from a recorded window. It carries out the contract's `live:*` requests once
// they are validated (the API handler validates what the UI sends, the CLI what it was given):
// it takes the contract's parsed types and throws the API's one error type.
//
// A source belongs to the session that connected it (a web console tab, a desktop window): when
// the session ends, its sources and replays stop, unless a source was connected `saved` (from a
// saved connection), which runs on until it is disconnected. Sources connected without a session
// (the CLI, tests) run until disconnected or closed.
//
// Passwords live only in the sources' memory (and, on the desktop, in an injected PasswordVault
// that keeps saved connections' passwords encrypted): nothing this service returns, records or
// logs carries one.
import { peaklineHome } from '../home';
import {
  createReadStream,
  createWriteStream,
  existsSync,
  mkdirSync,
  readdirSync,
  statSync,
  type WriteStream,
} from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import readline from 'node:readline';
import {
  SampleSchema,
  type ParsedRequestOf,
  type ReplyOf,
  type Sample,
  type SourceConfig,
  type SourceInfo,
  type SourceRemoved,
} from '../api/contract';
import { ApiError, describeIssues } from '../api/errors';
import { HostSource } from './host-source';
import { MetricsSource } from './metrics-source';
import { PrometheusSource } from './prometheus-source';
import { RedisSource } from './redis-source';
import { Ring } from './ring';
import type { Source, SourceSink } from './source';
import { modelFromSamples } from './twin';
import { ForecastError, parseHistory } from '../../sim-core/forecast/index';

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
  /** Where recordings are written and looked for (default `$PEAKLINE_HOME/recordings`, `~/.peakline/recordings`). */
  recordingsDir?: string;
  /** Let `live:replay` read files outside the recordings folder (the CLI; not the UI). */
  allowAnyReplayPath?: boolean;
  /** How much history to keep per source, seconds (default 65 minutes). */
  historySeconds?: number;
}

/** Who connected a source: a shell's session (a web console tab, a desktop window), by identity. */
export type LiveSession = object;

type Events = { sample: Sample; status: SourceInfo; removed: SourceRemoved };
type Listener<E extends keyof Events> = (payload: Events[E]) => void;

/** A source that only replays a recording (no polling). */
interface ReplayEntry {
  info: SourceInfo;
  timers: NodeJS.Timeout[];
}

/** The live-monitoring service. */
export class LiveService {
  private readonly sources = new Map<string, Source>();
  private readonly replays = new Map<string, ReplayEntry>();
  private readonly history = new Map<string, Ring<Sample>>();
  private readonly listeners = {
    sample: new Set<Listener<'sample'>>(),
    status: new Set<Listener<'status'>>(),
    removed: new Set<Listener<'removed'>>(),
  };
  /** The session of each source and replay that ends with it (saved sources are not here). */
  private readonly owners = new Map<string, LiveSession>();
  private recorder: {
    path: string;
    stream: WriteStream;
    samples: number;
    session: LiveSession | null;
  } | null = null;
  private seq = 0;
  readonly recordingsDir: string;
  private readonly historySeconds: number;

  constructor(private readonly options: LiveServiceOptions = {}) {
    this.recordingsDir = path.resolve(
      options.recordingsDir ?? path.join(peaklineHome(), 'recordings'),
    );
    this.historySeconds = options.historySeconds ?? 65 * 60;
  }

  /** Subscribe to pushed samples, status changes or removals; returns the unsubscribe. */
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

  /**
   * Start watching a source (a validated config); it begins `connecting` and reports on its own
   * interval. It stops with `session` unless the config is `saved`.
   */
  connect(config: SourceConfig, session?: LiveSession): ReplyOf<'live:connect'> {
    const id = `${config.kind}-${++this.seq}`;
    const sink = this.sinkFor(id, config.interval_s);
    let source: Source;
    try {
      if (config.kind === 'redis') source = new RedisSource(id, config, sink);
      else if (config.kind === 'metrics') source = new MetricsSource(id, config, sink);
      else if (config.kind === 'prometheus') source = new PrometheusSource(id, config, sink);
      else source = new HostSource(id, config, sink);
    } catch (e) {
      throw new ApiError(
        'invalid_request',
        `live:connect: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
    this.sources.set(id, source);
    if (session && !config.saved) this.owners.set(id, session);
    this.ring(id, config.interval_s);
    source.start();
    return { id };
  }

  /** Stop a source (or a replay) and forget its history. */
  async disconnect({
    id,
  }: ParsedRequestOf<'live:disconnect'>): Promise<ReplyOf<'live:disconnect'>> {
    return { disconnected: await this.remove(id, 'disconnected') };
  }

  private async remove(id: string, why: SourceRemoved['why']): Promise<boolean> {
    const s = this.sources.get(id);
    const r = this.replays.get(id);
    if (!s && !r) return false;
    this.sources.delete(id);
    this.replays.delete(id);
    this.history.delete(id);
    this.owners.delete(id);
    r?.timers.forEach(clearTimeout);
    this.emit('removed', { id, why });
    await s?.stop();
    return true;
  }

  /**
   * A session ended (its tab or window went away): stop its sources and replays that were not
   * saved, and a recording it started.
   */
  async endSession(session: LiveSession): Promise<void> {
    const ids = [...this.owners].filter(([, owner]) => owner === session).map(([id]) => id);
    if (this.recorder?.session === session) await this.recordStop();
    await Promise.all(ids.map((id) => this.remove(id, 'session ended')));
  }

  /** Every source with its state. */
  list(): ReplyOf<'live:list'> {
    return {
      sources: [
        ...[...this.sources.values()].map((s) => s.info()),
        ...[...this.replays.values()].map((r) => r.info),
      ],
    };
  }

  /** Samples held for one source or all, optionally only the last `window_s` seconds. */
  getHistory(req: ParsedRequestOf<'live:history'> = {}): ReplyOf<'live:history'> {
    if (req.id && !this.history.has(req.id))
      throw new ApiError('not_found', `live:history: no source with id "${req.id}"`);
    const since = req.window_s ? Date.now() - req.window_s * 1000 : -Infinity;
    const rings = req.id ? [this.history.get(req.id)!] : [...this.history.values()];
    const samples = rings.flatMap((r) => r.toArray((s) => s.t >= since));
    if (!req.id) samples.sort((a, b) => a.t - b.t);
    return { samples };
  }

  /** The slowlog of a Redis source (every reachable node of a cluster). */
  async slowlog(req: ParsedRequestOf<'live:slowlog'>): Promise<ReplyOf<'live:slowlog'>> {
    const s = this.sources.get(req.id);
    if (!s) throw new ApiError('not_found', `live:slowlog: no source with id "${req.id}"`);
    if (!(s instanceof RedisSource))
      throw new ApiError('invalid_request', `live:slowlog: source "${req.id}" is not Redis`);
    if (s.state !== 'up')
      throw new ApiError(
        'unavailable',
        `live:slowlog: ${s.name} is ${s.state}${s.reason ? ` (${s.reason})` : ''}`,
      );
    return { entries: await s.slowlog(req.count) };
  }

  /**
   * Start writing every sample to an NDJSON file in the recordings folder; it stops with
   * `session` when not stopped before.
   */
  recordStart(
    req: ParsedRequestOf<'live:record:start'> = {},
    session?: LiveSession,
  ): ReplyOf<'live:record:start'> {
    if (this.recorder)
      throw new ApiError(
        'invalid_request',
        `live:record:start: already recording to ${this.recorder.path}`,
      );
    let name = req.name ?? `live-${new Date().toISOString().replace(/[:.]/g, '-')}.ndjson`;
    if (!name.endsWith('.ndjson')) name += '.ndjson';
    return { path: this.recordTo(path.join(this.recordingsDir, name), session) };
  }

  /** Start recording to an explicit file (the CLI's --record); refuses to overwrite. */
  recordTo(file: string, session?: LiveSession): string {
    if (this.recorder)
      throw new ApiError('invalid_request', `already recording to ${this.recorder.path}`);
    const abs = path.resolve(file);
    mkdirSync(path.dirname(abs), { recursive: true });
    if (existsSync(abs))
      throw new ApiError('invalid_request', `${abs} exists; choose another name`);
    const stream = createWriteStream(abs, { flags: 'wx', mode: 0o600 });
    stream.on('error', () => undefined);
    const header = {
      type: 'header',
      schema: 'peakline.live-recording/v1',
      started: Date.now(),
      sources: this.list().sources,
    };
    stream.write(`${JSON.stringify(header)}\n`);
    this.recorder = { path: abs, stream, samples: 0, session: session ?? null };
    return abs;
  }

  /** Stop recording; resolves once the file is complete on disk. */
  async recordStop(): Promise<ReplyOf<'live:record:stop'>> {
    const r = this.recorder;
    if (!r) return { path: null, samples: 0 };
    this.recorder = null;
    await new Promise<void>((resolve) => r.stream.end(resolve));
    return { path: r.path, samples: r.samples };
  }

  /** Recordings in the recordings folder, newest first. */
  recordings(): ReplyOf<'live:recordings'> {
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
   * time, starting now. The replay sources end with `session`.
   */
  async replay(
    req: ParsedRequestOf<'live:replay'>,
    session?: LiveSession,
  ): Promise<ReplyOf<'live:replay'>> {
    const file = path.resolve(this.recordingsDir, req.path);
    if (!this.options.allowAnyReplayPath && path.dirname(file) !== this.recordingsDir)
      throw new ApiError(
        'invalid_request',
        `live:replay: path must be a recording in ${this.recordingsDir}`,
      );
    const samples = await readRecording(file);
    if (samples.length === 0)
      throw new ApiError('invalid_request', `live:replay: ${file} holds no samples`);
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
      if (session) this.owners.set(id, session);
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
  model(req: ParsedRequestOf<'live:model'>): ReplyOf<'live:model'> {
    const ring = this.history.get(req.id);
    if (!ring) throw new ApiError('not_found', `live:model: no source with id "${req.id}"`);
    const all = ring.toArray();
    const to = req.to ?? (all.length ? all[all.length - 1].t : Date.now());
    const from = req.from ?? to - 60_000;
    const window = all.filter((s) => s.t >= from && s.t <= to);
    try {
      return modelFromSamples(window, { workers: req.workers, duration_s: req.duration_s });
    } catch (e) {
      throw new ApiError(
        'invalid_request',
        `live:model: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
  }

  /** A recording's request rate (or Redis ops/s) as a rate history, for the forecast. */
  async recordingHistory(
    req: ParsedRequestOf<'live:recording:history'>,
  ): Promise<ReplyOf<'live:recording:history'>> {
    const file = path.resolve(this.recordingsDir, req.path);
    if (path.dirname(file) !== this.recordingsDir)
      throw new ApiError(
        'invalid_request',
        `live:recording:history: path must be a recording in ${this.recordingsDir}`,
      );
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      throw new ApiError(
        'not_found',
        `live:recording:history: cannot read ${file}: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
    try {
      const h = parseHistory(text);
      return { points: h.points, name: path.basename(file), note: h.note ?? null };
    } catch (e) {
      const line = e instanceof ForecastError && e.line ? `line ${e.line}: ` : '';
      throw new ApiError(
        'invalid_request',
        `live:recording:history: ${path.basename(file)}: ${line}${e instanceof Error ? e.message : String(e)}`,
      );
    }
  }

  /** A rate history (one series) from a connected Prometheus source's server. */
  async promRange(req: ParsedRequestOf<'live:prom:range'>): Promise<ReplyOf<'live:prom:range'>> {
    const s = this.sources.get(req.id);
    if (!s) throw new ApiError('not_found', `live:prom:range: no source with id "${req.id}"`);
    if (!(s instanceof PrometheusSource))
      throw new ApiError(
        'invalid_request',
        `live:prom:range: source "${req.id}" is not Prometheus`,
      );
    const end = Math.floor(Date.now() / 1000 / req.step_s) * req.step_s;
    try {
      const points = await s.client.rateHistory(req.query, end - req.range_s, end, req.step_s);
      return { points, step_s: req.step_s, source: s.name, query: req.query };
    } catch (e) {
      throw new ApiError(
        'unavailable',
        `live:prom:range: ${s.client.scrub(e instanceof Error ? e.message : String(e))}`,
      );
    }
  }

  /** Whether this service can remember passwords. */
  secrets(): ReplyOf<'live:secrets'> {
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
      throw new ApiError(
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
      if (e instanceof ApiError) throw e;
      throw new ApiError(
        'unavailable',
        `${channel}: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
  }

  /** Remember a saved connection's password (encrypted by the vault). */
  async secretSave(r: ParsedRequestOf<'live:secret:save'>): Promise<ReplyOf<'live:secret:save'>> {
    const vault = this.vault('live:secret:save');
    await this.guarded('live:secret:save', () => vault.set(r.id, r.password));
    return { saved: true };
  }

  /** Forget a saved connection's remembered password. */
  async secretForget(
    r: ParsedRequestOf<'live:secret:forget'>,
  ): Promise<ReplyOf<'live:secret:forget'>> {
    const vault = this.options.passwords;
    if (!vault) return { forgotten: false };
    return { forgotten: await this.guarded('live:secret:forget', () => vault.delete(r.id)) };
  }

  /** A source config with its remembered password filled in (when it names one and has none). */
  async withRemembered(r: SourceConfig): Promise<SourceConfig> {
    if (r.kind !== 'redis' || r.secret_id === undefined) return r;
    const { secret_id: secretId, ...rest } = r;
    if (rest.password) return rest;
    const vault = this.vault('live:connect');
    const password = await this.guarded('live:connect', () => vault.get(secretId));
    if (password === null)
      throw new ApiError(
        'not_found',
        `live:connect: no password is remembered for saved connection ${secretId}; enter it again`,
      );
    return { ...rest, password };
  }

  /** Stop every source and replay and finish any recording. */
  async close(): Promise<void> {
    await this.recordStop();
    for (const r of this.replays.values()) r.timers.forEach(clearTimeout);
    this.replays.clear();
    this.owners.clear();
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
    throw new ApiError(
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
      throw new ApiError('invalid_request', `${file}:${lineNo}: not JSON`);
    }
    const rec = obj as { type?: string; schema?: string };
    if (lineNo === 1) {
      if (rec.type !== 'header' || rec.schema !== 'peakline.live-recording/v1')
        throw new ApiError(
          'invalid_request',
          `${file}:1: not a Peakline live recording (no peakline.live-recording/v1 header)`,
        );
      continue;
    }
    if (rec.type !== 'sample') continue;
    const { type: _t, ...rest } = obj as Record<string, unknown>;
    const r = SampleSchema.safeParse(rest);
    if (!r.success)
      throw new ApiError('invalid_request', describeIssues(`${file}:${lineNo}`, r.error.issues));
    out.push(r.data);
  }
  return out;
}
