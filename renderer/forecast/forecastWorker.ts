// The Forecast view's forecast worker: one request (the history and the horizon), one reply.
import { forecastWithBacktest, type ForecastReply } from './forecastRun';

self.onmessage = (
  ev: MessageEvent<{ points: { t: number; rate: number }[]; horizon_s: number }>,
) => {
  let reply: ForecastReply;
  try {
    reply = { ok: true, result: forecastWithBacktest(ev.data.points, ev.data.horizon_s) };
  } catch (err) {
    reply = { ok: false, message: err instanceof Error ? err.message : String(err) };
  }
  (self as unknown as Worker).postMessage(reply);
};
