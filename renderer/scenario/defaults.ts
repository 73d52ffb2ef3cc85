// The scenario the console opens with before anything else is chosen: the shipped async seed
// profile (the reference article's bounded channel of 1000 drained by 10 workers).
import type { ScenarioInput } from '../../sim-core/schema';
import seed from '../../profiles/seed-async-queue.json';

export const DEFAULT_SCENARIO: ScenarioInput = seed as unknown as ScenarioInput;
