// Test helpers for the queue stories: the real `peakline` bin as a child process (a worker, or a
// plan/sweep with --redis) with its stderr as lines to wait for, stopped by PID; and a look at the
// queue's jobs in Redis through BullMQ, as an operator would look.
import { spawn, type ChildProcess } from 'node:child_process';
import readline from 'node:readline';
import { Queue } from 'bullmq';
import { bin, root } from '../cli/testing';
import { QUEUE_NAME, QUEUE_PREFIX } from './protocol';

/** A `peakline …` child: stdout kept whole, stderr as lines. */
export class Peakline {
  readonly proc: ChildProcess;
  stdout = '';
  readonly errLines: string[] = [];
  private waiters: { pred: (l: string) => boolean; resolve: (l: string) => void }[] = [];
  readonly exited: Promise<number | null>;

  constructor(args: string[]) {
    this.proc = spawn(process.execPath, [bin, ...args], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NO_COLOR: '1' },
    });
    this.exited = new Promise((r) => this.proc.once('exit', (code) => r(code)));
    this.proc.stdout!.on('data', (d: Buffer) => (this.stdout += d.toString()));
    readline.createInterface({ input: this.proc.stderr! }).on('line', (line) => {
      this.errLines.push(line);
      this.waiters = this.waiters.filter((w) => {
        if (!w.pred(line)) return true;
        w.resolve(line);
        return false;
      });
    });
  }

  get stderr(): string {
    return this.errLines.join('\n');
  }

  /** The first stderr line (already printed or to come) that satisfies `pred`. */
  waitErr(pred: (l: string) => boolean, timeoutMs = 60_000): Promise<string> {
    const seen = this.errLines.find(pred);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no such stderr line in time; stderr:\n${this.stderr}`)),
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

  /** Sends a signal by PID (if it still runs). */
  signal(sig: NodeJS.Signals): void {
    if (this.proc.pid !== undefined && this.proc.exitCode === null && this.proc.signalCode === null)
      process.kill(this.proc.pid, sig);
  }
}

/** The queue's jobs as Redis holds them. */
export async function queueJobs(port: number) {
  const q = new Queue(QUEUE_NAME, {
    connection: { host: '127.0.0.1', port },
    prefix: QUEUE_PREFIX,
  });
  try {
    const counts = await q.getJobCounts();
    const completed = await q.getJobs(['completed'], 0, -1);
    return { counts, completed };
  } finally {
    await q.close();
  }
}
