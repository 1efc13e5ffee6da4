// The operators' page in Chromium: a regular user is refused; an admin sees the queue (depths,
// jobs/s, workers alive, chart, dead letters) update live and retries and discards dead letters; an
// admin finds a user, revokes a token, suspends them (their browser is signed out) and reads the
// audit log; the user reads their own activity on /settings. Phone-width screenshots of Users and Peers.
// This spec starts its own node on its own embedded database, seeded before start with an admin and
// two dead letters (an embedded database can only be opened by one process at a time).
import { expect, test, type Page } from '@playwright/test';
import { hash } from '@node-rs/argon2';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openDatabase } from '../../lib/db';
import { createApiToken } from '../../lib/tokens';
import { startServer, type ServerProcess } from '../helpers/server-process';

const password = 'operator passphrase 42';
let server: ServerProcess;
let dataDir: string;
let targetPrefix: string;

test.beforeAll(async () => {
  test.setTimeout(180_000); // a fresh embedded database: migrations and the warning lists before it listens
  dataDir = await mkdtemp(path.join(tmpdir(), 'sluice-e2e-admin-'));
  const db = await openDatabase({ DATA_DIR: dataDir });
  const passwordHash = await hash(password);
  await db.sql.query(
    `INSERT INTO users (email, password_hash, is_admin) VALUES ('ops@sluice.test', $1, true), ('user@sluice.test', $1, false), ('target@sluice.test', $1, false)`,
    [passwordHash],
  );
  const target = await db.prisma.user.findUniqueOrThrow({ where: { email: 'target@sluice.test' } });
  targetPrefix = (await createApiToken(db.prisma, { userId: target.id, name: 'scraper', scopes: ['read'] })).prefix;
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

async function signIn(page: Page, email: string, callbackUrl = '/admin') {
  await page.goto(`${server.url}/login?callbackUrl=${encodeURIComponent(callbackUrl)}`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: /sign in/i }).click();
  // Password hashing on a loaded machine can take seconds.
  await page.waitForURL((url) => !url.pathname.startsWith('/login'), { timeout: 60_000 });
}

test('a signed-out visitor is sent to sign in, a regular user is refused', async ({ page }) => {
  await page.goto(`${server.url}/admin`);
  await expect(page).toHaveURL(/\/login\?callbackUrl=%2Fadmin/);
  await signIn(page, 'user@sluice.test');
  await expect(page.getByRole('heading', { name: 'Operators only' })).toBeVisible();
  // Loaded directly, every operators' page answers 403, and shows the user as signed in.
  for (const pathname of ['/admin', '/admin/users', '/admin/outbox']) {
    const response = await page.goto(`${server.url}${pathname}`);
    expect(response?.status(), pathname).toBe(403);
    await expect(page.getByRole('heading', { name: 'Operators only' })).toBeVisible();
    await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();
  }
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

/** The page is no wider than the viewport (nothing scrolls sideways). */
async function expectNoHorizontalOverflow(page: Page) {
  const { scroll, client } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
  expect(scroll).toBeLessThanOrEqual(client);
}

test('a regular user cannot open the users pages', async ({ page }) => {
  await page.goto(`${server.url}/admin/users`);
  await expect(page).toHaveURL(/\/login\?callbackUrl=%2Fadmin%2Fusers/);
  await signIn(page, 'user@sluice.test', '/dashboard');
  await expect(page).toHaveURL(/\/dashboard/);
  expect((await page.goto(`${server.url}/admin/users?q=target`))?.status()).toBe(403);
  await expect(page.getByRole('heading', { name: 'Operators only' })).toBeVisible();
  await expect(page.getByText('target@sluice.test')).toHaveCount(0);
});

test('an operator finds a user, revokes a token, suspends them (signed out at once) and reads the audit log; the user reads their own on /settings', async ({ browser }) => {
  test.setTimeout(120_000);
  const userContext = await browser.newContext();
  const opsContext = await browser.newContext();
  const user = await userContext.newPage();
  const ops = await opsContext.newPage();
  try {
    await signIn(user, 'target@sluice.test', '/dashboard');
    await expect(user).toHaveURL(/\/dashboard/);

    await signIn(ops, 'ops@sluice.test');
    await expect(ops.getByRole('heading', { name: 'Operations' })).toBeVisible();
    await ops.getByRole('link', { name: 'Users' }).click();
    await ops.getByLabel('Email or name starts with').fill('TARG');
    await ops.getByRole('button', { name: 'Search' }).click();
    const rows = ops.getByTestId('user-list').locator('li');
    await expect(rows).toHaveCount(1);
    await expect(rows.first()).toContainText('active');
    await ops.getByRole('link', { name: 'target@sluice.test' }).click();
    await expect(ops.getByRole('heading', { name: 'target@sluice.test' })).toBeVisible();
    await expect(ops.getByTestId('user-sessions')).toHaveText('1');
    await expect(ops.getByTestId('user-usage')).toContainText('API requests today');

    // Revoke the token (the confirmation box is required).
    const token = ops.locator(`[data-token="${targetPrefix}"]`);
    await token.getByRole('checkbox').check();
    await token.getByRole('button', { name: 'Revoke' }).click();
    await expect(ops.getByRole('status')).toContainText(`Revoked token ${targetPrefix}`);
    await expect(ops.locator(`[data-token="${targetPrefix}"]`)).toContainText('revoked');

    // Suspend: the user's open browser is signed out.
    await ops.getByLabel('Reason (kept in the audit log)').fill('e2e: scraping');
    await ops.getByLabel('I mean to suspend this account').check();
    await ops.getByRole('button', { name: 'Suspend' }).click();
    await expect(ops.getByRole('status')).toContainText('Suspended target@sluice.test');
    await expect(ops.getByTestId('user-status')).toContainText('Suspended since');
    await user.reload();
    await expect(user).toHaveURL(/\/login/);
    // Signing in again is refused, saying why.
    await user.getByLabel('Email').fill('target@sluice.test');
    await user.getByLabel('Password').fill(password);
    await user.getByRole('button', { name: /sign in/i }).click();
    await expect(user.getByText(/This account is suspended/)).toBeVisible();

    await ops.reload();
    const audit = ops.getByTestId('security-activity');
    await expect(audit.locator('[data-action="suspended"]')).toContainText('e2e: scraping');
    await expect(audit.locator('[data-action="suspended"]')).toContainText('by ops@sluice.test');
    await expect(audit.locator('[data-action="token_revoked"]')).toContainText(targetPrefix);
    await expect(audit.locator('[data-action="sign_in_failed"]')).toContainText('account suspended');
    await expect(audit.locator('[data-action="sign_in"]')).toHaveCount(1);
    await ops.screenshot({ path: 'test-results/screenshots/admin-user-desktop.png', fullPage: true });

    // Lift it: the user signs in and sees their own account's activity.
    await ops.getByLabel('I mean to lift the suspension').check();
    await ops.getByRole('button', { name: 'Unsuspend' }).click();
    await expect(ops.getByRole('status')).toContainText('Lifted the suspension');
    await signIn(user, 'target@sluice.test', '/settings');
    await expect(user).toHaveURL(/\/settings/);
    const mine = user.getByTestId('security-activity');
    await expect(mine.getByRole('heading', { name: 'Recent security activity' })).toBeVisible();
    await expect(mine.locator('[data-action="unsuspended"]')).toContainText('by an operator');
    await expect(mine.locator('[data-action="suspended"]')).toBeVisible();
    await expect(mine.locator('[data-action="token_revoked"]')).toContainText(targetPrefix);
    await expect(mine.locator('[data-action="sign_in"]')).toHaveCount(2);
    await expect(mine).not.toContainText('ops@sluice.test');
  } finally {
    await userContext.close();
    await opsContext.close();
  }
});

test('at phone width (390 px) the users list, a user and the Peers section fit the screen', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await signIn(page, 'ops@sluice.test');
  await expect(page.getByRole('heading', { name: 'Operations' })).toBeVisible();
  await page.getByRole('heading', { name: 'Peers', exact: true }).scrollIntoViewIfNeeded();
  await expectNoHorizontalOverflow(page);
  await page.locator('section[aria-labelledby="peers-heading"]').screenshot({ path: 'test-results/screenshots/admin-peers-390.png' });

  await page.goto(`${server.url}/admin/users`);
  await expect(page.getByTestId('user-list')).toContainText('target@sluice.test');
  await expectNoHorizontalOverflow(page);
  await page.screenshot({ path: 'test-results/screenshots/admin-users-390.png', fullPage: true });
  await page.getByRole('link', { name: 'target@sluice.test' }).click();
  await expect(page.getByRole('heading', { name: 'target@sluice.test' })).toBeVisible();
  await expectNoHorizontalOverflow(page);
  await page.screenshot({ path: 'test-results/screenshots/admin-user-390.png', fullPage: true });
});
