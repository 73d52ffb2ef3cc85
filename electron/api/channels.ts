// The names the API object uses on each channel, as plain data (no zod): what the Electron preload
// needs to build `window.peakline` without bundling the schemas. The type checker ties it to the
// contract both ways, so a channel added there must be added here.
import type { EventChannel, MethodOf, RequestChannel, SubscribeOf } from './contract';

/** Method name on `window.peakline` → request channel. */
export const REQUEST_CHANNELS: { [C in RequestChannel as MethodOf<C>]: C } = {
  listProfiles: 'profiles:list',
  listShippedProfiles: 'profiles:shipped',
  loadProfile: 'profiles:load',
  saveProfile: 'profiles:save',
  deleteProfile: 'profiles:delete',
  runSweep: 'sweep:run',
  cancelSweep: 'sweep:cancel',
  runPlan: 'plan:run',
  cancelPlan: 'plan:cancel',
  planExecutors: 'plan:executors',
  planWorkers: 'plan:workers',
  saveExport: 'export:save',
  appInfo: 'app:info',
  takePendingFiles: 'app:pending-files',
  liveConnect: 'live:connect',
  liveSecrets: 'live:secrets',
  liveSecretSave: 'live:secret:save',
  liveSecretForget: 'live:secret:forget',
  liveDisconnect: 'live:disconnect',
  liveList: 'live:list',
  liveHistory: 'live:history',
  liveSlowlog: 'live:slowlog',
  liveRecordStart: 'live:record:start',
  liveRecordStop: 'live:record:stop',
  liveRecordings: 'live:recordings',
  liveReplay: 'live:replay',
  liveModel: 'live:model',
  livePromRange: 'live:prom:range',
  liveRecordingHistory: 'live:recording:history',
};

/** Subscribe method name on `window.peakline` → event channel. */
export const EVENT_CHANNELS: { [E in EventChannel as SubscribeOf<E>]: E } = {
  onSweepProgress: 'sweep:progress',
  onPlanProgress: 'plan:progress',
  onOpenFile: 'app:open-file',
  onMenu: 'app:menu',
  onLiveSample: 'live:sample',
  onLiveStatus: 'live:status',
  onLiveRemoved: 'live:removed',
};
