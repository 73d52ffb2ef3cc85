// The one typed API between the UI and the Node side. Every request (`domain:verb[:noun]`) has a
// zod schema for its payload and its reply; every pushed event has a schema for its payload. The
// Electron preload exposes it as `window.peakline` over IPC, the web shell carries it over a
// WebSocket; both validate every payload against these schemas on the Node side. The renderer
// imports only the *types* of this module (`PeaklineApi` and friends).
//
// This module must stay free of Node and Electron imports: the renderer's type check reads it.
import { z } from 'zod';
import type { ScenarioInput } from '../../sim-core/schema.ts';
import { liveEvents, liveRequests } from './live';

// ---------------------------------------------------------------------------------------------
// Shared pieces

/** A request that carries nothing. */
export const EmptySchema = z.strictObject({}).optional();

/** A scenario as the user wrote it (validated in full by the handler, which names bad fields). */
export const ScenarioPayloadSchema = z.custom<ScenarioInput>(
  (v) => typeof v === 'object' && v !== null && !Array.isArray(v),
  { error: 'scenario must be a JSON object' },
);

/** A profile name: what the user typed; the store turns it into a safe file name. */
export const ProfileNameSchema = z
  .string({ error: 'name must be a string' })
  .trim()
  .min(1, { error: 'name must not be empty' })
  .max(120, { error: 'name must be at most 120 characters' });

export const ProfileSourceSchema = z.enum(['user', 'shipped']);
export type ProfileSource = z.infer<typeof ProfileSourceSchema>;

/** One entry of a profile listing. A file that does not validate is listed with its error. */
export const ProfileEntrySchema = z.object({
  /** The name to pass to `profiles:load` / `profiles:delete`. */
  name: z.string(),
  source: ProfileSourceSchema,
  /** File name inside the profiles folder (no directory). */
  file: z.string(),
  /** The scenario's own `name` field, when the file is valid. */
  title: z.string().nullable(),
  /** The scenario's `notes`, when the file is valid. */
  notes: z.string().nullable(),
  /** Last modification, epoch ms. */
  modified_ms: z.number(),
  /** The validator's message when the file does not validate, else null. */
  error: z.string().nullable(),
});
export type ProfileEntry = z.infer<typeof ProfileEntrySchema>;

export const LoadedProfileSchema = z.object({
  name: z.string(),
  source: ProfileSourceSchema,
  file: z.string(),
  /** The scenario as written in the file (defaults not filled in). */
  scenario: ScenarioPayloadSchema,
});
export type LoadedProfile = z.infer<typeof LoadedProfileSchema>;

/** One swept dimension: a dotted scenario path (`async.workers`) and a..b by step, or a list. */
export const SweepVarySchema = z.union([
  z
    .strictObject({
      path: z.string().min(1, { error: 'path must not be empty' }),
      from: z.number(),
      to: z.number(),
      /** Defaults to 1. */
      step: z.number().gt(0, { error: 'step must be > 0' }).optional(),
    })
    .refine((v) => v.to >= v.from, { error: 'to must be >= from', path: ['to'] }),
  z.strictObject({
    path: z.string().min(1, { error: 'path must not be empty' }),
    values: z.array(z.number()).min(1, { error: 'values needs at least one number' }),
  }),
]);
export type SweepVary = z.infer<typeof SweepVarySchema>;

/** One configuration of a sweep and what it gave. */
export const SweepPointSchema = z.object({
  /** Position in the grid (first dimension outermost). */
  index: z.number(),
  /** The swept values, by path. */
  values: z.record(z.string(), z.number()),
  throughput_rps: z.number(),
  p50_ms: z.number(),
  p90_ms: z.number(),
  p99_ms: z.number(),
  p999_ms: z.number(),
  mean_ms: z.number(),
  error_rate: z.number(),
  /** Async task delay P99 (ms), or null without an async section. */
  task_delay_p99_ms: z.number().nullable(),
  /** Station that saturates first, or null. */
  saturated: z.string().nullable(),
  /** Whether this point meets the SLO (null when no SLO was given). */
  meets_slo: z.boolean().nullable(),
  /** Sum of the varied values (what "cheapest" minimises). */
  cost: z.number(),
  /** Set when this configuration could not be simulated. */
  error: z.string().optional(),
});
export type SweepPoint = z.infer<typeof SweepPointSchema>;

export const SweepResultSchema = z.object({
  id: z.string(),
  /** The swept dimensions, each as the list of values it took. */
  vary: z.array(z.object({ path: z.string(), values: z.array(z.number()) })),
  slo: z.string().nullable(),
  points: z.array(SweepPointSchema),
  /** The cheapest point meeting the SLO, or null (no SLO, or none meets it). */
  best: SweepPointSchema.nullable(),
  cancelled: z.boolean(),
  /** Worker threads used. */
  threads: z.number(),
  wall_ms: z.number(),
});
export type SweepResult = z.infer<typeof SweepResultSchema>;

/** A scenario file opened from the OS (argv, double click, File ▸ Open). */
export const OpenFileSchema = z.object({
  path: z.string(),
  /** The scenario as written in the file, or null when it could not be read or validated. */
  scenario: ScenarioPayloadSchema.nullable(),
  /** The validator's (or the reader's) message, or null. */
  error: z.string().nullable(),
});
export type OpenFile = z.infer<typeof OpenFileSchema>;

export const ExportKindSchema = z.enum(['png', 'csv', 'json', 'scenario']);

/** Commands the desktop menu sends to the UI (the web UI offers them in its own toolbar). */
export const MenuCommandSchema = z.discriminatedUnion('command', [
  z.object({ command: z.literal('file:new') }),
  z.object({ command: z.literal('file:save') }),
  z.object({ command: z.literal('file:save-as') }),
  z.object({ command: z.literal('file:export'), kind: ExportKindSchema }),
  /** Open a saved profile (File ▸ Recent profiles). */
  z.object({
    command: z.literal('file:open-profile'),
    name: z.string(),
    source: ProfileSourceSchema,
  }),
  z.object({ command: z.literal('view:presentation') }),
  z.object({ command: z.literal('view:theme'), theme: z.enum(['light', 'dark', 'system']) }),
  z.object({ command: z.literal('view:language'), language: z.enum(['en', 'zh-CN']) }),
  z.object({ command: z.literal('help:about') }),
]);
export type MenuCommand = z.infer<typeof MenuCommandSchema>;

// ---------------------------------------------------------------------------------------------
// Requests: channel → { method on window.peakline, request schema, reply schema }

/** Every request of the contract. */
export const requests = {
  'profiles:list': {
    method: 'listProfiles',
    request: EmptySchema,
    reply: z.array(ProfileEntrySchema),
  },
  'profiles:shipped': {
    method: 'listShippedProfiles',
    request: EmptySchema,
    reply: z.array(ProfileEntrySchema),
  },
  'profiles:load': {
    method: 'loadProfile',
    request: z.strictObject({
      name: ProfileNameSchema,
      /** Defaults to 'user'. */
      source: ProfileSourceSchema.optional(),
    }),
    reply: LoadedProfileSchema,
  },
  'profiles:save': {
    method: 'saveProfile',
    request: z.strictObject({
      name: ProfileNameSchema,
      scenario: ScenarioPayloadSchema,
      /** Refuse to replace an existing profile of that name (Save As). Default false. */
      noOverwrite: z.boolean().optional(),
    }),
    reply: ProfileEntrySchema,
  },
  'profiles:delete': {
    method: 'deleteProfile',
    request: z.strictObject({ name: ProfileNameSchema }),
    reply: z.object({ deleted: z.boolean() }),
  },
  'sweep:run': {
    method: 'runSweep',
    request: z.strictObject({
      /** Chosen by the caller, so it can cancel while the sweep runs. */
      id: z.string().min(1).max(100),
      scenario: ScenarioPayloadSchema,
      vary: z
        .array(SweepVarySchema)
        .min(1, { error: 'vary needs one or two dimensions' })
        .max(2, { error: 'vary needs one or two dimensions' }),
      /** E.g. `p99<=200`. */
      slo: z.string().optional(),
    }),
    reply: SweepResultSchema,
  },
  'sweep:cancel': {
    method: 'cancelSweep',
    request: z.strictObject({ id: z.string().min(1) }),
    reply: z.object({ cancelled: z.boolean() }),
  },
  'export:save': {
    method: 'saveExport',
    request: z.strictObject({
      kind: ExportKindSchema,
      /** File name offered in the save dialog. */
      suggestedName: z.string().min(1).max(200),
      /** Text (csv/json/scenario) or base64 (png). */
      data: z.string(),
      encoding: z.enum(['utf8', 'base64']),
    }),
    /**
     * Desktop: `saved` true with the path, or false if the user cancelled the dialog.
     * Web: `saved` false and `download` true — the UI downloads the data itself.
     */
    reply: z.object({
      saved: z.boolean(),
      path: z.string().nullable(),
      download: z.boolean(),
    }),
  },
  'app:info': {
    method: 'appInfo',
    request: EmptySchema,
    reply: z.object({
      shell: z.enum(['electron', 'web']),
      version: z.string(),
      platform: z.string(),
      /** Where user profiles are kept. */
      profilesDir: z.string(),
    }),
  },
  /**
   * Scenario files the OS asked the app to open before the UI was listening (the desktop app was
   * launched by a double click); each is handed out once. Call it after subscribing `onOpenFile`.
   * The web shell always answers [].
   */
  'app:pending-files': {
    method: 'takePendingFiles',
    request: EmptySchema,
    reply: z.array(OpenFileSchema),
  },
  ...liveRequests,
} as const;

// ---------------------------------------------------------------------------------------------
// Events pushed by the Node side: channel → { subscribe method on window.peakline, payload }

/** Every pushed event of the contract. */
export const events = {
  'sweep:progress': {
    method: 'onSweepProgress',
    payload: z.object({ id: z.string(), done: z.number(), total: z.number() }),
  },
  /** A scenario file was opened from the OS (argv, double click, File ▸ Open). */
  'app:open-file': {
    method: 'onOpenFile',
    payload: OpenFileSchema,
  },
  'app:menu': {
    method: 'onMenu',
    payload: MenuCommandSchema,
  },
  ...liveEvents,
} as const;

// ---------------------------------------------------------------------------------------------
// Types derived from the tables

export type RequestChannel = keyof typeof requests;
export type EventChannel = keyof typeof events;

/** What a caller passes for a request (defaults not yet applied). */
export type RequestOf<C extends RequestChannel> = z.input<(typeof requests)[C]['request']>;
/** What a request resolves to. */
export type ReplyOf<C extends RequestChannel> = z.output<(typeof requests)[C]['reply']>;
/** What an event delivers. */
export type EventOf<E extends EventChannel> = z.output<(typeof events)[E]['payload']>;

/** The method name of a request channel on `window.peakline`. */
export type MethodOf<C extends RequestChannel> = (typeof requests)[C]['method'];
/** The subscribe method name of an event channel on `window.peakline`. */
export type SubscribeOf<E extends EventChannel> = (typeof events)[E]['method'];

type RequestFn<C extends RequestChannel> =
  undefined extends RequestOf<C>
    ? (request?: RequestOf<C>) => Promise<ReplyOf<C>>
    : (request: RequestOf<C>) => Promise<ReplyOf<C>>;

/** Removes the subscription it came from. */
export type Unsubscribe = () => void;

/**
 * The object the UI talks to (`window.peakline` in Electron, a WebSocket client in the web
 * console): one named async function per request, one `on…(cb)` per event returning its
 * unsubscribe. A rejected promise carries an Error whose message says what is wrong and where.
 */
export type PeaklineApi = {
  [C in RequestChannel as MethodOf<C>]: RequestFn<C>;
} & {
  [E in EventChannel as SubscribeOf<E>]: (listener: (payload: EventOf<E>) => void) => Unsubscribe;
};

// ---------------------------------------------------------------------------------------------
// Envelopes: how requests, replies and events travel (WebSocket frames; IPC replies)

/** Why a request failed. */
export const ApiErrorCodeSchema = z.enum([
  'invalid_request',
  'invalid_scenario',
  'not_found',
  'exists',
  'cancelled',
  'unavailable',
  'internal',
  /** Too many requests waiting on one connection (the web console's flow control). */
  'busy',
]);
export type ApiErrorCode = z.infer<typeof ApiErrorCodeSchema>;

export const ApiErrorSchema = z.object({ code: ApiErrorCodeSchema, message: z.string() });
export type ApiErrorInfo = z.infer<typeof ApiErrorSchema>;

/** A reply as it travels: the result, or the error with a clear message. */
export type ReplyEnvelope<T = unknown> =
  { ok: true; result: T } | { ok: false; error: ApiErrorInfo };

/** WebSocket frame from the UI: one request. */
export const WsRequestFrameSchema = z.strictObject({
  type: z.literal('request'),
  id: z.number().int().nonnegative(),
  channel: z.string(),
  payload: z.unknown().optional(),
});
export type WsRequestFrame = z.infer<typeof WsRequestFrameSchema>;

/** WebSocket frames from the server: a reply to request `id`, or a pushed event. */
export type WsServerFrame =
  | ({ type: 'reply'; id: number } & ReplyEnvelope)
  | { type: 'event'; channel: EventChannel; payload: unknown };

/** Whether `channel` names a request of the contract. */
export function isRequestChannel(channel: string): channel is RequestChannel {
  return Object.prototype.hasOwnProperty.call(requests, channel);
}

/** Whether `channel` names an event of the contract. */
export function isEventChannel(channel: string): channel is EventChannel {
  return Object.prototype.hasOwnProperty.call(events, channel);
}
