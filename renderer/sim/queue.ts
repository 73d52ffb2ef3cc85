// Runs whole scenarios one after another on a simulation Web Worker of its own, every request
// answered — unlike SimRunner, where the newest change wins. The Live view's twin simulates its
// band with it, off the UI thread. The worker is made on first use and kept for the next run.
import type { Scenario } from '../../sim-core/schema';
import type { SimResult } from '../../sim-core/result';
import type { FromWorker } from './protocol';
import type { WorkerLike } from './runner';

interface Waiting {
  resolve: (result: SimResult) => void;
  reject: (error: Error) => void;
}

/** A queue of simulation runs on one worker (see the module comment). */
export class SimQueue {
  private worker: WorkerLike | null = null;
  private nextId = 1;
  private readonly waiting = new Map<number, Waiting>();
  private tail: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly createWorker: () => WorkerLike,
    /** Most series points worth keeping. */
    private readonly maxPoints = 800,
  ) {}

  /** Simulates `scenario` (validated, defaults filled in) once the runs asked before are done. */
  run(scenario: Scenario): Promise<SimResult> {
    const result = this.tail.then(() => this.send(scenario));
    this.tail = result.catch(() => undefined);
    return result;
  }

  /** Stops the worker; runs not done yet fail. */
  dispose(): void {
    this.fail('the simulation was stopped');
  }

  private send(scenario: Scenario): Promise<SimResult> {
    return new Promise((resolve, reject) => {
      const id = this.nextId++;
      this.waiting.set(id, { resolve, reject });
      this.ensureWorker().postMessage({
        type: 'run',
        id,
        scenario,
        maxPoints: this.maxPoints,
        previewS: 0,
      });
    });
  }

  private ensureWorker(): WorkerLike {
    if (this.worker) return this.worker;
    const w = this.createWorker();
    w.onmessage = (ev) => this.onMessage(ev.data);
    w.onerror = (ev) => {
      ev.preventDefault?.();
      this.fail(ev.message || 'the simulation worker failed to start');
    };
    this.worker = w;
    return w;
  }

  private onMessage(msg: FromWorker): void {
    const waiting = this.waiting.get(msg.id);
    if (!waiting) return;
    if (msg.type === 'result') waiting.resolve(msg.result);
    else if (msg.type === 'error') waiting.reject(new Error(msg.message));
    else if (msg.type === 'cancelled') waiting.reject(new Error('the simulation was cancelled'));
    else return;
    this.waiting.delete(msg.id);
  }

  private fail(message: string): void {
    this.worker?.terminate();
    this.worker = null;
    for (const w of this.waiting.values()) w.reject(new Error(message));
    this.waiting.clear();
  }
}
