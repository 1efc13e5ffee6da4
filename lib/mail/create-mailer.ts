// The mail transport: SMTP through nodemailer when SMTP_URL is set, else the local outbox (a table
// operators read at /admin/outbox, plus a log line with the whole text) so verification and reset
// work out of the box on an embedded instance.
import nodemailer from 'nodemailer';
import type { PrismaClient } from '../generated/prisma/client';
import type { Logger } from '../logger';
import type { Mailer, MailMessage } from './types';

export interface MailerOptions {
  /** smtp:// or smtps:// URL; unset → the local outbox. */
  smtpUrl?: string;
  /** The From: header, e.g. `Sluice <sluice@example.com>`. */
  from: string;
  prisma: PrismaClient;
  logger: Logger;
}

/** Messages the local outbox keeps (the newest); /admin/outbox shows at most 200 of them. */
export const OUTBOX_KEEP = 1_000;

export function createMailer({ smtpUrl, from, prisma, logger }: MailerOptions): Mailer {
  if (smtpUrl) {
    // One connection per message (mail is rare: sign-up, reset, notices), so nothing is held open at
    // shutdown. Short timeouts: a dead server fails a send in seconds, logged by the caller.
    const transport = nodemailer.createTransport(smtpUrl, { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 20_000 });
    return {
      kind: 'smtp',
      async send(message: MailMessage) {
        await transport.sendMail({ from, to: message.to, subject: message.subject, text: message.text });
      },
      close: () => transport.close(),
    };
  }
  return {
    kind: 'outbox',
    async send(message: MailMessage) {
      await prisma.mailOutbox.create({ data: { to: message.to, subject: message.subject, text: message.text } });
      // Bounded: anyone can make Sluice send mail (sign-ups, reset requests), so older messages go.
      await prisma.$executeRaw`
        DELETE FROM mail_outbox WHERE created_at < (SELECT created_at FROM mail_outbox ORDER BY created_at DESC OFFSET ${OUTBOX_KEEP - 1}::int LIMIT 1)`;
      // Embedded instances often have no operator at /admin yet: the log carries the message too.
      logger.info({ module: 'mail', to: message.to, subject: message.subject, text: message.text }, 'mail kept in the local outbox (no SMTP_URL)');
    },
    close() {},
  };
}
