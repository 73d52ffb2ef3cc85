// The Node side of the API contract, the same for both shells: checks the channel and validates
// the payload with the contract's schema — once, here — refusing with a message naming the field,
// carries out the request (profile store, sweeps on worker threads, the live service, export) and
// returns the reply envelope. The Electron IPC layer and the web shell's WebSocket only move
// envelopes, and tell the handler when a caller's session ends.
import os from 'node:os';
import { formatProblems, validateScenario } from '../../sim-core/validate';
import { formatSloClauses, parsePlanSlo, type SloClause } from '../../sim-core/plan/slo';
import type { LiveService } from '../live/service';
import { ProfileError, type ProfileErrorCode, type ProfileStore } from '../profiles/store';
import type { runSweep as RunSweep, VaryDim } from '../sweep/sweep';
import type { PlanWorkersExecutor } from '../plan/service';
import {
  events,
  isRequestChannel,
  requests,
  type ApiErrorCode,
  type EventChannel,
  type EventOf,
  type LiveRequestChannel,
  type ParsedRequestOf,
  type ReplyEnvelope,
  type ReplyOf,
  type RequestChannel,
} from './contract';
import { ApiError, describeIssues, parseOrThrow } from './errors';

export type { ParsedRequestOf };

/**
 * Who asked — a session (a web console tab, a desktop window): where events meant for that caller
 * alone (sweep progress) go, and what the live sources it connects belong to.
 */
export interface RequestContext {
  /** Sends an event to this caller only. */
  emit<E extends EventChannel>(channel: E, payload: EventOf<E>): void;
}

/** What the handler needs from its shell. */
export interface ApiHandlerOptions {
  shell: 'electron' | 'web';
  version: string;
  store: ProfileStore;
  /** Live monitoring; without it `live:*` requests are refused as unavailable. */
  live?: LiveService | null;
  /** The sweep engine (default: the CLI's `runSweep` on worker threads). */
  runSweep?: typeof RunSweep;
  /** Worker threads per sweep (default: every core). */
  sweepThreads?: number;
  /** Worker threads per plan (default: every core). */
  planThreads?: number;
  /**
   * Runs plans on BullMQ workers (`plan:run` with `redis`); absent: plans run on worker threads
   * here only, `plan:executors` says so and the console shows no workers control.
   */
  planWorkers?: PlanWorkersExecutor | null;
  /** Desktop: shows the save dialog and writes the file. Absent on the web: the UI downloads. */
  saveExport?: (
    req: ParsedRequestOf<'export:save'>,
  ) => Promise<{ saved: boolean; path: string | null }>;
  /** Desktop: hands out the scenario files opened before the UI listened (each once). */
  takePendingFiles?: () => ReplyOf<'app:pending-files'>;
  /** Told when a profile was loaded or saved (the desktop's recent-profiles menu). */
  onProfileUsed?: (used: { name: string; source: 'user' | 'shipped' }) => void;
}

/** The contract's Node side. */
export interface ApiHandler {
  /** Validates and carries out one request; never throws (failures come back as `ok: false`). */
  handle(channel: string, payload: unknown, ctx: RequestContext): Promise<ReplyEnvelope>;
  /** Follows events meant for every window/connection (live samples and status). */
  subscribe(listener: (channel: EventChannel, payload: unknown) => void): () => void;
  /** Cancels the sweeps a caller started (its connection closed). */
  cancelOwnedBy(ctx: RequestContext): void;
  /** The caller's session is over: its sweeps stop, and its live sources unless saved. */
  endSession(ctx: RequestContext): Promise<void>;
  /** Cancels everything and drops subscriptions. */
  dispose(): void;
}

/** The contract's code for each way the profile store refuses. */
const PROFILE_ERROR_CODES: Record<ProfileErrorCode, ApiErrorCode> = {
  invalid_name: 'invalid_request',
  not_found: 'not_found',
  invalid_scenario: 'invalid_scenario',
  exists: 'exists',
};

function toEnvelope(e: unknown): ReplyEnvelope {
  if (e instanceof ApiError) return { ok: false, error: { code: e.code, message: e.message } };
  if (e instanceof ProfileError)
    return { ok: false, error: { code: PROFILE_ERROR_CODES[e.code], message: e.message } };
  const message = e instanceof Error ? e.message : String(e);
  return { ok: false, error: { code: 'internal', message } };
}

/** Builds the handler of the contract for one shell. */
export function createApiHandler(options: ApiHandlerOptions): ApiHandler {
  // Loaded on first use: the sweep engine pulls in the simulator and worker threads.
  const loadSweep = async () => {
    const mod = await import('../sweep/sweep');
    return { runSweep: options.runSweep ?? mod.runSweep, varyFromRange: mod.varyFromRange };
  };
  const sweeps = new Map<string, { controller: AbortController; owner: RequestContext }>();
  /** Running plans: their stop switch (the plan then answers with the best so far). */
  const plans = new Map<
    string,
    { signal: { aborted: boolean }; stop: (() => void) | null; owner: RequestContext }
  >();
  const stopPlan = (p: { signal: { aborted: boolean }; stop: (() => void) | null }) => {
    p.signal.aborted = true;
    p.stop?.();
  };
  const listeners = new Set<(channel: EventChannel, payload: unknown) => void>();
  const broadcast = (channel: EventChannel, payload: unknown) => {
    for (const l of listeners) l(channel, payload);
  };
  const live = options.live ?? null;
  const liveEvents = live
    ? [
        live.on('sample', (s) => broadcast('live:sample', s)),
        live.on('status', (s) => broadcast('live:status', s)),
        live.on('removed', (r) => broadcast('live:removed', r)),
      ]
    : [];
  const liveService = (channel: LiveRequestChannel): LiveService => {
    if (!live)
      throw new ApiError(
        'unavailable',
        `${channel}: live monitoring is not available in this shell`,
      );
    return live;
  };

  const checkScenario = (scenario: unknown, label: string) => {
    const r = validateScenario(scenario, label);
    if (!r.ok) throw new ApiError('invalid_scenario', formatProblems(label, r.problems).join('\n'));
    return r.scenario;
  };

  type Impl = {
    [C in RequestChannel]: (req: ParsedRequestOf<C>, ctx: RequestContext) => Promise<ReplyOf<C>>;
  };
  const impl: Impl = {
    'profiles:list': () => options.store.list(),
    'profiles:shipped': () => options.store.listShipped(),
    'profiles:load': async (req) => {
      const loaded = await options.store.load(req.name, req.source ?? 'user');
      options.onProfileUsed?.({ name: loaded.name, source: loaded.source });
      return loaded;
    },
    'profiles:save': async (req) => {
      const entry = await options.store.save(req.name, req.scenario, {
        noOverwrite: req.noOverwrite,
      });
      options.onProfileUsed?.({ name: entry.name, source: 'user' });
      return entry;
    },
    'profiles:delete': (req) => options.store.delete(req.name),
    'sweep:run': async (req, ctx) => {
      const base = checkScenario(req.scenario, 'scenario');
      if (req.slo !== undefined) {
        // the SLO is the plan's: an async objective needs an async section to judge
        let clauses: SloClause[];
        try {
          clauses = parsePlanSlo(req.slo);
        } catch (e) {
          throw new ApiError(
            'invalid_request',
            `sweep:run: slo: ${(e as Error).message.replace(/^--slo:? ?/, '')}`,
          );
        }
        const asyncOnly = clauses.filter(
          (c) => c.metric === 'task_delay_p99' || c.metric === 'backlog_max',
        );
        if (!base.async && asyncOnly.length > 0)
          throw new ApiError(
            'invalid_request',
            `sweep:run: slo: ${formatSloClauses(asyncOnly)}: the scenario has no async section`,
          );
      }
      if (sweeps.has(req.id))
        throw new ApiError(
          'invalid_request',
          `sweep:run: a sweep with id "${req.id}" is already running`,
        );
      const { runSweep, varyFromRange } = await loadSweep();
      let vary: VaryDim[];
      try {
        vary = req.vary.map((v) =>
          'values' in v ? { path: v.path, values: v.values } : varyFromRange(v),
        );
      } catch (e) {
        throw new ApiError('invalid_request', `sweep:run: vary: ${(e as Error).message}`);
      }
      const controller = new AbortController();
      sweeps.set(req.id, { controller, owner: ctx });
      let lastShown = -1;
      try {
        const result = await runSweep(req.scenario, vary, {
          slo: req.slo,
          sloDetail: true,
          signal: controller.signal,
          threads: options.sweepThreads,
          keepResults: false,
          onProgress: (done, total) => {
            // At most ~100 progress events per sweep.
            const step = Math.floor((done * 100) / total);
            if (step === lastShown && done !== total) return;
            lastShown = step;
            ctx.emit('sweep:progress', { id: req.id, done, total });
          },
        });
        return { id: req.id, ...result };
      } catch (e) {
        if (e instanceof ApiError) throw e;
        throw new ApiError('invalid_request', `sweep:run: ${(e as Error).message}`);
      } finally {
        sweeps.delete(req.id);
      }
    },
    'sweep:cancel': async (req) => {
      const s = sweeps.get(req.id);
      if (!s) return { cancelled: false };
      s.controller.abort();
      return { cancelled: true };
    },
    'plan:run': async (req, ctx) => {
      checkScenario(req.scenario, 'scenario');
      if (plans.has(req.id))
        throw new ApiError(
          'invalid_request',
          `plan:run: a plan with id "${req.id}" is already running`,
        );
      const { runConsolePlan, PlanRequestError } = await import('../plan/service');
      const entry = { signal: { aborted: false }, stop: null as (() => void) | null, owner: ctx };
      plans.set(req.id, entry);
      let lastEmit = 0;
      try {
        const report = await runConsolePlan(req, {
          signal: entry.signal,
          threads: options.planThreads,
          workers: options.planWorkers ?? null,
          onAbort: (stop) => {
            entry.stop = stop;
            if (entry.signal.aborted) stop();
          },
          onProgress: (p) => {
            // at most ~10 progress events a second
            const now = performance.now();
            if (now - lastEmit < 100) return;
            lastEmit = now;
            ctx.emit('plan:progress', { id: req.id, ...p });
          },
        });
        return { id: req.id, ...report };
      } catch (e) {
        if (e instanceof PlanRequestError)
          throw new ApiError(
            e.message.startsWith('redis:') ? 'unavailable' : 'invalid_request',
            `plan:run: ${e.message}`,
          );
        throw e;
      } finally {
        plans.delete(req.id);
      }
    },
    'plan:cancel': async (req) => {
      const p = plans.get(req.id);
      if (!p) return { cancelled: false };
      stopPlan(p);
      return { cancelled: true };
    },
    'plan:executors': async () => ({
      threads: options.planThreads ?? os.availableParallelism(),
      workers: Boolean(options.planWorkers),
    }),
    'plan:workers': async (req) => {
      if (!options.planWorkers)
        throw new ApiError(
          'unavailable',
          'plan:workers: running plans on workers is not available in this console yet',
        );
      return { connected: await options.planWorkers.connected(req.redis) };
    },
    'export:save': async (req) => {
      if (!options.saveExport) return { saved: false, path: null, download: true };
      const r = await options.saveExport(req);
      return { ...r, download: false };
    },
    'app:pending-files': async () => options.takePendingFiles?.() ?? [],
    'app:info': async () => ({
      shell: options.shell,
      version: options.version,
      platform: `${os.platform()}-${os.arch()}`,
      profilesDir: options.store.userDir,
    }),
    'live:secrets': async () => liveService('live:secrets').secrets(),
    'live:secret:save': (req) => liveService('live:secret:save').secretSave(req),
    'live:secret:forget': (req) => liveService('live:secret:forget').secretForget(req),
    'live:connect': async (req, ctx) => {
      const svc = liveService('live:connect');
      return svc.connect(await svc.withRemembered(req), ctx);
    },
    'live:disconnect': (req) => liveService('live:disconnect').disconnect(req),
    'live:list': async () => liveService('live:list').list(),
    'live:history': async (req) => liveService('live:history').getHistory(req),
    'live:slowlog': (req) => liveService('live:slowlog').slowlog(req),
    'live:record:start': async (req, ctx) => liveService('live:record:start').recordStart(req, ctx),
    'live:record:stop': () => liveService('live:record:stop').recordStop(),
    'live:recordings': async () => liveService('live:recordings').recordings(),
    'live:replay': (req, ctx) => liveService('live:replay').replay(req, ctx),
    'live:model': async (req) => liveService('live:model').model(req),
    'live:prom:range': (req) => liveService('live:prom:range').promRange(req),
    'live:recording:history': (req) => liveService('live:recording:history').recordingHistory(req),
  };

  const run = async (
    channel: RequestChannel,
    payload: unknown,
    ctx: RequestContext,
  ): Promise<unknown> => {
    const def = requests[channel];
    const req = parseOrThrow(def.request as never, payload, channel);
    const own = impl[channel] as (req: unknown, ctx: RequestContext) => Promise<unknown>;
    const result = await own(req, ctx);
    const checked = def.reply.safeParse(result);
    if (!checked.success)
      throw new ApiError(
        'internal',
        `reply does not match the contract:\n${describeIssues(channel, checked.error.issues)}`,
      );
    return checked.data;
  };

  return {
    async handle(channel, payload, ctx) {
      if (!isRequestChannel(channel))
        return {
          ok: false,
          error: {
            code: 'invalid_request',
            message: `unknown request "${String(channel).slice(0, 80)}"`,
          },
        };
      try {
        return { ok: true, result: await run(channel, payload, ctx) };
      } catch (e) {
        return toEnvelope(e);
      }
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    cancelOwnedBy(ctx) {
      for (const s of sweeps.values()) if (s.owner === ctx) s.controller.abort();
      for (const p of plans.values()) if (p.owner === ctx) stopPlan(p);
    },
    async endSession(ctx) {
      this.cancelOwnedBy(ctx);
      await live?.endSession(ctx);
    },
    dispose() {
      for (const s of sweeps.values()) s.controller.abort();
      for (const p of plans.values()) stopPlan(p);
      listeners.clear();
      for (const off of liveEvents) off();
    },
  };
}

/** Validates an event payload against the contract before it is pushed (a bug guard). */
export function checkEvent<E extends EventChannel>(channel: E, payload: unknown): EventOf<E> {
  const r = events[channel].payload.safeParse(payload);
  if (!r.success) throw new Error(describeIssues(channel, r.error.issues));
  return r.data as EventOf<E>;
}
