// Long text that users and reporters choose does not break page layout: unbroken 100-character
// feed and token names, a 64-character display name, a 1000-character dispute reason, a long
// retraction reason and error, a mail subject carrying a token's name. At phone width (390 px) and
// desktop width no page scrolls sideways (document scrollWidth <= window width), and the dashboard's
// "Retract from a feed" control stays inside its card.
// This spec starts its own node on its own embedded database, seeded before start.
import { expect, test, type Page } from '@playwright/test';
import { hash } from '@node-rs/argon2';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { tokenCreatedMail } from '../../lib/accounts/account-mail';
import { openDatabase } from '../../lib/db';
import { createFeed } from '../../lib/feeds/feeds';
import { createApiToken } from '../../lib/tokens';
import { startServer, type ServerProcess } from '../helpers/server-process';

const password = 'long text passphrase 42';
const LONG_FEED_NAME = 'F'.repeat(100);
const LONG_SLUG = 's'.repeat(64);
const LONG_TOKEN_NAME = 'T'.repeat(100);
const LONG_DISPLAY_NAME = 'D'.repeat(64);
const LONG_REASON = 'R'.repeat(1000);
let server: ServerProcess;
let dataDir: string;
let opsId: string;

test.beforeAll(async () => {
  test.setTimeout(180_000); // a fresh embedded database: migrations and the warning lists before it listens
  dataDir = await mkdtemp(path.join(tmpdir(), 'sluice-e2e-long-'));
  const db = await openDatabase({ DATA_DIR: dataDir });
  const passwordHash = await hash(password);
  const ops = await db.prisma.user.create({ data: { email: 'ops@sluice.test', passwordHash, isAdmin: true, displayName: LONG_DISPLAY_NAME }, select: { id: true } });
  opsId = ops.id;
  const reporter = await db.prisma.user.create({ data: { email: `${'e'.repeat(60)}@sluice.test`, passwordHash }, select: { id: true } });
  await createFeed(db.prisma, ops.id, { slug: LONG_SLUG, name: LONG_FEED_NAME, description: 'W'.repeat(600) });
  await createFeed(db.prisma, ops.id, { slug: 'short', name: 'Short' });
  const token = await createApiToken(db.prisma, { userId: ops.id, name: LONG_TOKEN_NAME, scopes: ['read'] });
  const mail = tokenCreatedMail('ops@sluice.test', 'http://127.0.0.1', { ...token, source: { kind: 'cli' } });
  await db.prisma.mailOutbox.create({ data: { to: mail.to, subject: mail.subject, text: mail.text } });
  await db.prisma.mailOutbox.create({ data: { to: `${'x'.repeat(120)}@sluice.test`, subject: 'S'.repeat(200), text: 'B'.repeat(2000) } });
  const indicator = await db.prisma.indicator.create({
    data: { type: 'domain', value: `${'v'.repeat(60)}.${'w'.repeat(60)}.example`, firstSeen: new Date(), lastSeen: new Date(), count: 1 },
    select: { id: true },
  });
  await db.prisma.indicatorDispute.create({ data: { indicatorId: indicator.id, reporterId: reporter.id, reason: LONG_REASON } });
  await db.sql.query(
    `INSERT INTO indicators (type, value, first_seen, last_seen, count, retracted_at, retraction_reason) VALUES ('domain', $1, now(), now(), 1, now(), $2)`,
    [`${'r'.repeat(60)}.example`, 'Q'.repeat(500)],
  );
  await db.sql.query(
    `INSERT INTO jobs (queue, name, data, status, attempts, max_attempts, backoff_ms, last_error, failed_at)
     VALUES ('analysis', 'analyze', '{"items":[]}', 'dead', 5, 5, 1000, $1, now())`,
    [`Error: ${'E'.repeat(800)}`],
  );
  await db.close();
  server = await startServer({ DATA_DIR: dataDir, DATABASE_URL: '', REDIS_URL: '', NEXTAUTH_SECRET: 'e2e-long-text-secret-0123456789' });
});
test.afterAll(async () => {
  await server?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

async function signIn(page: Page) {
  await page.goto(`${server.url}/login?callbackUrl=${encodeURIComponent('/dashboard')}`);
  await page.getByLabel('Email').fill('ops@sluice.test');
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: /sign in/i }).click();
  await page.waitForURL((url) => !url.pathname.startsWith('/login'), { timeout: 60_000 });
}

/** The page's width against the window's, and (to say what to fix) the innermost elements that stick out. */
async function overflow(page: Page): Promise<{ scrollWidth: number; innerWidth: number; offenders: string[] }> {
  return page.evaluate(() => {
    const innerWidth = window.innerWidth;
    const scrolls = (el: Element) => ['auto', 'scroll', 'hidden', 'clip'].includes(getComputedStyle(el).overflowX);
    const clipped = (el: Element) => {
      for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) if (scrolls(up)) return true;
      return false;
    };
    const out = [...document.body.querySelectorAll('*')].filter((el) => el.getBoundingClientRect().right > innerWidth + 1 && !clipped(el));
    const innermost = out.filter((el) => !out.some((other) => other !== el && el.contains(other)));
    const offenders = innermost.slice(0, 5).map((el) => `<${el.tagName.toLowerCase()} class="${el.getAttribute('class') ?? ''}"> ${(el.textContent ?? '').slice(0, 40)}`);
    return { scrollWidth: document.documentElement.scrollWidth, innerWidth, offenders };
  });
}

for (const width of [390, 1280]) {
  test(`no page scrolls sideways with long values at ${width} px`, async ({ page }) => {
    test.setTimeout(120_000);
    await page.setViewportSize({ width, height: 900 });
    await signIn(page);
    for (const pathname of ['/dashboard', '/admin', '/admin/outbox', '/admin/users', `/admin/users/${opsId}`, '/feeds', '/settings']) {
      const response = await page.goto(`${server.url}${pathname}`);
      expect(response?.status(), pathname).toBe(200);
      await page.waitForLoadState('networkidle').catch(() => undefined);
      const { scrollWidth, innerWidth, offenders } = await overflow(page);
      expect.soft(scrollWidth, `${pathname} at ${width} px: ${offenders.join(' | ')}`).toBeLessThanOrEqual(innerWidth);
    }
    await page.goto(`${server.url}/admin/outbox`);
    await expect(page.getByTestId('outbox-mail').first()).toBeVisible();
    await page.goto(`${server.url}/admin`);
    await expect(page.getByText(`by e${'e'.repeat(59)}@sluice.test`, { exact: false })).toBeVisible();
  });
}

test('the "Retract from a feed" control stays inside its card at desktop and phone widths', async ({ page }) => {
  test.setTimeout(120_000);
  await signIn(page);
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: 900 });
    await page.goto(`${server.url}/dashboard`);
    const form = page.getByRole('form', { name: 'Retract a value from a feed' });
    const select = form.getByLabel('Feed');
    await expect(select).toBeVisible();
    await select.selectOption(LONG_SLUG);
    const [formBox, selectBox] = [await form.boundingBox(), await select.boundingBox()];
    expect(selectBox!.x + selectBox!.width, `select at ${width} px`).toBeLessThanOrEqual(formBox!.x + formBox!.width + 1);
    // The confirm button names the feed: it stays inside the card too.
    await form.getByLabel('Value to retract').fill('45.83.64.1');
    await form.getByLabel('Reason').fill('mistake');
    await form.getByRole('button', { name: 'Retract' }).click();
    const confirm = form.getByRole('button', { name: /Confirm: retract from/ });
    await expect(confirm).toBeVisible();
    const confirmBox = await confirm.boundingBox();
    expect(confirmBox!.x + confirmBox!.width, `confirm at ${width} px`).toBeLessThanOrEqual(formBox!.x + formBox!.width + 1);
    const { scrollWidth, innerWidth, offenders } = await overflow(page);
    expect(scrollWidth, `/dashboard at ${width} px: ${offenders.join(' | ')}`).toBeLessThanOrEqual(innerWidth);
  }
});
