// A simulation worker in this thread, for tests (jsdom has no Web Worker): its messages cross a
// macrotask boundary like a real one's, and what it runs is the real simulation (serveRun).
import { serveRun } from './runSim';
import type { FromWorker, ToWorker } from './protocol';
import type { WorkerLike } from './runner';

/** A worker whose messages cross a macrotask boundary, like a real one; terminate drops output. */
export class InProcessWorker implements WorkerLike {
  onmessage: ((ev: MessageEvent<FromWorker>) => void) | null = null;
  onerror: ((ev: ErrorEvent) => void) | null = null;
  terminated = false;
  private wanted: Int32Array | undefined;
  postMessage(message: ToWorker): void {
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
