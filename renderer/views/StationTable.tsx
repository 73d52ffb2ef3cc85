// The per-station table, as JMT shows a model's stations: for each station of the result its
// servers, throughput, utilisation, mean queue, mean wait and residence time (one visit's wait
// plus the time it holds the server), the one that saturates first marked.
import { memo, useId } from 'react';
import type { SimResult } from '../../sim-core/result';
import type { Theme } from '../store/types';
import { utilColour } from '../ui/palette';
import { fmtFig, fmtNum, fmtPct } from '../format';
import { stationRows } from '../store/selectors';
import type { T } from '../i18n';

/** A utilisation as a percentage; one too small to show is said to be so. */
function fmtUtil(u: number): string {
  return u > 0 && u < 1e-4 ? '< 0.01 %' : fmtPct(u);
}

/** The table of `result`'s stations. */
export const StationTable = memo(function StationTable({
  result,
  theme,
  t,
}: {
  result: SimResult;
  theme: Theme;
  t: T;
}) {
  const id = useId();
  const rows = stationRows(result);
  return (
    <section className="station-table chart-card" aria-labelledby={`${id}-h`}>
      <h3 id={`${id}-h`} className="card-title">
        {t('stationTable')}
      </h3>
      <div className="table-scroll">
        <table aria-labelledby={`${id}-h`} aria-describedby={`${id}-n`}>
          <thead>
            <tr>
              <th scope="col">{t('stName')}</th>
              <th scope="col">{t('stServers')}</th>
              <th scope="col">{t('stThroughput')}</th>
              <th scope="col">{t('stUtil')}</th>
              <th scope="col">{t('stQueue')}</th>
              <th scope="col">{t('stWait')}</th>
              <th scope="col">{t('stResidence')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr
                key={r.name}
                className={r.saturated ? 'saturated' : undefined}
                data-station={r.name}
              >
                <th scope="row">
                  <code>{r.name}</code>
                  {r.saturated ? <span className="sat-mark"> {t('vwSatFirst')}</span> : null}
                </th>
                <td>{fmtNum(r.servers)}</td>
                <td>{fmtFig(r.throughput_rps)}</td>
                <td>
                  <span
                    className="util-swatch"
                    aria-hidden="true"
                    style={{ background: utilColour(r.utilization, theme) }}
                  />
                  {fmtUtil(r.utilization)}
                </td>
                <td>{fmtFig(r.mean_queue)}</td>
                <td>{fmtFig(r.mean_wait_ms)}</td>
                <td>{fmtFig(r.residence_ms)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p id={`${id}-n`} className="muted table-note">
        {t('stNote')}
      </p>
    </section>
  );
});
