// The live-monitoring part of the API contract (`live:*` requests and events): the tables are
// owned by the live engineer in `electron/live/contract.ts`; this module is the one place the API
// contract takes them from.
export { liveEvents, liveRequests } from '../live/contract';
