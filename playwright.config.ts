// End-to-end tests in Debian's Chromium (never `npx playwright install`) against a real Sluice
// node started from server/index.mts on the production build, with its own data directory.
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { defineConfig, devices } from '@playwright/test';

// A free port, picked once per run (E2E_PORT overrides): workers re-load this file and find it in
// process.env, as they do E2E_DATA_DIR. The config is synchronous, hence a child process to ask the OS.
const port = Number(
  process.env.E2E_PORT ??
    execFileSync(process.execPath, ['-e', "const s = require('node:net').createServer().listen(0, '127.0.0.1', () => { process.stdout.write(String(s.address().port)); s.close(); });"], {
      encoding: 'utf8',
    }).trim(),
);
process.env.E2E_PORT = String(port);
const baseURL = `http://127.0.0.1:${port}`;
const dataDir = process.env.E2E_DATA_DIR ?? mkdtempSync(path.join(tmpdir(), 'sluice-e2e-'));
process.env.E2E_DATA_DIR = dataDir; // workers re-load this file: keep one directory per run

export default defineConfig({
  testDir: 'tests/e2e',
  outputDir: 'test-results',
  timeout: 30_000,
  expect: { timeout: 5_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list']],
  use: {
    baseURL,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    },
  },
  projects: [{ name: 'chromium', use: { ...devices['Desktop Chrome'], channel: undefined } }],
  webServer: {
    command: 'node --import tsx server/index.mts',
    url: `${baseURL}/api/health`,
    reuseExistingServer: false,
    timeout: 300_000,
    stdout: 'ignore',
    stderr: 'pipe',
    env: {
      NODE_ENV: 'production',
      NEXT_TELEMETRY_DISABLED: '1',
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      NEXTAUTH_URL: baseURL,
      REDIS_PREFIX: `sluice-e2e-${process.pid}:`,
      PUBLIC_STREAM_DELAY_SECONDS: '0',
      LOG_LEVEL: 'warn',
    },
  },
});
