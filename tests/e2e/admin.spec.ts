// The operators' page in Chromium: a regular user is refused; an admin sees the queue (depths,
// jobs/s, workers alive, chart, dead letters) update live and retries and discards dead letters.
// This spec starts its own node on its own embedded database, seeded before start with an admin and
// two dead letters (an embedded database can only be opened by one process at a time).
import { expect, test, type Page } from '@playwright/test';
import { hash } from '@node-rs/argon2';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openDatabase } from '../../lib/db';
import { startServer, type ServerProcess } from '../helpers/server-process';

const password = 'operator passphrase 42';
let server: ServerProcess;
let dataDir: string;

test.beforeAll(async () => {
  test.setTimeout(180_000); // a fresh embedded database: migrations and the warning lists before it listens
  dataDir = await mkdtemp(path.join(tmpdir(), 'sluice-e2e-admin-'));
  const db = await openDatabase({ DATA_DIR: dataDir });
  const passwordHash = await hash(password);
  await db.sql.query(`INSERT INTO users (email, password_hash, is_admin) VALUES ('ops@sluice.test', $1, true), ('user@sluice.test', $1, false)`, [passwordHash]);
  for (const reason of ['first failure', 'second failure']) {
    await db.sql.query(
      `INSERT INTO jobs (queue, name, data, status, attempts, max_attempts, backoff_ms, last_error, failed_at)
       VALUES ('analysis', 'analyze', '{"items":[]}', 'dead', 5, 5, 1000, $1, now())`,
      [`Error: ${reason}`],
    );
  }
  await db.close();
  // Its own embedded instance, whatever DATABASE_URL / REDIS_URL the suite runs with.
  server = await startServer({ DATA_DIR: dataDir, DATABASE_URL: '', REDIS_URL: '', NEXTAUTH_SECRET: 'e2e-admin-secret-0123456789', JOB_POLL_MS: '100' });
});
test.afterAll(async () => {
  await server?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

async function signIn(page: Page, email: string) {
  await page.goto(`${server.url}/login?callbackUrl=%2Fadmin`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: /sign in/i }).click();
}

test('a signed-out visitor is sent to sign in, a regular user is refused', async ({ page }) => {
  await page.goto(`${server.url}/admin`);
  await expect(page).toHaveURL(/\/login\?callbackUrl=%2Fadmin/);
  await signIn(page, 'user@sluice.test');
  await expect(page.getByRole('heading', { name: 'Operators only' })).toBeVisible();
});

test('an operator sees the queue live and retries and discards dead letters', async ({ page }) => {
  await signIn(page, 'ops@sluice.test');
  await expect(page.getByRole('heading', { name: 'Operations' })).toBeVisible();
  await expect(page.getByTestId('stat-dead-letters')).toContainText('2');
  await expect(page.getByTestId('throughput-chart')).toBeVisible();
  await expect(page.getByTestId('workers')).toContainText(/pid \d+/);
  const rows = page.getByTestId('dead-letters').locator('tbody tr');
  await expect(rows).toHaveCount(2);
  await page.screenshot({ path: 'test-results/screenshots/admin-desktop.png', fullPage: true });

  // Retry the older one: it runs (the worker is in this node) and leaves the dead-letter queue.
  const first = rows.filter({ hasText: 'first failure' });
  await first.getByRole('button', { name: 'Retry' }).click();
  await expect(page.getByRole('status')).toContainText('Retried');
  await expect(rows).toHaveCount(1);
  await expect(page.getByTestId('stat-dead-letters')).toContainText('1');

  await rows.filter({ hasText: 'second failure' }).getByRole('button', { name: 'Discard' }).click();
  await expect(page.getByRole('status')).toContainText('Discarded');
  await expect(page.getByText('No dead letters.')).toBeVisible();

  // Live: the completed retry shows up in the throughput figures without a reload.
  await expect(page.getByTestId('updated-at')).toContainText('updated');
});
