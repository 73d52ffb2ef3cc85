// How busy the machine was with work that is not ours while a point was measured: the CPU time of
// the whole machine (/proc/stat) minus that of our process trees (this node process with pgbench
// and pgbouncer below it, and the postmaster with its backends), in cores. Linux only; elsewhere
// the figures are absent. A shared 2-core machine makes this matter: others' load is noise.
import { readdirSync, readFileSync } from 'node:fs';

/** CPU times in clock ticks at one instant. */
export interface CpuSample {
  /** All CPUs, every state (idle included). */
  total: number;
  /** Stolen by the hypervisor. */
  steal: number;
  /** Non-idle, non-steal time of all CPUs. */
  busy: number;
  /** Non-idle time of our process trees (live processes plus reaped children). */
  ours: number;
}

/** The fields of a /proc/PID/stat line after the command name: state is [0], ppid [1], utime [11]. */
function statFields(text: string): string[] {
  return text.slice(text.lastIndexOf(')') + 2).split(' ');
}

/** One `cpu…` line of /proc/stat: total, busy (not idle/iowait/steal) and steal ticks. */
function cpuLineTicks(line: string): { total: number; busy: number; steal: number } {
  // user nice system idle iowait irq softirq steal guest guest_nice (guest is inside user)
  const v = line.trim().split(/\s+/).slice(1, 9).map(Number);
  const [user, nice, system, idle, iowait, irq, softirq, steal] = v;
  return {
    total: user + nice + system + idle + iowait + irq + softirq + steal,
    busy: user + nice + system + irq + softirq,
    steal,
  };
}

/** Parses /proc/stat's aggregate `cpu` line: total, busy (not idle/iowait/steal) and steal ticks. */
export function parseProcStat(text: string): { total: number; busy: number; steal: number } {
  const line = text.split('\n').find((l) => l.startsWith('cpu '));
  if (!line) throw new Error('/proc/stat has no cpu line');
  return cpuLineTicks(line);
}

/** Every process now: its parent and utime+stime+cutime+cstime, by pid (from /proc). */
function processTable(): Map<number, { ppid: number; ticks: number }> {
  const procs = new Map<number, { ppid: number; ticks: number }>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const f = statFields(readFileSync(`/proc/${name}/stat`, 'utf8'));
      const ticks = Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
      procs.set(Number(name), { ppid: Number(f[1]), ticks });
    } catch {
      // the process ended while we looked
    }
  }
  return procs;
}

/** The pids of the process trees below `roots` (roots included), none of `exclude` nor below. */
function treeOf(
  procs: Map<number, { ppid: number }>,
  roots: number[],
  exclude: ReadonlySet<number> = new Set(),
): Set<number> {
  const ours = new Set(roots.filter((p) => procs.has(p) && !exclude.has(p)));
  for (let grew = true; grew;) {
    grew = false;
    for (const [pid, p] of procs)
      if (!ours.has(pid) && !exclude.has(pid) && ours.has(p.ppid)) {
        ours.add(pid);
        grew = true;
      }
  }
  return ours;
}

/** Each CPU's busy and total ticks from /proc/stat's `cpuN` lines, in CPU order. */
export function parsePerCpu(text: string): { busy: number; total: number }[] {
  return text
    .split('\n')
    .filter((l) => /^cpu\d+ /.test(l))
    .map((l) => {
      const { busy, total } = cpuLineTicks(l);
      return { busy, total };
    });
}

/**
 * How busy each CPU was between two readings of parsePerCpu (0..1 each, in CPU order): a
 * scheduler that packs work onto fewer cores shows as one CPU far busier than the other.
 */
export function perCpuBusy(
  a: { busy: number; total: number }[],
  b: { busy: number; total: number }[],
): number[] | undefined {
  if (a.length === 0 || a.length !== b.length) return undefined;
  const out = a.map((x, i) => {
    const dt = b[i].total - x.total;
    return dt > 0 ? Math.round(((b[i].busy - x.busy) / dt) * 1000) / 1000 : NaN;
  });
  return out.every(Number.isFinite) ? out : undefined;
}

/** utime+stime+cutime+cstime of every process in the trees below `roots` (roots included). */
export function treeTicks(roots: number[]): number {
  const procs = processTable();
  let sum = 0;
  for (const pid of treeOf(procs, roots)) sum += procs.get(pid)!.ticks;
  return sum;
}

/** utime+stime of one process (its own CPU, not its children's), or 0 when it is gone. */
export function selfTicks(pid: number): number {
  try {
    const f = statFields(readFileSync(`/proc/${pid}/stat`, 'utf8'));
    return Number(f[11]) + Number(f[12]);
  } catch {
    return 0;
  }
}

/** CPU ticks of the measured system's parts at one instant (differences are what they used). */
export interface PartTicks {
  /** The postmaster and its backends. */
  postgres: number;
  pgbouncer: number;
  /** The load generator: everything below this process but pgbouncer and the process itself. */
  pgbench: number;
}

/** The parts' ticks now (pgbench's own count once it has been reaped), or undefined without /proc. */
export function samplePartTicks(
  postmasterPid: number | undefined,
  bouncerPid: number | undefined,
): PartTicks | undefined {
  try {
    readFileSync('/proc/stat', 'utf8');
  } catch {
    return undefined;
  }
  const pgbouncer = bouncerPid === undefined ? 0 : treeTicks([bouncerPid]);
  return {
    postgres: postmasterPid === undefined ? 0 : treeTicks([postmasterPid]),
    pgbouncer,
    pgbench: treeTicks([process.pid]) - pgbouncer - selfTicks(process.pid),
  };
}

/** Milliseconds of CPU per transaction each part used between two samples. */
export function cpuPerTransaction(
  a: PartTicks | undefined,
  b: PartTicks | undefined,
  transactions: number,
  ticksPerSecond = 100,
): PartTicks | undefined {
  if (!a || !b || !(transactions > 0)) return undefined;
  const ms = (d: number) =>
    Math.round((Math.max(0, d) * 1000 * 1000) / ticksPerSecond / transactions) / 1000;
  return {
    postgres: ms(b.postgres - a.postgres),
    pgbouncer: ms(b.pgbouncer - a.pgbouncer),
    pgbench: ms(b.pgbench - a.pgbench),
  };
}

/** A sample now, or undefined where /proc is not there. */
export function sampleCpu(roots: number[]): CpuSample | undefined {
  try {
    const s = parseProcStat(readFileSync('/proc/stat', 'utf8'));
    return { ...s, ours: treeTicks(roots) };
  } catch {
    return undefined;
  }
}

/** Between two samples: cores used by everything not ours, and the steal share (percent). */
export function othersBetween(
  a: CpuSample | undefined,
  b: CpuSample | undefined,
  cpus: number,
): { others_cores: number; steal_pct: number } | undefined {
  if (!a || !b || b.total <= a.total) return undefined;
  const elapsedPerCpu = (b.total - a.total) / cpus;
  const others = Math.max(0, b.busy - a.busy - (b.ours - a.ours));
  return {
    others_cores: others / elapsedPerCpu,
    steal_pct: ((b.steal - a.steal) / (b.total - a.total)) * 100,
  };
}

/**
 * Waits until processes other than ours use less than `below` cores over a one-second window, or
 * until `maxWaitS` seconds have passed; returns how long it waited and the last window's figure.
 */
export async function waitForQuiet(
  roots: number[],
  cpus: number,
  below: number,
  maxWaitS: number,
  onBusy: (othersCores: number) => void,
): Promise<{ waited_s: number; others_cores?: number }> {
  const start = Date.now();
  let told = false;
  for (;;) {
    const a = sampleCpu(roots);
    await new Promise((r) => setTimeout(r, 1000));
    const o = othersBetween(a, sampleCpu(roots), cpus);
    const waited_s = Math.round((Date.now() - start) / 100) / 10;
    if (!o || o.others_cores < below || waited_s >= maxWaitS)
      return { waited_s, others_cores: o?.others_cores };
    if (!told) onBusy(o.others_cores);
    told = true;
  }
}

/**
 * What the scheduler did for each thread of the measured system's parts at one instant, from
 * /proc/PID/task/TID/schedstat (time on a CPU and time runnable but waiting for one, in ns, and
 * how many times it was given a CPU), by thread id; undefined without /proc.
 */
export type SchedSample = Record<keyof PartTicks, Map<number, [number, number, number]>>;

function threadsOf(pids: number[]): Map<number, [number, number, number]> {
  const out = new Map<number, [number, number, number]>();
  for (const pid of pids) {
    let tids: string[];
    try {
      tids = readdirSync(`/proc/${pid}/task`);
    } catch {
      continue;
    }
    for (const tid of tids) {
      try {
        const v = readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').trim().split(/\s+/);
        out.set(Number(tid), [Number(v[0]), Number(v[1]), Number(v[2])]);
      } catch {
        // the thread ended while we looked
      }
    }
  }
  return out;
}

/**
 * The scheduler's figures of the parts' threads now: the postmaster's tree, pgbouncer's, and the
 * load generator's (below this process, but not pgbouncer nor this process itself).
 */
export function sampleSched(
  postmasterPid: number | undefined,
  bouncerPid: number | undefined,
): SchedSample | undefined {
  try {
    readFileSync(`/proc/${process.pid}/schedstat`, 'utf8');
  } catch {
    return undefined;
  }
  const procs = processTable();
  const bouncer = bouncerPid === undefined ? new Set<number>() : treeOf(procs, [bouncerPid]);
  const pgbench = treeOf(procs, [process.pid], bouncer);
  pgbench.delete(process.pid);
  return {
    postgres: threadsOf(postmasterPid === undefined ? [] : [...treeOf(procs, [postmasterPid])]),
    pgbouncer: threadsOf([...bouncer]),
    pgbench: threadsOf([...pgbench]),
  };
}

/** Per transaction, for one part: ms on a CPU, ms runnable but waiting for one, times given one. */
export interface SchedPerTx {
  cpu_ms: number;
  runq_ms: number;
  slices: number;
}

/**
 * What each part's threads did per transaction between two samples, over the threads alive at
 * both (a thread that began or ended between them is left out: connections open at the start of
 * a run and close at its end, so samples inside the run see every connection's whole work there).
 */
export function schedPerTransaction(
  a: SchedSample | undefined,
  b: SchedSample | undefined,
  transactions: number,
): Record<keyof PartTicks, SchedPerTx> | undefined {
  if (!a || !b || !(transactions > 0)) return undefined;
  const part = (
    x: Map<number, [number, number, number]>,
    y: Map<number, [number, number, number]>,
  ) => {
    let cpu = 0;
    let wait = 0;
    let slices = 0;
    for (const [tid, v1] of y) {
      const v0 = x.get(tid);
      if (!v0) continue;
      cpu += v1[0] - v0[0];
      wait += v1[1] - v0[1];
      slices += v1[2] - v0[2];
    }
    const r = (v: number) => Math.round(v * 1000) / 1000;
    return {
      cpu_ms: r(cpu / 1e6 / transactions),
      runq_ms: r(wait / 1e6 / transactions),
      slices: Math.round((slices / transactions) * 100) / 100,
    };
  };
  return {
    postgres: part(a.postgres, b.postgres),
    pgbouncer: part(a.pgbouncer, b.pgbouncer),
    pgbench: part(a.pgbench, b.pgbench),
  };
}
