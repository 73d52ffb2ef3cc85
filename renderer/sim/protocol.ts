// Messages between the console and its simulation Web Worker. Runs carry an id; the console
// drops anything whose id is not the latest it asked for.
import type { Scenario } from '../../sim-core/schema';
import type { SimResult } from '../../sim-core/result';
import type { AnalyticView } from './analytic';

export type ToWorker = InitWorker | RunRequest;

/**
 * Sent once to a new worker when the page is cross-origin isolated: an Int32 in shared memory
 * holding the id of the run the console wants. A run whose id is no longer there stops at its
 * next progress poll (a few ms) and the worker, still warm, takes the next one.
 */
export interface InitWorker {
  type: 'init';
  wanted: SharedArrayBuffer;
}

export type RunRequest = {
  type: 'run';
  id: number;
  /** Validated, defaults filled in. */
  scenario: Scenario;
  /** Most series points worth sending (about 2 per pixel of the widest chart). */
  maxPoints: number;
  /**
   * Measured seconds of a quick preview to run and report first (same scenario and seed, the
   * measured window cut short, warm-up kept), or 0 for none.
   */
  previewS?: number;
};

export type FromWorker =
  | { type: 'started'; id: number }
  | { type: 'progress'; id: number; fraction: number }
  | { type: 'preview'; id: number; result: SimResult; analytic: AnalyticView | null }
  | { type: 'result'; id: number; result: SimResult; analytic: AnalyticView | null }
  | { type: 'error'; id: number; message: string }
  | { type: 'cancelled'; id: number };
