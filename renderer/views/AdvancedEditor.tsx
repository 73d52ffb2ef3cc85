// The "Advanced" editor: the whole scenario as JSON text, checked as you type by the validator
// (sim-core/validate) with each problem's path; Apply takes the text only when it is valid.
import { useId, useMemo, useState } from 'react';
import { parseScenarioText, type Problem } from '../../sim-core/validate';
import type { ScenarioInput } from '../../sim-core/schema';
import { useApp } from '../store';
import { selectLanguage, selectScenario } from '../store/selectors';
import { translateProblem } from '../i18n';
import { useT } from '../ui/hooks';

/** Pretty JSON of a scenario as the editor shows it. */
export function scenarioText(s: ScenarioInput): string {
  return JSON.stringify(s, null, 2);
}

/** JSON editor of the edited scenario with live validation messages. */
export function AdvancedEditor() {
  const t = useT();
  const id = useId();
  const scenario = useApp(selectScenario);
  const lang = useApp(selectLanguage);
  const setScenario = useApp((s) => s.setScenario);
  // null: follow the store (sliders, undo); a string: the user's edit in progress.
  const [draft, setDraft] = useState<string | null>(null);
  const shown = useMemo(() => scenarioText(scenario), [scenario]);
  const text = draft ?? shown;
  const dirty = draft !== null;
  const check = useMemo(() => parseScenarioText(text, 'scenario'), [text]);
  const problems: Problem[] = check.ok ? [] : check.problems;
  const jsonBroken = problems.length === 1 && problems[0].message.startsWith('malformed JSON');
  return (
    <div className="advanced">
      <label htmlFor={`${id}-text`}>{t('advancedEditor')}</label>
      <textarea
        id={`${id}-text`}
        spellCheck={false}
        rows={22}
        value={text}
        aria-invalid={!check.ok}
        aria-describedby={`${id}-msgs`}
        onChange={(e) => {
          setDraft(e.currentTarget.value);
        }}
      />
      <div
        id={`${id}-msgs`}
        role="alert"
        aria-live="polite"
        className={check.ok ? 'ok' : 'problems'}
      >
        {check.ok ? (
          <span>{t('valid')}</span>
        ) : (
          <>
            <strong>{jsonBroken ? t('invalidJson') : t('invalidScenario')}</strong>
            <ul>
              {problems.map((p, i) => (
                <li key={i}>
                  {p.path ? <code>{p.path}</code> : null}
                  {p.path ? ': ' : ''}
                  {translateProblem(lang, p.message)}
                </li>
              ))}
            </ul>
          </>
        )}
      </div>
      <div className="row">
        <button
          type="button"
          disabled={!check.ok || !dirty}
          onClick={() => {
            setScenario(JSON.parse(text) as ScenarioInput);
            setDraft(null);
          }}
        >
          {t('apply')}
        </button>
        <button
          type="button"
          disabled={!dirty}
          onClick={() => {
            setDraft(null);
          }}
        >
          {t('revert')}
        </button>
      </div>
    </div>
  );
}
