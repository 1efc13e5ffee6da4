// The landing page: what Sluice is, live counters that move with the public stream, the plans,
// the quick start, and links to sign up and to the API docs.
import { expect, test } from '@playwright/test';

test('the landing page shows live counters, plans, the quick start and links to the docs', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('The threat-intelligence firehose.');
  for (const id of ['counter-indicators', 'counter-sightings', 'counter-per-minute']) await expect(page.getByTestId(id)).toHaveText(/^\d[\d,]*$/);
  await expect(page.getByText('$25')).toBeVisible();
  await expect(page.getByText('Start streaming in a minute')).toBeVisible();
  await expect(page.getByRole('link', { name: 'Read the API docs →' })).toHaveAttribute('href', '/docs');
  await expect(page.getByRole('link', { name: 'Create an account' })).toHaveAttribute('href', '/signup');
  await expect(page.getByText('live', { exact: true }).first()).toBeAttached();
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.screenshot({ path: 'test-results/screenshots/landing-desktop.png', fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
  await page.screenshot({ path: 'test-results/screenshots/landing-phone.png', fullPage: true });
});

test('the API docs page documents the REST API, the realtime protocol and the CLI', async ({ page }) => {
  await page.goto('/docs');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('API docs');
  for (const text of ['/api/v1/feeds/{slug}/indicators', '/api/v1/check/{value}', 'stream:ended', 'npx sluice stream']) {
    await expect(page.getByText(text).first()).toBeVisible();
  }
  await page.setViewportSize({ width: 390, height: 844 });
  expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
  await page.screenshot({ path: 'test-results/screenshots/docs-phone.png', fullPage: true });
});
