// Messages between the console and its simulation Web Worker. Runs carry an id; the console
// drops anything whose id is not the latest it asked for.
import type { Scenario } from '../../sim-core/schema';
import type { SimResult } from '../../sim-core/result';
import type { AnalyticView } from '../store/types';

export type ToWorker = {
  type: 'run';
  id: number;
  /** Validated, defaults filled in. */
  scenario: Scenario;
  /** Most series points worth sending (about 2 per pixel of the widest chart). */
  maxPoints: number;
};

export type FromWorker =
  | { type: 'started'; id: number }
  | { type: 'progress'; id: number; fraction: number }
  | { type: 'result'; id: number; result: SimResult; analytic: AnalyticView | null }
  | { type: 'error'; id: number; message: string }
  | { type: 'cancelled'; id: number };
