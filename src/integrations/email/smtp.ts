import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { SMTPServer, type SMTPServerDataStream } from 'smtp-server';
import { AppError } from '../../errors.ts';
import { EmailRefused, type EmailChannel } from './inbound.ts';

/** An SMTP refusal: smtp-server sends `responseCode` and the message to the client. */
const smtpError = (code: number, message: string) => Object.assign(new Error(message), { responseCode: code });

/**
 * The SMTP server that receives replies and support requests (INBOUND_SMTP_PORT): point the reply
 * domain's MX at it, or forward to it. It accepts mail for signed reply addresses and for the support
 * addresses of repositories that take tickets: any other recipient, and a reply address whose token does
 * not verify, is refused with 550 at RCPT TO, before any data is sent. SIZE is
 * announced and enforced (552); a message without readable text is refused after DATA, so the sender's
 * server bounces it to them with our reason. No AUTH: it is a receiving server, not a relay.
 */
export async function startInboundSmtp(channel: EmailChannel, options: { port: number; host: string; logger: Logger }) {
  const server = new SMTPServer({
    name: 'backline-inbound',
    banner: 'Backline replies',
    authOptional: true,
    disabledCommands: ['AUTH'],
    size: channel.maxBytes,
    disableReverseLookup: true,
    logger: false,
    onMailFrom(address, _session, callback) {
      const declared = Number((address.args || {}).SIZE ?? 0);
      if (declared > channel.maxBytes) return callback(smtpError(552, channel.refusals.tooLarge(channel.maxBytes).message));
      callback();
    },
    onRcptTo(address, _session, callback) {
      channel.acceptsRecipient(address.address).then(
        (accepted) => callback(accepted ? undefined : smtpError(550, `No mailbox here by the name ${address.address.slice(0, 100)}.`)),
        (error: unknown) => {
          if (error instanceof EmailRefused) return callback(smtpError(550, error.message));
          options.logger.error({ err: error }, 'inbound email: recipient check failed');
          callback(smtpError(451, 'Temporary failure on our side; please try again later.'));
        },
      );
    },
    onData(stream: SMTPServerDataStream, session, callback) {
      const chunks: Buffer[] = [];
      let size = 0;
      stream.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size <= channel.maxBytes) chunks.push(chunk);
      });
      stream.on('end', () => {
        if (stream.sizeExceeded || size > channel.maxBytes) return callback(smtpError(552, channel.refusals.tooLarge(channel.maxBytes).message));
        const recipients = session.envelope.rcptTo.map((recipient) => recipient.address);
        channel.receive(Buffer.concat(chunks), recipients).then(
          (received) => callback(null, received.duplicate ? 'Already received' : 'Reply received'),
          (error: unknown) => {
            if (error instanceof EmailRefused) return callback(smtpError(error.smtp, error.message));
            if (error instanceof AppError && error.status < 500) return callback(smtpError(550, error.message));
            options.logger.error({ err: error }, 'inbound email failed');
            callback(smtpError(451, 'Temporary failure on our side; please try again later.'));
          },
        );
      });
    },
  });
  server.on('error', (error) => options.logger.error({ err: error }, 'inbound SMTP server error'));
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const port = (server.server.address() as AddressInfo).port;
  options.logger.info({ port }, 'inbound SMTP server listening for email replies');
  return { port, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
