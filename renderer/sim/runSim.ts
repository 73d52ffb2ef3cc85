// One simulation request as the worker serves it: validate-free (the console sends a validated
// scenario), throttled progress, the series thinned for the charts, the analytic answer beside it.
import { simulate } from '../../sim-core/index';
import { downsample, thinCdf } from '../store/selectors';
import { analyticView } from './analytic';
import type { FromWorker, ToWorker } from './protocol';

/** Runs `msg` and reports through `post` (progress at most ~30 times a second, then the outcome). */
export function serveRun(msg: ToWorker, post: (m: FromWorker) => void): void {
  let lastProgress = 0;
  post({ type: 'started', id: msg.id });
  try {
    const result = simulate(msg.scenario, {
      series: true,
      now: () => performance.now(),
      onProgress: (fraction: number) => {
        const t = performance.now();
        if (t - lastProgress < 33) return;
        lastProgress = t;
        post({ type: 'progress', id: msg.id, fraction });
      },
    });
    if (result.series) result.series = downsample(result.series, msg.maxPoints);
    if (result.cdf) result.cdf = thinCdf(result.cdf, Math.min(400, msg.maxPoints));
    post({ type: 'result', id: msg.id, result, analytic: analyticView(msg.scenario) });
  } catch (e) {
    post({ type: 'error', id: msg.id, message: e instanceof Error ? e.message : String(e) });
  }
}
