// Picks a shipped profile or one of the user's (through the API) and saves the edited scenario as
// a user profile. A profile that does not validate is listed with the validator's message and,
// when loaded, lands in the editor with its problems shown — never a blank screen.
import { useCallback, useEffect, useId, useState } from 'react';
import type { ProfileEntry } from '../api/types';
import type { ScenarioInput } from '../../sim-core/schema';
import { profileName, translateProblemLines } from '../i18n';
import { useApp } from '../store';
import { selectLanguage } from '../store/selectors';
import { useApi, useT } from '../ui/hooks';
import { fmtNum } from '../format';

/** Profile chooser and "save as profile". */
export function ProfilePicker() {
  const t = useT();
  const api = useApi();
  const id = useId();
  const loadScenario = useApp((s) => s.loadScenario);
  const scenario = useApp((s) => s.scenario);
  const lang = useApp(selectLanguage);
  const [shipped, setShipped] = useState<ProfileEntry[]>([]);
  const [mine, setMine] = useState<ProfileEntry[]>([]);
  const [choice, setChoice] = useState('');
  const [name, setName] = useState('');
  const [message, setMessage] = useState<{ kind: 'error' | 'ok'; text: string } | null>(null);

  const refresh = useCallback(async () => {
    if (!api) return;
    try {
      const [a, b] = await Promise.all([api.listShippedProfiles(), api.listProfiles()]);
      setShipped(a);
      setMine(b);
    } catch (e) {
      setMessage({ kind: 'error', text: e instanceof Error ? e.message : String(e) });
    }
  }, [api]);
  useEffect(() => {
    void refresh();
  }, [refresh]);

  if (!api) return <p className="muted">{t('noApi')}</p>;

  const load = async () => {
    if (!choice) return;
    const [source, ...rest] = choice.split(':');
    const pname = rest.join(':');
    try {
      const p = await api.loadProfile({ name: pname, source: source as 'user' | 'shipped' });
      loadScenario(p.scenario as ScenarioInput, p.name);
      const entry = [...shipped, ...mine].find((e) => e.name === pname && e.source === source);
      const tr = p.trace;
      setMessage(
        entry?.error
          ? { kind: 'error', text: `${entry.file}: ${entry.error}` }
          : tr
            ? {
                // a trace read next to the profile: what it held, and its bad lines by number
                kind: 'ok',
                text:
                  t('traceLoaded', { file: tr.file, format: tr.format, n: fmtNum(tr.arrivals) }) +
                  (tr.bad > 0
                    ? ` · ${t('traceBadLines', {
                        bad: String(tr.bad),
                        lines: String(tr.lines),
                        list: tr.bad_lines.map((b) => `${b.line} (${b.reason})`).join('; '),
                      })}`
                    : ''),
              }
            : null,
      );
    } catch (e) {
      setMessage({ kind: 'error', text: e instanceof Error ? e.message : String(e) });
    }
  };
  const save = async () => {
    const n = name.trim() || scenario.name;
    try {
      const entry = await api.saveProfile({ name: n, scenario });
      setMessage({ kind: 'ok', text: `${t('saved')}: ${entry.file}` });
      await refresh();
    } catch (e) {
      setMessage({ kind: 'error', text: e instanceof Error ? e.message : String(e) });
    }
  };
  const option = (e: ProfileEntry) => (
    <option key={`${e.source}:${e.name}`} value={`${e.source}:${e.name}`}>
      {profileName(lang, e.title ?? e.name) + (e.error ? ' ⚠' : '')}
    </option>
  );
  return (
    <div className="profiles">
      <label htmlFor={`${id}-p`}>{t('profile')}</label>
      <div className="row">
        <select id={`${id}-p`} value={choice} onChange={(e) => setChoice(e.currentTarget.value)}>
          <option value="">{t('chooseProfile')}</option>
          <optgroup label={t('shippedProfiles')}>{shipped.map(option)}</optgroup>
          {mine.length > 0 ? (
            <optgroup label={t('userProfiles')}>{mine.map(option)}</optgroup>
          ) : null}
        </select>
        <button type="button" onClick={() => void load()} disabled={!choice}>
          {t('loadProfile')}
        </button>
      </div>
      <div className="row">
        <input
          aria-label={t('profileName')}
          placeholder={scenario.name}
          value={name}
          onChange={(e) => setName(e.currentTarget.value)}
        />
        <button type="button" onClick={() => void save()}>
          {t('saveProfile')}
        </button>
      </div>
      {message ? (
        <p role={message.kind === 'error' ? 'alert' : 'status'} className={message.kind}>
          {translateProblemLines(lang, message.text)}
        </p>
      ) : null}
    </div>
  );
}
