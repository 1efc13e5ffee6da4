// Account deletion and the new-token notice in Chromium, against a node of its own that mails by
// SMTP to a real SMTP server in this process (tests/helpers/smtp-sink.ts): create a token on the
// dashboard → the notice arrives (name, prefix, scopes, expiry, address; never the token) → on
// /settings a wrong password is refused → schedule the deletion → the banner (settings and
// dashboard) and the mail with the date and the link → the token is refused → cancel → the mail,
// the banner gone, the token works again.
import { expect, test, type APIRequestContext } from '@playwright/test';
import { startMailedNode, type MailedNode } from '../helpers/mailed-node';
import type { ReceivedMail, SmtpSink } from '../helpers/smtp-sink';

const SLOW = 30_000; // password hashing (argon2id) on a loaded machine
let sink: SmtpSink;
let base: string;
let node: MailedNode;

test.beforeAll(async () => {
  test.setTimeout(180_000); // a fresh embedded database: migrations and the warning lists before it listens
  node = await startMailedNode('deletion', { NEXTAUTH_SECRET: 'e2e-deletion-secret-0123456789', ACCOUNT_DELETION_COOLING_OFF_DAYS: '14' });
  ({ sink, base } = node);
});
test.afterAll(async () => {
  await node?.close();
});

async function mailWith(address: string, subject: string | RegExp): Promise<ReceivedMail> {
  const find = () => sink.to(address).find((m) => (typeof subject === 'string' ? m.subject === subject : subject.test(m.subject)));
  await expect.poll(() => Boolean(find()), { timeout: 15_000 }).toBe(true);
  return find()!;
}

async function readCheck(request: APIRequestContext, token: string) {
  const res = await request.get(`${base}/api/account/token?action=read`, { headers: { authorization: `Bearer ${token}` } });
  return res.status();
}

test('token notice; schedule the deletion from /settings, see the banner and the mail, cancel', async ({ page, request }) => {
  test.setTimeout(240_000);
  const email = `deletion-${Date.now()}@example.com`;
  const password = 'a long enough passphrase';
  await page.goto(`${base}/signup`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page).toHaveURL(/\/dashboard$/, { timeout: SLOW });

  // A token made on the dashboard: the owner is told, without the token.
  await page.getByRole('button', { name: 'Create your first token' }).click();
  await page.getByLabel('Name', { exact: true }).fill('grafana');
  await page.getByLabel('Expires').selectOption({ label: 'In 30 days' });
  await page.getByRole('button', { name: 'Create token' }).click();
  await expect(page.getByTestId('new-token')).toHaveText(/^slc_/);
  const token = (await page.getByTestId('new-token').textContent())!.trim();
  const notice = await mailWith(email, /^A new API token was created/);
  expect(notice.text).toContain('Name: grafana');
  expect(notice.text).toContain(`Starts with: ${token.slice(0, 12)}…`);
  expect(notice.text).toMatch(/Scopes: [a-z, ]+/);
  expect(notice.text).toMatch(/Expires: \d{4}-\d\d-\d\d \d\d:\d\d UTC/);
  expect(notice.text).toContain('on the dashboard, from 127.0.0.1');
  expect(notice.text).toContain('If this was not you');
  expect(notice.raw).not.toContain(token.slice(12));
  expect(await readCheck(request, token)).toBe(200);

  // /settings: what goes, then a wrong password is refused and nothing is scheduled.
  await page.goto(`${base}/settings`);
  const section = page.getByTestId('delete-account');
  await expect(section).toContainText('Indicators you reported publicly are recounted');
  await expect(section).toContainText('after 14 days');
  await section.getByLabel('Current password').fill('not my password at all');
  await section.getByRole('button', { name: 'Delete my account' }).click();
  await expect(section.getByRole('alert')).toContainText('Your password is not right', { timeout: SLOW });
  await expect(page.getByTestId('deletion-pending')).toHaveCount(0);

  // The right password: scheduled 14 days ahead, the banner offers to cancel, the mail says when.
  await section.getByLabel('Current password').fill(password);
  await section.getByRole('button', { name: 'Delete my account' }).click();
  const banner = page.getByTestId('deletion-pending');
  await expect(banner).toContainText('This account will be deleted on', { timeout: SLOW });
  await expect(banner.getByRole('button', { name: 'Cancel deletion' })).toBeVisible();
  const scheduled = await mailWith(email, 'Your Sluice account will be deleted');
  const due = /deleted on (\d{4}-\d\d-\d\d \d\d:\d\d) UTC/.exec(scheduled.text)?.[1];
  expect(due, scheduled.text).toBeTruthy();
  const days = (Date.parse(`${due!.replace(' ', 'T')}:00Z`) - Date.now()) / 86_400_000;
  expect(days).toBeGreaterThan(13.9);
  expect(days).toBeLessThanOrEqual(14);
  await expect(banner).toContainText(due!);
  expect(scheduled.links).toContain(`${base}/settings`);
  await page.screenshot({ path: 'test-results/screenshots/account-deletion-pending.png', fullPage: true });

  // Suspended meanwhile: the token is refused; the dashboard shows the banner too.
  expect(await readCheck(request, token)).toBe(401);
  await page.goto(`${base}/dashboard`);
  await expect(page.getByTestId('deletion-pending')).toContainText(due!);

  // Cancel (from the dashboard's banner): mailed, the banner goes, the token works again.
  await page.getByTestId('deletion-pending').getByRole('button', { name: 'Cancel deletion' }).click();
  await expect(page.getByTestId('deletion-pending')).toHaveCount(0, { timeout: SLOW });
  await mailWith(email, 'The deletion of your Sluice account was cancelled');
  expect(await readCheck(request, token)).toBe(200);
  await page.goto(`${base}/settings`);
  await expect(page.getByTestId('delete-account').getByRole('button', { name: 'Delete my account' })).toBeVisible();
  await expect(page.getByTestId('security-activity')).toContainText('Account deletion cancelled');
});
