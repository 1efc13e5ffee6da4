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
export function accountMailDeps(runtime: Runtime): AccountMailDeps & { engines: Engines } {
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
