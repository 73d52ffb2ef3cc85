// Plan: the cheapest configuration meeting every objective of the shared SLO set, with confidence
// (the CLI's `peakline plan`, run by the Node side on worker threads through `plan:run`). The
// planner picks fields and ranges (any number), prices and replications; watches progress
// (configurations run of the grid); can cancel (the best so far stays, marked partial); and sees
// the answer, its cost and how it adds up, its margin against each objective with intervals, the
// Pareto front (cost against P99), and why each cheaper neighbour fails. "Open in Scenario" puts
// the answer into the scenario editor. Plans run on the Node side rather than in the browser's
// worker pool: the search is the CLI's own (same answers as `peakline plan`), it keeps its
// worker threads between batches, and only the Node side can reach BullMQ workers on Redis.
import { memo, useEffect, useMemo, useRef, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import {
  CartesianGrid,
  Legend,
  Line,
  ComposedChart,
  Scatter,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { appStore, useApp } from '../store';
import type { PlanParam, PlanReport, Theme } from '../store/types';
import type { PlanConfig } from '../api/types';
import { CONTROLS } from '../scenario/controls';
import { defaultRange } from '../scenario/ranges';
import { useApi, useT } from '../ui/hooks';
import { palettes } from '../ui/palette';
import { ChartCard } from '../charts/ChartCard';
import { axisTick, yAxisLabel } from '../charts/parts';
import { fmtFig, fmtMs, fmtNum, fmtPct, fmtRps } from '../format';
import {
  clauseMargin,
  formatSloClauses,
  parsePlanSlo,
  type SloClause,
} from '../../sim-core/plan/slo';
import { setPath } from '../../sim-core/validate/paths';
import { SloEditor } from './SloEditor';
import type { T } from '../i18n';

/** How many values a field's range (or list) gives. */
const countOf = (p: PlanParam) =>
  p.values
    ? p.values.length
    : p.step > 0 && p.to >= p.from
      ? Math.floor((p.to - p.from) / p.step + 1e-9) + 1
      : 0;

/** `1,2,4,8` → [1, 2, 4, 8]; null when it is not a list of distinct numbers. */
function parseList(text: string): number[] | null {
  const parts = text
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
  if (parts.length === 0) return null;
  const vs = parts.map(Number);
  if (vs.some((v) => !Number.isFinite(v)) || new Set(vs).size !== vs.length) return null;
  return vs;
}

/** `async.workers=8, server.instances=2`. */
const paramsText = (params: Record<string, number>) =>
  Object.entries(params)
    .map(([k, v]) => `${k}=${fmtNum(v, 6, false)}`)
    .join(', ');

/** Money with its currency and period: `1.40 USD/hour`. */
function money(x: number | null, r: Pick<PlanReport, 'currency' | 'period'>): string {
  if (x === null) return '—';
  return `${fmtNum(x, 4)}${r.currency ? ` ${r.currency}` : ''}${r.period ? `/${r.period}` : ''}`;
}

/** A metric's figure as the report shows it. */
function figure(metric: string, v: number | null): string {
  if (v === null) return '—';
  if (metric === 'error_rate' || metric.startsWith('util:')) return fmtPct(v);
  if (metric === 'throughput') return fmtRps(v);
  if (metric === 'backlog_max') return fmtFig(v);
  return fmtMs(v);
}

function ParamRow({
  param,
  index,
  price,
  onChange,
  onRemove,
}: {
  param: PlanParam;
  index: number;
  price: number | undefined;
  onChange: (p: PlanParam) => void;
  onRemove: () => void;
}) {
  const t = useT();
  const n = index + 1;
  const def = CONTROLS.find((c) => c.path === param.path);
  const [listText, setListText] = useState<string | null>(null);
  const num = (k: 'from' | 'to' | 'step', label: string) => (
    <input
      type="number"
      aria-label={`${t('planField', { n })} ${label}`}
      value={param[k]}
      disabled={param.values !== undefined}
      step={def?.step ?? 'any'}
      min={def?.min}
      max={def?.max}
      onChange={(e) => {
        const v = Number(e.currentTarget.value);
        if (Number.isFinite(v)) onChange({ ...param, [k]: v });
      }}
    />
  );
  return (
    <tr>
      <td>
        <select
          aria-label={t('planField', { n })}
          value={param.path}
          onChange={(e) => {
            const path = e.currentTarget.value;
            const d = CONTROLS.find((c) => c.path === path)!;
            onChange({ path, ...defaultRange(d) });
          }}
        >
          {CONTROLS.map((c) => (
            <option key={c.path} value={c.path}>
              {t(c.label)} ({c.path})
            </option>
          ))}
        </select>
      </td>
      <td>{num('from', t('from'))}</td>
      <td>{num('to', t('to'))}</td>
      <td>{num('step', t('step'))}</td>
      <td>
        <input
          className="plan-list"
          aria-label={`${t('planField', { n })} ${t('planValues')}`}
          placeholder="1,2,4,8"
          value={listText ?? param.values?.join(',') ?? ''}
          aria-invalid={listText !== null && listText.trim() !== '' && parseList(listText) === null}
          onChange={(e) => {
            const text = e.currentTarget.value;
            setListText(text);
            if (text.trim() === '') {
              const { values: _dropped, ...range } = param;
              void _dropped;
              onChange(range);
            } else {
              const vs = parseList(text);
              if (vs) onChange({ ...param, values: vs });
            }
          }}
          onBlur={() => setListText(null)}
        />
      </td>
      <td className="num">{countOf(param)}</td>
      <td>
        <input
          type="number"
          min={0}
          step="any"
          aria-label={t('planPrice', { path: param.path })}
          value={price ?? ''}
          onChange={(e) => {
            const raw = e.currentTarget.value;
            const v = Number(raw);
            appStore.getState().setPlanPrice(param.path, raw.trim() === '' || !(v >= 0) ? null : v);
          }}
        />
      </td>
      <td>
        <button
          type="button"
          className="small"
          aria-label={t('planRemoveField', { path: param.path })}
          onClick={onRemove}
        >
          ×
        </button>
      </td>
    </tr>
  );
}

/** Ticks of a log axis over [lo, hi]: 1-2-5 of each decade, finer when the span is short. */
function logTicks(lo: number, hi: number): number[] {
  const steps =
    hi / lo < 4
      ? [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 7, 8, 9]
      : hi / lo < 40
        ? [1, 1.5, 2, 3, 5, 7]
        : [1, 2, 5];
  const out: number[] = [];
  for (let k = Math.floor(Math.log10(lo)); k <= Math.ceil(Math.log10(hi)); k++)
    for (const m of steps) {
      const v = Number((m * 10 ** k).toPrecision(6));
      if (v >= lo && v <= hi) out.push(v);
    }
  return out;
}

/** Cost against P99: every configuration run (faint), the Pareto front (line), the answer. */
const ParetoChart = memo(function ParetoChart({
  report,
  width,
  theme,
  t,
}: {
  report: PlanReport;
  width: number;
  theme: Theme;
  t: T;
}) {
  const p = palettes[theme];
  const unit = `${report.currency}${report.period ? `/${report.period}` : ''}`;
  const runs = report.configurations
    .filter((c) => c.metrics.p99 !== null)
    .map((c) => ({ cost: c.cost, p99: c.metrics.p99, meets: c.meets_slo }));
  const meets = runs.filter((r) => r.meets);
  const misses = runs.filter((r) => !r.meets);
  const front = report.pareto.map((f) => ({ cost: f.cost, p99: f.p99 }));
  const best =
    report.best && report.best.metrics.p99 !== null
      ? [{ cost: report.best.cost, p99: report.best.metrics.p99 }]
      : [];
  const p99Clause = parsePlanSlo(report.slo).find((c) => c.metric === 'p99');
  const ys = [...runs.map((r) => r.p99 as number), ...(p99Clause ? [p99Clause.value] : [])].filter(
    (v) => v > 0,
  );
  const lo = ys.length > 0 ? Math.min(...ys) * 0.85 : 1;
  const hi = ys.length > 0 ? Math.max(...ys) * 1.15 : 10;
  const ticks = logTicks(lo, hi);
  return (
    <ComposedChart
      width={width}
      height={300}
      margin={{ top: 8, right: 16, bottom: 4, left: 0 }}
      className="pareto-chart"
    >
      <CartesianGrid stroke={p.grid} strokeDasharray="3 3" />
      <XAxis
        dataKey="cost"
        type="number"
        domain={['auto', 'auto']}
        stroke={p.muted}
        tick={axisTick(p)}
        tickFormatter={(v: number) => fmtNum(v)}
        height={38}
        label={{
          value: unit ? t('axCost', { unit }) : t('axCostPlain'),
          position: 'insideBottom',
          fill: p.muted,
          fontSize: 11,
        }}
      />
      <YAxis
        dataKey="p99"
        type="number"
        scale="log"
        domain={[lo, hi]}
        ticks={ticks}
        allowDataOverflow
        stroke={p.muted}
        tick={axisTick(p)}
        width={66}
        tickFormatter={(v: number) => fmtNum(v)}
        label={yAxisLabel(p, t('axP99'))}
      />
      <Tooltip isAnimationActive={false} />
      <Legend />
      <Scatter
        name={t('missesSlo')}
        data={misses}
        fill={p.slo}
        fillOpacity={0.35}
        isAnimationActive={false}
      />
      <Scatter
        name={t('meetsSlo')}
        data={meets}
        fill={p.ok}
        fillOpacity={0.5}
        isAnimationActive={false}
      />
      <Line
        name={t('planPareto')}
        data={front}
        dataKey="p99"
        type="stepAfter"
        stroke={p.p99}
        strokeWidth={2}
        dot={{ r: 3 }}
        isAnimationActive={false}
      />
      <Scatter
        name={t('planAnswerDot')}
        data={best}
        fill={p.fg}
        shape="star"
        legendType="star"
        isAnimationActive={false}
      />
      {p99Clause ? (
        <Line
          name={`SLO ${p99Clause.value} ms`}
          data={[
            { cost: Math.min(...runs.map((r) => r.cost)), p99: p99Clause.value },
            { cost: Math.max(...runs.map((r) => r.cost)), p99: p99Clause.value },
          ]}
          dataKey="p99"
          stroke={p.slo}
          strokeDasharray="6 4"
          dot={false}
          isAnimationActive={false}
        />
      ) : null}
    </ComposedChart>
  );
});

/** The margin against each objective, with the interval. */
function Margins({ config, report, t }: { config: PlanConfig; report: PlanReport; t: T }) {
  const clauses = useMemo(() => {
    try {
      return parsePlanSlo(report.slo);
    } catch {
      return [] as SloClause[];
    }
  }, [report.slo]);
  return (
    <table className="plan-margins" aria-label={t('planMargins')}>
      <thead>
        <tr>
          <th scope="col">{t('planObjective')}</th>
          <th scope="col">{t('planMeanCi', { conf: fmtNum(report.confidence * 100) })}</th>
          <th scope="col">{t('planMargin')}</th>
          <th scope="col">{t('planVerdict')}</th>
        </tr>
      </thead>
      <tbody>
        {config.clauses.map((c, i) => {
          const cl = clauses[i];
          // the margin at the interval's bound nearer the threshold: what is surely there
          const bound = cl
            ? cl.op === '>=' || cl.op === '>'
              ? c.ci95.low
              : c.ci95.high
            : c.ci95.mean;
          const m = cl && bound !== null ? clauseMargin(cl, bound) : null;
          return (
            <tr key={c.clause} className={c.outcome === 'pass' ? 'meets' : 'misses'}>
              <th scope="row">{c.clause}</th>
              <td>
                {figure(c.metric, c.ci95.mean)}
                {c.ci95.half_width ? ` ± ${figure(c.metric, c.ci95.half_width)}` : ''}
              </td>
              <td>{m === null || !Number.isFinite(m) ? '—' : fmtPct(m)}</td>
              <td data-outcome={c.outcome}>
                {t(
                  c.outcome === 'pass'
                    ? 'outcomePass'
                    : c.outcome === 'fail'
                      ? 'outcomeFail'
                      : 'outcomeUnsure',
                )}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

function Answer({ report, theme }: { report: PlanReport; theme: Theme }) {
  const t = useT();
  const [opened, setOpened] = useState<string | null>(null);
  const b = report.best;
  const share = report.grid_size > 0 ? report.evaluated / report.grid_size : 0;
  const open = () => {
    if (!b) return;
    const st = appStore.getState();
    let next = st.scenario;
    for (const [path, v] of Object.entries(b.params)) next = setPath(next, path, v);
    st.setScenario(next);
    st.setTab('scenario');
    setOpened(paramsText(b.params));
  };
  return (
    <section className="plan-answer" aria-label={t('plan')}>
      <p
        role="status"
        className={`plan-verdict ${b && report.feasible ? 'meets' : 'misses'}${report.partial ? ' partial' : ''}`}
        data-partial={report.partial}
      >
        {report.partial
          ? b
            ? t('planPartial', { cost: money(b.cost, report) })
            : t('planPartialNone')
          : b && report.feasible
            ? t('planAnswer', { cost: money(b.cost, report) })
            : t('planNone')}
      </p>
      {b ? (
        <>
          <p className="plan-params">
            <strong>{paramsText(b.params)}</strong>{' '}
            <button type="button" onClick={open}>
              {t('openInScenario')}
            </button>
          </p>
          {opened ? <p className="muted">{t('planOpened', { config: opened })}</p> : null}
        </>
      ) : null}
      {!b && report.largest ? (
        <p className="muted">
          {t('planLargest', {
            config: paramsText(report.largest.params),
            failed: report.largest.failed.join('; '),
          })}
        </p>
      ) : null}
      <p className="muted plan-how">
        {t('planHow', {
          evaluated: fmtNum(report.evaluated),
          grid: fmtNum(report.grid_size),
          share: fmtPct(share),
          sims: fmtNum(report.replications.total),
          reps: report.replications.initial,
          max: report.replications.max,
          adaptive: report.replications.adaptive,
          winner: b ? b.replications : report.replications.confirm,
          conf: fmtNum(report.confidence * 100),
          wall: fmtMs(report.wall_ms),
          where:
            report.executor === 'local'
              ? t('planThreads', { n: report.threads })
              : t('planWorkersConnected', { n: report.threads }),
        })}
      </p>
      {b ? (
        <div className="plan-grid">
          <div>
            <h3>{t('planCost')}</h3>
            <ul className="plan-cost">
              {b.cost_items.map((it) => (
                <li key={it.path}>
                  {t('planCostLine', {
                    path: it.path,
                    value: fmtNum(it.value, 6),
                    times: it.per ? ` × ${fmtNum(it.multiplier)} (${it.per})` : '',
                    price: fmtNum(it.price, 6),
                    cost: money(it.cost, report),
                  })}
                </li>
              ))}
              <li>
                <strong>= {money(b.cost, report)}</strong>
              </li>
            </ul>
            <p className="muted small-text">{t('planCostRule')}</p>
          </div>
          <div>
            <h3>{t('planMargins')}</h3>
            <Margins config={b} report={report} t={t} />
            <p>
              {t('planSaturated')}: {b.saturated ?? t('noErrors')}
            </p>
          </div>
        </div>
      ) : null}
      {report.configurations.length > 0 ? (
        <ChartCard
          title={t('planPareto')}
          units={t('planParetoUnits', {
            unit:
              `${report.currency}${report.period ? `/${report.period}` : ''}` || t('axCostPlain'),
          })}
        >
          {(w) => <ParetoChart report={report} width={w} theme={theme} t={t} />}
        </ChartCard>
      ) : null}
      {report.neighbours.length > 0 && b ? (
        <>
          <h3>{t('planNeighbours')}</h3>
          <table className="plan-neighbours" aria-label={t('planNeighbours')}>
            <thead>
              <tr>
                <th scope="col">{t('planChange')}</th>
                <th scope="col">{t('planCostCol')}</th>
                <th scope="col">{t('planFails')}</th>
                <th scope="col">{t('planSaturated')}</th>
              </tr>
            </thead>
            <tbody>
              {report.neighbours.map((n) => {
                const changed = Object.entries(n.params)
                  .filter(([k, v]) => b.params[k] !== v)
                  .map(([k, v]) => `${k} ${fmtNum(b.params[k], 6)} → ${fmtNum(v, 6)}`)
                  .join(', ');
                return (
                  <tr key={changed} className={n.meets_slo ? 'meets' : 'misses'}>
                    <th scope="row">{changed}</th>
                    <td>{money(n.cost, report)}</td>
                    <td>{n.meets_slo ? t('planMeetsToo') : n.failed.join('; ')}</td>
                    <td>{n.saturated ?? t('noErrors')}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </>
      ) : null}
      {report.monotonicity.length > 0 ? (
        <>
          <h3>{t('planNotMonotone')}</h3>
          <ul>
            {report.monotonicity.map((m) => (
              <li key={m.message}>{m.message}</li>
            ))}
          </ul>
        </>
      ) : null}
    </section>
  );
}

/** The Plan view. */
export function PlanView() {
  const t = useT();
  const api = useApi();
  const s = useApp(
    useShallow((st) => ({
      params: st.planParams,
      prices: st.planPrices,
      currency: st.planCurrency,
      period: st.planPeriod,
      replications: st.planReplications,
      status: st.planStatus,
      progress: st.planProgress,
      report: st.planReport,
      error: st.planError,
      slo: st.slo,
      theme: st.theme,
    })),
  );
  const runId = useRef<string | null>(null);
  const [workersExecutor, setWorkersExecutor] = useState(false);
  const [redis, setRedis] = useState('');
  const [connected, setConnected] = useState<number | null>(null);
  useEffect(() => {
    if (!api) return;
    let live = true;
    void api
      .planExecutors()
      .then((e) => live && setWorkersExecutor(e.workers))
      .catch(() => undefined);
    const off = api.onPlanProgress((ev) => {
      if (ev.id === runId.current) appStore.getState().planProgressed(ev);
    });
    return () => {
      live = false;
      off();
    };
  }, [api]);
  useEffect(() => {
    // the seam for BullMQ workers: shown only where the Node side has an executor for them
    if (!api || !workersExecutor || !redis) return;
    let live = true;
    const poll = () =>
      void api
        .planWorkers({ redis })
        .then((r) => live && setConnected(r.connected))
        .catch(() => live && setConnected(null));
    poll();
    const timer = setInterval(poll, 2000);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [api, workersExecutor, redis]);

  const grid = s.params.reduce((n, p) => n * countOf(p), 1);
  const setParams = (next: PlanParam[]) => appStore.getState().setPlanParams(next);
  const run = async () => {
    if (!api) return;
    const st = appStore.getState();
    const id = `plan-${Date.now().toString(36)}`;
    runId.current = id;
    st.planStarted();
    const used = new Set(st.planParams.map((p) => p.path));
    try {
      const res = await api.runPlan({
        id,
        scenario: st.scenario,
        vary: st.planParams.map((p) =>
          p.values
            ? { path: p.path, values: p.values }
            : { path: p.path, from: p.from, to: p.to, step: p.step },
        ),
        slo: formatSloClauses(st.slo),
        prices: Object.fromEntries(Object.entries(st.planPrices).filter(([k]) => used.has(k))),
        currency: st.planCurrency,
        period: st.planPeriod,
        replications: st.planReplications,
        ...(workersExecutor && redis ? { redis } : {}),
      });
      if (runId.current === id) appStore.getState().planFinished(res);
    } catch (e) {
      if (runId.current === id)
        appStore.getState().planFailed(e instanceof Error ? e.message : String(e));
    }
  };
  const cancel = () => {
    const id = runId.current;
    if (api && id) void api.cancelPlan({ id }).catch(() => undefined);
  };
  const prog = s.progress;
  return (
    <section className="plan" aria-label={t('plan')}>
      {!api ? <p className="muted">{t('planUnavailable')}</p> : null}
      <SloEditor />
      <fieldset className="plan-fields">
        <legend>{t('planFields')}</legend>
        <table>
          <thead>
            <tr>
              <th scope="col">{t('planFields')}</th>
              <th scope="col">{t('from')}</th>
              <th scope="col">{t('to')}</th>
              <th scope="col">{t('step')}</th>
              <th scope="col">{t('planOrValues')}</th>
              <th scope="col">#</th>
              <th scope="col">
                {t('planPriceHead')} ({s.currency || '—'})
              </th>
              <th scope="col" />
            </tr>
          </thead>
          <tbody>
            {s.params.map((p, i) => (
              <ParamRow
                key={`${i}-${p.path}`}
                param={p}
                index={i}
                price={s.prices[p.path]}
                onChange={(np) => setParams(s.params.map((x, j) => (j === i ? np : x)))}
                onRemove={() => setParams(s.params.filter((_, j) => j !== i))}
              />
            ))}
          </tbody>
        </table>
        <div className="row">
          <button
            type="button"
            onClick={() => {
              const used = new Set(s.params.map((p) => p.path));
              const def = CONTROLS.find((c) => !used.has(c.path));
              if (def) setParams([...s.params, { path: def.path, ...defaultRange(def) }]);
            }}
          >
            {t('planAddField')}
          </button>
          <label>
            {t('planCurrency')}{' '}
            <input
              className="short"
              value={s.currency}
              maxLength={12}
              onChange={(e) => appStore.getState().setPlanCurrency(e.currentTarget.value)}
            />
          </label>
          <label>
            {t('planPeriod')}{' '}
            <input
              className="short"
              value={s.period}
              maxLength={24}
              onChange={(e) => appStore.getState().setPlanPeriod(e.currentTarget.value)}
            />
          </label>
          <label>
            {t('planReplications')}{' '}
            <input
              type="number"
              className="short"
              min={2}
              max={50}
              step={1}
              value={s.replications}
              onChange={(e) =>
                appStore.getState().setPlanReplications(Number(e.currentTarget.value))
              }
            />
          </label>
          <span className="muted">{t('planGrid', { n: fmtNum(grid) })}</span>
        </div>
        {workersExecutor ? (
          <div className="row">
            <label>
              {t('planOnWorkers')}{' '}
              <input
                value={redis}
                placeholder="redis://127.0.0.1:6379"
                onChange={(e) => setRedis(e.currentTarget.value.trim())}
              />
            </label>
            {connected !== null ? (
              <span role="status">{t('planWorkersConnected', { n: connected })}</span>
            ) : null}
          </div>
        ) : null}
      </fieldset>
      <div className="row">
        <button
          type="button"
          onClick={() => void run()}
          disabled={!api || s.status === 'running' || s.params.length === 0 || grid === 0}
        >
          {t('runPlan')}
        </button>
        {s.status === 'running' ? (
          <>
            <progress
              aria-label={t('progress')}
              max={prog?.grid_size ?? grid}
              value={prog?.evaluated ?? 0}
            />
            <span className="plan-progress" role="status">
              {t('planRunning', {
                evaluated: fmtNum(prog?.evaluated ?? 0),
                grid: fmtNum(prog?.grid_size ?? grid),
                sims: fmtNum(prog?.simulations ?? 0),
              })}
              {prog?.best
                ? ` · ${t('planBestSoFar', {
                    cost: fmtNum(prog.best.cost, 4),
                    config: paramsText(prog.best.params),
                  })}`
                : ''}
            </span>
            <button type="button" onClick={cancel}>
              {t('cancel')}
            </button>
          </>
        ) : null}
      </div>
      {s.error ? (
        <p role="alert" className="error">
          {s.error}
        </p>
      ) : null}
      {s.report ? <Answer report={s.report} theme={s.theme} /> : null}
    </section>
  );
}
