// The host source: CPU load, memory and network throughput of the machine running the console,
// read with systeminformation. Network throughput comes from byte-counter deltas summed over
// every interface (loopback included, where a local demo's traffic flows).
import si from 'systeminformation';
import type { HostSourceConfig } from '../api/contract';
import { Source, type Reading, type SourceSink } from './source';

/** This machine. */
export class HostSource extends Source {
  private prev: { t: number; rx: number; tx: number } | null = null;

  constructor(id: string, config: HostSourceConfig, sink: SourceSink) {
    super(id, 'host', 'host', config.interval_s, sink);
  }

  protected async reset(): Promise<void> {
    this.prev = null;
  }

  protected async dispose(): Promise<void> {}

  protected async read(): Promise<Reading> {
    const [load, mem, net] = await Promise.all([si.currentLoad(), si.mem(), si.networkStats('*')]);
    const now = Date.now();
    const rx = net.reduce((a, n) => a + (Number.isFinite(n.rx_bytes) ? n.rx_bytes : 0), 0);
    const tx = net.reduce((a, n) => a + (Number.isFinite(n.tx_bytes) ? n.tx_bytes : 0), 0);
    const prev = this.prev;
    this.prev = { t: now, rx, tx };
    const dt = prev ? (now - prev.t) / 1000 : 0;
    return {
      metrics: {
        cpu_load_pct: Number.isFinite(load.currentLoad) ? load.currentLoad : null,
        mem_used_bytes: mem.active ?? mem.used,
        mem_total_bytes: mem.total,
        net_rx_bytes_per_sec: prev && dt > 0 && rx >= prev.rx ? (rx - prev.rx) / dt : null,
        net_tx_bytes_per_sec: prev && dt > 0 && tx >= prev.tx ? (tx - prev.tx) / dt : null,
      },
    };
  }
}
