// The Live tab: mounts the live view (renderer/live, owned by the live-monitoring engineer) with
// the shell's API; "Model this" opens the twin scenario in the scenario editor.
import { useCallback } from 'react';
import type { ScenarioInput } from '../../sim-core/schema';
import { LiveView } from '../live/LiveView';
import { appStore } from '../store';
import { useApi } from '../ui/hooks';

/** The live view's slot. */
export function LiveTab() {
  const api = useApi();
  const onModel = useCallback((s: ScenarioInput) => {
    const st = appStore.getState();
    st.loadScenario(s, null);
    st.setTab('scenario');
  }, []);
  return <LiveView api={api} onModel={onModel} />;
}
