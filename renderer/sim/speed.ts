// How long the next replication of a run will take, judged from the last ones: the runner
// (runner.ts) previews a run only when it is expected to be slow. The engine's time per simulated
// request (an open load: rate × simulated seconds) or per simulated second (a closed loop: a
// slider step keeps the load about the same) is taken as the fastest of the last few
// replications of the same scenario, not the last one: a replication's wall time counts every
// thread that shared the cores with it — the other replications, the preview, the page drawing
// the last result, other programs — and on two cores the last one alone made the async seed look
// twice as slow as it is, so it was previewed, and the preview slowed the next run in turn.
import type { Scenario } from '../../sim-core/schema';

/** Replications remembered per scenario. */
const KEEP = 5;
/** Fewer simulated requests than this say little of the time per request. */
const MIN_REQUESTS = 1000;

/** The engine's recent speed (see the module comment). */
export class EngineSpeed {
  private key = '';
  private readonly perSimS: number[] = [];
  private readonly perRequest: number[] = [];
  /** Engine ms per simulated second of the latest scenario. */
  msPerSimS = 0;
  /** Engine ms per simulated request (until measured, about Chromium's on a 2-core machine). */
  msPerRequest = 0.0015;

  /** Notes a replication of `s` that took `wallMs` with `offeredRps` requests a second. */
  learn(s: Scenario, wallMs: number, offeredRps: number): void {
    const key = `${s.name}\u0000${s.workload.type}`;
    if (key !== this.key) {
      // another scenario: the last one's times say little of this one's
      this.key = key;
      this.perSimS.length = 0;
      this.perRequest.length = 0;
    }
    const total = s.warmup_s + s.duration_s;
    if (total > 0) this.msPerSimS = remember(this.perSimS, wallMs / total);
    const requests = offeredRps * total;
    if (requests >= MIN_REQUESTS) this.msPerRequest = remember(this.perRequest, wallMs / requests);
  }

  /** The engine time (ms) a run of `s` is expected to take on a core of its own. */
  expectedMs(s: Scenario): number {
    const total = s.warmup_s + s.duration_s;
    const w = s.workload;
    return w.type === 'open' && typeof w.rate_rps === 'number'
      ? w.rate_rps * total * this.msPerRequest
      : this.msPerSimS * total;
  }
}

/** Adds `x` to the last KEEP values of `xs` and returns their minimum. */
function remember(xs: number[], x: number): number {
  xs.push(x);
  if (xs.length > KEEP) xs.shift();
  return Math.min(...xs);
}
