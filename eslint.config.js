// ESLint flat config: typescript-eslint everywhere, React hooks rules in the renderer, and the
// sim-core boundary (no Node, Electron, React or DOM; no Math.random). Import cycles and the layer
// rules are also checked by electron/tools/import-graph.test.ts.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

export default tseslint.config(
  {
    ignores: ['.scratch/**', 'node_modules/**', 'out/**', 'dist/**', '.ci/out/**', 'coverage/**'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' },
      ],
    },
  },
  {
    files: ['**/*.{js,mjs,cjs}'],
    languageOptions: { globals: { ...globals.node } },
  },
  {
    files: [
      'electron/**/*.ts',
      'vitest.config.ts',
      'electron.vite.config.ts',
      'renderer/e2e/**/*.ts',
    ],
    languageOptions: { globals: { ...globals.node } },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    ignores: ['renderer/e2e/**'],
    plugins: { 'react-hooks': reactHooks },
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      ...reactHooks.configs.recommended.rules,
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: ['electron', 'ioredis', 'ws', 'systeminformation'].map((name) => ({
            name,
            message: 'The renderer never imports Node or Electron.',
          })),
          patterns: [
            { group: ['node:*'], message: 'The renderer never imports Node.' },
            {
              regex: '(^|/)electron/(?!api/channels$)',
              allowTypeImports: true,
              message: 'The renderer imports only the types of the API contract.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['sim-core/**/*.ts'],
    ignores: ['sim-core/**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                'node:*',
                'fs',
                'path',
                'os',
                'worker_threads',
                'electron',
                'react',
                'react-dom',
                '../electron/*',
                '../renderer/*',
              ],
              message: 'sim-core imports nothing of Node, Electron, React or the DOM.',
            },
          ],
        },
      ],
      'no-restricted-properties': [
        'error',
        {
          object: 'Math',
          property: 'random',
          message: 'Use a seeded stream from sim-core/random.',
        },
      ],
      'no-restricted-globals': ['error', 'window', 'document', 'process', 'require', 'Buffer'],
    },
  },
);
