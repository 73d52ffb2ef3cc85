// One simulation request as the worker serves it: validate-free (the console sends a validated
// scenario), throttled progress, the series thinned for the charts, the analytic answer beside it;
// for a replication of a run (see runner.ts), what merging needs (`parts`).
// When asked, a preview comes first: the same scenario with its measured window cut short, so a
// slider move shows numbers at once while the full run refines them.
import { SimCancelled, simulate } from '../../sim-core/index';
import { downsample, thinCdf } from './thin';
import { analyticView } from './analytic';
import type { FromWorker, RunRequest } from './protocol';

/**
 * Runs `msg` and reports through `post` (progress at most ~30 times a second, then the outcome).
 * With `wanted` (shared memory, see InitWorker) the run stops as soon as it holds another id.
 */
export function serveRun(
  msg: RunRequest,
  post: (m: FromWorker) => void,
  wanted?: Int32Array,
): void {
  let lastProgress = 0;
  post({ type: 'started', id: msg.id });
  // a request that waited behind a stale run may itself be stale already
  if (wanted && Atomics.load(wanted, 0) !== msg.id) {
    post({ type: 'cancelled', id: msg.id });
    return;
  }
  const s = msg.scenario;
  const previewS = msg.previewS ?? 0;
  const preview = previewS > 0 && previewS < s.duration_s;
  // with a preview, progress runs 0 → share over it and share → 1 over the full run
  const share = preview ? (s.warmup_s + previewS) / (2 * s.warmup_s + previewS + s.duration_s) : 0;
  // `parts`: what merging needs, and no CDF (the merged one comes from the merged histogram)
  const run = (scenario: typeof s, from: number, to: number, parts: boolean) => {
    const result = simulate(scenario, {
      series: true,
      parts,
      now: () => performance.now(),
      shouldCancel: wanted ? () => Atomics.load(wanted, 0) !== msg.id : undefined,
      onProgress: (fraction: number) => {
        const t = performance.now();
        if (t - lastProgress < 33) return;
        lastProgress = t;
        post({ type: 'progress', id: msg.id, fraction: from + (to - from) * fraction });
      },
    });
    if (result.series) result.series = downsample(result.series, msg.maxPoints);
    if (parts) delete result.cdf;
    else if (result.cdf) result.cdf = thinCdf(result.cdf, Math.min(400, msg.maxPoints));
    return result;
  };
  try {
    const analytic = msg.analytic === false ? null : analyticView(s);
    if (preview) {
      // a preview is shown as it is, never merged
      const result = run({ ...s, duration_s: previewS }, 0, share, false);
      post({ type: 'preview', id: msg.id, result, analytic });
    }
    post({ type: 'result', id: msg.id, result: run(s, share, 1, msg.parts === true), analytic });
  } catch (e) {
    if (e instanceof SimCancelled) {
      post({ type: 'cancelled', id: msg.id });
      return;
    }
    post({ type: 'error', id: msg.id, message: e instanceof Error ? e.message : String(e) });
  }
}
