// Entry of a sweep worker thread: registers tsx (so the TypeScript sources run as they are) and
// loads the worker proper. Resolved relative to this file, so it works from any directory.
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
