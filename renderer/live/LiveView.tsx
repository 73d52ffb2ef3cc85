// The Live tab's content: connect Redis servers and clusters, metrics endpoints and this host; see
// each source's state at a glance and its figures as charts over the last 5 / 15 / 60 minutes;
// pause and resume; a node table for clusters; the slowlog; a panel turning red when P99 stays
// above the SLO; recording and replay; and "Model this" — the twin: a scenario fitted to the
// window, simulated on a Web Worker, its band drawn over the live series, and handed to the
// scenario editor. The state is the store's live slice; session.ts keeps it in step with the Node
// side (samples are batched, the view redraws at most twice a second); the panels are one file
// each: ConnectionDialog, SourcesPanel, SourcePanel (SourceCharts, SourceTables, TwinSummary).
import { useEffect, useMemo, useState } from 'react';
import type { ScenarioInput } from '../../sim-core/schema';
import { getApi } from '../api/client';
import type { PeaklineApi } from '../api/types';
import { createSimWorker } from '../sim/connect';
import { SimQueue } from '../sim/queue';
import type { WorkerLike } from '../sim/runner';
import { appStore, useApp } from '../store';
import { useT } from '../ui/hooks';
import { ConnectionDialog } from './ConnectionDialog';
import { createLiveSession, LiveSessionContext } from './session';
import { SourcePanel } from './SourcePanel';
import { SourcesPanel } from './SourcesPanel';

export interface LiveViewProps {
  /** The API (defaults to `getApi()`); null shows that live monitoring is unavailable. */
  api?: PeaklineApi | null;
  /** Receives the twin scenario when the user opens it in the scenario editor. */
  onModel?: (scenario: ScenarioInput) => void;
  /** Makes the worker the twin simulates on (default: the simulation Web Worker). */
  createWorker?: () => WorkerLike;
  /**
   * Whether the view is on screen (default true). Hidden, it keeps following the sources (the
   * store keeps their samples) but draws no source panels.
   */
  visible?: boolean;
}

function safeApi(): PeaklineApi | null {
  try {
    return getApi();
  } catch {
    return null;
  }
}

/** The Live tab's content. */
export function LiveView({
  api: apiProp,
  onModel,
  createWorker = createSimWorker,
  visible = true,
}: LiveViewProps) {
  const api = useMemo(() => (apiProp !== undefined ? apiProp : safeApi()), [apiProp]);
  const t = useT();
  const [sims] = useState(() => new SimQueue(createWorker));
  useEffect(() => () => sims.dispose(), [sims]);
  const session = useMemo(() => (api ? createLiveSession(api, appStore, sims) : null), [api, sims]);
  useEffect(() => session?.start(), [session]);
  const sources = useApp((s) => s.liveSources);
  const canRemember = useApp((s) => s.liveCanRemember);

  if (!session) return <p className="muted">{t('liveNeedsServer')}</p>;
  return (
    <LiveSessionContext.Provider value={session}>
      <div className="live-view">
        <div className="live-top">
          <ConnectionDialog
            onConnect={session.connect}
            canRemember={canRemember}
            onRemember={session.remember}
            onForget={session.forget}
          />
          <SourcesPanel />
        </div>
        {visible
          ? sources.map((info) => <SourcePanel key={info.id} info={info} onOpenTwin={onModel} />)
          : null}
      </div>
    </LiveSessionContext.Provider>
  );
}
