// For tests in jsdom, which has no Web Worker: a worker transport in the same process that runs
// the real simulation (serveRun → simulate), its messages crossing a macrotask boundary like a
// real worker's; terminate drops what it would still say.
import { serveRun } from './runSim';
import type { FromWorker, ToWorker } from './protocol';
import type { WorkerLike } from './runner';

/** A simulation worker in this process (see the module comment). */
export class InProcessWorker implements WorkerLike {
  onmessage: ((ev: MessageEvent<FromWorker>) => void) | null = null;
  onerror: ((ev: ErrorEvent) => void) | null = null;
  terminated = false;
  /** Every message it was sent, by type, in order. */
  readonly received: ToWorker['type'][] = [];
  private wanted: Int32Array | undefined;

  postMessage(message: ToWorker): void {
    this.received.push(message.type);
    if (message.type === 'init') {
      this.wanted = new Int32Array(message.wanted);
      return;
    }
    setTimeout(() => {
      if (this.terminated) return;
      serveRun(
        message,
        (m) =>
          setTimeout(
            () => !this.terminated && this.onmessage?.({ data: m } as MessageEvent<FromWorker>),
            0,
          ),
        this.wanted,
      );
    }, 0);
  }

  terminate(): void {
    this.terminated = true;
  }
}
