import { expect, test } from '@playwright/test';

test('the home page says what Sluice is and shows the plans', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('The threat-intelligence firehose.');
  await expect(page.getByRole('heading', { name: 'Plans' })).toBeVisible();
  await expect(page.getByText('$25')).toBeVisible();
  await expect(page.getByRole('link', { name: 'Create an account' })).toHaveAttribute('href', '/signup');
  // Fonts are served by this server, never fetched from elsewhere.
  const fontRequests: string[] = [];
  page.on('request', (request) => {
    if (request.resourceType() === 'font') fontRequests.push(request.url());
  });
  await page.reload({ waitUntil: 'load' });
  await page.evaluate(() => document.fonts.ready);
  expect(fontRequests.length).toBeGreaterThan(0);
  for (const url of fontRequests) expect(new URL(url).host).toBe(new URL(page.url()).host);
  await page.screenshot({ path: 'test-results/screenshots/home-desktop.png', fullPage: true });
});

test('the health endpoint reports the engines in use', async ({ request }) => {
  const res = await request.get('/api/health');
  expect(res.status()).toBe(200);
  const body = await res.json();
  expect(body.status).toBe('ok');
  expect(body.roles).toEqual(['web', 'gateway', 'worker']);
  expect(body.database.engine).toBe(process.env.DATABASE_URL ? 'postgres' : 'embedded');
  expect(body.redis.engine).toBe(process.env.REDIS_URL ? 'redis' : 'embedded');
});
