// The Live tab: mounts the live view (renderer/live, owned by the live-monitoring engineer).
import { useT } from '../ui/hooks';

/** The live view's slot. */
export function LiveTab() {
  const t = useT();
  return <p className="muted">{t('liveLoading')}</p>;
}
