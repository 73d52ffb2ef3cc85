// The fidelity suite's own PostgreSQL 15 cluster and pgbouncer: a fresh data directory in a temp
// folder (owned by the `postgres` user when we run as root), free ports on 127.0.0.1, settings of
// our own, and a stop that ends exactly what was started — pgbouncer by the PID we spawned, the
// cluster by `pg_ctl stop` on our data directory, any pgbench still running by its PID — and
// deletes the temp folder. stop() is synchronous so it can run from signal and exit handlers.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  appendFileSync,
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/** Where PostgreSQL's programs are: $PG_BIN, else Debian's PostgreSQL 15, else the PATH. */
export function pgBin(name: string): string {
  const dir =
    process.env.PG_BIN ??
    (existsSync('/usr/lib/postgresql/15/bin') ? '/usr/lib/postgresql/15/bin' : undefined);
  return dir ? path.join(dir, name) : name;
}

/** The database the order schema lives in (on the cluster and behind pgbouncer). */
export const DB_NAME = 'peakline';

/** A free TCP port on 127.0.0.1 (free when asked; the caller retries if it is taken by then). */
export async function freePort(): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const p = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(p));
    });
  });
}

const asRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

/** The command line that runs `cmd` as the `postgres` user when we are root (setpriv execs, so the PID is the program's own). */
function asPostgres(cmd: string, args: string[]): [string, string[]] {
  if (!asRoot()) return [cmd, args];
  return ['setpriv', ['--reuid=postgres', '--regid=postgres', '--init-groups', '--', cmd, ...args]];
}

/** Environment for every client and server we start: no PG* variables of the caller leak in. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('PG')) env[k] = v;
  return { ...env, PGSSLMODE: 'disable', PGCONNECT_TIMEOUT: '10', ...extra };
}

/** Whether a process exists and is not a zombie waiting to be reaped. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}

const sleepSync = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/** Runs a program to its end; rejects with its stderr (last lines) when it fails. */
export function runProgram(
  cmd: string,
  args: string[],
  opts: {
    env?: NodeJS.ProcessEnv;
    cwd?: string;
    /** Written to the program's stdin. */
    input?: string;
    timeoutMs?: number;
    detached?: boolean;
    track?: Set<ChildProcess>;
  } = {},
): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      env: opts.env ?? cleanEnv(),
      cwd: opts.cwd,
      stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      detached: opts.detached ?? false,
    });
    opts.track?.add(child);
    if (opts.input !== undefined) child.stdin!.end(opts.input);
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer =
      opts.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            if (child.pid !== undefined && isAlive(child.pid)) child.kill('SIGTERM');
          }, opts.timeoutMs);
    child.on('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      opts.track?.delete(child);
      reject(
        e.code === 'ENOENT' ? new Error(`${cmd} not found (is it installed and on the PATH?)`) : e,
      );
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      opts.track?.delete(child);
      if (code === 0) resolve({ stdout, stderr });
      else {
        const tail = (stderr.trim() || stdout.trim()).split('\n').slice(-4).join(' | ');
        const why = signal ? `killed by ${signal}` : `exit ${code}`;
        reject(
          new Error(
            `${path.basename(cmd)} ${args.slice(0, 3).join(' ')}… failed (${why}): ${tail}`,
          ),
        );
      }
    });
  });
}

export interface LabOptions {
  /** pgbouncer's default_pool_size. */
  poolSize: number;
  /** postgresql.conf settings of this run (e.g. max_connections, shared_buffers). */
  pgSettings: Record<string, string>;
  /** Progress lines (stderr). */
  log: (line: string) => void;
}

/** What a report records about the servers: versions, ports, settings. */
export interface LabInfo {
  postgres_version: string;
  pgbouncer_version: string;
  pgbench_version: string;
  pg_settings: Record<string, string>;
  pgbouncer_settings: Record<string, string>;
}

/** Checks that every program the suite needs is installed; one clear line naming what is missing. */
export function checkPrograms(): void {
  const missing: string[] = [];
  for (const [name, cmd] of [
    ['initdb', pgBin('initdb')],
    ['pg_ctl', pgBin('pg_ctl')],
    ['psql', pgBin('psql')],
    ['pgbench', pgBin('pgbench')],
    ['pgbouncer', 'pgbouncer'],
  ]) {
    const r = spawnSync(cmd, ['--version'], { encoding: 'utf8' });
    if (r.error) missing.push(name);
  }
  if (asRoot() && spawnSync('setpriv', ['--version']).error) missing.push('setpriv');
  if (asRoot() && spawnSync('id', ['-u', 'postgres']).status !== 0) missing.push('user postgres');
  if (missing.length)
    throw new Error(
      `missing: ${missing.join(', ')} — install PostgreSQL 15 and pgbouncer ` +
        `(apt-get install -y postgresql pgbouncer), or point $PG_BIN at PostgreSQL's bin folder`,
    );
}

/** A running PostgreSQL cluster with pgbouncer in front, both ours, in a temp folder. */
export class Lab {
  readonly dir: string;
  readonly dataDir: string;
  pgPort = 0;
  bouncerPort = 0;
  postmasterPid: number | undefined;
  private bouncer: ChildProcess | undefined;
  private stopped = false;
  /** Client processes (pgbench, psql) still running; stop() ends them by PID. */
  readonly clients = new Set<ChildProcess>();
  info: LabInfo | undefined;

  /** pgbouncer's PID while it runs. */
  get bouncerPid(): number | undefined {
    return this.bouncer?.pid;
  }

  private constructor(private readonly opts: LabOptions) {
    this.dir = mkdtempSync(path.join(os.tmpdir(), 'peakline-fidelity-'));
    this.dataDir = path.join(this.dir, 'data');
  }

  /** Creates the cluster, starts it and pgbouncer; on any failure stops what started and rethrows. */
  static async start(opts: LabOptions): Promise<Lab> {
    const lab = new Lab(opts);
    try {
      await lab.init();
      return lab;
    } catch (e) {
      lab.stop();
      throw e;
    }
  }

  private ownDir(p: string) {
    if (!asRoot()) return;
    const uid = Number(spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).stdout.trim());
    const gid = Number(spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout.trim());
    chownSync(p, uid, gid);
  }

  private async init() {
    const { log } = this.opts;
    chmodSync(this.dir, 0o700);
    this.ownDir(this.dir);
    log(`temp dir ${this.dir}`);
    const [cmd, args] = asPostgres(pgBin('initdb'), [
      '-D',
      this.dataDir,
      '-U',
      'postgres',
      '--auth=trust',
      '-E',
      'UTF8',
      '--locale=C.UTF-8',
      '--no-sync',
    ]);
    await runProgram(cmd, args);

    for (let attempt = 1; ; attempt++) {
      this.pgPort = await freePort();
      const conf: Record<string, string> = {
        listen_addresses: "'127.0.0.1'",
        port: String(this.pgPort),
        unix_socket_directories: `'${this.dir}'`,
        // the WAL flushes' time in pg_stat_wal (pgbench.ts: per repeat)
        track_wal_io_timing: 'on',
        ...this.opts.pgSettings,
      };
      appendFileSync(
        path.join(this.dataDir, 'postgresql.conf'),
        `\n# peakline fidelity (attempt ${attempt})\n` +
          Object.entries(conf)
            .map(([k, v]) => `${k} = ${v}`)
            .join('\n') +
          '\n',
      );
      const [c, a] = asPostgres(pgBin('pg_ctl'), [
        'start',
        '-D',
        this.dataDir,
        '-l',
        path.join(this.dir, 'postgres.log'),
        '-w',
        '-t',
        '60',
      ]);
      try {
        // A session of its own: a Ctrl+C in the terminal reaches us, not the server; we stop it.
        await runProgram(c, a, { detached: true });
        break;
      } catch (e) {
        const logText = this.readLog('postgres.log');
        if (attempt < 3 && /could not bind|Address already in use/.test(logText)) continue;
        throw new Error(
          `PostgreSQL did not start: ${(e as Error).message}\n${logText.slice(-800)}`,
          { cause: e },
        );
      }
    }
    this.postmasterPid = Number(
      readFileSync(path.join(this.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0],
    );
    log(`PostgreSQL on 127.0.0.1:${this.pgPort} (postmaster PID ${this.postmasterPid})`);
    await this.psql(`CREATE DATABASE ${DB_NAME}`, { db: 'postgres' });

    const bouncerSettings: Record<string, string> = {
      listen_addr: '127.0.0.1',
      unix_socket_dir: '',
      auth_type: 'trust',
      auth_file: path.join(this.dir, 'userlist.txt'),
      pool_mode: 'transaction',
      default_pool_size: String(this.opts.poolSize),
      max_client_conn: '500',
      reserve_pool_size: '0',
      logfile: path.join(this.dir, 'pgbouncer.log'),
      log_connections: '0',
      log_disconnections: '0',
      ignore_startup_parameters: 'extra_float_digits',
    };
    writeFileSync(path.join(this.dir, 'userlist.txt'), '"postgres" ""\n');
    for (let attempt = 1; ; attempt++) {
      this.bouncerPort = await freePort();
      const ini = [
        '[databases]',
        `${DB_NAME} = host=127.0.0.1 port=${this.pgPort} dbname=${DB_NAME} user=postgres`,
        '[pgbouncer]',
        `listen_port = ${this.bouncerPort}`,
        ...Object.entries(bouncerSettings).map(([k, v]) => `${k} = ${v}`),
        '',
      ].join('\n');
      const iniPath = path.join(this.dir, 'pgbouncer.ini');
      writeFileSync(iniPath, ini);
      for (const f of ['userlist.txt', 'pgbouncer.ini']) this.ownDir(path.join(this.dir, f));
      const [c, a] = asPostgres('pgbouncer', [iniPath]);
      const child = spawn(c, a, { env: cleanEnv(), stdio: 'ignore', detached: true });
      child.unref();
      this.bouncer = child;
      let exited = false;
      child.on('exit', () => (exited = true));
      child.on('error', () => (exited = true));
      const ready = await this.waitFor(async () => {
        if (exited) return 'exited';
        try {
          await this.psql('SELECT 1', { port: this.bouncerPort, quiet: true });
          return 'ready';
        } catch {
          return undefined;
        }
      }, 15_000);
      if (ready === 'ready') break;
      const logText = this.readLog('pgbouncer.log');
      this.stopBouncer();
      if (attempt < 3 && /Address already in use/.test(logText)) continue;
      throw new Error(`pgbouncer did not start (${ready ?? 'timed out'}): ${logText.slice(-800)}`);
    }
    log(
      `pgbouncer on 127.0.0.1:${this.bouncerPort} (PID ${this.bouncer!.pid}, pool_mode transaction, default_pool_size ${this.opts.poolSize})`,
    );

    const version = (cmd: string) =>
      spawnSync(cmd, ['--version'], { encoding: 'utf8' }).stdout.split('\n')[0].trim();
    const shown: Record<string, string> = {};
    for (const name of [
      'max_connections',
      'shared_buffers',
      'synchronous_commit',
      'fsync',
      ...Object.keys(this.opts.pgSettings),
    ]) {
      shown[name] = (await this.psql(`SHOW ${name}`)).trim();
    }
    this.info = {
      postgres_version: (await this.psql('SHOW server_version')).trim(),
      pgbouncer_version: version('pgbouncer'),
      pgbench_version: version(pgBin('pgbench')),
      pg_settings: shown,
      pgbouncer_settings: {
        pool_mode: 'transaction',
        default_pool_size: String(this.opts.poolSize),
        max_client_conn: '500',
        auth_type: 'trust',
      },
    };
  }

  private readLog(name: string): string {
    try {
      return readFileSync(path.join(this.dir, name), 'utf8');
    } catch {
      return '';
    }
  }

  private async waitFor<T>(
    probe: () => Promise<T | undefined>,
    ms: number,
  ): Promise<T | undefined> {
    const until = Date.now() + ms;
    for (;;) {
      const r = await probe();
      if (r !== undefined || Date.now() > until) return r;
      await new Promise((res) => setTimeout(res, 100));
    }
  }

  /** The port clients use in a mode: the cluster itself, or pgbouncer. */
  port(mode: 'direct' | 'pooled'): number {
    return mode === 'direct' ? this.pgPort : this.bouncerPort;
  }

  /** A folder inside the temp dir for client files (pgbench scripts and logs). */
  subdir(name: string): string {
    const p = path.join(this.dir, name);
    mkdirSync(p, { recursive: true });
    return p;
  }

  /** Runs SQL with psql (from stdin: each statement its own transaction; ON_ERROR_STOP), returns its unaligned output. */
  async psql(
    sql: string,
    o: { db?: string; port?: number; quiet?: boolean } = {},
  ): Promise<string> {
    const { stdout } = await runProgram(
      pgBin('psql'),
      [
        '-h',
        '127.0.0.1',
        '-p',
        String(o.port ?? this.pgPort),
        '-U',
        'postgres',
        '-d',
        o.db ?? DB_NAME,
        '-X',
        '-v',
        'ON_ERROR_STOP=1',
        '-Atq',
        '-f',
        '-',
      ],
      {
        timeoutMs: 600_000,
        track: this.clients,
        input: `SET client_min_messages = warning;\n${sql}\n`,
      },
    );
    return stdout;
  }

  /** The environment for client programs (pgbench): no PG* variables of the caller. */
  clientEnv(): NodeJS.ProcessEnv {
    return cleanEnv();
  }

  private stopBouncer() {
    const pid = this.bouncer?.pid;
    this.bouncer = undefined;
    if (pid === undefined || !isAlive(pid)) return;
    process.kill(pid, 'SIGTERM');
    for (let i = 0; i < 50 && isAlive(pid); i++) sleepSync(100);
    if (isAlive(pid)) process.kill(pid, 'SIGKILL');
    this.opts.log(`pgbouncer stopped (PID ${pid})`);
  }

  /** Stops pgbench/psql still running, pgbouncer, then the cluster; deletes the temp dir. Idempotent. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    for (const child of this.clients)
      if (child.pid !== undefined && isAlive(child.pid)) process.kill(child.pid, 'SIGTERM');
    this.stopBouncer();
    if (existsSync(path.join(this.dataDir, 'postmaster.pid'))) {
      const stop = (mode: string) => {
        const [c, a] = asPostgres(pgBin('pg_ctl'), [
          'stop',
          '-D',
          this.dataDir,
          '-m',
          mode,
          '-w',
          '-t',
          '30',
        ]);
        return spawnSync(c, a, { env: cleanEnv(), stdio: 'ignore' }).status === 0;
      };
      if (!stop('fast') && this.postmasterPid && isAlive(this.postmasterPid)) stop('immediate');
      this.opts.log(`PostgreSQL stopped (postmaster PID ${this.postmasterPid ?? '?'})`);
    }
    rmSync(this.dir, { recursive: true, force: true });
    this.opts.log(`temp dir removed`);
  }
}
