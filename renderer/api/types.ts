// The contract's types for the UI, in one place. The renderer may import only *types* from the
// Node side (`electron/api/contract.ts`); the lint rule that keeps Node out of the renderer matches
// any path through `electron/`, so the types are reached with `import()` type references here.

export type PeaklineApi = import('../../electron/api/contract').PeaklineApi;
export type RequestChannel = import('../../electron/api/contract').RequestChannel;
export type EventChannel = import('../../electron/api/contract').EventChannel;
export type RequestOf<C extends RequestChannel> =
  import('../../electron/api/contract').RequestOf<C>;
export type ReplyOf<C extends RequestChannel> = import('../../electron/api/contract').ReplyOf<C>;
export type EventOf<E extends EventChannel> = import('../../electron/api/contract').EventOf<E>;
export type MethodOf<C extends RequestChannel> = import('../../electron/api/contract').MethodOf<C>;
export type SubscribeOf<E extends EventChannel> =
  import('../../electron/api/contract').SubscribeOf<E>;
export type ApiErrorCode = import('../../electron/api/contract').ApiErrorCode;
export type WsServerFrame = import('../../electron/api/contract').WsServerFrame;
export type ProfileEntry = import('../../electron/api/contract').ProfileEntry;
export type LoadedProfile = import('../../electron/api/contract').LoadedProfile;
export type SweepVary = import('../../electron/api/contract').SweepVary;
export type SweepPoint = import('../../electron/api/contract').SweepPoint;
export type SweepResult = import('../../electron/api/contract').SweepResult;
export type OpenFile = import('../../electron/api/contract').OpenFile;
export type MenuCommand = import('../../electron/api/contract').MenuCommand;
export type Unsubscribe = import('../../electron/api/contract').Unsubscribe;
/** Payload of a live sample event. */
export type LiveSample = EventOf<'live:sample'>;
/** State of one live source. */
export type LiveSourceInfo = EventOf<'live:status'>;
/** Reply of `app:info`. */
export type AppInfo = ReplyOf<'app:info'>;
/** One configuration of a capacity plan's report. */
export type PlanConfig = import('../../electron/api/contract').PlanConfig;
