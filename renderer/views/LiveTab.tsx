// The Live tab: mounts the live view (renderer/live) with the shell's API; "Open twin in the
// scenario editor" loads the twin's scenario there.
import { useCallback } from 'react';
import type { ScenarioInput } from '../../sim-core/schema';
import { LiveView } from '../live/LiveView';
import { appStore, useApp } from '../store';
import { useApi } from '../ui/hooks';

/** The live view's slot. */
export function LiveTab() {
  const api = useApi();
  const visible = useApp((s) => s.tab === 'live');
  const onModel = useCallback((s: ScenarioInput) => {
    const st = appStore.getState();
    st.loadScenario(s, null);
    st.setTab('scenario');
  }, []);
  return <LiveView api={api} onModel={onModel} visible={visible} />;
}
