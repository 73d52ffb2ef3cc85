// One simulation request as the worker serves it: validate-free (the console sends a validated
// scenario), throttled progress, the series thinned for the charts, the analytic answer beside it.
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
  const s = msg.scenario;
  const previewS = msg.previewS ?? 0;
  const preview = previewS > 0 && previewS < s.duration_s;
  // with a preview, progress runs 0 → share over it and share → 1 over the full run
  const share = preview ? (s.warmup_s + previewS) / (2 * s.warmup_s + previewS + s.duration_s) : 0;
  const run = (scenario: typeof s, from: number, to: number) => {
    const result = simulate(scenario, {
      series: true,
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
    if (result.cdf) result.cdf = thinCdf(result.cdf, Math.min(400, msg.maxPoints));
    return result;
  };
  try {
    const analytic = analyticView(s);
    if (preview) {
      const result = run({ ...s, duration_s: previewS }, 0, share);
      post({ type: 'preview', id: msg.id, result, analytic });
    }
    post({ type: 'result', id: msg.id, result: run(s, share, 1), analytic });
  } catch (e) {
    if (e instanceof SimCancelled) {
      post({ type: 'cancelled', id: msg.id });
      return;
    }
    post({ type: 'error', id: msg.id, message: e instanceof Error ? e.message : String(e) });
  }
}
