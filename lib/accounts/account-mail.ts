// The account emails: plain text, links on lines of their own. What every flow that mails needs.
import { publicBaseUrl } from '../config';
import type { Engines } from '../engines';
import type { PrismaClient } from '../generated/prisma/client';
import { getMailer, type MailDeps } from '../mail/get-mailer';
import type { MailMessage } from '../mail/types';
import type { Runtime } from '../runtime';

export interface AccountMailDeps {
  prisma: PrismaClient;
  mail: MailDeps;
  /** The public address links point at (publicBaseUrl(config)), without a trailing slash. */
  baseUrl: string;
}

/** The account flows' dependencies from the running process. */
export function accountMailDeps(runtime: Pick<Runtime, 'config' | 'db' | 'engines' | 'logger'>): AccountMailDeps & { engines: Engines } {
  return {
    prisma: runtime.db.prisma,
    engines: runtime.engines,
    mail: { mailer: getMailer(runtime), logger: runtime.logger },
    baseUrl: publicBaseUrl(runtime.config).replace(/\/+$/, ''),
  };
}

const signature = '\n\n— Sluice';

export function verificationMail(to: string, link: string): MailMessage {
  return {
    to,
    subject: 'Confirm your email address',
    text: `Hello,\n\nConfirm that this is your address to finish setting up your Sluice account:\n\n${link}\n\nThe link works for 3 days. Until you confirm, your public sightings are held from the firehose and paid plans cannot be bought.\nIf you did not create an account, ignore this message.${signature}`,
  };
}

export function resetMail(to: string, link: string): MailMessage {
  return {
    to,
    subject: 'Reset your Sluice password',
    text: `Hello,\n\nSomeone (hopefully you) asked to reset the password of your Sluice account. Choose a new password here:\n\n${link}\n\nThe link works once, for 1 hour. Setting a new password signs you out on every device.\nIf you did not ask, ignore this message: your password stays as it is.${signature}`,
  };
}

export function passwordChangedMail(to: string, baseUrl: string, how: 'changed' | 'reset'): MailMessage {
  return {
    to,
    subject: 'Your Sluice password was changed',
    text: `Hello,\n\nThe password of your Sluice account was ${how === 'reset' ? 'reset from an emailed link' : 'changed from the settings page'} at ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC. ${how === 'reset' ? 'Every device was signed out.' : 'Every other device was signed out.'}\n\nIf this was not you, reset your password now:\n\n${baseUrl}/forgot-password${signature}`,
  };
}

export function signUpAttemptMail(to: string, baseUrl: string): MailMessage {
  return {
    to,
    subject: 'Someone tried to create a Sluice account with your address',
    text: `Hello,\n\nSomeone tried to create a new Sluice account with this address, which already has one. Nothing was changed.\n\nIf it was you, sign in:\n\n${baseUrl}/login\n\nForgot your password? Reset it here:\n\n${baseUrl}/forgot-password${signature}`,
  };
}

const utc = (d: Date) => `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;

export function deletionScheduledMail(to: string, baseUrl: string, dueAt: Date): MailMessage {
  return {
    to,
    subject: 'Your Sluice account will be deleted',
    text: `Hello,\n\nYou asked to delete your Sluice account. It will be deleted on ${utc(dueAt)}, with its API tokens, feeds, sightings, webhooks and everything we keep about you; indicators you reported publicly are recounted without your reports.\n\nUntil then your API tokens are refused and your live streams are ended. Changed your mind? Sign in and cancel the deletion here (your tokens work again at once):\n\n${baseUrl}/settings\n\nIf you did not ask for this, cancel it there and change your password.${signature}`,
  };
}

export function deletionCancelledMail(to: string, baseUrl: string): MailMessage {
  return {
    to,
    subject: 'The deletion of your Sluice account was cancelled',
    text: `Hello,\n\nThe deletion of your Sluice account was cancelled at ${utc(new Date())}. Nothing was deleted, and your API tokens work again.\n\nYour settings:\n\n${baseUrl}/settings${signature}`,
  };
}

export function accountDeletedMail(to: string): MailMessage {
  return {
    to,
    subject: 'Your Sluice account was deleted',
    text: `Hello,\n\nYour Sluice account was deleted at ${utc(new Date())}, as you asked: its API tokens, feeds, sightings, sessions and personal data are gone. This is the last message we send to this address.${signature}`,
  };
}

export interface TokenCreatedNotice {
  name: string;
  prefix: string;
  scopes: readonly string[];
  expiresAt: Date | null;
  allowedNetworks: readonly string[];
  createdAt: Date;
  /** Where it was made: the dashboard (with the client address when known) or an operator's `sluice admin token create`. */
  source: { kind: 'dashboard'; address: string | null } | { kind: 'cli' };
}

/** The notice of a new API token: what it can do, never the token itself. */
export function tokenCreatedMail(to: string, baseUrl: string, token: TokenCreatedNotice): MailMessage {
  const where =
    token.source.kind === 'dashboard'
      ? `on the dashboard, from ${token.source.address ?? 'an unknown address'}`
      : 'by an operator of this Sluice instance (sluice admin token create)';
  return {
    to,
    subject: `A new API token was created for your Sluice account: ${token.name.slice(0, 60)}`,
    text: [
      'Hello,',
      '',
      `A new API token was created for your Sluice account ${where}.`,
      '',
      `Name: ${token.name}`,
      `Starts with: ${token.prefix}…`,
      `Scopes: ${token.scopes.join(', ')}`,
      `Expires: ${token.expiresAt ? utc(token.expiresAt) : 'never'}`,
      `Usable from: ${token.allowedNetworks.length ? token.allowedNetworks.join(', ') : 'any address'}`,
      `Created: ${utc(token.createdAt)}`,
      '',
      'If this was not you, revoke the token on your dashboard at once, then change your password and sign out everywhere:',
      '',
      `${baseUrl}/dashboard`,
      '',
      `${baseUrl}/settings`,
    ].join('\n') + signature,
  };
}
