// The console's frame: header (views, theme, language, presentation, help), the open view, the
// global shortcuts, presentation mode (full screen, large type, controls hidden) and the shell's
// menu commands. The simulation itself is driven outside React (sim/connect.ts).
import {
  Suspense,
  lazy,
  useCallback,
  useEffect,
  useState,
  type KeyboardEvent as ReactKeyboardEvent,
} from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useApp, appStore } from './store';
import type { Tab } from './store/types';
import { translateProblemLines, type Language } from './i18n';
import { useApi, useT } from './ui/hooks';
import { handleShortcut } from './ui/shortcuts';
import { ErrorBoundary } from './ui/ErrorBoundary';
import { DEFAULT_SCENARIO } from './scenario/defaults';
import { ScenarioPanel } from './views/ScenarioPanel';
import { Results } from './views/Results';
import { CompareView } from './views/CompareView';
import { SweepView } from './views/SweepView';
import { PlanView } from './views/PlanView';
import { Help } from './views/Help';
import { LiveTab } from './views/LiveTab';
import { ForecastView } from './forecast/ForecastView';
import { useShellEvents } from './ui/shellEvents';

// The JSON editor (CodeMirror) is loaded when it is first opened.
const ScenarioEditor = lazy(() =>
  import('./views/ScenarioEditor').then((m) => ({ default: m.ScenarioEditor })),
);

const TABS: {
  id: Tab;
  key: 'tabScenario' | 'tabCompare' | 'tabSweep' | 'tabPlan' | 'tabLive' | 'tabForecast';
}[] = [
  { id: 'scenario', key: 'tabScenario' },
  { id: 'compare', key: 'tabCompare' },
  { id: 'sweep', key: 'tabSweep' },
  { id: 'plan', key: 'tabPlan' },
  { id: 'live', key: 'tabLive' },
  { id: 'forecast', key: 'tabForecast' },
];

/** Enters or leaves presentation mode (and full screen where the browser allows it). */
export function setPresentation(on: boolean): void {
  appStore.getState().setPresenting(on);
  if (typeof document === 'undefined') return;
  try {
    if (on && !document.fullscreenElement && document.documentElement.requestFullscreen)
      void document.documentElement.requestFullscreen().catch(() => undefined);
    if (!on && document.fullscreenElement) void document.exitFullscreen().catch(() => undefined);
  } catch {
    // Full screen is a nicety; presentation mode works without it.
  }
}

/** The whole console; `onCancelRun` stops the running simulation. */
export function App({ onCancelRun }: { onCancelRun: () => void }) {
  const t = useT();
  const api = useApi();
  const { tab, theme, language, presenting, helpOpen, presentIndex, nSnap, notice } = useApp(
    useShallow((s) => ({
      tab: s.tab,
      theme: s.theme,
      language: s.language,
      presenting: s.presenting,
      helpOpen: s.helpOpen,
      presentIndex: s.presentIndex,
      nSnap: s.snapshots.length,
      notice: s.notice,
    })),
  );
  const editorOpen = useApp((s) => s.editorOpen);
  const { setTab, setTheme, setLanguage, setHelpOpen } = appStore.getState();
  // Mounted on first visit, then kept (hidden) so live history survives switching views.
  const [liveVisited, setLiveVisited] = useState(tab === 'live');
  if (tab === 'live' && !liveVisited) setLiveVisited(true);
  useShellEvents(api);

  useEffect(() => {
    document.documentElement.dataset.theme = theme;
    document.documentElement.lang = language === 'zh' ? 'zh-CN' : 'en';
    document.title = t('appTitle');
  }, [theme, language, t]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      handleShortcut(e, appStore, setPresentation);
    };
    const onFs = () => {
      if (!document.fullscreenElement && appStore.getState().presenting)
        appStore.getState().setPresenting(false);
    };
    window.addEventListener('keydown', onKey);
    document.addEventListener('fullscreenchange', onFs);
    return () => {
      window.removeEventListener('keydown', onKey);
      document.removeEventListener('fullscreenchange', onFs);
    };
  }, []);

  const onTabKey = useCallback(
    (e: ReactKeyboardEvent<HTMLDivElement>) => {
      const i = TABS.findIndex((x) => x.id === tab);
      let next = -1;
      if (e.key === 'ArrowRight') next = (i + 1) % TABS.length;
      else if (e.key === 'ArrowLeft') next = (i + TABS.length - 1) % TABS.length;
      else if (e.key === 'Home') next = 0;
      else if (e.key === 'End') next = TABS.length - 1;
      if (next < 0) return;
      e.preventDefault();
      setTab(TABS[next].id);
      document.getElementById(`tab-${TABS[next].id}`)?.focus();
    },
    [tab, setTab],
  );

  const reset = () => appStore.getState().loadScenario(DEFAULT_SCENARIO, null);

  return (
    <div className={`app${presenting ? ' presenting' : ''}`} data-theme={theme}>
      {!presenting ? (
        <header className="topbar">
          <h1>
            {t('appTitle')} <small>{t('appSubtitle')}</small>
          </h1>
          <div role="tablist" aria-label={t('mainTabs')} className="tabs" onKeyDown={onTabKey}>
            {TABS.map((x) => (
              <button
                key={x.id}
                id={`tab-${x.id}`}
                type="button"
                role="tab"
                aria-selected={tab === x.id}
                aria-controls={`panel-${x.id}`}
                tabIndex={tab === x.id ? 0 : -1}
                onClick={() => setTab(x.id)}
              >
                {t(x.key)}
              </button>
            ))}
          </div>
          <div className="row prefs">
            <label htmlFor="pref-theme">{t('theme')}</label>
            <select
              id="pref-theme"
              value={theme}
              onChange={(e) => setTheme(e.currentTarget.value as 'light' | 'dark')}
            >
              <option value="light">{t('themeLight')}</option>
              <option value="dark">{t('themeDark')}</option>
            </select>
            <label htmlFor="pref-lang">{t('language')}</label>
            <select
              id="pref-lang"
              value={language}
              onChange={(e) => setLanguage(e.currentTarget.value as Language)}
            >
              <option value="en">English</option>
              <option value="zh">简体中文</option>
            </select>
            <button type="button" onClick={() => setPresentation(true)} aria-keyshortcuts="P">
              {t('present')}
            </button>
            <button type="button" onClick={() => setHelpOpen(true)} aria-keyshortcuts="Shift+?">
              {t('help')}
            </button>
          </div>
        </header>
      ) : (
        <div className="present-bar">
          <span>
            {presentIndex >= 0
              ? t('presentingSnapshot', {
                  i: presentIndex + 1,
                  n: nSnap,
                  name: appStore.getState().snapshots[presentIndex]?.name ?? '',
                })
              : t('presentingCurrent')}
          </span>
          <span className="muted">{t('presentationHint')}</span>
          <button type="button" onClick={() => setPresentation(false)}>
            {t('close')}
          </button>
        </div>
      )}
      {notice ? (
        <div role="alert" className={`notice notice-${notice.kind}`}>
          <span>{translateProblemLines(language, notice.text)}</span>
          <button
            type="button"
            className="small"
            onClick={() => appStore.getState().setNotice(null)}
          >
            {t('close')}
          </button>
        </div>
      ) : null}
      <ErrorBoundary
        title={t('errorTitle')}
        retryLabel={t('errorRetry')}
        resetLabel={t('errorReset')}
        onReset={reset}
      >
        <main>
          {presenting ? (
            <Results onCancel={onCancelRun} />
          ) : tab === 'live' ? null : (
            <div
              id={`panel-${tab}`}
              role="tabpanel"
              aria-labelledby={`tab-${tab}`}
              className={`view view-${tab}`}
            >
              {tab === 'scenario' ? (
                <div className={`scenario-layout${editorOpen ? ' with-editor' : ''}`}>
                  <ScenarioPanel />
                  {editorOpen ? (
                    <Suspense fallback={<section className="panel editor-panel" aria-busy />}>
                      <ScenarioEditor />
                    </Suspense>
                  ) : null}
                  <Results onCancel={onCancelRun} />
                </div>
              ) : null}
              {tab === 'compare' ? (
                <div className="scenario-layout compare-layout">
                  <CompareView />
                  <Results onCancel={onCancelRun} />
                </div>
              ) : null}
              {tab === 'sweep' ? <SweepView /> : null}
              {tab === 'plan' ? <PlanView /> : null}
              {tab === 'forecast' ? <ForecastView /> : null}
            </div>
          )}
          {/* The live view keeps collecting samples while another view is open. */}
          {liveVisited && !presenting ? (
            <div
              id="panel-live"
              role="tabpanel"
              aria-labelledby="tab-live"
              className="view view-live"
              hidden={tab !== 'live'}
            >
              <LiveTab />
            </div>
          ) : null}
        </main>
      </ErrorBoundary>
      {helpOpen ? <Help onClose={() => setHelpOpen(false)} /> : null}
    </div>
  );
}
