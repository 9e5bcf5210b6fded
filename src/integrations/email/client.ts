import nodemailer from 'nodemailer';
import type { Logger } from 'pino';

export type OutgoingEmail = { to: string; subject: string; text: string; html?: string | null; replyTo?: string | null };

/** How mail leaves the platform. Only this file imports nodemailer. */
export type MailTransport = {
  name: 'smtp' | 'dev-outbox';
  send(email: OutgoingEmail): Promise<void>;
};

export function smtpTransport(url: string, from: string): MailTransport {
  const transporter = nodemailer.createTransport(url);
  return {
    name: 'smtp',
    async send(email) {
      await transporter.sendMail({ from, to: email.to, subject: email.subject, text: email.text, html: email.html ?? undefined, replyTo: email.replyTo ?? undefined });
    },
  };
}

/** Without SMTP the mail stays in the outbox table (readable at /dev/mail) and is printed in the log. */
export function devOutboxTransport(logger: Logger): MailTransport {
  return {
    name: 'dev-outbox',
    async send(email) {
      logger.info({ to: email.to, subject: email.subject }, `mail kept in the dev outbox (/dev/mail):\n${email.text}`);
    },
  };
}
