// Test helpers for the live tests: real `redis-server` processes on free ports (standalone or a
// cluster made with `redis-cli --cluster create`), stopped by PID; a real `prometheus` on a free
// port with its own config and TSDB (optionally backfilled with `promtool`), stopped by PID;
// waiting on a LiveService for a sample that satisfies a condition; a request as the API handler hands it to the service
// (validated, defaults filled in); and spawning the real `peakline` bin with line-by-line output.
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { promisify } from 'node:util';
import {
  requests,
  type LiveRequestChannel,
  type ParsedRequestOf,
  type RequestOf,
  type Sample,
} from '../api/contract';
import type { LiveService } from './service';

const run = promisify(execFile);

/** A free TCP port on 127.0.0.1 (and, for a cluster, its +10000 bus port). */
export async function freePort(withBus = false): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const srv = net.createServer();
      srv.once('error', reject);
      srv.listen(0, '127.0.0.1', () => {
        const p = (srv.address() as net.AddressInfo).port;
        srv.close(() => resolve(p));
      });
    });
    if (!withBus) return port;
    if (port + 10000 > 65535) continue;
    const busFree = await new Promise<boolean>((resolve) => {
      const srv = net.createServer();
      srv.once('error', () => resolve(false));
      srv.listen(port + 10000, '127.0.0.1', () => srv.close(() => resolve(true)));
    });
    if (busFree) return port;
  }
}

/** A redis-server child process. */
export class RedisProcess {
  proc: ChildProcess | null = null;

  constructor(
    readonly port: number,
    readonly dir: string,
    private readonly extra: string[],
  ) {}

  /** Start it and resolve once it accepts connections. */
  async start(): Promise<void> {
    const proc = spawn(
      'redis-server',
      [
        '--port',
        String(this.port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--daemonize',
        'no',
        '--dir',
        this.dir,
        ...this.extra,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.proc = proc;
    await new Promise<void>((resolve, reject) => {
      let log = '';
      const rl = readline.createInterface({ input: proc.stdout! });
      rl.on('line', (line) => {
        log += `${line}\n`;
        if (line.includes('Ready to accept connections')) {
          rl.removeAllListeners('line');
          proc.stdout!.resume();
          resolve();
        }
      });
      proc.once('exit', (code) =>
        reject(new Error(`redis-server on ${this.port} exited (${code}):\n${log}`)),
      );
    });
  }

  /** Send it a signal by PID (SIGSTOP hangs it, SIGCONT lets it go on). */
  signal(sig: NodeJS.Signals): void {
    if (this.proc?.pid !== undefined && this.proc.exitCode === null)
      process.kill(this.proc.pid, sig);
  }

  /** Kill it by PID (kill -9) and wait until it is gone. */
  async stop(): Promise<void> {
    const p = this.proc;
    this.proc = null;
    if (!p || p.exitCode !== null || p.pid === undefined) return;
    const gone = new Promise<void>((r) => p.once('exit', () => r()));
    process.kill(p.pid, 'SIGKILL');
    await gone;
  }
}

/** Start a standalone redis-server on a free port. */
export async function startRedis(extra: string[] = []): Promise<RedisProcess> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'peakline-redis-'));
  const r = new RedisProcess(await freePort(), dir, extra);
  await r.start();
  return r;
}

/** Run redis-cli against a port; resolves stdout. */
export async function redisCli(port: number, args: string[], password?: string): Promise<string> {
  const env = password ? { ...process.env, REDISCLI_AUTH: password } : process.env;
  const { stdout } = await run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args], {
    env,
  });
  return stdout;
}

/**
 * A cluster of `masters` masters with `replicas` replicas each, ready (`cluster_state:ok`).
 * `nodeTimeoutMs` is `cluster-node-timeout`: how long a node may be unreachable before the others
 * mark it failed (and, for a master, promote one of its replicas).
 */
export async function startCluster(
  masters = 3,
  replicas = 1,
  nodeTimeoutMs = 3000,
): Promise<RedisProcess[]> {
  const nodes: RedisProcess[] = [];
  for (let i = 0; i < masters * (1 + replicas); i++) {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'peakline-cluster-'));
    const n = new RedisProcess(await freePort(true), dir, [
      '--cluster-enabled',
      'yes',
      '--cluster-config-file',
      'nodes.conf',
      '--cluster-node-timeout',
      String(nodeTimeoutMs),
      // Replicas sync at once (the default waits 5 s for more replicas to share one transfer).
      '--repl-diskless-sync-delay',
      '0',
    ]);
    await n.start();
    nodes.push(n);
  }
  await run('redis-cli', [
    '--cluster',
    'create',
    ...nodes.map((n) => `127.0.0.1:${n.port}`),
    '--cluster-replicas',
    String(replicas),
    '--cluster-yes',
  ]);
  for (const n of nodes)
    await waitFor(async () =>
      (await redisCli(n.port, ['CLUSTER', 'INFO'])).includes('cluster_state:ok'),
    );
  // Replicas are only listed as such once their master has answered the handshake.
  await waitFor(async () => {
    const text = await redisCli(nodes[0].port, ['CLUSTER', 'NODES']);
    return text.split('\n').filter((l) => l.includes('slave')).length === masters * replicas;
  });
  // And replicas receive their master's stream (the initial sync is over).
  for (const n of nodes)
    await waitFor(async () => {
      const info = await redisCli(n.port, ['INFO', 'replication']);
      return info.includes('role:master') || info.includes('master_link_status:up');
    });
  return nodes;
}

/** A `live:*` request as the API handler hands it to the service: validated, defaults filled in. */
export function parsed<C extends LiveRequestChannel>(
  channel: C,
  payload: RequestOf<C>,
): ParsedRequestOf<C> {
  return requests[channel].request.parse(payload) as ParsedRequestOf<C>;
}

/** Poll a condition that has no event to await (a cluster converging), up to `timeoutMs`. */
export async function waitFor(check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Resolve with the first sample (of source `id`, if given) that satisfies `pred`. */
export function nextSample(
  svc: LiveService,
  pred: (s: Sample) => boolean,
  timeoutMs = 30_000,
): Promise<Sample> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error('no matching sample in time'));
    }, timeoutMs);
    const off = svc.on('sample', (s) => {
      if (!pred(s)) return;
      clearTimeout(timer);
      off();
      resolve(s);
    });
  });
}

/** Remove a temporary directory made by these helpers. */
export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** The real `peakline` bin as a child, with its stdout as lines. */
export class PeaklineProcess {
  readonly proc: ChildProcess;
  readonly lines: string[] = [];
  stderr = '';
  private waiters: { pred: (l: string) => boolean; resolve: (l: string) => void }[] = [];
  readonly exited: Promise<number | null>;

  constructor(args: string[], env: NodeJS.ProcessEnv = process.env) {
    const bin = path.resolve(import.meta.dirname, '../bin/peakline.mjs');
    this.proc = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env });
    this.exited = new Promise((r) => this.proc.once('exit', (code) => r(code)));
    readline.createInterface({ input: this.proc.stdout! }).on('line', (line) => {
      this.lines.push(line);
      this.waiters = this.waiters.filter((w) => {
        if (!w.pred(line)) return true;
        w.resolve(line);
        return false;
      });
    });
    this.proc.stderr!.on('data', (d: Buffer) => (this.stderr += d.toString()));
  }

  /** The first line (already printed or still to come) that satisfies `pred`. */
  waitLine(pred: (l: string) => boolean, timeoutMs = 40_000): Promise<string> {
    const seen = this.lines.find(pred);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(
              `no such line in time; stdout:\n${this.lines.join('\n')}\nstderr:\n${this.stderr}`,
            ),
          ),
        timeoutMs,
      );
      this.waiters.push({
        pred,
        resolve: (l) => {
          clearTimeout(timer);
          resolve(l);
        },
      });
    });
  }

  /** Lines after index `from` only. */
  waitLineAfter(from: number, pred: (l: string) => boolean, timeoutMs = 40_000): Promise<string> {
    let i = 0;
    return this.waitLine((l) => i++ >= from && pred(l), timeoutMs);
  }

  /** Send a signal to it (by PID). */
  signal(sig: NodeJS.Signals = 'SIGINT'): void {
    if (this.proc.pid !== undefined && this.proc.exitCode === null)
      process.kill(this.proc.pid, sig);
  }
}

/** Options of a test Prometheus server. */
export interface PrometheusOptions {
  /** `host:port` targets scraped every second under `job` (their /metrics). */
  targets?: string[];
  job?: string;
  /** OpenMetrics text (ending in `# EOF`) loaded as past data with `promtool tsdb create-blocks-from openmetrics`. */
  backfill?: string;
  /** Require HTTP basic auth with this user and password (Prometheus's own web config, bcrypt). */
  basicAuth?: { user: string; password: string };
}

/** A `prometheus` child process on a free port with its own config and TSDB in a temp dir. */
export class PrometheusProcess {
  proc: ChildProcess | null = null;
  log = '';

  constructor(
    readonly port: number,
    readonly dir: string,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Kill it by PID and wait until it is gone (its temp dir stays until `removeDir`). */
  async stop(): Promise<void> {
    const p = this.proc;
    this.proc = null;
    if (!p || p.exitCode !== null || p.pid === undefined) return;
    const gone = new Promise<void>((r) => p.once('exit', () => r()));
    process.kill(p.pid, 'SIGKILL');
    await gone;
  }
}

/** A bcrypt hash (Prometheus's web config wants one) via Python's crypt (libxcrypt). */
async function bcrypt(password: string): Promise<string> {
  const { stdout } = await run('python3', [
    '-W',
    'ignore',
    '-c',
    'import crypt,sys; print(crypt.crypt(sys.argv[1], crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=2**4)))',
    password,
  ]);
  return stdout.trim();
}

/**
 * Start /usr/bin/prometheus on a free 127.0.0.1 port (scrape interval 1 s, TSDB in a temp dir),
 * after backfilling `backfill` when given; resolves once `/-/ready` answers.
 */
export async function startPrometheus(o: PrometheusOptions = {}): Promise<PrometheusProcess> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'peakline-prom-'));
  const data = path.join(dir, 'data');
  mkdirSync(data);
  const job = o.job ?? 'peakline-demo';
  const config = [
    'global:',
    '  scrape_interval: 1s',
    '  evaluation_interval: 1s',
    'scrape_configs:',
    `  - job_name: ${JSON.stringify(job)}`,
    '    scrape_interval: 1s',
    '    scrape_timeout: 900ms',
    '    static_configs:',
    `      - targets: ${JSON.stringify(o.targets ?? [])}`,
    '',
  ].join('\n');
  writeFileSync(path.join(dir, 'prometheus.yml'), config);
  if (o.backfill !== undefined) {
    const om = path.join(dir, 'backfill.om');
    writeFileSync(om, o.backfill);
    await run('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', om, data], {
      maxBuffer: 64 * 1024 * 1024,
    });
  }
  const args = [
    `--config.file=${path.join(dir, 'prometheus.yml')}`,
    `--storage.tsdb.path=${data}`,
    '--storage.tsdb.retention.time=400d',
  ];
  if (o.basicAuth) {
    const web = path.join(dir, 'web.yml');
    writeFileSync(
      web,
      `basic_auth_users:\n  ${o.basicAuth.user}: ${JSON.stringify(await bcrypt(o.basicAuth.password))}\n`,
    );
    args.push(`--web.config.file=${web}`);
  }
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const p = new PrometheusProcess(port, dir);
    const proc = spawn('prometheus', [...args, `--web.listen-address=127.0.0.1:${port}`], {
      stdio: ['ignore', 'ignore', 'pipe'],
      cwd: dir,
    });
    p.proc = proc;
    proc.stderr!.on('data', (d: Buffer) => (p.log += d.toString()));
    const exited = new Promise<null>((r) => proc.once('exit', () => r(null)));
    const auth = o.basicAuth
      ? `Basic ${Buffer.from(`${o.basicAuth.user}:${o.basicAuth.password}`).toString('base64')}`
      : undefined;
    const ready = (async () => {
      const deadline = Date.now() + 60_000;
      while (Date.now() < deadline && proc.exitCode === null) {
        try {
          const r = await fetch(`${p.url}/-/ready`, {
            headers: auth ? { authorization: auth } : {},
          });
          if (r.ok) return true;
        } catch {
          // not listening yet
        }
        await new Promise((r) => setTimeout(r, 200));
      }
      return false;
    })();
    if (await Promise.race([ready, exited])) return p;
    await p.stop();
    if (attempt >= 2) throw new Error(`prometheus did not start:\n${p.log}`);
  }
}

/** OpenMetrics text of a counter whose rate follows `points` (t in Unix seconds, rate/s), one sample every `everyS`. */
export function counterOpenMetrics(
  name: string,
  points: readonly { t: number; rate: number }[],
  labels = 'job="history"',
  everyS = 15,
): string {
  const lines = [`# TYPE ${name} counter`];
  let total = 0;
  for (let i = 0; i < points.length; i++) {
    const next = points[i + 1]?.t ?? points[i].t + (points[i].t - (points[i - 1]?.t ?? 0));
    for (let t = points[i].t; t < next; t += everyS) {
      lines.push(`${name}_total{${labels}} ${total.toFixed(3)} ${t}`);
      total += points[i].rate * everyS;
    }
  }
  lines.push('# EOF', '');
  return lines.join('\n');
}
