// The usage page (issue #17): requests made with a token appear on /usage — per token, today's
// totals and the per-hour and per-day charts — reached from the dashboard and from settings, and
// readable on a phone. Answers carry the documented X-RateLimit-* headers.
import { randomBytes } from 'node:crypto';
import { expect, test } from '@playwright/test';
import { adminCommand, signUpInBrowser } from '@/tests/helpers/e2e-node';

const run = randomBytes(3).toString('hex');
const password = 'a long enough passphrase';

test.describe.configure({ timeout: 180_000 });
const slow = { timeout: 20_000 };

test('the usage page shows the requests just made with a token', async ({ page, request }) => {
  const email = `usage-${run}@example.com`;
  await signUpInBrowser(page, email, password);

  // Before any request: nothing used.
  await page.getByRole('link', { name: 'Usage →' }).click();
  await expect(page).toHaveURL(/\/usage$/, slow);
  await expect(page.getByRole('heading', { name: 'Usage', level: 1 })).toBeVisible();
  await expect(page.getByTestId('today-requests')).toHaveText('0');

  // Requests with a token: five lookups (/check) and one search, each answered with the rate-limit headers.
  const { token } = (await adminCommand(request, { type: 'token.create', email, name: `usage-e2e-${run}`, scopes: ['read'] })).result;
  const auth = { authorization: `Bearer ${token}` };
  for (let i = 0; i < 5; i += 1) {
    const res = await request.get(`/api/v1/check/${encodeURIComponent(`usage-${run}-${i}.example-usage.net`)}`, { headers: auth });
    expect(res.status(), await res.text()).toBe(200);
    const headers = res.headers();
    expect(headers['x-ratelimit-limit']).toBe('60');
    expect(headers['x-ratelimit-remaining']).toBe(String(59 - i));
    expect(Number(headers['x-ratelimit-reset'])).toBeGreaterThan(0);
    expect(headers['x-ratelimit-limit-day']).toBe('5000');
    expect(headers['x-ratelimit-remaining-day']).toBe(String(4999 - i));
    expect(Number(headers['x-ratelimit-reset-day'])).toBeGreaterThan(0);
  }
  const search = await request.get('/api/v1/indicators?type=domain', { headers: auth });
  expect(search.status(), await search.text()).toBe(200);

  // The page adds this node's pending counts before reading: the six requests are there at once.
  await page.reload();
  await expect(page.getByTestId('today-requests')).toHaveText('6', slow);
  await expect(page.getByTestId('today-lookups')).toHaveText('6');
  await expect(page.getByTestId('today-limited')).toHaveText('0');
  const row = page.getByTestId('usage-token').filter({ hasText: `usage-e2e-${run}` });
  await expect(row.getByTestId('token-requests-today')).toHaveText('6');
  await expect(page.getByTestId('allowance-requests_per_day')).toContainText('6 of 5,000');
  // The charts: an SVG per period, the current hour's bar carries the figure.
  const hourly = page.getByRole('img', { name: 'Requests per hour over the last 48 hours' });
  await expect(hourly).toBeVisible();
  await expect(hourly.locator('title').last()).toContainText('6 requests');
  await expect(page.getByRole('img', { name: 'Requests per day over the last 30 days' }).locator('title').last()).toContainText('6 requests');
  await page.screenshot({ path: 'test-results/screenshots/usage-desktop.png', fullPage: true });

  // Another metric, chosen with a link (no script).
  await page.getByRole('link', { name: 'Lookups', exact: true }).click();
  await expect(page).toHaveURL(/metric=lookups/);
  await expect(page.getByRole('img', { name: 'Lookups per hour over the last 48 hours' }).locator('title').last()).toContainText('6 lookups');

  // On a phone: nothing wider than the screen.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto('/usage');
  await expect(page.getByTestId('today-requests')).toHaveText('6');
  expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
  await page.screenshot({ path: 'test-results/screenshots/usage-phone.png', fullPage: true });

  // Settings leads here too.
  await page.goto('/settings');
  await page.getByRole('link', { name: 'API usage and limits' }).click();
  await expect(page).toHaveURL(/\/usage$/, slow);
});

test('the usage page needs a session', async ({ page }) => {
  await page.goto('/usage');
  await expect(page).toHaveURL(/\/login\?callbackUrl=%2Fusage/);
});
