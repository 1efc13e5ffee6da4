// Feeds on the dashboard, as a user manages them without curl: create a private feed, see its
// statistics once reports arrive, make it public (with the warning that says what that means),
// and delete it after being told what goes with it.
import { randomBytes } from 'node:crypto';
import { expect, test } from '@playwright/test';
import { adminCommand, signUpInBrowser } from '@/tests/helpers/e2e-node';

const run = randomBytes(3).toString('hex');
const password = 'a long enough passphrase';

test.describe.configure({ timeout: 180_000 });
// Server actions on a loaded machine can take seconds: wait for their effects longer than the default.
const slow = { timeout: 20_000 };

test('create, report into, make public, and delete a feed from the dashboard', async ({ page, request }) => {
  const email = `feeds-${run}@example.com`;
  await signUpInBrowser(page, email, password);

  // Create a private feed; a bad slug is refused with the API's own message first.
  const slug = `honeypot-${run}`;
  await page.getByRole('button', { name: 'New feed' }).click();
  const create = page.getByRole('form', { name: 'New feed' });
  await create.getByLabel('Slug').fill('Not A Slug!');
  await create.getByRole('button', { name: 'Create feed' }).click();
  await expect(create.getByRole('alert')).toContainText('slug must be', slow);
  await create.getByLabel('Slug').fill(slug);
  await create.getByLabel('Feed name').fill('EU honeypots');
  await create.getByLabel('Description').fill('SSH brute force seen by <b>our</b> sensors');
  await expect(create.getByLabel('Visibility (TLP)')).toHaveValue('AMBER');
  await create.getByRole('button', { name: 'Create feed' }).click();
  const row = page.getByTestId('feed-row').filter({ hasText: slug });
  await expect(row).toContainText('TLP:AMBER', slow);
  await expect(row).toContainText('SSH brute force seen by <b>our</b> sensors'); // text, not markup

  // Reports arrive through the API; the statistics count them.
  const { token } = (await adminCommand(request, { type: 'token.create', email, name: 'feeds-e2e', scopes: ['submit', 'read'] })).result;
  const submitted = await request.post(`/api/v1/feeds/${slug}/indicators`, {
    headers: { authorization: `Bearer ${token}` },
    data: { indicators: [{ value: `45.83.${Number.parseInt(run.slice(0, 2), 16)}.${Number.parseInt(run.slice(2, 4), 16)}` }, { value: `brute-${run}.sshbrute-sample.com` }] },
  });
  expect(submitted.status(), await submitted.text()).toBe(200);
  expect((await submitted.json()).accepted, 'both values accepted').toBe(2);
  await page.reload();
  await expect(row.locator('dd').nth(0)).toHaveText('2'); // sightings
  await expect(row.locator('dd').nth(1)).toHaveText('2'); // last 7 days
  await expect(row.locator('dd').nth(3)).toHaveText(/just now|min ago/);

  // Making it public says what that means before it is saved.
  await row.getByRole('button', { name: 'Edit' }).click();
  const edit = page.getByRole('form', { name: `Edit ${slug}` });
  await edit.getByLabel('Feed name').fill('EU honeypots (public)');
  await edit.getByLabel('Visibility (TLP)').selectOption('CLEAR');
  await expect(edit.getByRole('alert')).toContainText('TLP:CLEAR is public');
  await expect(edit.getByRole('alert')).toContainText('Reports made while the feed was private stay private');
  await page.setViewportSize({ width: 390, height: 844 });
  expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
  // On a phone the header hides its Settings link; the dashboard's own link leads there.
  await expect(page.getByRole('link', { name: /Password, devices and two-factor/ })).toBeVisible();
  await page.screenshot({ path: 'test-results/screenshots/feeds-edit-phone.png', fullPage: true });
  await page.setViewportSize({ width: 1280, height: 900 });
  await edit.getByRole('button', { name: 'Save' }).click();
  await expect(row).toContainText('TLP:CLEAR', slow);
  await expect(row).toContainText('EU honeypots (public)');
  const api = await request.get(`/api/v1/feeds/${slug}`, { headers: { authorization: `Bearer ${token}` } });
  expect((await api.json()).feed).toMatchObject({ tlp: 'CLEAR', name: 'EU honeypots (public)' });

  // Delete: told what it removes, and only after typing the slug.
  await row.getByRole('button', { name: 'Delete…' }).click();
  const confirm = page.getByRole('group', { name: `Delete ${slug}` });
  await expect(confirm).toContainText('removes 2 sightings of 2 indicators', slow);
  const button = confirm.getByRole('button', { name: 'Delete feed for good' });
  await expect(button).toBeDisabled();
  await confirm.getByLabel('Type the slug to confirm').fill(slug);
  await button.click();
  await expect(page.getByTestId('feed-row').filter({ hasText: slug })).toHaveCount(0, slow);
  const gone = await request.get(`/api/v1/feeds/${slug}`, { headers: { authorization: `Bearer ${token}` } });
  expect(gone.status()).toBe(404);
});
