// The mail transport against a real SMTP server started in-process (smtp-server), and the local
// outbox used when no SMTP_URL is set.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@/lib/logger';
import { createMailer, OUTBOX_KEEP } from '@/lib/mail/create-mailer';
import { findOutboxMail } from '@/lib/mail/find-outbox';
import { sendInBackground } from '@/lib/mail/get-mailer';
import { freePort } from '@/tests/helpers/free-port';
import { startSmtpSink, type SmtpSink } from '@/tests/helpers/smtp-sink';
import { createTestDatabase, type TestDatabase } from '@/tests/helpers/test-env';

let t: TestDatabase;
let sink: SmtpSink;
const logger = createLogger('silent');

beforeAll(async () => {
  t = await createTestDatabase();
  sink = await startSmtpSink();
});
afterAll(async () => {
  await sink?.close();
  await t?.drop();
});

describe('mail', () => {
  it('SMTP_URL set: the message reaches the SMTP server with its sender, subject and a long link intact', async () => {
    const mailer = createMailer({ smtpUrl: sink.url, from: 'Sluice <noreply@sluice.test>', prisma: t.db.prisma, logger });
    expect(mailer.kind).toBe('smtp');
    const link = `http://127.0.0.1:3000/verify-email?token=${'a'.repeat(64)}`;
    await mailer.send({ to: 'Ada@Example.com', subject: 'Confirm your email address', text: `Hello,\n\n${link}\n\nSluice` });
    mailer.close();
    const [mail] = sink.to('ada@example.com');
    expect(mail.subject).toBe('Confirm your email address');
    expect(mail.from).toContain('noreply@sluice.test');
    expect(mail.links).toEqual([link]);
    expect(await t.db.prisma.mailOutbox.count()).toBe(0);
  });

  it('no SMTP_URL: the message is kept in the outbox (newest first) and logged', async () => {
    const lines: string[] = [];
    const stream = { write: (line: string) => lines.push(line) };
    const pino = (await import('pino')).default;
    const mailer = createMailer({ from: 'x <x@y.z>', prisma: t.db.prisma, logger: pino({ level: 'info' }, stream) });
    expect(mailer.kind).toBe('outbox');
    await mailer.send({ to: 'first@example.com', subject: 'One', text: 'first' });
    await mailer.send({ to: 'second@example.com', subject: 'Two', text: 'second\nhttp://localhost/reset?token=x' });
    const mail = await findOutboxMail(t.db.prisma);
    expect(mail.map((m) => m.subject)).toEqual(['Two', 'One']);
    expect(mail[0]).toMatchObject({ to: 'second@example.com', text: 'second\nhttp://localhost/reset?token=x' });
    expect(lines.some((l) => l.includes('http://localhost/reset?token=x') && l.includes('second@example.com'))).toBe(true);
  });

  it('the outbox keeps the newest OUTBOX_KEEP messages: older ones go as new ones arrive', async () => {
    const mailer = createMailer({ from: 'Sluice <noreply@sluice.test>', prisma: t.db.prisma, logger });
    await t.db.prisma.mailOutbox.deleteMany({});
    const hourAgo = Date.now() - 3_600_000;
    await t.db.prisma.mailOutbox.createMany({
      data: Array.from({ length: OUTBOX_KEEP + 5 }, (_, i) => ({ to: `old${i}@example.com`, subject: 'Old', text: 'old', createdAt: new Date(hourAgo + i * 1000) })),
    });
    await mailer.send({ to: 'newest@example.com', subject: 'Newest', text: 'new' });
    expect(await t.db.prisma.mailOutbox.count()).toBe(OUTBOX_KEEP);
    // The six oldest went; the newest and the most recent old ones stayed.
    const kept = new Set((await t.db.prisma.mailOutbox.findMany({ select: { to: true } })).map((m) => m.to));
    expect(kept.has('newest@example.com')).toBe(true);
    expect(kept.has(`old${OUTBOX_KEEP + 4}@example.com`)).toBe(true);
    expect(kept.has('old5@example.com')).toBe(false);
    expect(kept.has('old6@example.com')).toBe(true);
  });

  it('an unreachable SMTP server: sendInBackground logs the failure and never throws', async () => {
    const dead = `smtp://127.0.0.1:${await freePort()}`;
    const errors: unknown[] = [];
    const mailer = createMailer({ smtpUrl: dead, from: 'x <x@y.z>', prisma: t.db.prisma, logger });
    await expect(mailer.send({ to: 'a@b.c', subject: 's', text: 't' })).rejects.toThrow();
    await sendInBackground({ mailer, logger: { error: (...args: unknown[]) => errors.push(args), info: () => undefined } }, { to: 'a@b.c', subject: 's', text: 't' });
    expect(errors).toHaveLength(1);
  });
});
