// The charts of one live source over the window: for Redis ops/s, hit ratio, clients, memory,
// queue depth and evictions; for a metrics endpoint request rate, latency (with the SLO line) and
// work in flight, with the twin's band; for this host CPU and network. Drawn again only when
// what they show changed (new samples, the window, the SLO, the twin).
import { memo } from 'react';
import type { LiveSample, LiveSourceInfo } from '../api/types';
import { useApp } from '../store';
import { useT } from '../ui/hooks';
import { LiveChart, type LiveLine } from './LiveChart';
import { chartPoints, type Flavour } from './model';

export interface SourceChartsProps {
  info: LiveSourceInfo;
  kind: Flavour;
  samples: LiveSample[];
  /** The axis: from `from` to `now` (epoch ms). */
  from: number;
  now: number;
  windowMs: number;
}

const line = (key: string, name: string, colour: number): LiveLine => ({ key, name, colour });

/** The charts of one source. */
export const SourceCharts = memo(function SourceCharts({
  info,
  kind,
  samples,
  from,
  now,
  windowMs,
}: SourceChartsProps) {
  const t = useT();
  const sloMs = useApp((s) => s.liveSloMs);
  const twin = useApp((s) => s.liveTwins[info.id]);
  const band = twin && 'fit' in twin ? twin.band : null;
  const pts = (keys: string[]) => chartPoints(samples, keys, now, windowMs);
  const span = { from, to: now, source: info.name };
  if (kind === 'redis')
    return (
      <div className="charts">
        <LiveChart
          title={t('liveChartOps')}
          data={pts(['ops_per_sec'])}
          lines={[line('ops_per_sec', t('liveLineOps'), 0)]}
          {...span}
        />
        <LiveChart
          title={t('liveChartHit')}
          data={pts(['hit_ratio'])}
          lines={[line('hit_ratio', t('liveLineHit'), 2)]}
          {...span}
          unit="%"
          scale={100}
        />
        <LiveChart
          title={t('liveChartClients')}
          data={pts(['connected_clients', 'blocked_clients'])}
          lines={[
            line('connected_clients', t('liveLineConnected'), 0),
            line('blocked_clients', t('liveLineBlocked'), 1),
          ]}
          {...span}
        />
        <LiveChart
          title={t('liveChartMemory')}
          data={pts(['used_memory_bytes'])}
          lines={[line('used_memory_bytes', t('liveLineUsed'), 3)]}
          {...span}
          scale={1 / (1024 * 1024)}
        />
        {info.queue_keys.length ? (
          <LiveChart
            title={t('liveChartQueue')}
            data={pts(['queue_depth_total'])}
            lines={[line('queue_depth_total', t('liveLineQueued'), 1)]}
            {...span}
          />
        ) : null}
        <LiveChart
          title={t('liveChartEvictions')}
          data={pts(['evicted_keys_per_sec', 'expired_keys_per_sec'])}
          lines={[
            line('evicted_keys_per_sec', t('liveLineEvicted'), 4),
            line('expired_keys_per_sec', t('liveLineExpired'), 2),
          ]}
          {...span}
        />
      </div>
    );
  if (kind === 'metrics')
    return (
      <div className="charts">
        <LiveChart
          title={t('liveChartRate')}
          data={pts(['request_rate'])}
          lines={[line('request_rate', t('liveLineRps'), 0)]}
          {...span}
          band={band ? { y1: band.rpsLow, y2: band.rpsHigh, label: t('liveBandTwin') } : null}
        />
        <LiveChart
          title={t('liveChartLatency')}
          data={pts(['latency_p50_ms', 'latency_p99_ms'])}
          lines={[line('latency_p50_ms', 'P50', 0), line('latency_p99_ms', 'P99', 1)]}
          {...span}
          limit={{ y: sloMs, label: t('liveSloLine', { ms: sloMs }) }}
          band={band ? { y1: band.p99Low, y2: band.p99High, label: t('liveBandTwinP99') } : null}
        />
        <LiveChart
          title={t('liveChartInFlight')}
          data={pts(['in_flight', 'queue_depth'])}
          lines={[
            line('in_flight', t('liveLineInFlight'), 2),
            line('queue_depth', t('liveLineQueued'), 3),
          ]}
          {...span}
        />
      </div>
    );
  return (
    <div className="charts">
      <LiveChart
        title={t('liveChartCpu')}
        data={pts(['cpu_load_pct'])}
        lines={[line('cpu_load_pct', t('liveLineCpu'), 0)]}
        {...span}
        unit="%"
      />
      <LiveChart
        title={t('liveChartNet')}
        data={pts(['net_rx_bytes_per_sec', 'net_tx_bytes_per_sec'])}
        lines={[
          line('net_rx_bytes_per_sec', t('liveLineRx'), 2),
          line('net_tx_bytes_per_sec', t('liveLineTx'), 1),
        ]}
        {...span}
        scale={1 / 1024}
      />
    </div>
  );
});
