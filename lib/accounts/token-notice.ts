// The owner is mailed whenever an API token is created for their account — from the dashboard (with
// the client address) or by an operator's `sluice admin token create`; there is no REST route that
// creates tokens. The mail names the token and what it can do, never the token itself. Federation
// peer tokens belong to the system account and are not announced.
import { sendInBackground } from '../mail/get-mailer';
import type { CreatedToken } from '../tokens';
import { tokenCreatedMail, type AccountMailDeps, type TokenCreatedNotice } from './account-mail';

/** Mails the notice in the background; the returned promise settles when it was sent (never rejects). */
export async function notifyTokenCreated(
  deps: AccountMailDeps,
  input: { userId: string; token: Omit<CreatedToken, 'token' | 'id'>; source: TokenCreatedNotice['source'] },
): Promise<void> {
  try {
    const user = await deps.prisma.user.findUnique({ where: { id: input.userId }, select: { email: true } });
    if (!user) return;
    const { name, prefix, scopes, expiresAt, allowedNetworks, createdAt } = input.token;
    await sendInBackground(deps.mail, tokenCreatedMail(user.email, deps.baseUrl, { name, prefix, scopes, expiresAt, allowedNetworks, createdAt, source: input.source }));
  } catch (err) {
    deps.mail.logger.error({ err, module: 'accounts' }, 'token notice mail failed');
  }
}
