// Follows what the shell pushes: menu commands (desktop menus) and scenario files opened from the
// OS. A file that did not validate is loaded into the editor when it parsed, with its message.
import { useEffect } from 'react';
import type { PeaklineApi } from '../api/types';
import type { ScenarioInput } from '../../sim-core/schema';
import { appStore } from '../store';
import { resultCsv } from '../store/selectors';
import { fileSafe, saveExport } from '../export';

/** Subscribes to the shell's menu and open-file events while mounted. */
export function useShellEvents(api: PeaklineApi | null): void {
  useEffect(() => {
    if (!api) return;
    const offs: (() => void)[] = [];
    offs.push(
      api.onOpenFile((ev) => {
        const st = appStore.getState();
        if (ev.scenario) st.loadScenario(ev.scenario as ScenarioInput, ev.path);
        st.setNotice(ev.error ? { kind: 'error', text: `${ev.path}: ${ev.error}` } : null);
      }),
    );
    offs.push(
      api.onMenu((cmd) => {
        const st = appStore.getState();
        switch (cmd.command) {
          case 'view:presentation':
            st.setPresenting(!st.presenting);
            break;
          case 'view:theme':
            st.setTheme(
              cmd.theme === 'system'
                ? matchMedia?.('(prefers-color-scheme: dark)').matches
                  ? 'dark'
                  : 'light'
                : cmd.theme,
            );
            break;
          case 'view:language':
            st.setLanguage(cmd.language === 'zh-CN' ? 'zh' : 'en');
            break;
          case 'help:about':
            st.setHelpOpen(true);
            break;
          case 'file:open-profile':
            void api
              .loadProfile({ name: cmd.name, source: cmd.source })
              .then((p) => appStore.getState().loadScenario(p.scenario as ScenarioInput, p.name))
              .catch((e: unknown) =>
                appStore
                  .getState()
                  .setNotice({ kind: 'error', text: e instanceof Error ? e.message : String(e) }),
              );
            break;
          case 'file:save':
          case 'file:save-as':
            void api
              .saveProfile({
                name: st.source ?? st.scenario.name,
                scenario: st.scenario,
                noOverwrite: cmd.command === 'file:save-as',
              })
              .catch((e: unknown) =>
                appStore
                  .getState()
                  .setNotice({ kind: 'error', text: e instanceof Error ? e.message : String(e) }),
              );
            break;
          case 'file:new':
            st.loadScenario(st.scenario, null);
            break;
          case 'file:export': {
            const r = st.result;
            if (cmd.kind === 'scenario')
              void saveExport(
                api,
                'scenario',
                `${fileSafe(st.scenario.name)}.json`,
                JSON.stringify(st.scenario, null, 2) + '\n',
                'application/json',
              );
            else if (r && cmd.kind === 'csv')
              void saveExport(api, 'csv', `${fileSafe(r.scenario)}.csv`, resultCsv(r), 'text/csv');
            else if (r && cmd.kind === 'json')
              void saveExport(
                api,
                'json',
                `${fileSafe(r.scenario)}.result.json`,
                JSON.stringify(r, null, 2),
                'application/json',
              );
            else if (cmd.kind === 'png')
              document.querySelector<HTMLButtonElement>('.chart-card figcaption button')?.click();
            break;
          }
        }
      }),
    );
    return () => offs.forEach((f) => f());
  }, [api]);
}
