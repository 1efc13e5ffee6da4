// The same story in Stripe mode: a Sluice node with Stripe keys pointed at the local stand-in.
// The switch opens Checkout; paying there delivers signed webhooks that turn the plan on; the
// Customer Portal cancels, and the webhook turns it off. The token follows the plan each time.
import { expect, test } from '@playwright/test';
import pg from 'pg';
import { startMailedNode, type MailedNode } from '../helpers/mailed-node';
import type { SmtpSink } from '../helpers/smtp-sink';
import { startStripeStandIn, type StripeStandIn } from '../helpers/stripe-stand-in';

let stripe: StripeStandIn;
let sink: SmtpSink;
let node: MailedNode;
let dropDatabase: (() => Promise<void>) | null = null;


/** A fresh database of the configured kind for this node (embedded unless DATABASE_URL is set). */
async function databaseEnv(): Promise<Record<string, string>> {
  if (!process.env.DATABASE_URL) return { DATABASE_URL: '' };
  const name = `sluice_e2e_billing_${Date.now()}`;
  const admin = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  dropDatabase = async () => {
    const c = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await c.connect();
    await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await c.end();
  };
  const url = new URL(process.env.DATABASE_URL);
  url.pathname = `/${name}`;
  return { DATABASE_URL: url.toString() };
}

test.beforeAll(async () => {
  test.setTimeout(120_000);
  stripe = await startStripeStandIn();
  // Checkout needs a confirmed address: the link comes by mail. The node runs on the suite's kind of
  // database and engines (a fresh PostgreSQL database when DATABASE_URL is set).
  node = await startMailedNode(
    'stripe',
    { ...stripe.env, ...(await databaseEnv()), REDIS_URL: process.env.REDIS_URL ?? '', REDIS_PREFIX: `sluice-e2e-stripe-${process.pid}:` },
    { timeoutMs: 110_000 },
  );
  ({ sink } = node);
  stripe.webhookUrl = `${node.base}/api/billing/webhook`;
});

test.afterAll(async () => {
  await node?.close();
  await stripe?.close();
  await dropDatabase?.();
});

test('Stripe mode: Checkout turns the Firehose on for an existing token; the Portal turns it off', async ({ page, playwright }) => {
  test.setTimeout(90_000);
  const base = new URL(stripe.webhookUrl!).origin;
  const api = await playwright.request.newContext({ baseURL: base });
  const streamStatus = async (token: string) =>
    (await api.get('/api/account/token?action=stream', { headers: { authorization: `Bearer ${token}` } })).status();

  await page.goto(`${base}/signup`);
  const email = `stripe-${Date.now()}@example.com`;
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill('paying with a card');
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page).toHaveURL(/\/dashboard$/);
  await expect(page.getByTestId('billing-mode')).toContainText('Billed monthly through Stripe');
  // Confirm the address from the emailed link (Checkout is refused until then).
  await expect.poll(() => sink.to(email).length, { timeout: 15_000 }).toBe(1);
  await page.goto(sink.to(email)[0].links.find((l) => l.includes('/verify-email?token='))!);
  await expect(page.getByRole('heading', { name: 'Email address confirmed' })).toBeVisible();
  await page.goto(`${base}/dashboard`);

  await page.getByRole('button', { name: 'Create your first token' }).click();
  await page.getByLabel('Name', { exact: true }).fill('collector');
  await page.getByRole('button', { name: 'Create token' }).click();
  const token = (await page.getByTestId('new-token').textContent())!.trim();
  expect(await streamStatus(token)).toBe(403);

  // The switch opens Checkout (the stand-in's hosted page); paying sends the webhooks.
  const firehose = page.getByRole('switch', { name: 'Firehose' });
  await firehose.click();
  await expect(page).toHaveURL(new RegExp(`^${stripe.apiBase}/pay/cs_`));
  await page.getByRole('button', { name: 'Subscribe' }).click();
  await expect(page).toHaveURL(/\/dashboard\?checkout=success$/);
  await expect(firehose).toHaveAttribute('aria-checked', 'true', { timeout: 15_000 });
  expect(await streamStatus(token)).toBe(200);
  const [subscription] = [...stripe.subscriptions.values()];
  expect(subscription).toMatchObject({ status: 'active', items: { data: [{ price: { id: stripe.priceId } }] } });

  // Switching off goes to the Customer Portal; cancelling there ends streaming.
  await firehose.click();
  await expect(page).toHaveURL(new RegExp(`^${stripe.apiBase}/portal/bps_`));
  await page.getByRole('button', { name: 'Cancel subscription' }).click();
  await expect(page).toHaveURL(/\/dashboard$/);
  await expect(firehose).toHaveAttribute('aria-checked', 'false');
  expect(await streamStatus(token)).toBe(403);
  await api.dispose();
});
