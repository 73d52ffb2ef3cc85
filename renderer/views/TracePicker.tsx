// A trace workload in the console: the browser cannot read the file a scenario names, so the user
// picks it (a file input); its text is parsed here by sim-core's trace reader and its arrivals put
// into the scenario (the same `withTrace` as the CLI), so every worker gets a self-contained
// scenario. What was read, and the bad lines by number, are shown under the picker.
import { useId, useState } from 'react';
import { TraceError, withTrace, type ParsedTrace } from '../../sim-core/trace';
import type { ScenarioInput } from '../../sim-core/schema';
import { appStore, useApp } from '../store';
import { fmtNum } from '../format';
import { useT } from '../ui/hooks';

/** The trace file picker and what it read (only for a scenario of `workload.type: trace`). */
export function TracePicker() {
  const t = useT();
  const id = useId();
  const workload = useApp((s) => s.scenario.workload) as {
    type: string;
    file?: string;
    times_s?: number[];
    rates?: unknown[];
  };
  const [read, setRead] = useState<ParsedTrace | null>(null);
  const [error, setError] = useState<string | null>(null);
  if (workload.type !== 'trace') return null;
  const loaded = workload.times_s !== undefined || workload.rates !== undefined;
  const onFile = async (file: File | undefined) => {
    if (!file) return;
    const text = await file.text();
    const s = appStore.getState().scenario;
    // a new file replaces the data of the last one
    const { times_s: _t, rates: _r, ...rest } = s.workload as Record<string, unknown>;
    void _t;
    void _r;
    try {
      const { scenario, trace } = withTrace(
        { ...s, workload: { ...rest, file: file.name } } as ScenarioInput,
        text,
      );
      setRead(trace);
      setError(null);
      appStore.getState().setScenario(scenario);
    } catch (e) {
      setRead(null);
      setError(e instanceof TraceError ? `${file.name}: ${e.message}` : String(e));
    }
  };
  return (
    <div className="field trace-picker">
      <label htmlFor={`${id}-trace`}>{t('traceFile')}</label>
      <input
        id={`${id}-trace`}
        type="file"
        accept=".log,.csv,.txt,.ndjson,.jsonl"
        aria-label={t('traceChoose')}
        onChange={(e) => void onFile(e.currentTarget.files?.[0])}
      />
      {!loaded && !error ? (
        <p role="alert" className="error">
          {t('traceNeedsFile', { file: workload.file ?? '' })}
        </p>
      ) : null}
      {error ? (
        <p role="alert" className="error">
          {error}
        </p>
      ) : null}
      {read ? (
        <p className="muted trace-read" role="status" aria-label={t('traceFile')}>
          {t('traceLoaded', {
            file: workload.file ?? '',
            format: read.format,
            n: fmtNum(read.rates ? read.rates.length : read.times_s.length),
          })}
          {read.bad > 0
            ? ` · ${t('traceBadLines', {
                bad: String(read.bad),
                lines: String(read.lines),
                list: read.bad_lines.map((b) => `${b.line} (${b.reason})`).join('; '),
              })}`
            : ''}
        </p>
      ) : null}
    </div>
  );
}
