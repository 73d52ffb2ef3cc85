// Vitest projects: pure simulator (core), Node-side services and CLI against real processes (node),
// React components and stores in jsdom (renderer), and the console in real Chromium (browser).
// The node and browser projects run the build (the bin, `serve`, the sweep worker thread), so
// their global set-up first brings it up to date with the sources (build/build.mjs).
import { defineConfig } from 'vitest/config';

const buildFirst = ['./build/build.mjs'];

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'core',
          include: ['sim-core/**/*.test.ts'],
          environment: 'node',
          // The statistical and property tests take up to ~2 s each on a quiet 2-core machine and
          // 5–10 s on one shared by other work (Vitest's default budget is 5 s): wall time is not
          // what they test, so their budget leaves room for a machine several times slower.
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'node',
          include: ['electron/**/*.test.ts'],
          environment: 'node',
          globalSetup: buildFirst,
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'renderer',
          include: ['renderer/**/*.test.{ts,tsx}'],
          exclude: ['renderer/e2e/**'],
          environment: 'jsdom',
          // Rendering the whole console in jsdom takes 1–2 s, 7 s on a busy machine: as for core.
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'browser',
          include: ['renderer/e2e/**/*.e2e.ts'],
          environment: 'node',
          globalSetup: buildFirst,
          testTimeout: 120_000,
          hookTimeout: 180_000,
          fileParallelism: false,
          // what a user waits for (a run, a redraw) takes longer on a machine shared with other
          // work: Vitest's 1 s default for expect.poll failed two stories when two suites ran at
          // once (autoscaler card, undo), both green alone
          expect: { poll: { timeout: 15_000 } },
        },
      },
    ],
  },
});
