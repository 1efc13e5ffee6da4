// The process's mailer, built once from the runtime's configuration, and the fire-and-forget send
// the account flows use (their answers must not wait on, or reveal, a mail server).
import { processSlot } from '../process-state';
import type { Runtime } from '../runtime';
import { createMailer } from './create-mailer';
import type { Mailer, MailMessage } from './types';

export function getMailer(runtime: Pick<Runtime, 'config' | 'db' | 'logger'>): Mailer {
  return processSlot('mailer', () =>
    createMailer({ smtpUrl: runtime.config.SMTP_URL, from: runtime.config.MAIL_FROM, prisma: runtime.db.prisma, logger: runtime.logger }),
  );
}

/** What account flows need to send mail: a mailer and a logger for failures. */
export interface MailDeps {
  mailer: Mailer;
  logger: Pick<Runtime['logger'], 'error' | 'info'>;
}

/**
 * Sends without making the caller wait: a failure is logged (never thrown), so a request answers in
 * the same time whether or not a mail went out. Returns the delivery, for tests that must await it.
 */
export function sendInBackground(deps: MailDeps, message: MailMessage): Promise<void> {
  return deps.mailer.send(message).catch((err: unknown) => {
    deps.logger.error({ err, module: 'mail', subject: message.subject }, 'mail could not be sent');
  });
}
