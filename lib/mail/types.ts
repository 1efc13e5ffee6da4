// What the mail layer sends: one plain-text message to one address.
export interface MailMessage {
  to: string;
  subject: string;
  /** Plain text; links on lines of their own so every mail client makes them clickable. */
  text: string;
}

export interface Mailer {
  /** `smtp` (SMTP_URL set) or `outbox` (kept in the database, shown at /admin/outbox, and logged). */
  readonly kind: 'smtp' | 'outbox';
  /** Delivers (or stores) the message; rejects when the SMTP server refuses or cannot be reached. */
  send(message: MailMessage): Promise<void>;
  close(): void;
}
