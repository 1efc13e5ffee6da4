// Token expiry and allowed networks on the dashboard, in Chromium (docs/accounts.md): a bad network
// is refused with a message naming it, the list shows each token's expiry and networks, and the
// limits hold at use (this browser's requests come from 127.0.0.1); a token made to expire in a few
// seconds works until then and is refused after, and the dashboard marks it expired.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect, test, type APIRequestContext } from '@playwright/test';
import { signUpInBrowser } from '@/tests/helpers/e2e-node';

async function readCheck(request: APIRequestContext, token: string) {
  const res = await request.get('/api/account/token?action=read', { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status(), body: await res.json() };
}

test('create tokens with an expiry and allowed networks; the list shows them and they hold at use', async ({ page, request }) => {
  test.setTimeout(90_000); // sign-up hashes a password and answers no sooner than 500 ms
  await signUpInBrowser(page, `limits-${Date.now()}@example.com`, 'a long enough passphrase');

  // A malformed network: refused, the form says which entry.
  await page.getByRole('button', { name: 'Create your first token' }).click();
  await page.getByLabel('Name', { exact: true }).fill('office');
  await page.getByLabel('Expires').selectOption({ label: 'In 30 days' });
  await page.getByLabel('Allowed networks').fill('10.0.0.0/8, 10.0.0.0/33');
  await page.getByRole('button', { name: 'Create token' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'is not an IP network' })).toContainText('"10.0.0.0/33" is not an IP network');
  await expect(page.getByTestId('new-token')).toHaveCount(0);

  // Corrected: created; the row shows the expiry (30 days ahead) and the network.
  await page.getByLabel('Allowed networks').fill('10.0.0.0/8');
  await page.getByRole('button', { name: 'Create token' }).click();
  await expect(page.getByTestId('new-token')).toHaveText(/^slc_/);
  const office = (await page.getByTestId('new-token').textContent())!.trim();
  const officeRow = page.getByTestId('token-row').filter({ hasText: 'office' });
  const in30 = new Date(Date.now() + 30 * 86_400_000).toLocaleDateString('en', { dateStyle: 'medium', timeZone: 'UTC' });
  await expect(officeRow.getByTestId('token-expiry')).toContainText(`Expires ${in30}`);
  await expect(officeRow.getByTestId('token-networks')).toHaveText('From 10.0.0.0/8 only');
  // Used from 127.0.0.1: outside 10.0.0.0/8.
  expect(await readCheck(request, office)).toMatchObject({ status: 403, body: { error: { code: 'address_not_allowed' } } });

  // A token expiring on a date, allowed from loopback (also written as IPv4-mapped IPv6): accepted.
  await page.getByRole('button', { name: 'Done' }).click();
  await page.getByRole('button', { name: /New token/ }).click();
  await page.getByLabel('Name', { exact: true }).fill('laptop');
  await page.getByLabel('Expires').selectOption({ label: 'On a date…' });
  const nextYear = new Date().getUTCFullYear() + 1;
  await page.getByLabel('Expiry date (UTC)').fill(`${nextYear}-06-30`);
  await page.getByLabel('Allowed networks').fill('127.0.0.0/8 ::ffff:192.0.2.0/120');
  await page.getByRole('button', { name: 'Create token' }).click();
  await expect(page.getByTestId('new-token')).toHaveText(/^slc_/);
  const laptop = (await page.getByTestId('new-token').textContent())!.trim();
  const laptopRow = page.getByTestId('token-row').filter({ hasText: 'laptop' });
  await expect(laptopRow.getByTestId('token-expiry')).toHaveText(`Expires Jul 1, ${nextYear}, 12:00 AM UTC`);
  await expect(laptopRow.getByTestId('token-networks')).toHaveText('From 127.0.0.0/8, 192.0.2.0/24 only');
  expect(await readCheck(request, laptop)).toMatchObject({ status: 200, body: { allowed: true } });

  // A token with no limits says so.
  await page.getByRole('button', { name: 'Done' }).click();
  await page.getByRole('button', { name: /New token/ }).click();
  await page.getByLabel('Name', { exact: true }).fill('anywhere');
  await page.getByRole('button', { name: 'Create token' }).click();
  await expect(page.getByTestId('new-token')).toHaveText(/^slc_/);
  const anywhere = page.getByTestId('token-row').filter({ hasText: 'anywhere' });
  await expect(anywhere.getByTestId('token-expiry')).toHaveText('Never expires');
  await expect(anywhere.getByTestId('token-networks')).toHaveText('From any address');
  await page.screenshot({ path: 'test-results/screenshots/token-limits.png', fullPage: true });
});

test('a token with an expiry works until it and is refused after it; the dashboard says it expired', async ({ page, request }) => {
  test.setTimeout(120_000);
  const email = `expiry-${Date.now()}@example.com`;
  await signUpInBrowser(page, email, 'a long enough passphrase');

  // The dashboard offers days or a date; seconds come from the operator's CLI (--expires-in 45s),
  // run as an operator would against this node's database (the embedded one through the node).
  const cli = await promisify(execFile)(process.execPath, ['bin/sluice.mjs', 'admin', 'token', 'create', '--email', email, '--name', 'short-lived', '--scopes', 'read', '--expires-in', '20s'], {
    cwd: path.resolve(import.meta.dirname, '../..'),
    env: { ...process.env, DATA_DIR: process.env.E2E_DATA_DIR, LOG_LEVEL: 'warn' },
  });
  const token = /slc_[A-Za-z0-9_-]+/.exec(cli.stdout.trim().split('\n').at(-1) ?? '')?.[0];
  expect(token, cli.stdout + cli.stderr).toBeTruthy();

  expect(await readCheck(request, token!)).toMatchObject({ status: 200, body: { allowed: true } });
  await page.reload();
  const row = page.getByTestId('token-row').filter({ hasText: 'short-lived' });
  await expect(row.getByTestId('token-expiry')).toHaveText(/^Expires /);

  // Refused from its expiry on, with a code that says why.
  await expect.poll(async () => (await readCheck(request, token!)).status, { timeout: 45_000, intervals: [1000] }).toBe(401);
  expect((await readCheck(request, token!)).body).toMatchObject({ error: { code: 'token_expired' } });
  await page.reload();
  await expect(row.getByText('Expired', { exact: true })).toBeVisible();
  await expect(row.getByTestId('token-expiry')).toHaveText(/^Expired /);
});
