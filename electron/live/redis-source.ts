// A Redis source: one standalone server, or a whole Redis Cluster found from a seed node
// (`CLUSTER NODES`: every master and replica). Each node has its own connection, state and
// back-off. Figures come from INFO deltas (ops/s from `total_commands_processed`, hit ratio from
// keyspace hits/misses), queue depths from TYPE then LLEN / XLEN / ZCARD of configured keys, and
// the slowlog on demand. Never MONITOR, never KEYS, no key scans. Our own polling commands are
// subtracted from ops/s so an idle server reads 0.
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { Redis, type RedisOptions } from 'ioredis';
import type {
  NodeSample,
  QueueDepth,
  RedisSourceConfig,
  SlowlogEntry,
  SourceInfo,
  SourceState,
} from '../api/contract';
import { backoffMs, redactUrl, Source, type Reading, type SourceSink } from './source';

/** Connect and command timeouts (ms): a hung server marks the node down, never stalls others. */
const CONNECT_TIMEOUT_MS = 2000;
const COMMAND_TIMEOUT_MS = 2000;

/** INFO as a flat map of `field → value`. */
export function parseInfo(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    if (!line || line.startsWith('#')) continue;
    const i = line.indexOf(':');
    if (i > 0) out.set(line.slice(0, i), line.slice(i + 1));
  }
  return out;
}

/** One line of `CLUSTER NODES`. */
export interface ClusterNodeLine {
  id: string;
  host: string;
  port: number;
  flags: string[];
  masterId: string | null;
  linkState: string;
  slots: string[];
}

/** Parse `CLUSTER NODES` output (skips nodes without an address or still in handshake). */
export function parseClusterNodes(text: string): ClusterNodeLine[] {
  const out: ClusterNodeLine[] = [];
  for (const line of text.split(/\r?\n/)) {
    const f = line.trim().split(' ');
    if (f.length < 8) continue;
    const flags = f[2].split(',');
    if (flags.includes('noaddr') || flags.includes('handshake')) continue;
    const addr = f[1].split('@')[0].split(',')[0];
    const colon = addr.lastIndexOf(':');
    const host = addr.slice(0, colon).replace(/^\[|\]$/g, '');
    const port = Number(addr.slice(colon + 1));
    if (!host || !Number.isInteger(port) || port <= 0) continue;
    out.push({
      id: f[0],
      host,
      port,
      flags,
      masterId: f[3] === '-' ? null : f[3],
      linkState: f[7],
      slots: f.slice(8).filter((s) => !s.startsWith('[')),
    });
  }
  return out;
}

interface Counters {
  t: number;
  commands: number;
  hits: number;
  misses: number;
  evicted: number;
  expired: number;
}

/** One node: its connection, back-off and the previous INFO counters. */
class NodeConn {
  client: Redis | null = null;
  connecting: Promise<Redis> | null = null;
  state: SourceState = 'connecting';
  error: string | null = null;
  failures = 0;
  nextRetry = 0;
  prev: Counters | null = null;
  /** Commands we sent since the previous INFO, that one included (subtracted from ops/s). */
  own = 0;
  /** Keyspace hits and misses our own queue-depth reads caused (subtracted from the hit ratio). */
  ownHits = 0;
  ownMisses = 0;
  nodeId: string | null = null;
  role: NodeSample['role'] = 'unknown';
  master: string | null = null;
  masterId: string | null = null;
  slots: string[] = [];
  info: Map<string, string> | null = null;
  /** Keyspace hits and misses during the last interval. */
  lastLookups: { hits: number; misses: number } | null = null;
  last: Omit<
    NodeSample,
    'address' | 'node_id' | 'role' | 'master' | 'status' | 'error' | 'slots'
  > | null = null;

  constructor(
    readonly host: string,
    readonly port: number,
    private readonly options: RedisOptions,
  ) {}

  get address(): string {
    return `${this.host.includes(':') ? `[${this.host}]` : this.host}:${this.port}`;
  }

  /** A ready client, connecting first if needed. */
  async ready(): Promise<Redis> {
    if (this.client && this.client.status === 'ready') return this.client;
    if (this.connecting) return this.connecting;
    this.drop();
    const client = new Redis({ ...this.options, host: this.host, port: this.port });
    // Failures surface through the awaited commands; the event's text is kept because a
    // refused AUTH only says "Connection is closed." to the connect() promise.
    let lastError: string | null = null;
    client.on('error', (e: Error) => (lastError = e.message));
    this.client = client;
    this.connecting = client
      .connect()
      .then(() => {
        this.prev = null;
        this.own = 0;
        this.ownHits = 0;
        this.ownMisses = 0;
        return client;
      })
      .catch((e: unknown) => {
        this.drop();
        const m = errorText(e);
        throw new Error(lastError && /closed/i.test(m) ? lastError : m, { cause: e });
      })
      .finally(() => {
        this.connecting = null;
      });
    return this.connecting;
  }

  /** Run one command of ours (counted so it is not reported as load). */
  async call(command: string, ...args: (string | number)[]): Promise<unknown> {
    const c = await this.ready();
    this.own += 1;
    return c.call(command, ...args);
  }

  drop(): void {
    const c = this.client;
    this.client = null;
    if (c) c.disconnect(false);
  }

  markUp(): void {
    this.state = 'up';
    this.error = null;
    this.failures = 0;
    this.nextRetry = 0;
  }

  markDown(message: string): void {
    this.state = 'down';
    this.error = message;
    this.failures += 1;
    this.nextRetry = Date.now() + backoffMs(this.failures);
    this.prev = null;
    this.last = null;
    this.drop();
  }
}

const num = (m: Map<string, string>, k: string): number | null => {
  const v = m.get(k);
  if (v === undefined) return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
};

/** Masters by their first slot, each followed by its replicas; anything else last. */
function ordered(nodes: NodeConn[]): NodeConn[] {
  const firstSlot = (n: NodeConn) => (n.slots.length ? Number(n.slots[0].split('-')[0]) : Infinity);
  const masters = nodes
    .filter((n) => n.role !== 'replica')
    .sort((a, b) => firstSlot(a) - firstSlot(b));
  const out: NodeConn[] = [];
  for (const m of masters) {
    out.push(m);
    out.push(...nodes.filter((r) => r.role === 'replica' && r.master === m.address));
  }
  out.push(...nodes.filter((n) => !out.includes(n)));
  return out;
}

const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** A Redis source (standalone or cluster). */
export class RedisSource extends Source {
  private readonly nodes = new Map<string, NodeConn>();
  private readonly options: RedisOptions;
  private readonly password: string | undefined;
  private readonly seed: NodeConn;
  /** Whether the whole cluster is watched (asked for, or found from INFO `cluster_enabled:1`). */
  private clusterMode: boolean;

  constructor(
    id: string,
    private readonly config: RedisSourceConfig,
    sink: SourceSink,
  ) {
    const url = new URL(config.url);
    super(id, 'redis', redactUrl(config.url), config.interval_s, sink);
    this.clusterMode = config.cluster;
    const username = config.username ?? (decodeURIComponent(url.username) || undefined);
    this.password = config.password ?? (decodeURIComponent(url.password) || undefined);
    const db = Number(url.pathname.replace(/^\//, '') || 0);
    const tls: RedisOptions['tls'] =
      url.protocol === 'rediss:'
        ? {
            ...(isIP(url.hostname.replace(/^\[|\]$/g, '')) ? {} : { servername: url.hostname }),
            rejectUnauthorized: !(config.tls?.insecure_skip_verify ?? false),
            ...(config.tls?.ca_file ? { ca: readFileSync(config.tls.ca_file) } : {}),
          }
        : undefined;
    this.options = {
      username,
      password: this.password,
      db: config.cluster || !Number.isInteger(db) ? 0 : db,
      tls,
      lazyConnect: true,
      retryStrategy: () => null,
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
      connectTimeout: CONNECT_TIMEOUT_MS,
      commandTimeout: COMMAND_TIMEOUT_MS,
      connectionName: 'peakline-watch',
    };
    const host = url.hostname.replace(/^\[|\]$/g, '');
    this.seed = new NodeConn(host, Number(url.port || 6379), this.options);
    this.nodes.set(this.seed.address, this.seed);
  }

  protected override describe(): Pick<SourceInfo, 'cluster' | 'queue_keys' | 'has_password'> {
    return {
      cluster: this.clusterMode,
      queue_keys: this.config.queue_keys,
      has_password: !!this.password,
    };
  }

  protected override scrub(message: string): string {
    return this.password ? message.split(this.password).join('***') : message;
  }

  protected async reset(): Promise<void> {
    for (const n of this.nodes.values()) if (n.state !== 'up') n.drop();
  }

  protected async dispose(): Promise<void> {
    for (const n of this.nodes.values()) n.drop();
  }

  protected async read(): Promise<Reading> {
    if (this.clusterMode) await this.discover();
    const now = Date.now();
    const targets = [...this.nodes.values()];
    await Promise.all(
      targets.map(async (n) => {
        if (n.state === 'down' && now < n.nextRetry) return;
        try {
          await this.readNode(n);
          n.markUp();
        } catch (e) {
          n.markDown(this.scrub(errorText(e)));
        }
      }),
    );
    const up = targets.filter((n) => n.state === 'up');
    if (up.length === 0) {
      const first = targets.find((n) => n.error)?.error ?? 'no node reachable';
      throw new Error(targets.length === 1 ? first : `no node reachable (${first})`);
    }
    this.joinReplication(targets);
    const nodes = ordered(targets).map((n) => this.nodeSample(n));
    const queues = await this.queueDepths(up);
    const sum = (k: keyof NodeSample) => {
      const vals = nodes.filter((n) => n.status === 'up').map((n) => n[k] as number | null);
      return vals.some((v) => v !== null) ? vals.reduce<number>((a, v) => a + (v ?? 0), 0) : null;
    };
    let hits = 0;
    let lookups = 0;
    for (const n of up) {
      const d = n.lastLookups;
      if (d) {
        hits += d.hits;
        lookups += d.hits + d.misses;
      }
    }
    const down = targets.filter((n) => n.state !== 'up');
    const depths = queues.filter((q) => q.depth !== null);
    return {
      metrics: {
        ops_per_sec: sum('ops_per_sec'),
        hit_ratio: lookups > 0 ? hits / lookups : null,
        connected_clients: sum('connected_clients'),
        blocked_clients: sum('blocked_clients'),
        used_memory_bytes: sum('used_memory_bytes'),
        evicted_keys_per_sec: sum('evicted_keys_per_sec'),
        expired_keys_per_sec: sum('expired_keys_per_sec'),
        queue_depth_total: depths.length ? depths.reduce((a, q) => a + (q.depth ?? 0), 0) : null,
        nodes_up: up.length,
        nodes_total: targets.length,
      },
      nodes,
      queues,
      degraded: down.length
        ? `${down.length} of ${targets.length} nodes down: ${down.map((n) => `${n.address} (${n.error})`).join('; ')}`
        : null,
    };
  }

  /** Learn every master and replica from any reachable node's `CLUSTER NODES`. */
  private async discover(): Promise<void> {
    const candidates = [...this.nodes.values()].sort(
      (a, b) => Number(b.state === 'up') - Number(a.state === 'up'),
    );
    for (const n of candidates) {
      if (n.state === 'down' && Date.now() < n.nextRetry) continue;
      let text: string;
      try {
        text = String(await n.call('CLUSTER', 'NODES'));
      } catch (e) {
        n.markDown(this.scrub(errorText(e)));
        continue;
      }
      const lines = parseClusterNodes(text);
      const byId = new Map(lines.map((l) => [l.id, l]));
      for (const l of lines) {
        let conn: NodeConn | undefined;
        if (l.flags.includes('myself')) conn = n;
        else {
          const key = new NodeConn(l.host, l.port, this.options).address;
          conn = this.nodes.get(key) ?? [...this.nodes.values()].find((c) => c.nodeId === l.id);
          if (!conn) {
            conn = new NodeConn(l.host, l.port, this.options);
            this.nodes.set(conn.address, conn);
          }
        }
        conn.nodeId = l.id;
        conn.role = l.flags.includes('master')
          ? 'master'
          : l.flags.includes('slave')
            ? 'replica'
            : 'unknown';
        conn.slots = l.slots;
        conn.masterId = l.masterId;
        const m = l.masterId ? byId.get(l.masterId) : undefined;
        conn.master = m ? `${m.host}:${m.port}` : null;
      }
      return;
    }
  }

  private async readNode(n: NodeConn): Promise<void> {
    const own = n.own;
    const ownHits = n.ownHits;
    const ownMisses = n.ownMisses;
    const text = String(await n.call('INFO'));
    const info = parseInfo(text);
    n.info = info;
    const now = Date.now();
    const cur: Counters = {
      t: now,
      commands: num(info, 'total_commands_processed') ?? 0,
      hits: num(info, 'keyspace_hits') ?? 0,
      misses: num(info, 'keyspace_misses') ?? 0,
      evicted: num(info, 'evicted_keys') ?? 0,
      expired: num(info, 'expired_keys') ?? 0,
    };
    if (n === this.seed && !this.clusterMode && info.get('cluster_enabled') === '1') {
      // A cluster node given without --cluster: watch the whole cluster from the next reading.
      this.clusterMode = true;
    }
    if (!this.clusterMode) {
      const role = info.get('role');
      n.role = role === 'master' ? 'master' : role === 'slave' ? 'replica' : 'unknown';
      n.master = role === 'slave' ? `${info.get('master_host')}:${info.get('master_port')}` : null;
    }
    const prev = n.prev;
    let ops: number | null = null;
    let evicted: number | null = null;
    let expired: number | null = null;
    n.lastLookups = null;
    if (prev && now > prev.t) {
      const dt = (now - prev.t) / 1000;
      // A counter that went down means the server restarted: count from zero.
      const delta = (a: number, b: number) => (a >= b ? a - b : a);
      const ourCommands = own; // commands of ours since the previous INFO, that one included
      ops = Math.max(0, delta(cur.commands, prev.commands) - ourCommands) / dt;
      evicted = delta(cur.evicted, prev.evicted) / dt;
      expired = delta(cur.expired, prev.expired) / dt;
      n.lastLookups = {
        hits: Math.max(0, delta(cur.hits, prev.hits) - ownHits),
        misses: Math.max(0, delta(cur.misses, prev.misses) - ownMisses),
      };
    }
    n.prev = cur;
    // INFO's own count shows in the next reply, so it starts the next interval's tally.
    n.own = 1;
    n.ownHits = 0;
    n.ownMisses = 0;
    const lk = n.lastLookups;
    n.last = {
      ops_per_sec: ops,
      hit_ratio: lk && lk.hits + lk.misses > 0 ? lk.hits / (lk.hits + lk.misses) : null,
      connected_clients: num(info, 'connected_clients'),
      blocked_clients: num(info, 'blocked_clients'),
      used_memory_bytes: num(info, 'used_memory'),
      evicted_keys_per_sec: evicted,
      expired_keys_per_sec: expired,
      replication_lag_s: null,
      replication_lag_bytes: null,
    };
  }

  /** Replicas: lag from their master's `slaveN:` lines (seconds, and offset difference in bytes). */
  private joinReplication(nodes: NodeConn[]): void {
    const byAddr = new Map(nodes.map((n) => [n.address, n]));
    for (const r of nodes) {
      if (r.role !== 'replica' || !r.last || !r.info) continue;
      const own = num(r.info, 'slave_repl_offset') ?? num(r.info, 'master_repl_offset');
      const m = r.master ? byAddr.get(r.master) : undefined;
      if (!m?.info) {
        const io = num(r.info, 'master_last_io_seconds_ago');
        r.last.replication_lag_s = io !== null && io >= 0 ? io : null;
        continue;
      }
      const mOffset = num(m.info, 'master_repl_offset');
      for (const [k, v] of m.info) {
        if (!/^slave\d+$/.test(k)) continue;
        const f = new Map(v.split(',').map((kv) => kv.split('=') as [string, string]));
        if (`${f.get('ip')}:${f.get('port')}` !== r.address) continue;
        const lag = Number(f.get('lag'));
        r.last.replication_lag_s = Number.isFinite(lag) ? lag : null;
        const off = Number(f.get('offset'));
        if (mOffset !== null && Number.isFinite(off))
          r.last.replication_lag_bytes = Math.max(0, mOffset - off);
      }
      if (r.last.replication_lag_bytes === null && mOffset !== null && own !== null)
        r.last.replication_lag_bytes = Math.max(0, mOffset - own);
    }
  }

  private nodeSample(n: NodeConn): NodeSample {
    const last = n.last;
    return {
      address: n.address,
      node_id: n.nodeId,
      role: n.role,
      master: n.master,
      status: n.state,
      error: n.error,
      slots: n.slots,
      ops_per_sec: last?.ops_per_sec ?? null,
      hit_ratio: last?.hit_ratio ?? null,
      connected_clients: last?.connected_clients ?? null,
      blocked_clients: last?.blocked_clients ?? null,
      used_memory_bytes: last?.used_memory_bytes ?? null,
      evicted_keys_per_sec: last?.evicted_keys_per_sec ?? null,
      expired_keys_per_sec: last?.expired_keys_per_sec ?? null,
      replication_lag_s: last?.replication_lag_s ?? null,
      replication_lag_bytes: last?.replication_lag_bytes ?? null,
    };
  }

  /** Depth of each configured key, asked of the node that owns it (following MOVED once). */
  private async queueDepths(up: NodeConn[]): Promise<QueueDepth[]> {
    const out: QueueDepth[] = [];
    const masters = up.filter((n) => n.role !== 'replica');
    const first = masters[0] ?? up[0];
    for (const key of this.config.queue_keys) {
      try {
        out.push({ key, ...(await this.depthOn(first, key, 1)), error: null });
      } catch (e) {
        out.push({ key, type: 'unknown', depth: null, error: this.scrub(errorText(e)) });
      }
    }
    return out;
  }

  private async depthOn(
    n: NodeConn,
    key: string,
    hops: number,
  ): Promise<{ type: string; depth: number }> {
    try {
      const type = String(await n.call('TYPE', key));
      if (type === 'none') n.ownMisses++;
      else n.ownHits++;
      const cmd: Record<string, string> = {
        list: 'LLEN',
        stream: 'XLEN',
        zset: 'ZCARD',
        set: 'SCARD',
        hash: 'HLEN',
      };
      if (type === 'none') return { type, depth: 0 };
      const c = cmd[type];
      if (!c) return { type, depth: 1 };
      const depth = Number(await n.call(c, key));
      n.ownHits++;
      return { type, depth };
    } catch (e) {
      const m = /^(?:MOVED|ASK) \d+ (\S+):(\d+)/.exec(errorText(e));
      if (!m || hops <= 0) throw e;
      const target = this.nodeFor(m[1], Number(m[2]));
      return this.depthOn(target, key, hops - 1);
    }
  }

  private nodeFor(host: string, port: number): NodeConn {
    const probe = new NodeConn(host, port, this.options);
    const existing = this.nodes.get(probe.address);
    if (existing) return existing;
    this.nodes.set(probe.address, probe);
    return probe;
  }

  /** The slowlog of every reachable node, newest first. */
  async slowlog(count: number): Promise<SlowlogEntry[]> {
    const out: SlowlogEntry[] = [];
    for (const n of this.nodes.values()) {
      if (n.state !== 'up') continue;
      try {
        const rows = (await n.call('SLOWLOG', 'GET', count)) as unknown[];
        for (const row of rows) {
          const r = row as unknown[];
          const args = Array.isArray(r[3])
            ? (r[3] as unknown[]).map((a) => String(a).slice(0, 200))
            : [];
          out.push({
            node: n.address,
            id: Number(r[0]),
            t: Number(r[1]) * 1000,
            duration_us: Number(r[2]),
            command: this.password ? args.map((a) => this.scrub(a)) : args,
            client: r[4] !== undefined ? String(r[4]) : null,
          });
        }
      } catch (e) {
        n.markDown(this.scrub(errorText(e)));
      }
    }
    return out
      .sort((a, b) => b.t - a.t || b.duration_us - a.duration_us)
      .slice(0, count * Math.max(1, this.nodes.size));
  }
}
