// The forecast (and its backtest) of the Forecast view, off the page's thread: a 40-day history's
// backtest takes seconds, so it runs on a Web Worker of its own (forecastWorker.ts), started for
// the request and ended after it. Where there is no Worker (jsdom), it runs inline.
import {
  forecast,
  ForecastError,
  type ForecastResult,
  type RatePoint,
} from '../../sim-core/forecast/index';

/** The forecast with its backtest, or without one when the history is too short for it. */
export function forecastWithBacktest(
  points: readonly RatePoint[],
  horizon_s: number,
): ForecastResult {
  try {
    return forecast(points, { horizon_s, backtest: true });
  } catch (err) {
    if (!(err instanceof ForecastError) || !/backtest/.test(err.message)) throw err;
    return forecast(points, { horizon_s, backtest: false });
  }
}

export type ForecastReply = { ok: true; result: ForecastResult } | { ok: false; message: string };

/** Runs forecastWithBacktest on a Web Worker (inline without one). */
export function forecastOffThread(
  points: readonly RatePoint[],
  horizon_s: number,
): Promise<ForecastResult> {
  if (typeof Worker === 'undefined')
    return new Promise((resolve) =>
      setTimeout(() => resolve(forecastWithBacktest(points, horizon_s)), 0),
    );
  return new Promise((resolve, reject) => {
    const w = new Worker(new URL('./forecastWorker.ts', import.meta.url), {
      type: 'module',
      name: 'peakline-forecast',
    });
    w.onmessage = (ev: MessageEvent<ForecastReply>) => {
      w.terminate();
      if (ev.data.ok) resolve(ev.data.result);
      else reject(new Error(ev.data.message));
    };
    w.onerror = (ev) => {
      ev.preventDefault();
      w.terminate();
      reject(new Error(ev.message || 'the forecast worker failed'));
    };
    w.postMessage({ points, horizon_s });
  });
}
