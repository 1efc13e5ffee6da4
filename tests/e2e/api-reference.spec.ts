// The interactive API reference at /docs/api: Swagger UI, served by this server (no CDN), renders
// every operation of GET /api/v1/openapi.json under the site's usual Content-Security-Policy, an
// operation expands to its parameters and answers, and the page asks nothing of any other host.
import { expect, test, type Request } from '@playwright/test';

test('the API reference renders the operations from this host only, under the strict CSP', async ({ page, baseURL }) => {
  test.setTimeout(90_000); // Swagger UI renders the whole document in the browser: slow on a loaded machine
  const origin = new URL(baseURL!).origin;
  const requests: string[] = [];
  const problems: string[] = [];
  page.on('request', (request: Request) => requests.push(request.url()));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(error.message));

  const response = await page.goto('/docs/api');
  expect(response?.status()).toBe(200);
  // The same policy as every page: a nonce and 'strict-dynamic', no eval, no inline script.
  const csp = response!.headers()['content-security-policy'];
  expect(csp).toMatch(/script-src 'self' 'nonce-[^']+' 'strict-dynamic'(;|$)/);
  expect(csp).not.toMatch(/unsafe-eval|script-src[^;]*unsafe-inline/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('API reference');

  // Every operation of the document is listed (its paths come from the same server).
  const spec = (await (await page.request.get('/api/v1/openapi.json')).json()) as { paths: Record<string, Record<string, unknown>> };
  const operations = Object.values(spec.paths).reduce((n, item) => n + Object.keys(item).filter((k) => k !== 'parameters').length, 0);
  await expect(page.locator('.opblock')).toHaveCount(operations, { timeout: 60_000 });

  // GET /api/v1/check/{value} expands to its parameters and answers.
  const check = page.locator('.opblock-get', { has: page.locator('.opblock-summary-path', { hasText: /^\/api\/v1\/check\/\{value\}$/ }) });
  await expect(check).toBeVisible();
  await check.getByRole('button', { name: /^GET \/api\/v1\/check\/\{value\}/ }).click();
  await expect(check.locator('.parameters-container')).toBeVisible();
  await expect(check.locator('.parameter__name', { hasText: 'value' }).first()).toBeVisible();
  await expect(check.locator('.responses-wrapper')).toContainText('invalid_token');

  await page.setViewportSize({ width: 1280, height: 900 });
  await page.screenshot({ path: 'test-results/screenshots/api-reference.png', fullPage: false });

  // Nothing went to another host (http(s) only: data: images are inline), nothing was blocked.
  const foreign = requests.filter((url) => /^https?:/.test(url) && new URL(url).origin !== origin);
  expect(foreign).toEqual([]);
  expect(requests).toContain(`${origin}/docs/api/assets/swagger-ui-bundle.js`);
  expect(requests).toContain(`${origin}/api/v1/openapi.json`);
  expect(problems.filter((p) => /Content Security Policy|Refused to/i.test(p))).toEqual([]);
  expect(problems).toEqual([]);
});

test('the reference is linked from the guide and the footer, and renders after client-side navigation', async ({ page }) => {
  test.setTimeout(90_000);
  await page.goto('/docs');
  await page.getByRole('link', { name: 'interactive API reference' }).click();
  await expect(page).toHaveURL(/\/docs\/api$/);
  await expect(page.locator('.opblock-summary-path', { hasText: '/api/v1/feeds' }).first()).toBeVisible({ timeout: 60_000 });
  await expect(page.getByRole('contentinfo').getByRole('link', { name: 'API reference' })).toHaveAttribute('href', '/docs/api');
});

test('only the allow-listed renderer files are served', async ({ request }) => {
  const css = await request.get('/docs/api/assets/swagger-ui.css');
  expect(css.status()).toBe(200);
  expect(css.headers()['content-type']).toMatch(/^text\/css/);
  const bundle = await request.get('/docs/api/assets/swagger-ui-bundle.js');
  expect(bundle.status()).toBe(200);
  expect(bundle.headers()['content-type']).toMatch(/^text\/javascript/);
  expect((await bundle.text()).length).toBeGreaterThan(500_000); // the whole renderer (Next gzips it on the wire)
  for (const name of ['package.json', 'index.html', '..%2Fpackage.json', '%2e%2e%2f%2e%2e%2fpackage.json', 'swagger-ui-bundle.js.map']) {
    expect((await request.get(`/docs/api/assets/${name}`)).status(), name).toBe(404);
  }
});
