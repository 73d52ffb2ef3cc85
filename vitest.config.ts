// Vitest projects: pure simulator (core), Node-side services and CLI against real processes (node),
// React components and stores in jsdom (renderer), and the console in real Chromium (browser).
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'core',
          include: ['sim-core/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'node',
          include: ['electron/**/*.test.ts'],
          environment: 'node',
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
        },
      },
      {
        test: {
          name: 'browser',
          include: ['renderer/e2e/**/*.e2e.ts'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
