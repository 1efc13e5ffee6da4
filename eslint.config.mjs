import { defineConfig, globalIgnores } from 'eslint/config';
import nextVitals from 'eslint-config-next/core-web-vitals';
import nextTs from 'eslint-config-next/typescript';

// The layers (README, "Layout"): app/ is Next glue, components/ the UI, lib/ the domain with no
// framework, server/ the gateway, relay and workers, cli/ the command line. Each rule below keeps one
// direction of that picture true, and its message says why; tests/unit/lint/layering.test.ts checks
// that each one fires.
const LIB_WHY =
  'lib/ is the domain, shared by the web app, the gateway, the workers and the CLI: it takes plain values and imports no framework or outer layer (pass what you need in as an argument).';

/** A forbidden direction between folders; eslint-plugin-import resolves both "@/…" aliases and relative paths. */
const zone = (target, from, message) => ({ target, from, message });

export default defineConfig([
  ...nextVitals,
  ...nextTs,
  globalIgnores(['.next/**', 'node_modules/**', 'data/**', 'lib/generated/**', 'cli/generated/**', 'packages/cli/dist/**', 'test-results/**', 'playwright-report/**', 'next-env.d.ts']),
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    name: 'sluice/layering: lib has no framework',
    files: ['lib/**/*.{ts,tsx,mts,js,mjs}'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['next', 'next/*', 'next-auth', 'next-auth/*'], message: `${LIB_WHY} Next.js belongs in app/.` },
            { group: ['react', 'react/*', 'react-dom', 'react-dom/*'], message: `${LIB_WHY} React belongs in app/ and components/.` },
            {
              group: ['socket.io', 'socket.io/*', 'socket.io-client', 'socket.io-client/*', '@socket.io/*'],
              message: `${LIB_WHY} socket.io belongs in server/gateway (and the CLI's client).`,
            },
          ],
        },
      ],
      'import/no-restricted-paths': [
        'error',
        {
          zones: [
            zone('./lib', './app', `${LIB_WHY} app/ depends on lib/, not the other way round.`),
            zone('./lib', './server', `${LIB_WHY} server/ depends on lib/, not the other way round.`),
            zone('./lib', './cli', `${LIB_WHY} cli/ depends on lib/, not the other way round.`),
            zone('./lib', './components', `${LIB_WHY} UI components belong to app/.`),
          ],
        },
      ],
    },
  },
  {
    name: 'sluice/layering: app does not reach into server',
    files: ['app/**/*.{ts,tsx,mts,js,mjs}'],
    rules: {
      'import/no-restricted-paths': [
        'error',
        {
          zones: [
            zone(
              './app',
              './server',
              'app/ runs inside Next (on web nodes only, in its own bundle); server/ is the process around it. Put what both need in lib/ and reach running services through the runtime (lib/runtime).',
            ),
          ],
        },
      ],
    },
  },
  {
    name: 'sluice/layering: components do not import route folders',
    files: ['components/**/*.{ts,tsx,mts,js,mjs}'],
    rules: {
      'import/no-restricted-paths': [
        'error',
        {
          zones: [
            zone(
              './components',
              './app',
              'components/ are reusable UI; app/ (routes, pages, server actions) uses them, not the other way round. Take a server action as a prop from the page, or put shared code in lib/.',
            ),
            zone('./components', './server', 'components/ are UI rendered by Next; server/ is the process around it. Put what both need in lib/.'),
          ],
        },
      ],
    },
  },
]);
