// Steps the Chromium stories share against the suite's node (playwright.config.ts): an operator
// command through `sluice admin`'s channel, and signing up in the browser.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { expect, type APIRequestContext, type Page } from '@playwright/test';
import { ADMIN_HEADER, ADMIN_PATH, deriveAdminKey } from '@/lib/accounts/admin-channel';

/** Runs an operator command on the suite's node (what `sluice admin` sends) and expects it to succeed. */
export async function adminCommand(request: APIRequestContext, command: Record<string, unknown>) {
  const secret = (await readFile(path.join(process.env.E2E_DATA_DIR!, 'secret'), 'utf8')).trim();
  const res = await request.post(ADMIN_PATH, { headers: { [ADMIN_HEADER]: deriveAdminKey(secret) }, data: command });
  expect(res.status(), await res.text()).toBe(200);
  return (await res.json()) as { result: { token?: string } };
}

/** Signs up on /signup and waits for the dashboard (password hashing on a loaded machine: 30 s). */
export async function signUpInBrowser(page: Page, email: string, password: string) {
  await page.goto('/signup');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page).toHaveURL(/\/dashboard$/, { timeout: 30_000 });
}
