// Runs a list of scenarios on a small pool of the console's simulation Web Workers (the same
// worker script as the Scenario view's, renderer/sim/worker.ts) and resolves their results in
// order: what the Forecast view needs to simulate the system at each forecast slot and to search
// for the capacity that holds the SLO. A worker that fails is replaced; `dispose` ends them all.
import type { Scenario } from '../../sim-core/schema';
import type { SimResult } from '../../sim-core/result';
import type { FromWorker } from '../sim/protocol';
import type { WorkerLike } from '../sim/runner';

/** Runs batches of scenarios on up to `size` workers. */
export class SimBatch {
  private readonly idle: WorkerLike[] = [];
  private made = 0;
  private seq = 1_000_000;
  private disposed = false;
  private readonly all = new Set<WorkerLike>();
  /** Rejects each batch still running (Cancel). */
  private readonly pending = new Set<(e: Error) => void>();

  constructor(
    private readonly createWorker: () => WorkerLike,
    private readonly size: number,
  ) {}

  private worker(): WorkerLike | null {
    const w = this.idle.pop();
    if (w) return w;
    if (this.made >= this.size) return null;
    this.made++;
    const nw = this.createWorker();
    this.all.add(nw);
    return nw;
  }

  private release(w: WorkerLike, failed: boolean): void {
    if (failed) {
      w.terminate();
      this.all.delete(w);
      this.made--;
    } else if (!this.disposed) this.idle.push(w);
  }

  /** Results of `scenarios` (validated), in their order; a run that fails rejects the batch. */
  run(scenarios: Scenario[], onDone?: (done: number) => void): Promise<SimResult[]> {
    const out: SimResult[] = new Array(scenarios.length);
    let next = 0;
    let done = 0;
    return new Promise<SimResult[]>((resolve, reject0) => {
      let failed = false;
      const reject = (e: Error) => {
        this.pending.delete(stop);
        reject0(e);
      };
      const stop = (e: Error) => {
        failed = true;
        reject(e);
      };
      this.pending.add(stop);
      const pump = () => {
        if (failed || this.disposed) return;
        while (next < scenarios.length) {
          const w = this.worker();
          if (!w) return;
          const index = next++;
          const id = ++this.seq;
          w.onmessage = (ev: MessageEvent<FromWorker>) => {
            const m = ev.data;
            if (m.id !== id) return;
            if (m.type === 'result') {
              out[index] = m.result;
              done++;
              onDone?.(done);
              this.release(w, false);
              if (done === scenarios.length) {
                this.pending.delete(stop);
                resolve(out);
              } else pump();
            } else if (m.type === 'error' || m.type === 'cancelled') {
              failed = true;
              this.release(w, m.type === 'cancelled');
              reject(new Error(m.type === 'error' ? m.message : 'cancelled'));
            }
          };
          w.onerror = (ev) => {
            ev.preventDefault?.();
            failed = true;
            this.release(w, true);
            reject(new Error(ev.message || 'the simulation worker failed'));
          };
          w.postMessage({
            type: 'run',
            id,
            scenario: scenarios[index],
            maxPoints: 2,
            analytic: false,
          });
        }
      };
      if (scenarios.length === 0) resolve(out);
      else pump();
    });
  }

  /** Stops every run now (their batches reject with "cancelled"); later runs get fresh workers. */
  cancel(): void {
    for (const w of this.all) w.terminate();
    this.all.clear();
    this.idle.length = 0;
    this.made = 0;
    for (const stop of [...this.pending]) stop(new Error('cancelled'));
  }

  /** Ends every worker. */
  dispose(): void {
    this.disposed = true;
    for (const w of this.all) w.terminate();
    this.all.clear();
    this.idle.length = 0;
  }
}
