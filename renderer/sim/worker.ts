// The simulation Web Worker: runs `simulate` (sim-core) off the UI thread for each request,
// posting throttled progress and then the result with its series thinned to what the charts can
// show, plus the analytic answer where theory applies. One run at a time; the console drops
// stale results and terminates this worker to stop a long one.
import { simulate } from '../../sim-core/index';
import { downsample, thinCdf } from '../store/selectors';
import { analyticView } from './analytic';
import type { FromWorker, ToWorker } from './protocol';

const post = (m: FromWorker) => (self as unknown as Worker).postMessage(m);

self.onmessage = (ev: MessageEvent<ToWorker>) => {
  const msg = ev.data;
  if (msg.type !== 'run') return;
  let lastProgress = 0;
  try {
    const result = simulate(msg.scenario, {
      series: true,
      now: () => performance.now(),
      onProgress: (fraction) => {
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
};
