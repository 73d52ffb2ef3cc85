// The order pipeline on the lab's PostgreSQL and how it is measured: the schema (items and
// orders), the pgbench script of one order transaction (uniform or Zipf-skewed items), and one
// closed-loop pgbench run whose per-transaction log gives the latency percentiles.
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  cpuPerTransaction,
  othersBetween,
  parsePerCpu,
  perCpuBusy,
  samplePartTicks,
  sampleCpu,
  sampleSched,
  schedPerTransaction,
  type SchedSample,
} from './cpu';
import { DB_NAME, pgBin, runProgram, type Lab } from './lab';
import {
  commitStalls,
  latencySummary,
  parsePgbenchLog,
  parsePgbenchSummary,
  walFigures,
  type RepeatFigures,
} from './stats';

export type Dist = 'uniform' | 'zipf';
export type Mode = 'direct' | 'pooled';

/** The items table (every item with ample stock and a price) and an empty orders table. */
export function schemaSql(items: number): string {
  return `
DROP TABLE IF EXISTS orders;
DROP TABLE IF EXISTS items;
CREATE TABLE items (id int PRIMARY KEY, stock int NOT NULL, price numeric);
INSERT INTO items SELECT g, 1000000000, round((random() * 100)::numeric, 2) FROM generate_series(1, ${items}) g;
CREATE TABLE orders (
  id bigserial PRIMARY KEY,
  item_id int,
  user_id int,
  qty int,
  created_at timestamptz DEFAULT now()
);
VACUUM ANALYZE items;`;
}

/** Run before every load point: the same starting state (empty orders, items vacuumed, a checkpoint). */
export const RESET_SQL = 'TRUNCATE orders RESTART IDENTITY; VACUUM ANALYZE items; CHECKPOINT;';

/**
 * One order transaction as a pgbench script: pick an item (uniform, or Zipf with exponent s —
 * PostgreSQL 15's random_zipfian takes s in [1.001, 1000]; item 1 is the hottest) and a user, read
 * the item, take one from its stock, insert the order.
 */
export function orderScript(dist: Dist, items: number, zipfS: number): string {
  const pick = dist === 'uniform' ? `random(1, ${items})` : `random_zipfian(1, ${items}, ${zipfS})`;
  return `\\set item ${pick}
\\set user random(1, 1000000)
BEGIN;
SELECT stock, price FROM items WHERE id = :item;
UPDATE items SET stock = stock - 1 WHERE id = :item;
INSERT INTO orders (item_id, user_id, qty) VALUES (:item, :user, 1);
COMMIT;
`;
}

/** Writes the script of a distribution into the lab's temp dir, returns its path. */
export function writeScript(lab: Lab, dist: Dist, items: number, zipfS: number): string {
  const file = path.join(lab.subdir('scripts'), `order-${dist}.sql`);
  writeFileSync(file, orderScript(dist, items, zipfS));
  return file;
}

export interface PgbenchRun {
  mode: Mode;
  script: string;
  clients: number;
  seconds: number;
}

/** pgbench's arguments for a closed loop of `clients` connections (threads: min(clients, 2)). */
export function pgbenchArgs(
  run: PgbenchRun,
  port: number,
  logPrefix: string | undefined,
): string[] {
  const args = [
    '-h',
    '127.0.0.1',
    '-p',
    String(port),
    '-U',
    'postgres',
    '-n',
    '-f',
    run.script,
    '-c',
    String(run.clients),
    '-j',
    String(Math.min(run.clients, 2)),
    '-T',
    String(run.seconds),
  ];
  if (logPrefix) args.push('--log', `--log-prefix=${logPrefix}`);
  args.push(DB_NAME);
  return args;
}

/** A run without figures, to warm caches and connections before a point is measured. */
export async function warmUp(lab: Lab, run: PgbenchRun): Promise<void> {
  if (run.seconds <= 0) return;
  await runProgram(pgBin('pgbench'), pgbenchArgs(run, lab.port(run.mode), undefined), {
    env: lab.clientEnv(),
    timeoutMs: (run.seconds + 120) * 1000,
    track: lab.clients,
  });
}

let runNo = 0;

/** One measured pgbench run: tps from its summary, latencies from its per-transaction logs. */
export async function measure(lab: Lab, run: PgbenchRun): Promise<RepeatFigures> {
  const logDir = lab.subdir('logs');
  const prefix = `run${++runNo}`;
  const roots = [process.pid, ...(lab.postmasterPid ? [lab.postmasterPid] : [])];
  const before = sampleCpu(roots);
  await lab.psql("SELECT pg_stat_reset_shared('wal')");
  const partsBefore = samplePartTicks(lab.postmasterPid, lab.bouncerPid);
  // the scheduler's figures, sampled inside the run (a second in, half a second before its end),
  // where every connection's threads are alive
  const sched: { at: number; s: SchedSample | undefined; cpus: string }[] = [];
  const procStat = () => {
    try {
      return readFileSync('/proc/stat', 'utf8');
    } catch {
      return '';
    }
  };
  const timers =
    run.seconds >= 2
      ? [1000, run.seconds * 1000 - 500].map((ms) =>
          setTimeout(
            () =>
              sched.push({
                at: Date.now(),
                s: sampleSched(lab.postmasterPid, lab.bouncerPid),
                cpus: procStat(),
              }),
            ms,
          ),
        )
      : [];
  const { stdout } = await runProgram(
    pgBin('pgbench'),
    pgbenchArgs(run, lab.port(run.mode), path.join(logDir, prefix)),
    { env: lab.clientEnv(), timeoutMs: (run.seconds + 120) * 1000, track: lab.clients },
  ).finally(() => timers.forEach(clearTimeout));
  const window = sched.length === 2 ? ([sched[0].at, sched[1].at] as const) : undefined;
  const others = othersBetween(before, sampleCpu(roots), os.cpus().length);
  const partsAfter = samplePartTicks(lab.postmasterPid, lab.bouncerPid);
  const walLine = await lab.psql('SELECT wal_sync, wal_write_time, wal_sync_time FROM pg_stat_wal');
  const [wal_sync, wal_write_time, wal_sync_time] = walLine.trim().split('|').map(Number);
  const summary = parsePgbenchSummary(stdout);
  const files = readdirSync(logDir).filter((f) => f.startsWith(`${prefix}.`));
  if (files.length === 0) throw new Error(`pgbench wrote no per-transaction log in ${logDir}`);
  const latencies: number[] = [];
  const ends: number[] = [];
  let failed = 0;
  let inWindow = 0;
  for (const f of files) {
    const log = parsePgbenchLog(readFileSync(path.join(logDir, f), 'utf8'), window);
    for (const v of log.latencies_us) latencies.push(v);
    for (const v of log.ends_ms) ends.push(v);
    failed += log.failed;
    inWindow += log.in_window ?? 0;
    rmSync(path.join(logDir, f));
  }
  const lat = latencySummary(latencies);
  const stalls = commitStalls(ends);
  const cpu = cpuPerTransaction(partsBefore, partsAfter, lat.count);
  const wal = walFigures({ wal_sync, wal_write_time, wal_sync_time }, lat.count, run.seconds);
  const schedTx = window && schedPerTransaction(sched[0].s, sched[1].s, inWindow);
  const cpuBusy = window && perCpuBusy(parsePerCpu(sched[0].cpus), parsePerCpu(sched[1].cpus));
  return {
    throughput_rps: summary.tps,
    mean_ms: lat.mean_ms,
    p50_ms: lat.p50_ms,
    p90_ms: lat.p90_ms,
    p99_ms: lat.p99_ms,
    p999_ms: lat.p999_ms,
    max_ms: lat.max_ms,
    transactions: lat.count,
    failed: Math.max(failed, summary.failed),
    connect_ms: summary.connect_ms,
    load1: os.loadavg()[0],
    ...(others && {
      others_cores: Math.round(others.others_cores * 100) / 100,
      steal_pct: Math.round(others.steal_pct * 10) / 10,
    }),
    ...(cpu && { cpu_ms_per_tx: cpu }),
    ...(wal && { wal }),
    ...(stalls && { stalls }),
    ...(schedTx && { sched_per_tx: schedTx }),
    ...(cpuBusy && { cpu_busy: cpuBusy }),
  };
}
