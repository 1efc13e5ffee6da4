// The account story in Chromium, local billing mode (no Stripe keys): sign up, create a token
// (shown once), the token is refused for streaming on Free, flick the Firehose switch and the same
// token is allowed, flick it off and it is refused again, revoke it, sign out.
import { expect, test, type APIRequestContext } from '@playwright/test';
import { signUpInBrowser } from '@/tests/helpers/e2e-node';

const password = 'a long enough passphrase';

async function streamCheck(request: APIRequestContext, token: string) {
  const res = await request.get('/api/account/token?action=stream', { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status(), body: await res.json() };
}

test('sign up, create a token, flick the Firehose on and off, revoke, sign out', async ({ page, request, context }) => {
  test.setTimeout(60_000); // sign-up answers no sooner than 500 ms and hashes twice (sign-up, sign-in); a loaded machine needs the room
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  const email = `e2e-${Date.now()}@example.com`;

  // Sign-up explains what is wrong with a weak password, then succeeds.
  await page.goto('/signup');
  await page.getByLabel('Email').fill(`  ${email.toUpperCase()} `);
  await page.getByLabel('Password').fill('hunter2');
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page.getByRole('alert').filter({ hasText: /./ })).toHaveText(/at least 10 characters/);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page).toHaveURL(/\/dashboard$/);
  await expect(page.getByText(`Signed in as ${email}`)).toBeVisible();
  await expect(page.getByTestId('billing-mode')).toContainText('Billing disabled');
  await expect(page.getByTestId('plan-name')).toHaveText(/^Free/);
  await expect(page.getByText('No tokens yet')).toBeVisible();
  await expect(page.getByText('No feeds yet')).toBeVisible();
  await page.screenshot({ path: 'test-results/screenshots/dashboard-empty-desktop.png', fullPage: true });

  // Create a token: shown once, copyable.
  await page.getByRole('button', { name: 'Create your first token' }).click();
  await page.getByLabel('Name', { exact: true }).fill('SIEM connector');
  await page.getByRole('button', { name: 'Create token' }).click();
  const shown = page.getByTestId('new-token');
  await expect(shown).toHaveText(/^slc_[A-Za-z0-9_-]{43}$/);
  const token = (await shown.textContent())!.trim();
  await page.getByRole('button', { name: 'Copy', exact: true }).click();
  await expect(page.getByRole('button', { name: 'Copied ✓' })).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(token);
  const row = page.getByTestId('token-row').filter({ hasText: 'SIEM connector' });
  await expect(row).toContainText(token.slice(0, 12));
  await expect(row).toContainText('Streams on Firehose');
  await expect(row).toContainText('Last used never');

  // On Free the token may not stream.
  expect(await streamCheck(request, token)).toMatchObject({ status: 403, body: { error: { code: 'plan_required' } } });

  // Never shown again: after a reload only the prefix remains.
  await page.reload();
  await expect(page.getByTestId('new-token')).toHaveCount(0);
  expect(await page.content()).not.toContain(token.slice(12));
  await expect(row).toContainText(/Last used (just now|\d+ minutes? ago)/);

  // Flick the Firehose on: the same token may now stream.
  const firehose = page.getByRole('switch', { name: 'Firehose' });
  await expect(firehose).toHaveAttribute('aria-checked', 'false');
  await firehose.click();
  await expect(firehose).toHaveAttribute('aria-checked', 'true');
  await expect(page.getByTestId('plan-name')).toHaveText(/^Firehose/);
  await expect(row).toContainText('Streaming enabled');
  expect(await streamCheck(request, token)).toMatchObject({ status: 200, body: { allowed: true, plan: 'firehose' } });

  await page.screenshot({ path: 'test-results/screenshots/dashboard-desktop.png', fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: 'test-results/screenshots/dashboard-phone.png', fullPage: true });
  await page.setViewportSize({ width: 1280, height: 800 });

  // Flick it off: refused again.
  await firehose.click();
  await expect(firehose).toHaveAttribute('aria-checked', 'false');
  expect(await streamCheck(request, token)).toMatchObject({ status: 403, body: { error: { code: 'plan_required' } } });

  // Revoke: the token gets the same 401 as one that never existed.
  await row.getByRole('button', { name: 'Revoke SIEM connector' }).click();
  await row.getByRole('button', { name: 'Yes, revoke' }).click();
  await expect(page.getByTestId('token-row')).toHaveCount(0);
  await expect(page.getByText('1 revoked token')).toBeVisible();
  const revoked = await streamCheck(request, token);
  const forged = await streamCheck(request, `slc_${'x'.repeat(43)}`);
  expect(revoked.status).toBe(401);
  expect(revoked).toEqual(forged);

  // Sign out: the dashboard is no longer reachable.
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByRole('link', { name: 'Sign in' })).toBeVisible();
  await page.goto('/dashboard');
  await expect(page).toHaveURL(/\/login\?callbackUrl=%2Fdashboard/);
});

test('a taken email does not say so (its owner is mailed instead); a wrong password gets a clear error; sign-in works', async ({ page }) => {
  const email = `taken-${Date.now()}@example.com`;
  await signUpInBrowser(page, email, password);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByRole('link', { name: 'Sign in' })).toBeVisible();

  await page.goto('/signup');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill('someone else entirely');
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page.getByRole('alert').filter({ hasText: /./ })).toHaveText(/Check your email: if this address already has an account/);

  await page.goto('/login');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill('not my passphrase');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert').filter({ hasText: /./ })).toHaveText('Wrong email or password.');
  await page.screenshot({ path: 'test-results/screenshots/login-error-phone.png' });
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/dashboard$/);
});
