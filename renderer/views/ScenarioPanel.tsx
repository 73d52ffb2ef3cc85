// The scenario panel: profile choice, the sliders (each with a number field), the sync/async
// switch, balancer and workload choices, undo/redo, and the button that opens the JSON editor
// (ScenarioEditor, beside this panel).
import { useCallback, useId } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { ScenarioInput } from '../../sim-core/schema';
import { useApp, appStore } from '../store';
import {
  selectCanRedo,
  selectCanUndo,
  selectLanguage,
  selectProblems,
  selectScenario,
} from '../store/selectors';
import { profileName, translateProblem } from '../i18n';
import {
  CONTROLS,
  addCache,
  addDb,
  beyondSlider,
  checkControlText,
  isAsync,
  readControl,
  toAsync,
  toSync,
  writeControl,
  type ControlDef,
} from '../scenario/controls';
import { ControlSlider, type FieldVerdict } from '../ui/ControlSlider';
import { useT } from '../ui/hooks';
import { ProfilePicker } from './ProfilePicker';
import { TracePicker } from './TracePicker';

const safeRead = (s: ScenarioInput, def: ControlDef) => {
  try {
    return readControl(s, def.id);
  } catch {
    return null;
  }
};

/** One slider bound to the store; its number field says why it does not take a value. */
function BoundControl({ def }: { def: ControlDef }) {
  const t = useT();
  const value = useApp((s) => safeRead(s.scenario, def));
  const onChange = useCallback(
    (v: number) => {
      const st = appStore.getState();
      st.setScenario(writeControl(st.scenario, def.id, v), def.id);
    },
    [def.id],
  );
  const label = t(def.label);
  const format = def.id === 'hit' ? (v: number) => `${Math.round(v * 100)} %` : undefined;
  const check = useCallback(
    (text: string): FieldVerdict => {
      const c = checkControlText(def, text);
      return c.ok ? { value: c.value } : { error: t(c.reason, { ...c.vars, label }) };
    },
    [def, t, label],
  );
  const notApplied = useCallback(
    (why: string) => {
      const v = safeRead(appStore.getState().scenario, def);
      return t('fieldNotApplied', { why, label, value: v === null ? '' : String(v) });
    },
    [def, t, label],
  );
  const beyond =
    value !== null && beyondSlider(def, value)
      ? t('fieldBeyond', { value: String(value), min: def.min, max: def.max })
      : null;
  return (
    <ControlSlider
      label={label}
      valueLabel={t('valueSuffix', { label })}
      value={value}
      min={def.min}
      max={def.max}
      step={def.step}
      disabledReason={t(def.unavailable)}
      onChange={onChange}
      format={format}
      check={check}
      beyond={beyond}
      notApplied={notApplied}
    />
  );
}

/** The left-hand panel of the scenario view. */
export function ScenarioPanel() {
  const t = useT();
  const id = useId();
  const scenario = useApp(selectScenario);
  const problems = useApp(selectProblems);
  const lang = useApp(selectLanguage);
  const { canUndo, canRedo, undo, redo, setScenario, setAsyncStash, editorOpen, setEditorOpen } =
    useApp(
      useShallow((s) => ({
        canUndo: selectCanUndo(s),
        canRedo: selectCanRedo(s),
        undo: s.undo,
        redo: s.redo,
        setScenario: s.setScenario,
        setAsyncStash: s.setAsyncStash,
        editorOpen: s.editorOpen,
        setEditorOpen: s.setEditorOpen,
      })),
    );
  const valid = problems.length === 0;
  const asyncOn = valid && isAsync(scenario);
  const workloadType = scenario.workload?.type;
  const hasDb = valid && scenario.db !== undefined;
  const hasCache =
    valid &&
    safeRead(
      scenario,
      CONTROLS.find((c) => c.id === 'hit')!,
    ) !== null;

  const toggleAsync = () => {
    const st = appStore.getState();
    if (isAsync(st.scenario)) {
      const { scenario: next, stash } = toSync(st.scenario);
      setAsyncStash(stash);
      setScenario(next);
    } else setScenario(toAsync(st.scenario, st.asyncStash));
  };
  const controls = CONTROLS.filter((c) =>
    c.id === 'rate'
      ? workloadType !== 'closed'
      : c.id === 'connections'
        ? workloadType === 'closed'
        : true,
  );

  return (
    <section className="panel controls" aria-label={t('scenarioPanel')}>
      <ProfilePicker />
      <h2 className="scenario-name" title={scenario.notes ?? ''}>
        {profileName(lang, scenario.name)}
      </h2>
      <div className="row">
        <button type="button" onClick={undo} disabled={!canUndo} aria-keyshortcuts="Control+Z">
          {t('undo')}
        </button>
        <button
          type="button"
          onClick={redo}
          disabled={!canRedo}
          aria-keyshortcuts="Control+Shift+Z"
        >
          {t('redo')}
        </button>
      </div>
      {!valid ? (
        <p role="alert" className="error">
          {t('scenarioInvalidBanner')}{' '}
          {problems[0] ? `${problems[0].path}: ${translateProblem(lang, problems[0].message)}` : ''}{' '}
          {!editorOpen ? (
            <button type="button" className="small" onClick={() => setEditorOpen(true)}>
              {t('editAsJson')}
            </button>
          ) : null}
        </p>
      ) : null}
      {valid ? (
        <>
          <div className="field">
            <label htmlFor={`${id}-wl`}>{t('workloadType')}</label>
            <select
              id={`${id}-wl`}
              value={workloadType}
              onChange={(e) => {
                const s = appStore.getState().scenario;
                const type = e.currentTarget.value;
                if (type === s.workload.type) return;
                const timeout_ms = s.workload.timeout_ms ?? 0;
                setScenario({
                  ...s,
                  workload:
                    type === 'open'
                      ? { type: 'open', rate_rps: 1000, arrivals: 'poisson', timeout_ms }
                      : { type: 'closed', connections: 200, think_ms: 0, timeout_ms },
                });
              }}
            >
              <option value="open">{t('workloadOpen')}</option>
              <option value="closed">{t('workloadClosed')}</option>
              {workloadType === 'trace' ? (
                <option value="trace">{t('workloadTrace')}</option>
              ) : null}
            </select>
          </div>
          {/* a new scenario (another profile) starts the picker afresh */}
          <TracePicker key={scenario.name} />
          {workloadType === 'open' &&
          Array.isArray(scenario.workload.type === 'open' && scenario.workload.rate_rps) ? (
            <p className="muted">{t('rateCurveNote')}</p>
          ) : null}
          <div className="field switch">
            <input
              id={`${id}-async`}
              type="checkbox"
              role="switch"
              checked={asyncOn}
              aria-checked={asyncOn}
              onChange={toggleAsync}
              aria-describedby={`${id}-async-hint`}
            />
            <label htmlFor={`${id}-async`}>{t('asyncMode')}</label>
            <span id={`${id}-async-hint`} className="muted">
              {t('asyncHint')}
            </span>
          </div>
          {controls.map((def) => (
            <BoundControl key={def.id} def={def} />
          ))}
          {!hasDb ? (
            <button type="button" onClick={() => setScenario(addDb(appStore.getState().scenario))}>
              {t('addDb')}
            </button>
          ) : null}
          {!hasCache ? (
            <button
              type="button"
              onClick={() => setScenario(addCache(appStore.getState().scenario))}
            >
              {t('addCache')}
            </button>
          ) : null}
          {asyncOn ? (
            <div className="field">
              <label htmlFor={`${id}-wf`}>{t('whenFull')}</label>
              <select
                id={`${id}-wf`}
                value={scenario.async?.when_full ?? 'block'}
                onChange={(e) => {
                  const s = appStore.getState().scenario;
                  if (!s.async) return;
                  setScenario({
                    ...s,
                    async: { ...s.async, when_full: e.currentTarget.value as 'block' | 'reject' },
                  });
                }}
              >
                <option value="block">{t('whenFullBlock')}</option>
                <option value="reject">{t('whenFullReject')}</option>
              </select>
            </div>
          ) : null}
          <div className="field">
            <label htmlFor={`${id}-bal`}>{t('balancer')}</label>
            <select
              id={`${id}-bal`}
              value={scenario.gateway?.balancer ?? 'round_robin'}
              onChange={(e) => {
                const s = appStore.getState().scenario;
                setScenario({
                  ...s,
                  gateway: {
                    ...s.gateway,
                    balancer: e.currentTarget.value as
                      'round_robin' | 'least_conn' | 'random' | 'hash',
                  },
                });
              }}
            >
              <option value="round_robin">round_robin</option>
              <option value="least_conn">least_conn</option>
              <option value="random">random</option>
              <option value="hash">hash</option>
            </select>
          </div>
        </>
      ) : null}
      <button
        type="button"
        className="editor-toggle"
        aria-expanded={editorOpen}
        onClick={() => setEditorOpen(!editorOpen)}
      >
        {editorOpen ? t('closeEditor') : t('editAsJson')}
      </button>
    </section>
  );
}
