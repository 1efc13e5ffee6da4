// The public threats page in Chromium against a real node: seeded data server-rendered without
// JavaScript, filters, live arrivals within two seconds, hostile values rendered inert, private
// data absent everywhere, the indicator page, exports, and screenshots at desktop and phone sizes.
import { randomBytes } from 'node:crypto';
import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import { adminCommand } from '@/tests/helpers/e2e-node';

const run = randomBytes(3).toString('hex');
const PUBLIC_FEED = `e2e-public-${run}`;
const PRIVATE_FEED = `e2e-amber-${run}`;
const PRIVATE_VALUE = `private-only-${run}.net`;
const PRIVATE_TAG = `amber-secret-${run}`;
const XSS_HOST = `xss-target-${run}.com`;
let token = '';

async function api(request: APIRequestContext, method: 'GET' | 'POST', url: string, data?: unknown) {
  const res = await request.fetch(url, { method, headers: { authorization: `Bearer ${token}` }, ...(data ? { data } : {}) });
  expect(res.status(), await res.text()).toBeLessThan(300);
  return res.json();
}

const hoursAgo = (h: number) => new Date(Date.now() - h * 3_600_000).toISOString();

/** Reloads until the (ISR-cached, regenerated every few seconds) page shows `text`. */
async function gotoUntil(page: Page, url: string, text: string, timeout = 45_000) {
  await expect(async () => {
    await page.goto(url);
    await expect(page.getByText(text, { exact: false }).first()).toBeVisible({ timeout: 1000 });
  }).toPass({ timeout, intervals: [1000] });
}

// Serial: the tests share the seeded data; generous timeouts, as pages regenerate in the background.
test.describe.configure({ mode: 'serial', timeout: 90_000 });

test.beforeAll(async ({ request }) => {
  const email = `e2e-${run}@sluice.test`;
  await adminCommand(request, { type: 'user.create', email, password: 'correct horse battery staple 42', plan: 'firehose' });
  token = (await adminCommand(request, { type: 'token.create', email, name: 'e2e', scopes: ['submit', 'read', 'stream'] })).result.token!;
  await api(request, 'POST', '/api/v1/feeds', { slug: PUBLIC_FEED, name: 'E2E botnet tracker', tlp: 'CLEAR' });
  await api(request, 'POST', '/api/v1/feeds', { slug: PRIVATE_FEED, name: 'E2E private', tlp: 'AMBER' });
  const families = ['mirai', 'emotet', 'qakbot', 'phishing', 'cobalt strike', 'scanner'];
  const items = [
    ...Array.from({ length: 24 }, (_, i) => ({ value: `185.220.${100 + (i % 3)}.${10 + i}`, tags: [families[i % 6], 'botnet'], confidence: 60 + i, reportedAt: hoursAgo(i * 0.9) })),
    ...Array.from({ length: 12 }, (_, i) => ({ value: `login-${run}-${i}.secure-update.net`, tags: ['phishing'], reportedAt: hoursAgo(i * 1.7) })),
    ...Array.from({ length: 10 }, (_, i) => ({ value: `http://cdn-${run}-${i}.badfiles.org/payload/${i}.exe`, tags: ['dropper', families[i % 6]], reportedAt: hoursAgo(i * 2.1) })),
    ...Array.from({ length: 4 }, (_, i) => ({ value: `billing-${i}@invoice-${run}.com`, tags: ['spam'], reportedAt: hoursAgo(i * 3) })),
    ...Array.from({ length: 4 }, (_, i) => ({ value: randomBytes(32).toString('hex'), tags: ['ransomware'], reportedAt: hoursAgo(i * 4) })),
  ];
  await api(request, 'POST', `/api/v1/feeds/${PUBLIC_FEED}/indicators`, { indicators: items });
  // Privately seen: a value no public feed has, and one of the public IPs again with a private tag.
  await api(request, 'POST', `/api/v1/feeds/${PRIVATE_FEED}/indicators`, {
    indicators: [
      { value: PRIVATE_VALUE, tags: [PRIVATE_TAG], description: 'do not leak' },
      { value: '185.220.100.10', tags: [PRIVATE_TAG] },
    ],
  });
});

test('renders seeded public indicators server-side, without JavaScript, defanged and linked only to our pages', async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await gotoUntil(page, '/threats', run); // the page shows a random sample: wait for any of this run's values
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('What is being reported now');
  const rows = page.getByTestId('threat-list').locator('li');
  expect(await rows.count()).toBeGreaterThan(20);
  // Defanged text; the only links are to /i/… and /threats/… on this site.
  await expect(page.getByText(/\[\.\]/).first()).toBeVisible();
  await expect(page.locator('main').getByText(/secure-update\.net|badfiles\.org/)).toHaveCount(0); // never un-defanged
  const hrefs = await page.locator('main a').evaluateAll((as) => as.map((a) => a.getAttribute('href') ?? ''));
  for (const href of hrefs) expect(href.startsWith('/'), href).toBe(true);
  // "N minutes ago" with the exact UTC time on hover.
  const time = rows.first().locator('time');
  await expect(time).toHaveAttribute('title', /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/);
  await expect(time).toHaveText(/ago|just now/);
  // Totals and the 24-hour chart are part of the HTML.
  await expect(page.getByText('Public indicators').first()).toBeVisible();
  await expect(page.locator('svg[role="img"] rect')).toHaveCount(48);

  // Filters work as plain links and a GET form.
  await page.getByRole('link', { name: 'URL', exact: true }).click();
  await expect(page).toHaveURL(/\/threats\/url$/);
  const types = await page.getByTestId('threat-list').locator('li > span:first-child').allTextContents();
  expect(new Set(types)).toEqual(new Set(['URL']));
  await page.getByLabel('Tag').fill('Dropper');
  await page.getByRole('button', { name: 'Filter' }).click();
  await expect(page).toHaveURL(/\/threats\/url\/tag\/dropper$/);
  // Each view is regenerated in the background when stale (ISR): the first visit may be older.
  await gotoUntil(page, '/threats/url/tag/dropper', `cdn-${run}-3[.]badfiles[.]org`);
  await context.close();
});

test('an indicator submitted through the API appears live within two seconds', async ({ page, request }) => {
  await page.goto('/threats');
  await expect(page.getByTestId('live-status')).toHaveAttribute('data-status', 'live', { timeout: 30_000 });
  const value = `live-${run}-${Date.now()}.fresh-threat.net`;
  const started = Date.now();
  await api(request, 'POST', `/api/v1/feeds/${PUBLIC_FEED}/indicators`, { indicators: [{ value, tags: ['live-demo'] }] });
  const button = page.getByRole('button', { name: /1 new indicator/ });
  // The target is two seconds; the figure is printed and only a far miss fails (loaded machine).
  await expect(button).toBeVisible({ timeout: 8000 });
  const liveInMs = Date.now() - started;
  console.log(`[threats] submitted indicator shown live in ${liveInMs} ms`);
  expect(liveInMs).toBeLessThan(8000);
  await page.screenshot({ path: 'test-results/screenshots/threats-live-pending.png' });
  await button.click();
  await expect(page.getByTestId('threat-list').locator('li').first()).toContainText(value.replace(/\./g, '[.]'));
});

test('hostile values render as inert text: no dialog, no script, no request to the target', async ({ page, request }) => {
  const dialogs: string[] = [];
  const hits: string[] = [];
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  page.on('request', (r) => {
    // A request to the payload's host, or for the relative `x` of <img src=x>, means markup went live.
    const url = new URL(r.url());
    if (url.hostname.includes('xss-target') || /\/x$/.test(url.pathname)) hits.push(r.url());
  });
  await page.addInitScript(() => {
    (window as unknown as { __xss: number }).__xss = 0;
    window.alert = () => ((window as unknown as { __xss: number }).__xss += 1);
  });
  const payloads = [
    `http://${XSS_HOST}/"><img src=x onerror=alert(1)>`,
    `http://${XSS_HOST}/x'onmouseover='alert(1)'`,
    `http://${XSS_HOST}/<script>alert(1)</script>`,
    `javascript:alert(1)`,
    `<img src=x onerror=alert(1)>`,
    `"<img/src=x/onerror=alert(1)>"@${XSS_HOST}`,
    `<svg/onload=alert(1)>.${XSS_HOST}`,
    XSS_HOST,
  ];
  const answer = await api(request, 'POST', `/api/v1/feeds/${PUBLIC_FEED}/indicators`, {
    indicators: payloads.map((value) => ({ value, tags: [`x' onfocus 'alert(1) '`], description: '<img src=x onerror=alert(1)>' })),
  });
  const accepted = (answer.results as { status: string; type: string; value: string }[]).filter((r) => r.status === 'accepted');
  expect(accepted.length).toBeGreaterThan(1);
  await gotoUntil(page, '/threats/domain', `${XSS_HOST.replace(/\./g, '[.]')}`);
  await page.locator('main').hover();
  for (const a of accepted) {
    await page.goto(`/i/${a.type}/${encodeURIComponent(a.value)}`);
    await expect(page.getByTestId('indicator-value')).toBeVisible();
    await page.getByTestId('indicator-value').hover();
    await page.getByText('<img src=x onerror=alert(1)>').first().hover();
  }
  await gotoUntil(page, `/threats/tag/${encodeURIComponent(`x' onfocus 'alert(1) '`)}`, XSS_HOST.replace(/\./g, '[.]'));
  await expect(page.getByTestId('threat-list').locator('li').first()).toBeVisible();
  await page.getByTestId('threat-list').locator('li').first().hover();
  expect(await page.locator('img[src="x"], main script:not([src]) + img').count()).toBe(0);
  expect(await page.evaluate(() => (window as unknown as { __xss: number }).__xss)).toBe(0);
  expect(dialogs).toEqual([]);
  expect(hits).toEqual([]);
  await page.screenshot({ path: 'test-results/screenshots/threats-hostile-tag.png', fullPage: true });
});

test('a private indicator, tag or feed never appears on /threats, its exports, or an indicator page', async ({ page, request }) => {
  await gotoUntil(page, '/threats', run); // the page shows a random sample: wait for any of this run's values
  for (const url of ['/threats', '/threats/domain', '/threats/ipv4']) {
    const html = await (await request.get(url)).text();
    for (const secret of [PRIVATE_VALUE, PRIVATE_TAG, PRIVATE_FEED, 'do not leak']) expect(html.includes(secret), `${url} ${secret}`).toBe(false);
  }
  for (const url of ['/threats.json', '/threats.csv', '/threats.json?type=domain', '/threats.csv?type=ipv4']) {
    const body = await (await request.get(url)).text();
    for (const secret of [PRIVATE_VALUE, PRIVATE_TAG, PRIVATE_FEED]) expect(body.includes(secret), `${url} ${secret}`).toBe(false);
  }
  // Filtering by the private tag finds nothing (the answer only echoes the filter back).
  expect((await (await request.get(`/threats.json?tag=${PRIVATE_TAG}`)).json()).indicators).toEqual([]);
  const missing = await request.get(`/i/domain/${encodeURIComponent(PRIVATE_VALUE)}`);
  expect(missing.status()).toBe(404);
  expect(await missing.text()).not.toContain(PRIVATE_TAG);
  // The IP seen publicly and privately shows only its public sighting.
  await page.goto('/i/ipv4/185.220.100.10');
  await expect(page.getByTestId('indicator-value')).toHaveText('185[.]220[.]100[.]10');
  const html = await page.content();
  for (const secret of [PRIVATE_TAG, PRIVATE_FEED]) expect(html.includes(secret)).toBe(false);
  await expect(page.getByTestId('check-answer')).toContainText('"sightings": 1');
});

test('exports carry the same list as JSON and formula-safe CSV', async ({ request }) => {
  const json = await (await request.get('/threats.json?type=url&tag=dropper')).json();
  expect(json.filters).toEqual({ type: 'url', tag: 'dropper' });
  expect(json.indicators.length).toBeGreaterThan(0);
  for (const i of json.indicators) {
    expect(i.type).toBe('url');
    expect(i.tags).toContain('dropper');
    expect(i.defanged.startsWith('hxxp')).toBe(true);
    expect(i.page.startsWith('/i/url/')).toBe(true);
  }
  const csv = await request.get('/threats.csv?type=url&tag=dropper');
  expect(csv.headers()['content-type']).toContain('text/csv');
  const lines = (await csv.text()).trim().split('\r\n');
  expect(lines[0]).toBe('type,value,defanged,tags,feed,feed_owner,confidence,sightings,first_seen,last_seen');
  expect(lines.length).toBe(json.indicators.length + 1);
});

test('the indicator page shows sightings over time, feeds, tags, related indicators and the check answer', async ({ page }) => {
  await page.goto(`/i/ipv4/185.220.100.13`);
  await expect(page.getByTestId('indicator-value')).toHaveText('185[.]220[.]100[.]13');
  await expect(page.getByText('Reported by 1 public feed')).toBeVisible();
  await expect(page.getByText(PUBLIC_FEED).first()).toBeVisible();
  await expect(page.getByText('Same /24 network')).toBeVisible();
  await expect(page.getByTestId('check-answer')).toContainText('"known": true');
  // A defanged URL is redirected to the one canonical, shareable address.
  await page.goto(`/i/ipv4/185[.]220[.]100[.]13`);
  await expect(page).toHaveURL(/\/i\/ipv4\/185\.220\.100\.13$/);
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.screenshot({ path: 'test-results/screenshots/indicator-desktop.png', fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: 'test-results/screenshots/indicator-phone.png', fullPage: true });
});

test('screenshots at desktop and phone sizes, with no horizontal overflow on a phone', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 900 });
  await gotoUntil(page, '/threats', run); // the page shows a random sample: wait for any of this run's values
  await page.screenshot({ path: 'test-results/screenshots/threats-desktop.png', fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.reload();
  await expect(page.getByTestId('threat-list')).toBeVisible();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  await page.screenshot({ path: 'test-results/screenshots/threats-phone.png', fullPage: true });
});

test('search finds a defanged value, /feeds lists only public feeds, and both fit a phone', async ({ page }) => {
  // Defanged input, as analysts paste it from reports.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto('/threats/search');
  await page.getByLabel('Value or part of one').fill(`login-${run}-3[.]secure-update[.]net`);
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(page).toHaveURL(/\/threats\/search\?q=/);
  const results = page.getByRole('list', { name: 'Search results' });
  await expect(results).toContainText(`login-${run}-3[.]secure-update[.]net`, { timeout: 15_000 });
  expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
  await page.screenshot({ path: 'test-results/screenshots/search-phone.png', fullPage: true });
  // A private value is not found, even by its exact text.
  await page.goto(`/threats/search?q=${encodeURIComponent(PRIVATE_VALUE)}`);
  await expect(page.locator('main')).not.toContainText(PRIVATE_VALUE.replace(/\./g, '[.]'));

  await page.goto('/feeds');
  const feeds = page.getByRole('list', { name: 'Public feeds' });
  await expect(feeds).toContainText('E2E botnet tracker');
  await expect(feeds).not.toContainText('E2E private');
  const html = await page.content();
  expect(html.includes(`e2e-${run}@sluice.test`), 'an owner e-mail on /feeds').toBe(false);
  expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
  await page.screenshot({ path: 'test-results/screenshots/feeds-phone.png', fullPage: true });
  await feeds.getByRole('link', { name: 'E2E botnet tracker' }).click();
  await expect(page).toHaveURL(/\/feeds\/[^/]+$/);
  await expect(page.locator('main')).toContainText(run);
  await page.screenshot({ path: 'test-results/screenshots/feed-phone.png', fullPage: true });
});
