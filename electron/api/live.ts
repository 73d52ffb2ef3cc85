// The live-monitoring part of the API contract (`live:*` requests and events).
//
// TODO(shells/live): placeholder until `electron/live/contract.ts` (owned by the live engineer)
// exists; then this module re-exports its request and event tables instead. The shapes follow
// issue 4 and the `watch --json` line: `{t, source, status, error, metrics, nodes}`.
import { z } from 'zod';

export const LiveStatusSchema = z.enum(['connecting', 'up', 'down']);

/** What to connect to. Passwords stay on the Node side; they are never sent back. */
export const LiveSourceConfigSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('redis'),
    /** `redis://` or `rediss://` (TLS); credentials may be in the URL or below. */
    url: z.string().min(1),
    username: z.string().optional(),
    password: z.string().optional(),
    cluster: z.boolean().optional(),
    tls_ca_file: z.string().optional(),
    tls_skip_verify: z.boolean().optional(),
    /** Keys whose depth (LLEN / XLEN / ZCARD) is sampled. */
    queue_keys: z.array(z.string()).optional(),
  }),
  z.strictObject({ kind: z.literal('metrics'), url: z.string().min(1) }),
  z.strictObject({ kind: z.literal('host') }),
]);

export const LiveSourceInfoSchema = z.object({
  id: z.string(),
  kind: z.enum(['redis', 'metrics', 'host']),
  /** URL without credentials, or "host". */
  label: z.string(),
  status: LiveStatusSchema,
  error: z.string().nullable(),
});

export const LiveSampleSchema = z.object({
  t: z.number(),
  id: z.string(),
  source: z.string(),
  status: LiveStatusSchema,
  error: z.string().nullable().optional(),
  metrics: z.record(z.string(), z.number().nullable()),
  nodes: z.array(z.record(z.string(), z.unknown())).optional(),
});

/** The `live:*` requests. */
export const liveRequests = {
  'live:connect': {
    method: 'liveConnect',
    request: z.strictObject({
      source: LiveSourceConfigSchema,
      /** Seconds between samples; default 1, floor 0.25. */
      interval_s: z.number().gte(0.25, { error: 'interval_s must be >= 0.25' }).optional(),
    }),
    reply: LiveSourceInfoSchema,
  },
  'live:disconnect': {
    method: 'liveDisconnect',
    request: z.strictObject({ id: z.string().min(1) }),
    reply: z.object({ disconnected: z.boolean() }),
  },
  'live:sources': {
    method: 'liveSources',
    request: z.strictObject({}).optional(),
    reply: z.array(LiveSourceInfoSchema),
  },
  'live:history': {
    method: 'liveHistory',
    request: z
      .strictObject({ id: z.string().optional(), window_s: z.number().gt(0).optional() })
      .optional(),
    reply: z.array(LiveSampleSchema),
  },
} as const;

/** The `live:*` events. */
export const liveEvents = {
  'live:sample': { method: 'onLiveSample', payload: LiveSampleSchema },
  'live:status': { method: 'onLiveStatus', payload: LiveSourceInfoSchema },
} as const;
