// The tables of one live source: its queues' depths, a cluster's nodes (role, state, slots,
// client ops/s, replication ops/s, memory, hit ratio, replication lag), what happened to the
// nodes (a replica promoted after its master went down, a node down, not answering, back), and
// the slowlog once asked for.
import type { LiveSample, LiveSourceInfo } from '../api/types';
import { fmtBytes, fmtCompact, fmtNum, fmtPct } from '../format';
import { useApp } from '../store';
import { useT } from '../ui/hooks';
import { clockTime, nodeEvents, STATE_KEY, type TimedEvent } from './model';
import type { T } from '../i18n';

export interface SourceTablesProps {
  info: LiveSourceInfo;
  /** The newest sample shown. */
  latest: LiveSample | undefined;
  /** The samples in the window (their node events are listed). */
  samples?: LiveSample[];
}

/** A node event in the console's language. */
function eventText(t: T, { event: e, oldDown }: TimedEvent): string {
  switch (e.kind) {
    case 'promoted':
      return e.was_replica_of && oldDown
        ? t('liveEventPromotedDown', { node: e.node, old: e.was_replica_of })
        : t('liveEventPromoted', { node: e.node, old: e.was_replica_of ?? '?' });
    case 'demoted':
      return t('liveEventDemoted', { node: e.node, master: e.replica_of ?? '?' });
    case 'down':
      return t('liveEventDown', { node: e.node, error: e.error ?? '' });
    case 'not_answering':
      return t('liveEventNotAnswering', { node: e.node });
    case 'up':
      return t('liveEventUp', { node: e.node });
  }
}

const ROLE_KEY = {
  master: 'liveRoleMaster',
  replica: 'liveRoleReplica',
  unknown: 'liveRoleUnknown',
} as const;

/** Queues, nodes and slowlog of one source. */
export function SourceTables({ info, latest, samples }: SourceTablesProps) {
  const t = useT();
  const slowlog = useApp((s) => s.liveSlowlogs[info.id]);
  const nodes = latest?.nodes && (info.cluster || latest.nodes.length > 1) ? latest.nodes : null;
  const events = samples ? nodeEvents(samples) : [];
  return (
    <>
      {events.length ? (
        <ul className="live-events" aria-label={t('liveEventsOf', { name: info.name })}>
          {events.map((e, i) => (
            <li key={`${e.t}-${i}`} className={`event-${e.event.kind}`}>
              <time>{clockTime(e.t)}</time> {eventText(t, e)}
            </li>
          ))}
        </ul>
      ) : null}
      {latest?.queues?.length ? (
        <table className="live-table" aria-label={t('liveQueuesOf', { name: info.name })}>
          <thead>
            <tr>
              <th scope="col">{t('liveColKey')}</th>
              <th scope="col">{t('liveColType')}</th>
              <th scope="col">{t('liveColDepth')}</th>
            </tr>
          </thead>
          <tbody>
            {latest.queues.map((q) => (
              <tr key={q.key}>
                <td>{q.key}</td>
                <td>{q.type}</td>
                <td>{q.error ?? fmtCompact(q.depth)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {nodes ? (
        <table className="live-table" aria-label={t('liveNodesOf', { name: info.name })}>
          <thead>
            <tr>
              <th scope="col">{t('liveColNode')}</th>
              <th scope="col">{t('liveColRole')}</th>
              <th scope="col">{t('liveColState')}</th>
              <th scope="col">{t('liveColSlots')}</th>
              <th scope="col">{t('liveColOps')}</th>
              <th scope="col">{t('liveColRepl')}</th>
              <th scope="col">{t('liveColMemory')}</th>
              <th scope="col">{t('liveColHit')}</th>
              <th scope="col">{t('liveColLag')}</th>
            </tr>
          </thead>
          <tbody>
            {nodes.map((n) => (
              <tr key={n.address} className={`state-${n.status}`}>
                <td>{n.address}</td>
                <td>
                  {n.master
                    ? t('liveRoleOf', { role: t(ROLE_KEY[n.role]), master: n.master })
                    : t(ROLE_KEY[n.role])}
                </td>
                <td>
                  {n.status === 'down'
                    ? t('liveNodeDown', { error: n.error ?? '' })
                    : n.status === 'not_answering'
                      ? t('liveNodeNotAnswering', { error: n.error ?? '' })
                      : t(STATE_KEY[n.status])}
                </td>
                <td>{n.slots.join(' ') || '—'}</td>
                <td>{fmtCompact(n.ops_per_sec)}</td>
                <td>{fmtCompact(n.replication_ops_per_sec ?? null)}</td>
                <td>{fmtBytes(n.used_memory_bytes)}</td>
                <td>{fmtPct(n.hit_ratio)}</td>
                <td>
                  {n.role === 'replica'
                    ? `${fmtNum(n.replication_lag_s)} s / ${fmtBytes(n.replication_lag_bytes)}`
                    : ''}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {slowlog === undefined ? null : typeof slowlog === 'string' ? (
        <p className="error">{t('liveSlowlogError', { error: slowlog })}</p>
      ) : slowlog.length === 0 ? (
        <p className="muted small" role="status">
          {t('liveSlowlogEmpty')}
        </p>
      ) : (
        <table className="live-table" aria-label={t('liveSlowlogOf', { name: info.name })}>
          <thead>
            <tr>
              <th scope="col">{t('liveColWhen')}</th>
              <th scope="col">{t('liveColNode')}</th>
              <th scope="col">{t('liveColUs')}</th>
              <th scope="col">{t('liveColCommand')}</th>
            </tr>
          </thead>
          <tbody>
            {slowlog.map((e) => (
              <tr key={`${e.node}-${e.id}`}>
                <td>{clockTime(e.t)}</td>
                <td>{e.node}</td>
                <td>{fmtNum(e.duration_us)}</td>
                <td>
                  <code>{e.command.join(' ')}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
