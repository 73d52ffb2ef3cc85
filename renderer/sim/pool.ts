// One lane of the simulation worker pool: a Web Worker (made when first needed, replaced when it
// fails, hangs or is stopped by termination), the job it runs, and the one job waiting for it.
// The runner (runner.ts) decides what each lane runs; a lane only passes on the messages of the
// job it runs now (never those of a job it has given up on or of a worker it has replaced), and
// starts the waiting job as soon as the running one ends.
import type { FromWorker, RunRequest, ToWorker } from './protocol';

/** The part of a Web Worker the pool uses. */
export interface WorkerLike {
  postMessage(message: ToWorker): void;
  terminate(): void;
  onmessage: ((ev: MessageEvent<FromWorker>) => void) | null;
  onerror: ((ev: ErrorEvent) => void) | null;
}

/** One run request for one lane: replication `part` of request `msg.id`. */
export interface LaneJob {
  part: number;
  msg: RunRequest;
}

/** A job a lane has sent to its worker, and when. */
export type SentJob = LaneJob & { startedAt: number };

export interface LaneEvents {
  /** A message of the job the lane runs; after an end (result, error, cancelled) it is free. */
  onMessage(lane: Lane, job: SentJob, msg: FromWorker): void;
  /** The job's worker failed or never said it started: it is gone and the lane is free. */
  onFailed(lane: Lane, job: SentJob, message: string): void;
}

export interface LaneOptions {
  /** A worker that has not said "started" by then is replaced and the job reported failed. */
  startTimeoutMs: number;
  now: () => number;
  /** Shared Int32 holding the id of the wanted run (sent to each new worker), or null. */
  wanted: Int32Array | null;
}

/** A worker slot of the pool (see the module comment). */
export class Lane {
  private worker: WorkerLike | null = null;
  /** The job the worker runs now, and when it was sent. */
  job: SentJob | null = null;
  private next: LaneJob | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private startTimer: ReturnType<typeof setTimeout> | null = null;
  /** Workers this lane has made (the first, and each replacement). */
  made = 0;

  constructor(
    readonly index: number,
    private readonly createWorker: () => WorkerLike,
    private readonly events: LaneEvents,
    private readonly opts: LaneOptions,
  ) {}

  /** Whether a job is running. */
  get busy(): boolean {
    return this.job !== null;
  }

  /** Runs `job` now (the lane must be free). */
  send(job: LaneJob): void {
    this.job = { ...job, startedAt: this.opts.now() };
    this.clearStartTimer();
    this.startTimer = setTimeout(() => this.onStartTimeout(), this.opts.startTimeoutMs);
    this.ensureWorker().postMessage(job.msg);
  }

  /**
   * Runs `job` when the running one ends, or after `afterMs` by replacing the worker (a stale
   * run that goes on too long). A later `queue` replaces the job waiting here.
   */
  queue(job: LaneJob, afterMs: number): void {
    this.next = job;
    this.clearTimer();
    this.timer = setTimeout(() => this.preempt(), afterMs);
  }

  /** Forgets the waiting job. */
  drop(): void {
    this.next = null;
    this.clearTimer();
  }

  /** Terminates the worker and forgets its job (the next job gets a fresh worker). */
  restart(): void {
    this.clearStartTimer();
    this.worker?.terminate();
    this.worker = null;
    this.job = null;
  }

  /** Terminates the worker for good. */
  dispose(): void {
    this.drop();
    this.restart();
  }

  private preempt(): void {
    this.timer = null;
    const next = this.next;
    this.next = null;
    if (!next) return;
    this.restart();
    this.send(next);
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private clearStartTimer(): void {
    if (this.startTimer) clearTimeout(this.startTimer);
    this.startTimer = null;
  }

  private ensureWorker(): WorkerLike {
    if (this.worker) return this.worker;
    const w = this.createWorker();
    this.made += 1;
    if (this.opts.wanted)
      w.postMessage({ type: 'init', wanted: this.opts.wanted.buffer as SharedArrayBuffer });
    w.onmessage = (ev) => this.onMessage(w, ev.data);
    w.onerror = (ev) => {
      if (w !== this.worker) return;
      ev.preventDefault?.();
      this.fail(ev.message || 'the simulation worker failed to start');
    };
    this.worker = w;
    return w;
  }

  /** The worker never answered (its script failed to load, or it hangs): replace it. */
  private onStartTimeout(): void {
    this.startTimer = null;
    if (this.job) this.fail('the simulation worker did not start');
  }

  private fail(message: string): void {
    const job = this.job;
    this.restart();
    if (job) this.events.onFailed(this, job, message);
    this.sendNext();
  }

  private sendNext(): void {
    if (this.job || !this.next) return;
    const next = this.next;
    this.drop();
    this.send(next);
  }

  private onMessage(w: WorkerLike, msg: FromWorker): void {
    const job = this.job;
    if (w !== this.worker || !job || msg.id !== job.msg.id) return;
    this.clearStartTimer();
    const ends = msg.type === 'result' || msg.type === 'error' || msg.type === 'cancelled';
    if (ends) this.job = null;
    this.events.onMessage(this, job, msg);
    if (ends) this.sendNext();
  }
}
