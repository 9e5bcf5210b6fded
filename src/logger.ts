import pino, { type Logger } from 'pino';

/** Structured logs; secrets never reach them (cookies and tokens are redacted). */
export function createLogger(level: string): Logger {
  return pino({
    level,
    redact: {
      paths: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]', '*.token', '*.password'],
      censor: '[redacted]',
    },
  });
}
