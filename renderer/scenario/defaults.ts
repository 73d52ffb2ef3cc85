// The scenario the console opens with before anything else is chosen: the reference article's
// async order path (10 workers draining a bounded channel of 1000), as in DESIGN.md.
import type { ScenarioInput } from '../../sim-core/schema';

export const DEFAULT_SCENARIO: ScenarioInput = {
  schema: 'peakline.scenario/v1',
  name: 'Seed: async task queue',
  notes:
    'Order endpoint with stock check, balance deduction and push notification handed to a bounded channel (1000) drained by 10 workers.',
  seed: 1,
  duration_s: 30,
  warmup_s: 2,
  workload: { type: 'closed', connections: 200, think_ms: 0, timeout_ms: 0 },
  server: { instances: 1, concurrency: 200, backlog: 100000 },
  handler: [{ cpu: { dist: 'exp', mean_ms: 2.0 } }, { enqueue: {} }],
  async: {
    queue_capacity: 1000,
    when_full: 'block',
    workers: 10,
    steps: [{ cpu: { dist: 'exp', mean_ms: 2.0 } }],
  },
  db: { pool_size: 20, acquire_timeout_ms: 1000, shards: 16 },
};
