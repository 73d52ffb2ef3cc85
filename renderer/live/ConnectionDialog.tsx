// The connection dialog of the Live view: Redis (URL, ACL user, password, TLS, cluster, queue
// keys), metrics endpoints, or this host; saved connections kept in localStorage without their
// passwords. Where the shell can encrypt (the desktop app), "Remember password on this computer"
// hands the password to the Node side, which keeps it encrypted under the saved connection's id;
// the web console never offers it. What is connected from a saved connection keeps running on
// the Node side after this page goes (a reload finds it); anything else stops with the page.
import { useId, useState, type FormEvent } from 'react';
import {
  EMPTY_FORM,
  isSavedForm,
  loadSaved,
  newSecretId,
  PROM_URL,
  requestsFromForm,
  storeSaved,
  toSaved,
  type ConnectionForm,
  type ConnectRequest,
  type SavedConnection,
} from './model';
import { useT } from '../ui/hooks';

export interface ConnectionDialogProps {
  /** Connect every request; resolve to an error message or null. */
  onConnect: (requests: ConnectRequest[]) => Promise<string | null>;
  /** The shell can remember passwords (desktop with an OS key store); never in the web console. */
  canRemember?: boolean;
  /** Remember `password` under `id` on the Node side; resolve to an error message or null. */
  onRemember?: (id: string, password: string) => Promise<string | null>;
  /** Forget the password remembered under `id`. */
  onForget?: (id: string) => void;
}

const storage = (): Storage | null => {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null;
  }
};

/** The form that adds live sources. */
export function ConnectionDialog({
  onConnect,
  canRemember = false,
  onRemember,
  onForget,
}: ConnectionDialogProps) {
  const id = useId();
  const t = useT();
  const [form, setForm] = useState<ConnectionForm>(EMPTY_FORM);
  const [saved, setSaved] = useState<SavedConnection[]>(() => loadSaved(storage()));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const set = <K extends keyof ConnectionForm>(k: K, v: ConnectionForm[K]) =>
    setForm((f) => ({ ...f, [k]: v }));

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    // A saved connection's sources outlive this page (a reload finds them running).
    const isSaved = isSavedForm(form, saved);
    const reqs = requestsFromForm(form).map((r) => (isSaved ? { ...r, saved: true } : r));
    const err = reqs.length ? await onConnect(reqs) : t('liveNeedMetricsUrl');
    setBusy(false);
    setError(err);
    if (!err) setForm((x) => ({ ...x, password: '', promToken: '' }));
  };

  const save = async () => {
    setError(null);
    const old = saved.find((s) => s.label === toSaved(form).label);
    let draft = form;
    if (canRemember && onRemember && form.kind === 'redis' && form.remember) {
      if (form.password) {
        const secretId = old?.secretId || form.secretId || newSecretId();
        const err = await onRemember(secretId, form.password);
        if (err) {
          setError(t('liveRememberFailed', { error: err }));
          return;
        }
        draft = { ...form, secretId };
      }
    } else {
      if (old?.secretId) onForget?.(old.secretId);
      draft = { ...form, remember: false, secretId: '' };
    }
    const entry = toSaved(draft);
    setForm((f) => ({ ...f, remember: entry.remember, secretId: entry.secretId }));
    const next = [...saved.filter((s) => s.label !== entry.label), entry];
    setSaved(next);
    storeSaved(storage(), next);
  };

  const use = (s: SavedConnection) =>
    setForm({
      ...EMPTY_FORM,
      ...s,
      password: '',
      promToken: '',
      remember: canRemember && s.remember,
      secretId: canRemember ? s.secretId : '',
    });

  const remove = (label: string) => {
    const gone = saved.find((s) => s.label === label);
    if (gone?.secretId) onForget?.(gone.secretId);
    const next = saved.filter((s) => s.label !== label);
    setSaved(next);
    storeSaved(storage(), next);
  };

  const f = (name: string) => `${id}-${name}`;
  return (
    <section className="panel live-connect" aria-labelledby={f('title')}>
      <h2 id={f('title')}>{t('liveConnectTitle')}</h2>
      <form onSubmit={(e) => void submit(e)}>
        <fieldset className="live-kind">
          <legend>{t('liveSource')}</legend>
          {(['redis', 'metrics', 'prometheus', 'host'] as const).map((k) => (
            <label key={k}>
              <input
                type="radio"
                name={f('kind')}
                value={k}
                checked={form.kind === k}
                onChange={() => set('kind', k)}
              />
              {k === 'redis'
                ? t('liveKindRedis')
                : k === 'metrics'
                  ? t('liveKindMetrics')
                  : k === 'prometheus'
                    ? t('liveKindPrometheus')
                    : t('liveKindHost')}
            </label>
          ))}
        </fieldset>
        {form.kind === 'redis' ? (
          <div className="live-fields">
            <label htmlFor={f('url')}>{t('liveRedisUrl')}</label>
            <input
              id={f('url')}
              value={form.url}
              onChange={(e) => set('url', e.target.value)}
              placeholder={t('liveRedisUrlPlaceholder')}
              spellCheck={false}
              autoComplete="off"
            />
            <label htmlFor={f('user')}>{t('liveUser')}</label>
            <input
              id={f('user')}
              value={form.username}
              onChange={(e) => set('username', e.target.value)}
              autoComplete="username"
            />
            <label htmlFor={f('password')}>{t('livePassword')}</label>
            <input
              id={f('password')}
              type="password"
              value={form.password}
              onChange={(e) => set('password', e.target.value)}
              autoComplete="current-password"
              aria-describedby={f('pwnote')}
            />
            <span id={f('pwnote')} className="muted small live-note">
              {form.remember && form.secretId ? t('liveRememberedPassword') : t('livePasswordNote')}
            </span>
            {canRemember ? (
              <>
                <label className="live-check">
                  <input
                    type="checkbox"
                    checked={form.remember}
                    onChange={(e) => set('remember', e.target.checked)}
                    aria-describedby={f('remnote')}
                  />
                  {t('liveRemember')}
                </label>
                <span id={f('remnote')} className="muted small live-note">
                  {t('liveRememberNote')}
                </span>
              </>
            ) : null}
            <label htmlFor={f('queues')}>{t('liveQueueKeys')}</label>
            <input
              id={f('queues')}
              value={form.queueKeys}
              onChange={(e) => set('queueKeys', e.target.value)}
              placeholder="bull:orders:wait, peakline:demo:orders"
              spellCheck={false}
            />
            <label className="live-check">
              <input
                type="checkbox"
                checked={form.cluster}
                onChange={(e) => set('cluster', e.target.checked)}
              />
              {t('liveCluster')}
            </label>
            <details className="live-tls">
              <summary>{t('liveTls')}</summary>
              <label htmlFor={f('ca')}>{t('liveCaFile')}</label>
              <input
                id={f('ca')}
                value={form.tlsCaFile}
                onChange={(e) => set('tlsCaFile', e.target.value)}
                spellCheck={false}
              />
              <label className="live-check">
                <input
                  type="checkbox"
                  checked={form.tlsSkipVerify}
                  onChange={(e) => set('tlsSkipVerify', e.target.checked)}
                />
                {t('liveSkipVerify')}
              </label>
            </details>
          </div>
        ) : null}
        {form.kind === 'metrics' ? (
          <div className="live-fields">
            <label htmlFor={f('murls')}>{t('liveMetricsUrls')}</label>
            <textarea
              id={f('murls')}
              rows={2}
              value={form.metricsUrls}
              onChange={(e) => set('metricsUrls', e.target.value)}
              spellCheck={false}
            />
          </div>
        ) : null}
        {form.kind === 'prometheus' ? <PrometheusFields form={form} set={set} f={f} /> : null}
        <div className="live-fields">
          <label htmlFor={f('interval')}>{t('liveInterval')}</label>
          <input
            id={f('interval')}
            type="number"
            min={0.25}
            step={0.25}
            value={form.intervalS}
            onChange={(e) => set('intervalS', Number(e.target.value))}
          />
          <label htmlFor={f('label')}>{t('liveName')}</label>
          <input
            id={f('label')}
            value={form.label}
            onChange={(e) => set('label', e.target.value)}
          />
        </div>
        <div className="row">
          <button type="submit" disabled={busy}>
            {busy ? t('liveConnecting') : t('liveConnect')}
          </button>
          <button type="button" onClick={() => void save()}>
            {t('liveSaveConnection')}
          </button>
        </div>
        {error ? (
          <p className="error" role="alert">
            {error}
          </p>
        ) : null}
      </form>
      {saved.length ? (
        <div className="live-saved">
          <h3>{t('liveSavedConnections')}</h3>
          <ul aria-label={t('liveSavedConnections')}>
            {saved.map((s) => (
              <li key={s.label}>
                <span>{s.label}</span>
                {s.remember ? (
                  <span className="muted small">{t('liveRememberedBadge')}</span>
                ) : null}
                <button
                  type="button"
                  aria-label={t('liveUseSaved', { label: s.label })}
                  onClick={() => use(s)}
                >
                  {t('liveUse')}
                </button>
                <button
                  type="button"
                  aria-label={t('liveForgetSaved', { label: s.label })}
                  onClick={() => remove(s.label)}
                >
                  {t('liveForget')}
                </button>
              </li>
            ))}
          </ul>
        </div>
      ) : null}
    </section>
  );
}

/** The Prometheus server's fields: URL, job, a PromQL of one's own, and its credentials. */
function PrometheusFields({
  form,
  set,
  f,
}: {
  form: ConnectionForm;
  set: <K extends keyof ConnectionForm>(k: K, v: ConnectionForm[K]) => void;
  f: (name: string) => string;
}) {
  const t = useT();
  return (
    <div className="live-fields">
      <label htmlFor={f('purl')}>{t('livePromUrl')}</label>
      <input
        id={f('purl')}
        value={form.promUrl ?? PROM_URL}
        onChange={(e) => set('promUrl', e.target.value)}
        spellCheck={false}
        autoComplete="off"
      />
      <label htmlFor={f('pjob')}>{t('livePromJob')}</label>
      <input
        id={f('pjob')}
        value={form.promJob ?? ''}
        onChange={(e) => set('promJob', e.target.value)}
        placeholder="orders"
        spellCheck={false}
      />
      <label htmlFor={f('pquery')}>{t('livePromQuery')}</label>
      <input
        id={f('pquery')}
        value={form.promQuery ?? ''}
        onChange={(e) => set('promQuery', e.target.value)}
        placeholder="sum(rate(http_requests_total[1m]))"
        spellCheck={false}
      />
      <label htmlFor={f('ptoken')}>{t('livePromToken')}</label>
      <input
        id={f('ptoken')}
        type="password"
        value={form.promToken ?? ''}
        onChange={(e) => set('promToken', e.target.value)}
        autoComplete="off"
      />
      <label htmlFor={f('puser')}>{t('livePromUser')}</label>
      <input
        id={f('puser')}
        value={form.username}
        onChange={(e) => set('username', e.target.value)}
        autoComplete="username"
      />
      <label htmlFor={f('ppass')}>{t('livePassword')}</label>
      <input
        id={f('ppass')}
        type="password"
        value={form.password}
        onChange={(e) => set('password', e.target.value)}
        autoComplete="current-password"
      />
      <span className="muted small live-note">{t('livePromAuthNote')}</span>
    </div>
  );
}
