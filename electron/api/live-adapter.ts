// Wires the live engineer's LiveService (electron/live/service.ts) into the API handler: its
// requests keep their own validation and errors (mapped onto the contract's error codes), its
// `sample` / `status` events become `live:sample` / `live:status`.
import { LiveError, type LiveService } from '../live/service';
import { ApiError } from './errors';
import type { LiveServiceLike } from './handler';

/** The handler's view of a LiveService. */
export function adaptLiveService(service: LiveService): LiveServiceLike {
  return {
    async request(channel, payload) {
      try {
        return await service.handle(channel, payload);
      } catch (e) {
        if (e instanceof LiveError) throw new ApiError(e.code, e.message);
        throw e;
      }
    },
    subscribe(listener) {
      const offSample = service.on('sample', (s) => listener('live:sample', s));
      const offStatus = service.on('status', (s) => listener('live:status', s));
      return () => {
        offSample();
        offStatus();
      };
    },
  };
}
