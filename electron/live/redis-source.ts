// A Redis source: one standalone server, or a whole Redis Cluster found from a seed node
// (`CLUSTER NODES`: every master and replica). Each node has its own connection, state, back-off
// and probe, and is polled on its own: a node that has not answered by a tick's deadline is
// `not_answering` in that sample while the others keep their interval. Figures come from INFO
// deltas (ops/s from `total_commands_processed` less replication, hit ratio from keyspace
// hits/misses), queue depths from TYPE then LLEN / XLEN / ZCARD of configured keys, and the
// slowlog on demand. Never MONITOR, never KEYS, no key scans. Our own polling commands are
// subtracted from ops/s so an idle server reads 0. In a cluster, role changes between samples
// are events (a replica promoted, a master turned replica, a node down, not answering, back).
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { Redis, type RedisOptions } from 'ioredis';
import type {
  NodeEvent,
  NodeSample,
  NodeState,
  QueueDepth,
  RedisSourceConfig,
  SlowlogEntry,
  SourceInfo,
  SourceState,
} from '../api/contract';
import {
  jitteredBackoffMs,
  NotYet,
  redactUrl,
  Source,
  tcpReachable,
  unreachable,
  type Reading,
  type SourceSink,
} from './source';

/**
 * Connect timeout, and the longest a node may leave a command unanswered before it is marked
 * down (at least; three intervals when those are longer). Until then a node that has not answered
 * by a tick's deadline is shown `not_answering` while the others keep their interval: no node
 * ever holds up a sample.
 */
const CONNECT_TIMEOUT_MS = 2000;
const NODE_TIMEOUT_MS = 10_000;

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
  /** `calls` of every command in INFO commandstats (empty when the server did not give them). */
  calls: Map<string, number>;
}

/** INFO commandstats as `command → calls` (`cmdstat_set:calls=3,…` → set: 3). */
export function commandCalls(info: Map<string, string>): Map<string, number> {
  const out = new Map<string, number>();
  for (const [k, v] of info) {
    if (!k.startsWith('cmdstat_')) continue;
    const m = /(?:^|,)calls=(\d+)/.exec(v);
    if (m) out.set(k.slice('cmdstat_'.length), Number(m[1]));
  }
  return out;
}

/**
 * Commands that reach a node over replication rather than from a client. A replica is read-only:
 * a client's write is refused there (counted in `rejected_calls`, not `calls`), so every write
 * command it executed came from its master's stream, with the MULTI/EXEC around transactions and
 * scripts' effects and the SELECTs of that stream; REPLCONF, PSYNC and SYNC are the replication
 * protocol itself (a replica's acknowledgements, counted on its master). The stream's PINGs (one
 * every 10 s) are left as client load.
 */
const REPLICATION_PROTOCOL = ['replconf', 'psync', 'sync'];
const REPLICA_STREAM_EXTRA = ['multi', 'exec', 'select'];

/** One node: its connection, back-off and the previous INFO counters. */
class NodeConn {
  client: Redis | null = null;
  connecting: Promise<Redis> | null = null;
  state: SourceState = 'connecting';
  error: string | null = null;
  failures = 0;
  nextRetry = 0;
  /** While backing off: whether the last probe reached it (see `Source`). */
  reachable: boolean | null = null;
  /** The poll (or probe) still under way, when it started, and which it is. */
  inflight: Promise<void> | null = null;
  inflightSince = 0;
  inflightKind: 'read' | 'probe' = 'read';
  /** When its figures were last taken into a sample (a reply by the deadline). */
  lastAt = 0;
  /** INFO sections asked for (`INFO all` for servers that take one section only). */
  infoArgs: string[] = ['default', 'commandstats'];
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
  /** Its own `CLUSTER NODES`, when it answered in time this tick. */
  view: ClusterNodeLine[] | null = null;
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
    this.connecting = null;
    if (c) c.disconnect(false);
  }

  markUp(): void {
    this.state = 'up';
    this.error = null;
    this.failures = 0;
    this.nextRetry = 0;
    this.reachable = null;
  }

  markDown(message: string): void {
    this.state = 'down';
    this.error = message;
    this.failures += 1;
    this.nextRetry = Date.now() + jitteredBackoffMs(this.failures);
    this.reachable = unreachable(message) ? false : null;
    this.prev = null;
    this.last = null;
    this.view = null;
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

/** An error reply of the server (not a lost connection or a timeout). */
const isReplyError = (e: unknown): boolean => e instanceof Error && e.name === 'ReplyError';

/** A Redis source (standalone or cluster). */
export class RedisSource extends Source {
  private readonly nodes = new Map<string, NodeConn>();
  private readonly options: RedisOptions;
  private readonly password: string | undefined;
  private readonly seed: NodeConn;
  /** Whether the whole cluster is watched (asked for, or found from INFO `cluster_enabled:1`). */
  private clusterMode: boolean;
  /** Nodes are polled, backed off and probed one by one (see `read`). */
  protected override readonly pacesItself = true;
  /** Write commands (lower case) as the server lists them; null when it cannot say. */
  private writeCommands: Set<string> | null | undefined = undefined;
  private learning: Promise<void> | null = null;
  /** Whether the sample of the tick under way is still to be made (a reply after is late). */
  private open = false;
  /** Each node's role, master and state in the previous sample (for events). */
  private seen = new Map<
    string,
    { role: NodeSample['role']; master: string | null; status: NodeState }
  >();

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
      commandTimeout: Math.max(NODE_TIMEOUT_MS, config.interval_s * 3000),
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

  /** Nodes reconnect by themselves (their own back-off and probes): nothing to reset. */
  protected async reset(): Promise<void> {}

  protected async dispose(): Promise<void> {
    for (const n of this.nodes.values()) n.drop();
  }

  protected override retryAt(): number | null {
    const waits = [...this.nodes.values()]
      .filter((n) => n.state === 'down')
      .map((n) => n.nextRetry);
    return waits.length ? Math.min(...waits) : null;
  }

  /**
   * One tick: every node not still busy with an earlier question is polled at once (INFO, and
   * CLUSTER NODES in a cluster) — or, while it backs off, probed with a TCP connect — and the
   * sample is made from the replies in by the deadline (four fifths of the interval). A node
   * that has not answered is `not_answering` in this sample; its reply, when it comes after the
   * deadline, is dropped whole (the next reading's rates then span from the last one shown), so
   * a late reply never skews a rate.
   */
  protected async read(): Promise<Reading> {
    const started = Date.now();
    const deadline = started + Math.max(100, this.intervalS * 800);
    this.open = true;
    for (const n of this.nodes.values()) if (!n.inflight) this.startPoll(n);
    const busy = [...this.nodes.values()].flatMap((n) => (n.inflight ? [n.inflight] : []));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled(busy),
      new Promise<void>((r) => (timer = setTimeout(r, Math.max(0, deadline - Date.now())))),
    ]);
    clearTimeout(timer);
    // Replies already received but not yet read (this process was busy when the deadline came)
    // are read first: a node is not answering only when its reply has not arrived.
    await new Promise<void>((r) => setImmediate(r));
    this.open = false;
    if (this.clusterMode) this.mergeTopology(started);
    const targets = [...this.nodes.values()];
    const hanging = (n: NodeConn) =>
      n.state === 'up' && n.inflight !== null && n.inflightKind === 'read';
    const answered = targets.filter((n) => n.state === 'up' && !hanging(n) && n.lastAt >= started);
    const hung = targets.filter(hanging);
    const down = targets.filter((n) => n.state === 'down');
    if (answered.length === 0) {
      if (hung.length) throw new Error(`${hung.map((n) => n.address).join(', ')} not answering`);
      const first = down.find((n) => n.error)?.error;
      if (!first) throw new NotYet('connecting');
      throw new Error(targets.length === 1 ? first : `no node reachable (${first})`);
    }
    this.joinReplication(answered);
    const nodes = ordered(targets).map((n) => this.nodeSample(n, started, hanging(n)));
    const events = this.clusterMode || nodes.length > 1 ? this.events(nodes) : [];
    const queues = await this.queueDepths(answered, deadline);
    const sum = (
      k:
        | 'ops_per_sec'
        | 'replication_ops_per_sec'
        | 'connected_clients'
        | 'blocked_clients'
        | 'used_memory_bytes'
        | 'evicted_keys_per_sec'
        | 'expired_keys_per_sec',
    ) => {
      const vals = nodes.filter((n) => n.status === 'up').map((n) => n[k]);
      return vals.some((v) => v !== null) ? vals.reduce<number>((a, v) => a + (v ?? 0), 0) : null;
    };
    let hits = 0;
    let lookups = 0;
    for (const n of answered) {
      const d = n.lastLookups;
      if (d) {
        hits += d.hits;
        lookups += d.hits + d.misses;
      }
    }
    const depths = queues.filter((q) => q.depth !== null);
    const bad = [
      ...down.map((n) => `${n.address} (${n.error})`),
      ...hung.map(
        (n) =>
          `${n.address} not answering (${((Date.now() - n.inflightSince) / 1000).toFixed(1)} s)`,
      ),
    ];
    const what =
      down.length && hung.length ? 'down or not answering' : down.length ? 'down' : 'not answering';
    return {
      metrics: {
        ops_per_sec: sum('ops_per_sec'),
        replication_ops_per_sec: sum('replication_ops_per_sec'),
        hit_ratio: lookups > 0 ? hits / lookups : null,
        connected_clients: sum('connected_clients'),
        blocked_clients: sum('blocked_clients'),
        used_memory_bytes: sum('used_memory_bytes'),
        evicted_keys_per_sec: sum('evicted_keys_per_sec'),
        expired_keys_per_sec: sum('expired_keys_per_sec'),
        queue_depth_total: depths.length ? depths.reduce((a, q) => a + (q.depth ?? 0), 0) : null,
        nodes_up: answered.length,
        nodes_total: targets.length,
      },
      nodes,
      queues,
      ...(events.length ? { events } : {}),
      degraded: bad.length
        ? `${bad.length} of ${targets.length} nodes ${what}: ${bad.join('; ')}`
        : null,
    };
  }

  /** Start polling a node (or probing it while it backs off); never awaited past a deadline. */
  private startPoll(n: NodeConn): void {
    const backingOff = n.state === 'down' && Date.now() < n.nextRetry;
    n.inflightKind = backingOff ? 'probe' : 'read';
    n.inflightSince = Date.now();
    const work = backingOff ? this.probeNode(n) : this.pollNode(n);
    n.inflight = work.finally(() => {
      n.inflight = null;
    });
  }

  /** While backing off: a TCP connect; a node that refused and now accepts is read at once. */
  private async probeNode(n: NodeConn): Promise<void> {
    const ok = await tcpReachable(n.host, n.port, Math.min(1000, this.intervalS * 800));
    const back = ok && n.reachable === false;
    n.reachable = ok;
    if (back) {
      n.inflightKind = 'read';
      await this.pollNode(n);
    }
  }

  private async pollNode(n: NodeConn): Promise<void> {
    const limit = Math.max(NODE_TIMEOUT_MS, this.intervalS * 3000);
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.readNode(n),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`no reply within ${Math.round(limit / 1000)} s`)),
            limit,
          );
        }),
      ]);
      n.markUp();
    } catch (e) {
      n.markDown(this.scrub(errorText(e)));
    } finally {
      clearTimeout(timer);
    }
  }

  /** Write commands as the server names them (`COMMAND LIST FILTERBY`, else `COMMAND`), once. */
  private learnWriteCommands(n: NodeConn): Promise<void> {
    if (this.writeCommands !== undefined) return Promise.resolve();
    this.learning ??= (async () => {
      try {
        const names = (await n.call('COMMAND', 'LIST', 'FILTERBY', 'ACLCAT', 'write')) as string[];
        this.writeCommands = new Set(names.map((x) => String(x).toLowerCase()));
      } catch (e) {
        // Only the server's refusal says it cannot list them; a lost connection asks again later.
        if (!isReplyError(e)) throw e;
        try {
          const rows = (await n.call('COMMAND')) as unknown[][];
          this.writeCommands = new Set(
            rows
              .filter(
                (r) => Array.isArray(r[2]) && (r[2] as unknown[]).map(String).includes('write'),
              )
              .map((r) => String(r[0]).toLowerCase()),
          );
        } catch (e2) {
          if (!isReplyError(e2)) throw e2;
          this.writeCommands = null;
        }
      }
    })().finally(() => {
      this.learning = null;
    });
    return this.learning;
  }

  /**
   * One round trip: CLUSTER NODES (in a cluster) and INFO with the command statistics, pipelined
   * (`INFO all` where a server takes one section only). Returns our commands that INFO's counters
   * include (CLUSTER NODES, those of earlier intervals), the INFO text and the view.
   */
  private async ask(n: NodeConn): Promise<{ own: number; info: string; view: string | null }> {
    const c = await n.ready();
    const cmds: string[][] = this.clusterMode ? [['CLUSTER', 'NODES']] : [];
    cmds.push(['INFO', ...n.infoArgs]);
    const own = n.own + cmds.length - 1;
    n.own += cmds.length;
    const pipe = c.pipeline();
    for (const [name, ...args] of cmds) void pipe.call(name, ...args);
    const replies = (await pipe.exec()) ?? [];
    const failed = replies.find(([e]) => e)?.[0];
    if (failed) {
      if (n.infoArgs[0] === 'all' || !isReplyError(failed) || replies.at(-1)?.[0] !== failed)
        throw failed;
      n.infoArgs = ['all'];
      return this.ask(n);
    }
    return {
      own,
      info: String(replies.at(-1)?.[1]),
      view: this.clusterMode ? String(replies[0][1]) : null,
    };
  }

  /**
   * The topology from the nodes that answered this tick: each node's own line (`myself`) says its
   * role, master and slots first-hand; nodes that did not answer take the first view that lists
   * them; addresses never seen before become new nodes (polled from the next tick).
   */
  private mergeTopology(started: number): void {
    const fresh = [...this.nodes.values()].filter((n) => n.view && n.lastAt >= started);
    const settled = new Set<NodeConn>();
    const apply = (conn: NodeConn, l: ClusterNodeLine, view: ClusterNodeLine[]) => {
      conn.nodeId = l.id;
      conn.role = l.flags.includes('master')
        ? 'master'
        : l.flags.includes('slave')
          ? 'replica'
          : 'unknown';
      conn.slots = l.slots;
      conn.masterId = l.masterId;
      const m = l.masterId ? view.find((x) => x.id === l.masterId) : undefined;
      conn.master = m ? new NodeConn(m.host, m.port, this.options).address : null;
      settled.add(conn);
    };
    for (const n of fresh) {
      const me = n.view!.find((l) => l.flags.includes('myself'));
      if (me) apply(n, me, n.view!);
    }
    for (const n of fresh)
      for (const l of n.view!) {
        if (l.flags.includes('myself')) continue;
        const key = new NodeConn(l.host, l.port, this.options).address;
        let conn = this.nodes.get(key) ?? [...this.nodes.values()].find((c) => c.nodeId === l.id);
        if (!conn) {
          conn = new NodeConn(l.host, l.port, this.options);
          this.nodes.set(conn.address, conn);
        }
        if (!settled.has(conn)) apply(conn, l, n.view!);
      }
  }

  /** What changed for each node since the previous sample. */
  private events(nodes: NodeSample[]): NodeEvent[] {
    const out: NodeEvent[] = [];
    for (const n of nodes) {
      const was = this.seen.get(n.address);
      this.seen.set(n.address, { role: n.role, master: n.master, status: n.status });
      if (!was) continue;
      if (was.role === 'replica' && n.role === 'master')
        out.push({ kind: 'promoted', node: n.address, was_replica_of: was.master });
      else if (was.role === 'master' && n.role === 'replica')
        out.push({ kind: 'demoted', node: n.address, replica_of: n.master });
      if (was.status === n.status) continue;
      if (n.status === 'down') out.push({ kind: 'down', node: n.address, error: n.error });
      else if (n.status === 'not_answering') out.push({ kind: 'not_answering', node: n.address });
      else if (n.status === 'up' && was.status !== 'connecting')
        out.push({ kind: 'up', node: n.address });
    }
    return out;
  }

  private async readNode(n: NodeConn): Promise<void> {
    await this.learnWriteCommands(n);
    const ownHits = n.ownHits;
    const ownMisses = n.ownMisses;
    const { own, info: text, view } = await this.ask(n);
    const now = Date.now();
    if (!this.open && n.prev) {
      // Late for the sample it was asked for: dropped whole, so the next reading's deltas run
      // from the last reading shown (our commands since then stay counted in `own`).
      return;
    }
    const info = parseInfo(text);
    n.info = info;
    n.view = view === null ? null : parseClusterNodes(view);
    const cur: Counters = {
      t: now,
      commands: num(info, 'total_commands_processed') ?? 0,
      hits: num(info, 'keyspace_hits') ?? 0,
      misses: num(info, 'keyspace_misses') ?? 0,
      evicted: num(info, 'evicted_keys') ?? 0,
      expired: num(info, 'expired_keys') ?? 0,
      calls: commandCalls(info),
    };
    if (n === this.seed && !this.clusterMode && info.get('cluster_enabled') === '1') {
      // A cluster node given without --cluster: watch the whole cluster from the next reading.
      this.clusterMode = true;
    }
    const infoRole = info.get('role');
    if (!this.clusterMode) {
      n.role = infoRole === 'master' ? 'master' : infoRole === 'slave' ? 'replica' : 'unknown';
      n.master =
        infoRole === 'slave' ? `${info.get('master_host')}:${info.get('master_port')}` : null;
    }
    const prev = n.prev;
    let ops: number | null = null;
    let replication: number | null = null;
    let window: number | null = null;
    let evicted: number | null = null;
    let expired: number | null = null;
    n.lastLookups = null;
    if (prev && now > prev.t) {
      const dt = (now - prev.t) / 1000;
      window = dt;
      // A counter that went down means the server restarted: count from zero.
      const delta = (a: number, b: number) => (a >= b ? a - b : a);
      const ourCommands = own; // commands of ours since the previous INFO, that one included
      const total = Math.max(0, delta(cur.commands, prev.commands) - ourCommands);
      // Replication: what this node executed because its master (or its replicas) sent it.
      let replicated: number | null = null;
      if (cur.calls.size > 0) {
        const fromStream =
          infoRole === 'slave'
            ? this.writeCommands
              ? [...this.writeCommands, ...REPLICA_STREAM_EXTRA, ...REPLICATION_PROTOCOL]
              : null
            : REPLICATION_PROTOCOL;
        if (fromStream) {
          replicated = 0;
          for (const c of new Set(fromStream)) {
            const a = cur.calls.get(c);
            if (a !== undefined) replicated += delta(a, prev.calls.get(c) ?? 0);
          }
          replicated = Math.min(replicated, total);
        }
      }
      ops = (total - (replicated ?? 0)) / dt;
      replication = replicated === null ? null : replicated / dt;
      evicted = delta(cur.evicted, prev.evicted) / dt;
      expired = delta(cur.expired, prev.expired) / dt;
      n.lastLookups = {
        hits: Math.max(0, delta(cur.hits, prev.hits) - ownHits),
        misses: Math.max(0, delta(cur.misses, prev.misses) - ownMisses),
      };
    }
    n.prev = cur;
    n.lastAt = now;
    // INFO's own count shows in the next reply, so it starts the next interval's tally.
    n.own = 1;
    n.ownHits = 0;
    n.ownMisses = 0;
    const lk = n.lastLookups;
    n.last = {
      ops_per_sec: ops,
      replication_ops_per_sec: replication,
      window_s: window,
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

  private nodeSample(n: NodeConn, started: number, hanging: boolean): NodeSample {
    const last = n.state === 'up' && !hanging && n.lastAt >= started ? n.last : null;
    return {
      address: n.address,
      node_id: n.nodeId,
      role: n.role,
      master: n.master,
      status: hanging ? 'not_answering' : n.state,
      error: hanging
        ? `no reply for ${((Date.now() - n.inflightSince) / 1000).toFixed(1)} s`
        : n.error,
      slots: n.slots,
      ops_per_sec: last?.ops_per_sec ?? null,
      replication_ops_per_sec: last?.replication_ops_per_sec ?? null,
      window_s: last?.window_s ?? null,
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
  private async queueDepths(up: NodeConn[], deadline: number): Promise<QueueDepth[]> {
    if (this.config.queue_keys.length === 0) return [];
    const masters = up.filter((n) => n.role !== 'replica');
    const first = masters[0] ?? up[0];
    const out: QueueDepth[] = this.config.queue_keys.map((key) => ({
      key,
      type: 'unknown',
      depth: null,
      error: 'no reply in time',
    }));
    const all = (async () => {
      for (const [i, key] of this.config.queue_keys.entries()) {
        try {
          out[i] = { key, ...(await this.depthOn(first, key, 1)), error: null };
        } catch (e) {
          out[i] = { key, type: 'unknown', depth: null, error: this.scrub(errorText(e)) };
        }
      }
    })();
    // A little past the nodes' deadline, never a whole interval: a hung owner leaves its keys
    // unread in this sample ("no reply in time") instead of holding it up.
    let timer: NodeJS.Timeout | undefined;
    const wait = Math.max(100, deadline + this.intervalS * 150 - Date.now());
    await Promise.race([all, new Promise<void>((r) => (timer = setTimeout(r, wait)))]);
    clearTimeout(timer);
    return out.map((q) => ({ ...q }));
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
